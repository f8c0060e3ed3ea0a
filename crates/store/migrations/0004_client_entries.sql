-- The entries Switchboard manages in MCP clients' config files: one row per entry, keyed by
-- the client file (client id, scope and, for project and local scopes, the project
-- folder) and the entry's name there. Which entries are Switchboard's is known only from
-- here, never from markers in the client's file. server_id is not a foreign key: when a
-- server is removed, its entries are taken out of the files first and then forgotten here.
CREATE TABLE client_entries (
    client      TEXT NOT NULL CHECK (length(client) BETWEEN 1 AND 64),
    scope       TEXT NOT NULL CHECK (scope IN ('user', 'project', 'local')),
    project     TEXT CHECK ((scope = 'user') = (project IS NULL)),
    path        TEXT NOT NULL CHECK (length(path) > 0),
    name        TEXT NOT NULL
                CHECK (length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^A-Za-z0-9_-]*'),
    server_id   TEXT NOT NULL
                CHECK (length(server_id) BETWEEN 1 AND 64 AND server_id NOT GLOB '*[^A-Za-z0-9_-]*'),
    written_at  INTEGER NOT NULL
) STRICT;

-- One entry per name, and one per server, in each client file.
CREATE UNIQUE INDEX client_entries_name ON client_entries (client, scope, ifnull(project, ''), name);
CREATE UNIQUE INDEX client_entries_server ON client_entries (client, scope, ifnull(project, ''), server_id);
CREATE INDEX client_entries_by_server ON client_entries (server_id);
