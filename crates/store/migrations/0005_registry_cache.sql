-- The MCP Registry the user chose to read the catalog from, and what it listed last time:
-- one row at most. `documents` is a JSON array of `server.json` documents, each valid when
-- it was stored (the catalog checks them again when it reads them).
CREATE TABLE registry_cache (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    url         TEXT NOT NULL,
    etag        TEXT,
    fetched_at  INTEGER NOT NULL,
    complete    INTEGER NOT NULL CHECK (complete IN (0, 1)),
    documents   TEXT NOT NULL CHECK (json_valid(documents) AND json_type(documents) = 'array')
) STRICT;
