#!/usr/bin/env python3
"""Benchmark what Switchboard's gateway adds to a call: the same server, direct and relayed.

One run measures, with ../shared/bench/mcpbench.py and the same workload (calc's
`calculate("1+1")`, as cheap as an echo, on `switchboard serve calc`, an rmcp server):

  direct         the client launches `switchboard serve calc` itself (stdio)
  splice relay   the client launches bench/splice_relay.py, which launches the server and
                 moves the bytes both ways with splice(2), parsing and recording nothing:
                 the least any process between client and server costs on this machine
  switchboard    the client launches `switchboard connect calc-child`; the bridge hands its
                 stdio to the running daemon (Linux), which reads the client's requests itself,
                 runs `switchboard serve calc` as a supervised child process for the session
                 and records every call (the issue's comparison)
  built-in       `switchboard connect calc`: the daemon serves calc in-process
  supergateway   supergateway 4 (npm) exposing the same stdio server over Streamable HTTP
                 (500 sequential calls once: it drops keep-alive connections after ~30 s)
  mcp-hub        mcp-hub 4 (npm) in front of the same server; it speaks only the older
                 HTTP+SSE transport, which mcpbench does not, so a small SSE client in this
                 script measures it (sequential and 16-in-flight calls; no cold start)

The two peers run inside a network namespace with only loopback (`unshare -n`, needs root),
so nothing they do leaves the machine; mcp-hub's start-up registry fetch fails at once
there. Nothing else leaves loopback: every other path is stdio or a Unix socket.

    bench/gateway.py                        # 2000 calls x 3 reps, 20000 in flight x 3, 10 cold starts
    bench/gateway.py --calls 500 --reps 1 --cold-runs 3 --no-peers    # a quick look

Builds the release binary, and installs the peers into .tools/bench-node on first use.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MCPBENCH = ROOT.parent / "shared" / "bench" / "mcpbench.py"
NODE_DIR = ROOT / ".tools" / "bench-node"
PEERS = ["supergateway@4.0.0", "mcp-hub@4.2.1"]
TOOL, ARGS = "calculate", '{"expression": "1+1"}'


sys.path.insert(0, str(Path(__file__).resolve().parent))
from sidebyside import switchboard_binary  # noqa: E402  (shared with the other benchmarks)


def peer_bin(name):
    exe = NODE_DIR / "node_modules" / ".bin" / name
    if not exe.exists():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        (NODE_DIR / "package.json").write_text('{"private": true}\n')
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *PEERS],
                       cwd=NODE_DIR, check=True)
    return exe


def mcpbench(label, args, extra, netns=False, calls=None, reps=None, conc_calls=None):
    cmd = [sys.executable, str(MCPBENCH), "--label", label, "--tool", TOOL, "--args", ARGS,
           "--calls", str(calls or args.calls), "--reps", str(reps or args.reps),
           "--conc-calls", str(conc_calls or args.conc_calls), *extra]
    if netns:
        cmd = loopback_only(cmd)
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    result = json.loads(out)
    if result["rpc_errors"] or result["tool_errors"]:
        sys.exit(f"{label} answered with errors; the comparison would be meaningless")
    return result


def loopback_only(cmd):
    """The command, run in a new network namespace where only loopback is up."""
    script = "ip link set lo up && exec \"$@\""
    return ["unshare", "-n", "sh", "-c", script, "sh", *cmd]


class Daemon:
    """A Switchboard daemon on a data folder of its own, with the benchmark's servers."""

    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="sb-bench-")
        self.env = dict(os.environ, SWITCHBOARD_DATA_DIR=self.dir)
        self.env.pop("SWITCHBOARD_RUNTIME_DIR", None)
        self.proc = subprocess.Popen([binary, "daemon"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        socket_path = Path(self.dir) / "run" / "daemon.sock"
        deadline = time.monotonic() + 10
        while not socket_path.exists():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit("the daemon did not start")
            time.sleep(0.01)
        self.run("add", "calc-child", "--", str(binary), "serve", "calc")

    def run(self, *args):
        subprocess.run([self.binary, *args], env=self.env, check=True, stdout=subprocess.DEVNULL)

    def connect_cmd(self, server):
        return f"env SWITCHBOARD_DATA_DIR={self.dir} {self.binary} connect {server}"

    def peak_rss_mib(self):
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
        return kib / 1024

    def stop(self):
        subprocess.run([self.binary, "stop"], env=self.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------ mcp-hub: HTTP+SSE client
class SseSession:
    """The 2024-11-05 HTTP+SSE transport: GET an event stream, POST messages to its endpoint."""

    def __init__(self, base, timeout=30):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.stream = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self.stream.request("GET", u.path, headers={"Accept": "text/event-stream"})
        self.events = self.stream.getresponse()
        if self.events.status != 200:
            raise SystemExit(f"mcp-hub answered GET {u.path} with {self.events.status}")
        kind, data = self._event()
        if kind != "endpoint":
            raise SystemExit(f"mcp-hub sent {kind!r} first, not the endpoint")
        self.endpoint = data
        self.post_conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self.next_id = 0

    def _event(self):
        kind, data = "message", []
        while True:
            line = self.events.readline()
            if not line:
                raise SystemExit("mcp-hub closed its event stream")
            line = line.decode().rstrip("\r\n")
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
            elif line == "" and data:
                return kind, "\n".join(data)

    def send(self, message):
        self.post_conn.request("POST", self.endpoint, json.dumps(message).encode(),
                               {"Content-Type": "application/json"})
        self.post_conn.getresponse().read()

    def request(self, method, params=None):
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        return message

    def receive(self):
        while True:
            kind, data = self._event()
            if kind == "message":
                message = json.loads(data)
                if "id" in message:
                    return message

    def call(self, message):
        self.send(message)
        while True:
            reply = self.receive()
            if reply["id"] == message["id"]:
                return reply


def percentile(values, p):
    xs = sorted(values)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs)) - 1))] / 1e6


