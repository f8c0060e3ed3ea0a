-- Tools the user switched off, per server. A tool not listed here is on.
CREATE TABLE disabled_tools (
    server_id   TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    tool        TEXT NOT NULL CHECK (length(tool) BETWEEN 1 AND 128),
    disabled_at INTEGER NOT NULL,
    PRIMARY KEY (server_id, tool)
) STRICT;
