#!/usr/bin/env python3
"""The daemon's idle memory, and a bridge's: what Switchboard costs a computer all day.

Starts `switchboard daemon` on a fresh data folder, gives it one client session through
`switchboard connect calc` (the bridge a client config entry runs; its memory is read while
the session is open), lets it sit idle, then reads its memory from /proc: RSS (the binary's
and libraries' pages counted in full) and PSS (shared pages split between the processes
that map them), split into the process's own memory and pages mapped from files.

    bench/daemon.py                 # 75 s idle, the release build (SWITCHBOARD_BIN to pick one)
    bench/daemon.py --idle 10       # a quick look

Idle means no session open and no server process running; the store's pooled connections
close after 30 s unused, so an idle time under that measures them too. Nothing leaves this
computer: the daemon listens on its socket only (no HTTP endpoint in a fresh data folder).
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from sidebyside import switchboard_binary


def status(pid):
    """kB fields of /proc/<pid>/status and smaps_rollup."""
    fields = {}
    for name in (f"/proc/{pid}/status", f"/proc/{pid}/smaps_rollup"):
        for line in Path(name).read_text().splitlines():
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                fields.setdefault(key, int(value.split()[0]))
    fields["Threads"] = int(Path(f"/proc/{pid}/status").read_text().split("Threads:")[1].split()[0])
    return fields


def session(engine, env):
    """One client session through the bridge; returns the bridge's memory mid-session."""
    bridge = subprocess.Popen(engine + ["connect", "calc"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, env=env)

    def ask(message):
        bridge.stdin.write((json.dumps(message) + "\n").encode())
        bridge.stdin.flush()
        if "id" in message:
            answer = json.loads(bridge.stdout.readline())
            if "error" in answer:
                raise SystemExit(f"the session failed: {answer['error']}")

    ask({"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": {"name": "bench", "version": "1"}}})
    ask({"jsonrpc": "2.0", "method": "notifications/initialized"})
    for i in range(100):
        ask({"jsonrpc": "2.0", "id": 2 + i, "method": "tools/call",
             "params": {"name": "calculate", "arguments": {"expression": "1+1"}}})
    memory = status(bridge.pid)
    bridge.stdin.close()
    bridge.wait(timeout=30)
    return memory


def mib(kb):
    return f"{kb / 1024:.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=75, help="seconds idle before reading")
    args = parser.parse_args()
    engine = [str(switchboard_binary())]
    with tempfile.TemporaryDirectory(prefix="sb-daemon-bench-") as temp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
        env.update(SWITCHBOARD_DATA_DIR=f"{temp}/data", XDG_RUNTIME_DIR=f"{temp}/run")
        os.mkdir(f"{temp}/run", 0o700)
        daemon = subprocess.Popen(engine + ["daemon"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while not any(p.is_socket() for p in Path(temp, "data").rglob("*")):
                if time.monotonic() > deadline or daemon.poll() is not None:
                    raise SystemExit("the daemon did not start")
                time.sleep(0.05)
            bridge = session(engine, env)
            time.sleep(args.idle)
            idle = status(daemon.pid)
        finally:
            subprocess.run(engine + ["stop"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            daemon.wait(timeout=30)
    load = os.getloadavg()[0]
    print(f"daemon idle {args.idle:.0f} s after one session, bridge mid-session "
          f"(1-minute load {load:.2f} on {os.cpu_count()} CPUs)\n")
    print("| measure | daemon, idle | bridge (`connect`), in a session |")
    print("|---|---|---|")
    for label, key in (("RSS (MiB)", "VmRSS"), ("PSS (MiB)", "Pss"),
                       ("own memory, RssAnon (MiB)", "RssAnon"),
                       ("mapped from files, RssFile (MiB)", "RssFile")):
        print(f"| {label} | {mib(idle[key])} | {mib(bridge[key])} |")
    print(f"| threads | {idle['Threads']} | {bridge['Threads']} |")
    print(f"\n- daemon idle RSS under 15 MiB: {'met' if idle['VmRSS'] < 15 * 1024 else 'NOT met'}")


if __name__ == "__main__":
    main()
