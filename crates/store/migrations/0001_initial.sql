-- Switchboard's first schema: the registry of installed servers, settings, folder grants
-- and the call log. Times are Unix epoch milliseconds (UTC); durations are microseconds.

-- Installed servers. `launch` is JSON describing how to start the server (a built-in, a
-- command, a package); it holds the names of the secrets a server needs, never a value.
CREATE TABLE servers (
    id          TEXT PRIMARY KEY NOT NULL
                CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('builtin', 'command', 'npm', 'pypi', 'oci', 'bundle')),
    launch      TEXT NOT NULL CHECK (json_valid(launch)),
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- User settings as JSON values under stable keys.
CREATE TABLE settings (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL CHECK (json_valid(value)),
    updated_at  INTEGER NOT NULL
) STRICT;

-- Folders the user granted: to one server, or to every server when server_id is NULL.
CREATE TABLE grants (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL CHECK (length(path) > 0),
    access      TEXT NOT NULL CHECK (access IN ('read_only', 'read_write')),
    server_id   TEXT REFERENCES servers (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL
) STRICT;

-- One grant per folder and scope; NULL (all servers) counts as one scope.
CREATE UNIQUE INDEX grants_path_scope ON grants (path, ifnull(server_id, ''));

-- Every call a client made through Switchboard. server_id is not a foreign key: the log
-- outlives the servers it mentions. args_preview is redacted before it is written.
CREATE TABLE calls (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    client          TEXT NOT NULL,
    server_id       TEXT NOT NULL,
    method          TEXT NOT NULL,
    tool            TEXT,
    duration_us     INTEGER NOT NULL CHECK (duration_us >= 0),
    status          TEXT NOT NULL
                    CHECK (status IN ('ok', 'tool_error', 'rpc_error', 'cancelled', 'timeout')),
    error_code      INTEGER,
    request_bytes   INTEGER NOT NULL CHECK (request_bytes >= 0),
    response_bytes  INTEGER NOT NULL CHECK (response_bytes >= 0),
    args_preview    TEXT
) STRICT;

CREATE INDEX calls_at ON calls (at);
CREATE INDEX calls_server_at ON calls (server_id, at);
