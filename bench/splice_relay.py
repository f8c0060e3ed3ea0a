#!/usr/bin/env python3
"""A minimal byte relay for a stdio server: the floor for any process in the middle.

    bench/splice_relay.py <server command...>

Starts the server and moves bytes between this process's stdin and stdout and the server's
with splice(2), one thread a direction: the bytes never enter this process, nothing is
parsed, nothing is recorded. bench/gateway.py runs it beside Switchboard to show what a
process between client and server costs on this machine before it does any work of its
own. Linux, Python 3.10 or later (os.splice). Exits with the server's status.
"""
import os
import subprocess
import sys
import threading

CHUNK = 1 << 16


def pump(source, sink):
    """Moves bytes until `source` ends (True) or the reader of `sink` goes (False); closes
    `sink` either way."""
    try:
        while os.splice(source, sink, CHUNK):
            pass
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False
    except OSError as error:  # EINVAL: neither end is a pipe (mcpbench gives pipes)
        print(f"splice_relay: {error}", file=sys.stderr)
        return False
    finally:
        os.close(sink)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: splice_relay.py <server command...>")
    server = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    to_server = os.dup(server.stdin.fileno())
    server.stdin.close()
    threading.Thread(target=pump, args=(sys.stdin.fileno(), to_server), daemon=True).start()
    if not pump(server.stdout.fileno(), os.dup(sys.stdout.fileno())):
        server.terminate()  # the client stopped reading: nobody is left to answer
    sys.exit(server.wait())


if __name__ == "__main__":
    main()
