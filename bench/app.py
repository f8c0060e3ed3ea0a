#!/usr/bin/env python3
"""Measure the desktop app: how long from launch until the window shows live data, and how
much memory the app (its own process plus WebKit's web and network processes) and the daemon
use once idle.

Run it on a display (a virtual one is fine):

    xvfb-run -a -s "-screen 0 1280x800x24" bench/app.py            # release build, 3 runs
    xvfb-run -a -s "-screen 0 1280x800x24" bench/app.py --debug --runs 1
    xvfb-run -a -s "-screen 0 1280x800x24" bench/app.py --installed /usr/bin   # the .deb's

Each run uses a fresh temporary data folder (so a fresh daemon, started by the app) and a
session bus of its own. The app is launched through tauri-driver, the WebDriver server the
end-to-end test uses, and "live data" means the Servers page has drawn the daemon's servers
(an element [data-server] exists); the time is measured from the WebDriver request that
launches the app, so it includes WebKit starting. Memory is read after `--idle` seconds with
nothing happening, summed over each process tree, both as resident set size (shared
libraries counted once per process) and as proportional set size (shared pages split between
the processes mapping them: what the tree costs the machine); the daemon, which the app
starts, is counted apart. Then the app is started as at login (`--hidden`: the tray, no
window, so no WebKit process) and measured the same way, and last WebKitGTK's own
MiniBrowser showing an empty page (about:blank): the floor under any window drawn with the
WebKitGTK that Tauri uses on Linux. Standard library only; nothing
leaves loopback.
"""
import argparse
import contextlib
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
    # One package at a time, as scripts/package does: built together, the two would unify
    # their dependencies' features, which renames the engine's symbols and so defeats its
    # hot-symbols list (crates/cli/build.rs).
    for package in ("switchboard-cli", "switchboard-app"):
        args = ["cargo", "build", "--locked", "-q", "-p", package]
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
    """Resident set size summed over pids: shared libraries count once per process."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def pss_mib(pids):
    """Proportional set size summed over pids: each shared page is split between the
    processes mapping it, so the sum is what the tree costs the machine."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
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


@contextlib.contextmanager
def throwaway_home(engine):
    """A fresh HOME and data folder, with a private D-Bus session bus, for one app run;
    yields (home, env) and removes it all after."""
    home = Path(tempfile.mkdtemp(prefix="sb-bench-"))
    bus_socket = home / "bus"
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", f"--address=unix:path={bus_socket}"],
        stdout=subprocess.DEVNULL,
    )
    env = dict(os.environ, HOME=str(home), SWITCHBOARD_DATA_DIR=str(home / "data"),
               SWITCHBOARD_BIN=str(engine), DBUS_SESSION_BUS_ADDRESS=f"unix:path={bus_socket}")
    env.pop("SWITCHBOARD_RUNTIME_DIR", None)
    deadline = time.time() + 10
    while not bus_socket.exists() and time.time() < deadline:  # the bus is listening
        time.sleep(0.02)
    try:
        yield home, env
    finally:
        bus.terminate()
        bus.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


def run_once(app, engine, idle):
    with throwaway_home(engine) as (home, env):
        return measure_window(app, engine, idle, home, env)


