#!/usr/bin/env python3
"""Benchmark `switchboard serve clock` against the Python reference server `mcp-server-time`.

Both servers get the same workload from ../shared/bench/mcpbench.py (stdio, legacy
handshake, tools/call get_current_time in Europe/Warsaw) in one run, so that a noisy shared
machine affects both alike. Prints each server's figures and the ratios, and a Markdown
table for docs/benchmarks.md.

    bench/clock.py                  # defaults: 2000 calls x 3 reps, 10 cold starts
    bench/clock.py --calls 500 --reps 1 --cold-runs 3    # a quick look

It builds the release binary and installs mcp-server-time into .tools/bench-venv on first
use. Nothing leaves loopback: both servers speak stdio.
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MCPBENCH = ROOT.parent / "shared" / "bench" / "mcpbench.py"
VENV = ROOT / ".tools" / "bench-venv"
MCP_SERVER_TIME = "mcp-server-time==2026.10.19"
WORKLOAD = ["--tool", "get_current_time", "--args", '{"timezone": "Europe/Warsaw"}']


def switchboard_binary():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "switchboard-cli"], cwd=ROOT, check=True)
    return ROOT / "target" / "release" / "switchboard"


def reference_server():
    exe = VENV / "bin" / "mcp-server-time"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", MCP_SERVER_TIME], check=True)
    return exe


def measure(label, cmd, args):
    out = subprocess.run(
        [sys.executable, str(MCPBENCH), "--cmd", cmd, "--label", label, *WORKLOAD,
         "--calls", str(args.calls), "--reps", str(args.reps), "--cold-runs", str(args.cold_runs)],
        check=True, stdout=subprocess.PIPE, text=True,
    ).stdout
    return json.loads(out)


def figures(result):
    return {
        "cold start p50 (ms)": result["cold_start"]["initialize"]["p50_ms"],
        "tools/list p50 (ms)": result["tools_list"]["p50_ms"],
        "sequential call p50 (ms)": result["sequential"]["p50_ms"],
        "sequential call p99 (ms)": result["sequential"]["p99_ms"],
        "16 in flight (calls/s)": result["concurrent"]["calls_per_s"],
        "peak RSS (MiB)": result["memory"]["peak_rss_sampled_mib"],
        "CPU per call (us)": result["memory"]["cpu_us_per_call"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also save both raw results here")
    args = parser.parse_args()

    ours_cmd = f"{switchboard_binary()} serve clock --timezone UTC"
    ref_cmd = f"{reference_server()} --local-timezone UTC"
    ours = measure("switchboard serve clock", ours_cmd, args)
    ref = measure("mcp-server-time", ref_cmd, args)
    for result in (ours, ref):
        if result["rpc_errors"] or result["tool_errors"]:
            sys.exit(f"{result['label']} answered with errors; the comparison would be meaningless")

    a, b = figures(ours), figures(ref)
    print(f"\nworkload: stdio, tools/call get_current_time(Europe/Warsaw), {args.calls} calls x "
          f"{args.reps} reps, {args.cold_runs} cold starts; load {ours['host']['loadavg_start'][0]:.2f} "
          f"on {ours['host']['cpus']} CPUs\n")
    print("| measure | switchboard serve clock | mcp-server-time | ratio |")
    print("|---|---|---|---|")
    for key in a:
        higher_is_better = "calls/s" in key
        ratio = (a[key] / b[key]) if higher_is_better else (b[key] / a[key])
        better = "x more" if higher_is_better else "x less"
        print(f"| {key} | {a[key]:.3f} | {b[key]:.3f} | {ratio:.1f}{better} |")

    aims = [
        ("cold start under 5 ms", a["cold start p50 (ms)"] < 5),
        ("sequential p50 at least 8x lower", b["sequential call p50 (ms)"] / a["sequential call p50 (ms)"] >= 8),
        ("peak RSS under 10 MiB", a["peak RSS (MiB)"] < 10),
    ]
    print()
    for aim, met in aims:
        print(f"- {aim}: {'met' if met else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps({"switchboard": ours, "mcp-server-time": ref}, indent=2))


if __name__ == "__main__":
    main()
