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

from sidebyside import (add_common_arguments, measure, print_aims, print_table, python_tool,
                        switchboard_binary)

MCP_SERVER_TIME = "mcp-server-time==2026.10.19"
WORKLOAD = ["--tool", "get_current_time", "--args", '{"timezone": "Europe/Warsaw"}']


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    args = parser.parse_args()

    ours = measure("switchboard serve clock", f"{switchboard_binary()} serve clock --timezone UTC",
                   WORKLOAD, args)
    ref = measure("mcp-server-time",
                  f"{python_tool(MCP_SERVER_TIME, 'mcp-server-time')} --local-timezone UTC",
                  WORKLOAD, args)
    print(f"\nworkload: stdio, tools/call get_current_time(Europe/Warsaw), {args.calls} calls x "
          f"{args.reps} reps, {args.cold_runs} cold starts")
    a, b = print_table("clock", "switchboard serve clock", ours, "mcp-server-time", ref)
    print_aims([
        ("cold start under 5 ms", a["cold start p50 (ms)"] < 5),
        ("sequential p50 at least 8x lower", b["sequential call p50 (ms)"] / a["sequential call p50 (ms)"] >= 8),
        ("peak RSS under 10 MiB", a["peak RSS (MiB)"] < 10),
    ])
    if args.json:
        args.json.write_text(json.dumps({"switchboard": ours, "mcp-server-time": ref}, indent=2))


if __name__ == "__main__":
    main()
