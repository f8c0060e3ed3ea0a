-- What the built-in servers keep: the user's own prompt templates (the `prompts` server)
-- and the journal of every write the `sql` server made to a database.

-- A template's definition is JSON, checked by the prompts server before it is stored.
CREATE TABLE prompt_templates (
    name        TEXT PRIMARY KEY NOT NULL
                CHECK (length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^A-Za-z0-9_-]*'),
    definition  TEXT NOT NULL CHECK (json_valid(definition)),
    updated_at  INTEGER NOT NULL
) STRICT;

-- One row per statement the sql server committed. Parameter values are never kept, only
-- how many there were; `tables` is a JSON array of the tables the statement wrote.
CREATE TABLE sql_writes (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    server_id       TEXT NOT NULL,
    engine          TEXT NOT NULL CHECK (engine IN ('sqlite', 'postgres')),
    database        TEXT NOT NULL,
    statement       TEXT NOT NULL,
    parameters      INTEGER NOT NULL CHECK (parameters >= 0),
    rows_changed    INTEGER NOT NULL CHECK (rows_changed >= 0),
    last_insert_id  INTEGER,
    tables          TEXT NOT NULL CHECK (json_valid(tables))
) STRICT;

CREATE INDEX sql_writes_at ON sql_writes (at);
