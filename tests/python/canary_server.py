"""An MCP server that knows a secret and is careless with it, for the canary test.

It reads CANARY_TOKEN from its environment (where Switchboard puts it), prints it on
stderr when it starts and when it crashes, and hands it back from a tool: everything a
badly behaved server could do. Switchboard must keep the value out of every file it
writes, its database, its logs and every process's arguments.

    python canary_server.py     (stdio)
"""
import os
import sys

from mcp.server.mcpserver import MCPServer

TOKEN = os.environ.get("CANARY_TOKEN", "")
print(f"canary server starting; token={TOKEN}", file=sys.stderr, flush=True)

server = MCPServer("canary")


@server.tool()
def echo(message: str) -> str:
    """Returns the message."""
    return message


@server.tool()
def reveal() -> str:
    """Returns the secret this server was given (to the client only)."""
    return TOKEN


@server.tool()
def crash() -> str:
    """Prints the secret on stderr and dies without answering."""
    print(f"fatal: could not authenticate with {TOKEN}", file=sys.stderr, flush=True)
    os._exit(3)


if __name__ == "__main__":
    server.run()
