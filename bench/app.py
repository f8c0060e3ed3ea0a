#!/usr/bin/env python3
"""Measure the desktop app: how long from launch until the window shows live data, and how
much memory the app (its own process plus WebKit's web and network processes) and the daemon
use once idle.

Run it on a display (a virtual one is fine):

    xvfb-run -a -s "-screen 0 1280x800x24" bench/app.py            # release build, 3 runs
    xvfb-run -a -s "-screen 0 1280x800x24" bench/app.py --debug --runs 1

Each run uses a fresh temporary data folder (so a fresh daemon, started by the app) and a
session bus of its own. The app is launched through tauri-driver, the WebDriver server the
end-to-end test uses, and "live data" means the Servers page has drawn the daemon's servers
(an element [data-server] exists); the time is measured from the WebDriver request that
launches the app, so it includes WebKit starting. Memory is the resident set size summed over
each process tree after `--idle` seconds with nothing happening. Standard library only;
nothing leaves loopback.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def build(profile):
    args = ["cargo", "build", "--locked", "-q", "-p", "switchboard-cli", "-p", "switchboard-app"]
    if profile == "release":
        args.append("--release")
    subprocess.run(args, cwd=ROOT, check=True)
    out = target_dir() / profile
    return out / "switchboard-app", out / "switchboard"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def webdriver(port, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"{}")


def tree(root_pid):
    """The pids of root_pid and every descendant."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    pids, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def rss_mib(pids):
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def pid_of(name, under=None):
    out = subprocess.run(["pgrep", "-x", name], stdout=subprocess.PIPE, text=True).stdout.split()
    pids = [int(p) for p in out]
    if under is not None:
        pids = [p for p in pids if p in under]
    return pids[0] if pids else None


def run_once(app, engine, idle):
    home = Path(tempfile.mkdtemp(prefix="sb-bench-"))
    bus_socket = home / "bus"
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", f"--address=unix:path={bus_socket}"],
        stdout=subprocess.DEVNULL,
    )
    port, native = free_port(), free_port()
    env = dict(os.environ, HOME=str(home), SWITCHBOARD_DATA_DIR=str(home / "data"),
               SWITCHBOARD_BIN=str(engine), DBUS_SESSION_BUS_ADDRESS=f"unix:path={bus_socket}")
    env.pop("SWITCHBOARD_RUNTIME_DIR", None)
    driver = subprocess.Popen(
        ["tauri-driver", "--port", str(port), "--native-port", str(native)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("tauri-driver did not start (scripts/setup installs it)")
                time.sleep(0.05)
        started = time.perf_counter()
        session = webdriver(port, "POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "wry", "tauri:options": {"application": str(app)}}}})
        sid = session["value"]["sessionId"]
        while True:
            found = webdriver(port, "POST", f"/session/{sid}/elements",
                              {"using": "css selector", "value": "[data-server]"})
            if found["value"]:
                break
            if time.perf_counter() - started > 60:
                raise SystemExit("the window showed no servers within 60 s")
            time.sleep(0.02)
        live_ms = (time.perf_counter() - started) * 1000
        time.sleep(idle)
        driver_tree = tree(driver.pid)
        app_pid = pid_of("switchboard-app", set(driver_tree))
        app_mib = rss_mib(tree(app_pid)) if app_pid else float("nan")
        daemon_pid = int((home / "data" / "run" / "daemon.lock").read_text().strip())
        daemon_mib = rss_mib(tree(daemon_pid))
        processes = len(tree(app_pid)) if app_pid else 0
        webdriver(port, "DELETE", f"/session/{sid}")
        subprocess.run([str(engine), "stop"], env=env, stdout=subprocess.DEVNULL, check=False)
        return {"live_ms": live_ms, "app_mib": app_mib, "daemon_mib": daemon_mib,
                "app_processes": processes}
    finally:
        driver.send_signal(signal.SIGTERM)  # never SIGKILL: WebKitWebDriver must go with it
        driver.wait(timeout=20)
        bus.terminate()
        bus.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=20.0, help="seconds idle before memory is read")
    parser.add_argument("--debug", action="store_true", help="measure the debug build")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        raise SystemExit("no display: run this under xvfb-run (see --help)")
    app, engine = build("debug" if args.debug else "release")
    runs = [run_once(app, engine, args.idle) for _ in range(args.runs)]
    for i, r in enumerate(runs, 1):
        print(f"run {i}: live data after {r['live_ms']:.0f} ms; app {r['app_mib']:.1f} MiB "
              f"in {r['app_processes']} processes; daemon {r['daemon_mib']:.1f} MiB", file=sys.stderr)
    median = {k: statistics.median(r[k] for r in runs) for k in ("live_ms", "app_mib", "daemon_mib")}
    print("| measure | median of %d |" % len(runs))
    print("|---|---|")
    print(f"| launch to live data in the window | {median['live_ms']:.0f} ms |")
    print(f"| app idle RSS (app + WebKit processes) | {median['app_mib']:.1f} MiB |")
    print(f"| daemon idle RSS | {median['daemon_mib']:.1f} MiB |")


if __name__ == "__main__":
    main()
