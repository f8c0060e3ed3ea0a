"""Shared plumbing for the side-by-side benchmarks: build Switchboard, install a pinned
reference server, run ../shared/bench/mcpbench.py on both with one workload, and print the
figures with their ratios as a Markdown table for docs/benchmarks.md.

Imported by bench/clock.py and bench/builtins.py; not a script of its own.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MCPBENCH = ROOT.parent / "shared" / "bench" / "mcpbench.py"
VENV = ROOT / ".tools" / "bench-venv"


def switchboard_binary():
    """The binary to measure: $SWITCHBOARD_BIN if set (a build kept aside), otherwise the
    release build, made now."""
    given = os.environ.get("SWITCHBOARD_BIN")
    if given:
        return Path(given).resolve()
    subprocess.run(["cargo", "build", "--release", "-q", "--locked", "-p", "switchboard-cli"],
                   cwd=ROOT, check=True)
    return ROOT / "target" / "release" / "switchboard"


def python_tool(requirement, executable):
    """Installs a pinned PyPI package into .tools/bench-venv on first use; returns its script."""
    exe = VENV / "bin" / executable
    if not exe.exists():
        if not (VENV / "bin" / "pip").exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", requirement], check=True)
    return exe


def measure(label, cmd, workload, args, extra=(), calls=None, reps=None):
    """mcpbench on one stdio server; exits if any call failed (the comparison would lie).
    `calls` and `reps` override the command line's for slow pairs (the same for both sides)."""
    calls = calls or args.calls
    out = subprocess.run(
        [sys.executable, str(MCPBENCH), "--cmd", cmd, "--label", label, *workload,
         "--calls", str(calls), "--conc-calls", str(calls), "--reps", str(reps or args.reps),
         "--cold-runs", str(args.cold_runs), *extra],
        check=True, stdout=subprocess.PIPE, text=True,
    ).stdout
    result = json.loads(out)
    if result["rpc_errors"] or result["tool_errors"]:
        sys.exit(f"{label} answered with errors ({result.get('sample_result')}); "
                 "the comparison would be meaningless")
    return result


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


def print_table(title, ours_label, ours, ref_label, ref):
    """Prints both servers' figures and the ratios; returns (ours, ref) figures."""
    a, b = figures(ours), figures(ref)
    load = ours["host"]["loadavg_start"][0]
    print(f"\n### {title}\n\n1-minute load {load:.2f} on {ours['host']['cpus']} CPUs at the start\n")
    print(f"| measure | {ours_label} | {ref_label} | ratio |")
    print("|---|---|---|---|")
    for key in a:
        higher_is_better = "calls/s" in key
        ratio = (a[key] / b[key]) if higher_is_better else (b[key] / a[key])
        better = "x more" if higher_is_better else "x less"
        print(f"| {key} | {a[key]:.3f} | {b[key]:.3f} | {ratio:.1f}{better} |")
    return a, b


def print_aims(aims):
    print()
    for aim, met in aims:
        print(f"- {aim}: {'met' if met else 'NOT met'}")


def add_common_arguments(parser):
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also save the raw results here")
