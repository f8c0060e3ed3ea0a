#!/usr/bin/env python3
"""Benchmark the daemon's Streamable HTTP endpoint beside supergateway, on one workload.

One run measures, with ../shared/bench/mcpbench.py (calc's `calculate("1+1")`, as cheap as
an echo, so what is measured is the HTTP path):

  sb-http-child      http://127.0.0.1:PORT/servers/calc-child/mcp: the daemon runs
                     `switchboard serve calc` as a supervised child for the session and
                     records every call (the same child supergateway runs)
  sb-http-builtin    /servers/calc/mcp: the daemon serves calc in-process
  sb-http-stateless  /servers/calc/mcp in the 2026-07-28 era (no session; a pooled one)
  supergateway       supergateway 4 (npm) exposing `switchboard serve calc` (stdio) over
                     Streamable HTTP, inside a network namespace with only loopback
                     (`unshare -n`, needs root), so nothing it does leaves the machine

Each: sequential calls (p50/p99, calls/s) and 50 keep-alive connections in flight (the
end-to-end load test's shape). mcpbench cannot send headers, so it runs with the bearer
token added to every request by a patch of Python's http.client made in this script; the
token comes from `switchboard http token`, as a user's would. The daemon needs a keychain
for its token: without a D-Bus session, this script re-runs itself inside
`dbus-run-session` with a throwaway gnome-keyring (as scripts/test does). The daemon's
rate limit is raised for the run (the default, 100 requests/s, is for one user's clients).

    bench/endpoint.py                        # 2000 calls x 3 reps
    bench/endpoint.py --calls 500 --reps 1 --no-peers     # a quick look
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gateway import Daemon, free_port, loopback_only, peer_bin  # noqa: E402
from sidebyside import MCPBENCH, switchboard_binary  # noqa: E402

TOOL, ARGS = "calculate", '{"expression": "1+1"}'
CONCURRENCY = 50

# Runs mcpbench with `Authorization: Bearer $SB_BENCH_TOKEN` on every HTTP request.
WITH_TOKEN = """
import http.client, os, runpy, sys
token = os.environ.get("SB_BENCH_TOKEN")
if token:
    plain = http.client.HTTPConnection.request
    def request(self, method, url, body=None, headers=None, **kw):
        headers = dict(headers or {})
        headers["Authorization"] = "Bearer " + token
        return plain(self, method, url, body, headers, **kw)
    http.client.HTTPConnection.request = request
script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name="__main__")
"""


def in_keychain_session():
    """Re-runs this script inside a private D-Bus session with an unlocked throwaway
    gnome-keyring, unless one is already there."""
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS") or os.environ.get("SB_BENCH_IN_SESSION"):
        return
    home = tempfile.mkdtemp(prefix="sb-bench-keyring-")
    env = dict(os.environ, XDG_DATA_HOME=home, SB_BENCH_IN_SESSION="1")
    script = ("echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "
              "exec \"$@\"")
    code = subprocess.run(["dbus-run-session", "--", "sh", "-c", script, "sh", sys.executable,
                           *sys.argv], env=env).returncode
    shutil.rmtree(home, ignore_errors=True)
    sys.exit(code)


def mcpbench(label, url, args, token=None, extra=(), netns=False, calls=None, reps=None):
    cmd = [sys.executable, "-c", WITH_TOKEN, str(MCPBENCH), "--http", url, "--label", label,
           "--tool", TOOL, "--args", ARGS, "--calls", str(calls or args.calls),
           "--conc-calls", str(calls or args.calls), "--concurrency", str(CONCURRENCY),
           "--reps", str(reps or args.reps), "--cold-runs", "0", *extra]
    if netns:
        cmd = loopback_only(cmd)
    env = dict(os.environ)
    if token:
        env["SB_BENCH_TOKEN"] = token
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, env=env).stdout
    result = json.loads(out)
    if result["rpc_errors"] or result["tool_errors"]:
        sys.exit(f"{label} answered with errors; the comparison would be meaningless")
    return result


def output(daemon, *args):
    return subprocess.run([daemon.binary, *args], env=daemon.env, check=True,
                          stdout=subprocess.PIPE, text=True).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true", help="skip supergateway")
    parser.add_argument("--json", type=Path, help="also save the raw results here")
    args = parser.parse_args()
    in_keychain_session()
    binary = switchboard_binary()
    results = {}
    daemon = Daemon(binary)
    try:
        daemon.run("settings", "http.rate_limit_per_second", "1000000")
        daemon.run("settings", "http.rate_limit_burst", "1000000")
        shown = output(daemon, "http", "enable", "--port", "0")
        base = next(line.split(": ", 1)[1].strip() for line in shown.splitlines()
                    if line.startswith("The HTTP endpoint is on: "))
        token = output(daemon, "http", "token").strip()
        results["sb-http-child"] = mcpbench("sb-http-child", f"{base}/servers/calc-child/mcp", args, token)
        results["sb-http-builtin"] = mcpbench("sb-http-builtin", f"{base}/servers/calc/mcp", args, token)
        results["sb-http-stateless"] = mcpbench("sb-http-stateless", f"{base}/servers/calc/mcp", args, token,
                                                extra=["--era", "modern"])
        daemon_rss = daemon.peak_rss_mib()
    finally:
        daemon.stop()
    if not args.no_peers:
        if os.geteuid() != 0:
            sys.exit("supergateway runs in a loopback-only network namespace, which needs root; "
                     "run as root or pass --no-peers")
        supergateway = peer_bin("supergateway")
        port = free_port()
        # supergateway closes a keep-alive connection after about 30 s of calls, which
        # mcpbench does not survive: 500 calls once.
        results["supergateway"] = mcpbench("supergateway", f"http://127.0.0.1:{port}/mcp", args, extra=[
            "--cmd", f"{supergateway} --stdio '{binary} serve calc' --outputTransport streamableHttp "
                     f"--port {port} --logLevel none"], netns=True, calls=min(args.calls, 500), reps=1)

    load = next(iter(results.values()))["host"]["loadavg_start"][0]
    print(f"\nworkload: tools/call calculate(\"1+1\"); {args.calls} sequential calls x {args.reps} reps, "
          f"then {CONCURRENCY} keep-alive connections in flight; 1-min load {load:.2f} on "
          f"{os.cpu_count()} CPUs; daemon peak RSS {daemon_rss:.1f} MiB\n")
    names = list(results)
    print("| measure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    rows = [
        ("sequential call p50 (ms)", lambda r: r["sequential"]["p50_ms"]),
        ("sequential call p99 (ms)", lambda r: r["sequential"]["p99_ms"]),
        ("sequential (calls/s)", lambda r: r["sequential"]["calls_per_s"]),
        (f"{CONCURRENCY} in flight (calls/s)", lambda r: r["concurrent"]["calls_per_s"]),
        (f"{CONCURRENCY} in flight, call p50 (ms)", lambda r: r["concurrent"]["p50_ms"]),
        (f"{CONCURRENCY} in flight, call p99 (ms)", lambda r: r["concurrent"]["p99_ms"]),
    ]
    for key, get in rows:
        cells = []
        for name in names:
            try:
                value = get(results[name])
            except (KeyError, TypeError):
                value = None
            cells.append("-" if value is None else f"{value:,.3f}" if value < 1000 else f"{value:,.0f}")
        print(f"| {key} | " + " | ".join(cells) + " |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
