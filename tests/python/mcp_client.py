"""A real MCP client from the official Python SDK, for Switchboard's end-to-end tests.

Launches a stdio server command, lists its tools, makes the calls given, and prints one
JSON object: {"server": serverInfo name, "tools": [names], "calls": [results]}.

    python mcp_client.py --call '{"name":"echo","arguments":{"message":"hi"}}' -- switchboard connect everything
"""
import argparse
import asyncio
import json
import os
import sys

from mcp import Client, StdioServerParameters


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--call", action="append", default=[], help="a tool call as JSON")
    parser.add_argument("--first-until", metavar="TEXT",
                        help="repeat the first call (up to 5 s) until its result contains TEXT: "
                             "for servers that apply roots asynchronously after the handshake")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = [word for word in args.command if word != "--"]
    server = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    async with Client(server, read_timeout_seconds=30) as client:
        tools = await client.list_tools()
        calls = []
        for index, call in enumerate(args.call):
            request = json.loads(call)
            for _ in range(100):
                result = await client.call_tool(request["name"], request.get("arguments", {}))
                dumped = result.model_dump(mode="json", by_alias=True, exclude_none=True)
                if index > 0 or not args.first_until or args.first_until in json.dumps(dumped):
                    break
                await asyncio.sleep(0.05)
            calls.append(dumped)
        info = client.server_info if hasattr(client, "server_info") else None
        print(json.dumps({
            "server": getattr(info, "name", None),
            "tools": [tool.name for tool in tools.tools],
            "calls": calls,
        }))


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
