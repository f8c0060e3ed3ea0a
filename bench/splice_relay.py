#!/usr/bin/env python3
"""The least a process in the middle can do: relay a stdio server byte for byte.

    bench/splice_relay.py <server command...>

Starts the server and moves bytes between this process's stdin and stdout and the server's
with splice(2), one thread a direction: the bytes never enter this process, nothing is
parsed, nothing is recorded. bench/gateway.py runs it beside Switchboard to show what any
gateway costs on this machine before it does any work of its own. Linux only.
"""
import os
import subprocess
import sys
import threading

CHUNK = 1 << 16


def pump(source, sink):
    try:
        while os.splice(source, sink, CHUNK):
            pass
    except OSError:
        pass
    finally:
        os.close(sink)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: splice_relay.py <server command...>")
    server = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    to_server = os.dup(server.stdin.fileno())
    server.stdin.close()
    upstream = threading.Thread(target=pump, args=(sys.stdin.fileno(), to_server), daemon=True)
    upstream.start()
    pump(server.stdout.fileno(), os.dup(sys.stdout.fileno()))
    server.wait()


if __name__ == "__main__":
    main()
