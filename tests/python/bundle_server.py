# The MCP server inside the test bundles: answers over stdio, says how long the API_KEY it
# was given is (never the key) and the folder it was started with; a wrong key makes it exit
# as a real server would.
import json, os, sys
if os.environ.get("API_KEY") == "a-wrong-key":
    sys.stderr.write("401 Unauthorized: the API key was rejected\n")
    sys.exit(1)
for line in sys.stdin:
    message = json.loads(line)
    if "id" not in message:
        continue
    method = message["method"]
    if method == "initialize":
        result = {"protocolVersion": message["params"]["protocolVersion"],
                  "capabilities": {"tools": {}},
                  "serverInfo": {"name": "hello-bundle", "version": "1.0.0"}}
    elif method == "tools/list":
        result = {"tools": [{"name": "whoami", "description": "What it was given",
                             "inputSchema": {"type": "object"}}]}
    elif method == "tools/call":
        key = os.environ.get("API_KEY", "")
        result = {"content": [{"type": "text",
                               "text": f"a key of {len(key)} characters; folder {sys.argv[1]}"}]}
    elif method == "ping":
        result = {}
    else:
        print(json.dumps({"jsonrpc": "2.0", "id": message["id"],
                          "error": {"code": -32601, "message": "unknown method"}}), flush=True)
        continue
    print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}), flush=True)
