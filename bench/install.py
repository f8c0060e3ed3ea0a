#!/usr/bin/env python3
"""What preparing a package at install time buys: the first call of a client session.

In a throwaway Switchboard (temp data folder and home), one npm server,
@modelcontextprotocol/server-everything, is reached three ways in one run:

- prepared: `switchboard install everything` (npm installs it into the data folder once;
  every session runs `node <its bin>` from there);
- npx: the same package registered without preparing (`switchboard add --npm`), so every
  session starts through `npx -y`, as most hand-written client configs do;
- direct npx: the client runs `npx -y @modelcontextprotocol/server-everything@…` itself,
  with no Switchboard at all.

npm works offline from its cache throughout (scripts/setup fills it), so no figure includes
a download and nothing leaves this computer. Prints the install time and a Markdown table
of mcpbench's cold start (spawn to handshake answer), first tools/list and echo call, with
ratios to the prepared server.

    bench/install.py [--cold-runs 10] [--calls 200]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sidebyside  # noqa: E402

PACKAGE = "@modelcontextprotocol/server-everything@2026.8.31"
ECHO = ["--tool", "echo", "--args", '{"message": "hi"}']


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--reps", type=int, default=1)
    args = parser.parse_args()

    binary = sidebyside.switchboard_binary()
    home = Path(tempfile.mkdtemp(prefix="sb-bench-install-"))
    npm_cache = os.environ.get("npm_config_cache", str(Path.home() / ".npm"))
    env = {
        "SWITCHBOARD_DATA_DIR": str(home / "data"),
        "HOME": str(home / "home"),
        "XDG_CONFIG_HOME": str(home / "home" / ".config"),
        "npm_config_cache": npm_cache,
        "npm_config_offline": "true",
        "npm_config_update_notifier": "false",
    }
    os.environ.update(env)
    (home / "home").mkdir(parents=True)

    def switchboard(*words):
        subprocess.run([str(binary), *words], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL)

    try:
        started = time.monotonic()
        switchboard("install", "everything")
        install_s = time.monotonic() - started
        switchboard("add", "everything-npx", "--npm", PACKAGE)

        results = {
            "prepared": sidebyside.measure(
                "prepared", f"{binary} connect everything", ECHO, args),
            "npx through Switchboard": sidebyside.measure(
                "npx", f"{binary} connect everything-npx", ECHO, args),
            "npx, no Switchboard": sidebyside.measure(
                "direct npx", f"npx -y {PACKAGE}", ECHO, args),
        }
    finally:
        subprocess.run([str(binary), "stop"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    print(f"install (offline, npm from its cache; check, prepare, verify, enable): "
          f"{install_s:.1f} s\n")
    names = list(results)
    rows = {name: sidebyside.figures(result) for name, result in results.items()}
    measures = list(rows[names[0]])
    print("| measure | " + " | ".join(names) + " | npx through Switchboard / prepared |")
    print("|---|" + "---|" * (len(names) + 1))
    for measure in measures:
        values = [rows[name][measure] for name in names]
        base = values[0] or 1
        ratio = values[1] / base
        cells = " | ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in values)
        print(f"| {measure} | {cells} | {ratio:.1f}x |")


if __name__ == "__main__":
    main()