def bench_mcp_hub(args, binary):
    """Runs inside the loopback-only namespace: starts mcp-hub, measures, prints JSON."""
    config = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump({"mcpServers": {"calc": {"command": str(binary), "args": ["serve", "calc"]}}}, config)
    config.close()
    port = 37373
    hub = subprocess.Popen([str(peer_bin("mcp-hub")), "--port", str(port), "--config", config.name],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                session = SseSession(f"http://127.0.0.1:{port}/mcp")
                break
            except (OSError, SystemExit):
                if time.monotonic() > deadline or hub.poll() is not None:
                    raise SystemExit("mcp-hub did not come up")
                time.sleep(0.2)
        init = session.call(session.request("initialize", {
            "protocolVersion": "2024-11-05", "capabilities": {},
            "clientInfo": {"name": "gateway-bench", "version": "1"}}))
        if "error" in init:
            raise SystemExit(f"mcp-hub refused initialize: {init['error']}")
        session.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        tool = None
        for _ in range(100):  # the hub connects its servers in the background
            tools = session.call(session.request("tools/list"))["result"]["tools"]
            tool = next((t["name"] for t in tools if t["name"].endswith(TOOL)), None)
            if tool:
                break
            time.sleep(0.1)
        if not tool:
            raise SystemExit("mcp-hub never listed the calc tool")
        params = {"name": tool, "arguments": json.loads(ARGS)}
        for _ in range(50):
            session.call(session.request("tools/call", params))
        seq, rates_seq, conc, rates_conc, errors = [], [], [], [], 0
        inflight = min(args.conc_calls, 2000)
        for _ in range(args.reps):
            t0 = time.perf_counter_ns()
            for _ in range(args.calls):
                t = time.perf_counter_ns()
                reply = session.call(session.request("tools/call", params))
                seq.append(time.perf_counter_ns() - t)
                errors += "error" in reply or reply["result"].get("isError", False)
            rates_seq.append(args.calls / ((time.perf_counter_ns() - t0) / 1e9))
            # 16 in flight: a sender thread keeps the window full; this thread receives.
            window = threading.Semaphore(16)
            sent_at = {}
            lock = threading.Lock()

            def sender():
                for _ in range(inflight):
                    window.acquire()
                    message = session.request("tools/call", params)
                    with lock:
                        sent_at[message["id"]] = time.perf_counter_ns()
                    session.send(message)

            t0 = time.perf_counter_ns()
            thread = threading.Thread(target=sender)
            thread.start()
            for _ in range(inflight):
                reply = session.receive()
                with lock:
                    conc.append(time.perf_counter_ns() - sent_at.pop(reply["id"]))
                errors += "error" in reply
                window.release()
            thread.join()
            rates_conc.append(inflight / ((time.perf_counter_ns() - t0) / 1e9))
        print(json.dumps({
            "label": "mcp-hub", "errors": errors,
            "sequential": {"p50_ms": percentile(seq, 50), "p99_ms": percentile(seq, 99),
                           "calls_per_s": statistics.median(rates_seq)},
            "concurrent": {"p50_ms": percentile(conc, 50), "calls_per_s": statistics.median(rates_conc)},
        }))
    finally:
        os.killpg(hub.pid, signal.SIGTERM)
        try:
            hub.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(hub.pid, signal.SIGKILL)
        os.unlink(config.name)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def row(result):
    cold = result.get("cold_start", {})
    return {
        "cold start, handshake p50 (ms)": cold.get("initialize", {}).get("p50_ms"),
        "cold start, first tools/list p50 (ms)": cold.get("first_tools_list", {}).get("p50_ms"),
        "sequential call p50 (ms)": result["sequential"]["p50_ms"],
        "sequential call p99 (ms)": result["sequential"].get("p99_ms"),
        "16 in flight (calls/s)": result["concurrent"]["calls_per_s"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--conc-calls", type=int, default=20000,
                        help="calls with 16 in flight, per rep (the peers at most 2000)")
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--no-peers", action="store_true", help="skip supergateway and mcp-hub")
    parser.add_argument("--json", type=Path, help="also save the raw results here")
    parser.add_argument("--mcp-hub-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--binary", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mcp_hub_only:  # the re-entry inside the loopback-only namespace
        bench_mcp_hub(args, args.binary)
        return

    binary = switchboard_binary()
    cold = ["--cold-runs", str(args.cold_runs)]
    results = {"direct": mcpbench("direct", args, ["--cmd", f"{binary} serve calc", *cold])}
    relay = Path(__file__).resolve().parent / "splice_relay.py"
    results["splice relay"] = mcpbench("splice relay", args, [
        "--cmd", f"{sys.executable} {relay} {binary} serve calc", *cold])
    daemon = Daemon(binary)
    try:
        results["switchboard"] = mcpbench("switchboard", args, ["--cmd", daemon.connect_cmd("calc-child"), *cold])
        results["built-in"] = mcpbench("built-in", args, ["--cmd", daemon.connect_cmd("calc"), *cold])
        daemon_rss = daemon.peak_rss_mib()
    finally:
        daemon.stop()

    if not args.no_peers:
        if os.geteuid() != 0:
            sys.exit("the peers run in a loopback-only network namespace, which needs root; "
                     "run as root or pass --no-peers")
        supergateway = peer_bin("supergateway")
        port = free_port()
        # supergateway closes a keep-alive connection after about 30 s of sequential calls,
        # which mcpbench does not survive; at ~17 ms a call, 500 calls once are plenty.
        results["supergateway"] = mcpbench("supergateway", args, [
            "--http", f"http://127.0.0.1:{port}/mcp", *cold,
            "--cmd", f"{supergateway} --stdio '{binary} serve calc' --outputTransport streamableHttp "
                     f"--port {port} --logLevel none"], netns=True,
            calls=min(args.calls, 500), reps=1, conc_calls=min(args.conc_calls, 2000))
        peer_bin("mcp-hub")
        out = subprocess.run(loopback_only([sys.executable, __file__, "--mcp-hub-only", "--binary", str(binary),
                                            "--calls", str(args.calls), "--reps", str(args.reps),
                                            "--conc-calls", str(args.conc_calls)]),
                             check=True, stdout=subprocess.PIPE, text=True).stdout
        results["mcp-hub"] = json.loads(out)
        if results["mcp-hub"]["errors"]:
            sys.exit("mcp-hub answered with errors; the comparison would be meaningless")

    load = results["direct"]["host"]["loadavg_start"][0]
    print(f"\nworkload: tools/call calculate(\"1+1\") on `switchboard serve calc`; {args.calls} sequential "
          f"calls x {args.reps} reps, {args.conc_calls} calls with 16 in flight x {args.reps} (the peers "
          f"{min(args.conc_calls, 2000)}), "
          f"{args.cold_runs} cold starts; "
          f"1-min load {load:.2f} on {os.cpu_count()} CPUs\n")
    names = list(results)
    rows = {name: row(results[name]) if name != "mcp-hub" else {
        "sequential call p50 (ms)": results[name]["sequential"]["p50_ms"],
        "sequential call p99 (ms)": results[name]["sequential"]["p99_ms"],
        "16 in flight (calls/s)": results[name]["concurrent"]["calls_per_s"]} for name in names}
    keys = list(rows["direct"])
    print("| measure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for key in keys:
        cells = [rows[n].get(key) for n in names]
        print(f"| {key} | " + " | ".join("-" if c is None else f"{c:,.3f}" if c < 1000 else f"{c:,.0f}"
                                        for c in cells) + " |")
    direct, ours = rows["direct"], rows["switchboard"]
    added_us = (ours["sequential call p50 (ms)"] - direct["sequential call p50 (ms)"]) * 1000
    share = ours["16 in flight (calls/s)"] / direct["16 in flight (calls/s)"]
    first_list = ours["cold start, first tools/list p50 (ms)"]
    floor = rows["splice relay"]
    print(f"\nswitchboard against direct: +{added_us:.0f} us per call at p50, {share:.0%} of direct "
          f"throughput with 16 in flight; daemon peak RSS {daemon_rss:.1f} MiB")
    print(f"splice relay against direct: "
          f"{(floor['sequential call p50 (ms)'] - direct['sequential call p50 (ms)']) * 1000:+.0f} us per call "
          f"at p50, {floor['16 in flight (calls/s)'] / direct['16 in flight (calls/s)']:.0%} of direct throughput; "
          f"switchboard makes {ours['16 in flight (calls/s)'] / floor['16 in flight (calls/s)']:.0%} of the relay's")
    for name in names[2:]:
        if name in ("supergateway", "mcp-hub"):
            peer_added = (rows[name]["sequential call p50 (ms)"] - direct["sequential call p50 (ms)"]) * 1000
            print(f"{name} against direct: +{peer_added:.0f} us per call at p50, "
                  f"{rows[name]['16 in flight (calls/s)'] / direct['16 in flight (calls/s)']:.0%} of direct throughput")
    aims = [
        ("added p50 latency under 40 us per call", added_us < 40),
        ("pipelined throughput at least 60% of direct", share >= 0.6),
        ("first tools/list of a bridged session within 20 ms (daemon running)",
         ours["cold start, handshake p50 (ms)"] + first_list < 20),
    ]
    print()
    for aim, met in aims:
        print(f"- {aim}: {'met' if met else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