def measure_window(app, engine, idle, home, env):
    port, native = free_port(), free_port()
    driver = subprocess.Popen(
        ["tauri-driver", "--port", str(port), "--native-port", str(native)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        # tauri-driver listens at once, but answers only once WebKitWebDriver behind it does.
        deadline = time.time() + 20
        for listening in (port, native):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", listening), timeout=1).close()
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
        daemon_pid = int((home / "data" / "run" / "daemon.lock").read_text().strip())
        # The app starts the daemon, so the daemon's tree hangs under the app's: apart.
        app_tree = [p for p in tree(app_pid) if p not in set(tree(daemon_pid))] if app_pid else []
        app_mib = rss_mib(app_tree) if app_pid else float("nan")
        app_pss = pss_mib(app_tree) if app_pid else float("nan")
        daemon_mib = rss_mib(tree(daemon_pid))
        daemon_pss = pss_mib(tree(daemon_pid))
        processes = len(app_tree)
        webdriver(port, "DELETE", f"/session/{sid}")
        subprocess.run([str(engine), "stop"], env=env, stdout=subprocess.DEVNULL, check=False)
        return {"live_ms": live_ms, "app_mib": app_mib, "daemon_mib": daemon_mib,
                "app_pss": app_pss, "daemon_pss": daemon_pss, "app_processes": processes}
    finally:
        driver.send_signal(signal.SIGTERM)  # never SIGKILL: WebKitWebDriver must go with it
        driver.wait(timeout=20)


def idle_tree(command, env, ready, idle, apart=lambda: set()):
    """Starts `command`, waits until `ready()` (30 s at most), lets it idle, and returns the
    memory of its process tree less the pids `apart()` names. Ends it, and waits for every
    process of the tree to be gone, so that none is counted in the next run."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    pids = []
    try:
        deadline = time.time() + 30
        while not ready(process):
            if time.time() > deadline:
                raise SystemExit(f"{Path(command[0]).name} was not ready within 30 s")
            time.sleep(0.05)
        time.sleep(idle)
        left_out = apart()
        pids = [p for p in tree(process.pid) if p not in left_out]
        return {"app_mib": rss_mib(pids), "app_pss": pss_mib(pids), "app_processes": len(pids)}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        deadline = time.time() + 20
        while any(Path(f"/proc/{p}").exists() for p in pids) and time.time() < deadline:
            time.sleep(0.05)


def tray_only(app, engine, idle):
    """The app started as at login (`--hidden`: the tray, no window): its tree's memory."""
    with throwaway_home(engine) as (home, env):
        lock = home / "data" / "run" / "daemon.lock"

        def daemon():
            return set(tree(int(lock.read_text().strip())))

        try:
            return idle_tree([str(app), "--hidden"], env,
                             lambda _: lock.exists() and lock.read_text().strip(), idle, daemon)
        finally:
            subprocess.run([str(engine), "stop"], env=env, stdout=subprocess.DEVNULL, check=False)


def minibrowser():
    """WebKitGTK's own test browser, shipped with the library Tauri draws the window with."""
    found = sorted(Path("/usr/lib").glob("*/webkit2gtk-4.1/MiniBrowser"))
    return found[0] if found else None


def empty_page(engine, idle):
    """The floor under any window of the app: WebKitGTK's MiniBrowser showing about:blank,
    measured as the app is (its process and WebKit's, after the same idle time)."""
    browser = minibrowser()
    if browser is None:
        return None
    with throwaway_home(engine) as (_, env):
        # comm is cut to 15 characters: "WebKitWebProces".
        return idle_tree([str(browser), "about:blank"], env,
                         lambda p: pid_of("WebKitWebProces", set(tree(p.pid))), idle)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=20.0, help="seconds idle before memory is read")
    parser.add_argument("--debug", action="store_true", help="measure the debug build")
    parser.add_argument("--installed", metavar="DIR",
                        help="measure the programs installed in DIR (such as /usr/bin, from the "
                             ".deb scripts/package builds) instead of building")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        raise SystemExit("no display: run this under xvfb-run (see --help)")
    if args.installed:
        app, engine = Path(args.installed) / "switchboard-app", Path(args.installed) / "switchboard"
    else:
        app, engine = build("debug" if args.debug else "release")
    runs = [run_once(app, engine, args.idle) for _ in range(args.runs)]
    for i, r in enumerate(runs, 1):
        print(f"run {i}: live data after {r['live_ms']:.0f} ms; app {r['app_mib']:.1f} MiB RSS, "
              f"{r['app_pss']:.1f} MiB PSS in {r['app_processes']} processes; daemon "
              f"{r['daemon_mib']:.1f} MiB RSS, {r['daemon_pss']:.1f} MiB PSS", file=sys.stderr)
    keys = ("live_ms", "app_mib", "app_pss", "daemon_mib", "daemon_pss")
    median = {k: statistics.median(r[k] for r in runs) for k in keys}
    print("| measure | median of %d |" % len(runs))
    print("|---|---|")
    print(f"| launch to live data in the window | {median['live_ms']:.0f} ms |")
    print(f"| app idle RSS (app + WebKit processes) | {median['app_mib']:.1f} MiB |")
    print(f"| app idle PSS (shared pages split) | {median['app_pss']:.1f} MiB |")
    print(f"| daemon idle RSS | {median['daemon_mib']:.1f} MiB |")
    print(f"| daemon idle PSS | {median['daemon_pss']:.1f} MiB |")
    report("tray only", "app in the tray only (started at login)",
           [tray_only(app, engine, args.idle) for _ in range(args.runs)])
    floor = [empty_page(engine, args.idle) for _ in range(args.runs)]
    if None in floor:
        print("(WebKitGTK's MiniBrowser is not installed: no empty-page row)", file=sys.stderr)
        return
    report("empty page", "WebKitGTK's MiniBrowser on about:blank", floor)


def report(label, measure, runs):
    """Each run on stderr, then the medians as two rows of the table."""
    for i, r in enumerate(runs, 1):
        print(f"{label}, run {i}: {r['app_mib']:.1f} MiB RSS, {r['app_pss']:.1f} MiB PSS "
              f"in {r['app_processes']} processes", file=sys.stderr)
    print(f"| {measure}, RSS | {statistics.median(r['app_mib'] for r in runs):.1f} MiB |")
    print(f"| {measure}, PSS | {statistics.median(r['app_pss'] for r in runs):.1f} MiB |")

if __name__ == "__main__":
    main()
