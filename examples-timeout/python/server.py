#!/usr/bin/env python3
"""Lesson 2's server in the notes' Python: an echo of lines that protects
itself with settimeout(), and misbehaves on purpose with --mode slow
(answers late) or silent (never answers). It answers timeout-client and
timeout-async-client as timeout-server does; the story is echo(). One
client at a time.

    python3 examples-timeout/python/server.py --addr 127.0.0.1:7102 --mode slow
"""
import argparse
import socket
import sys
import time

MAX_LINE = 64 * 1024  # the longest request line: a bound on memory


# ANCHOR: story
def echo(conn, delay):
    """One connection: echo each request line, `delay` seconds late."""
    requests = conn.makefile('rb')  # safe here: a timeout ends the client
    while True:
        line = requests.readline(MAX_LINE + 1)
        if not line:  # b'': the client closed
            print('[server] the client closed the connection')
            return
        if not line.endswith(b'\n'):
            raise ValueError('a request line longer than %d bytes' % MAX_LINE)
        if delay:
            print('[server] slow: answering in %g s' % delay)
            time.sleep(delay)
        conn.sendall(line)
        print('[server] echoed %d bytes' % len(line))
# ANCHOR_END: story


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--addr', default='127.0.0.1:7102', help='HOST:PORT')
    p.add_argument('--mode', choices=['echo', 'slow', 'silent'],
                   default='slow')
    p.add_argument('--delay', type=float, default=1.0, help='seconds')
    p.add_argument('--idle-timeout', type=float, default=10.0,
                   help='seconds')
    p.add_argument('--once', action='store_true', help='serve one client')
    args = p.parse_args()
    host, _, port = args.addr.rpartition(':')
    host = host.strip('[]')
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, int(port)))
    except OSError as e:
        sys.exit('error: bind %s: %s' % (args.addr, e))
    listener.listen()
    bound = listener.getsockname()
    print('listening on %s' % ('[%s]:%d' % bound[:2] if ':' in host
                               else '%s:%d' % bound), flush=True)
    while True:
        conn, peer = listener.accept()
        print('[server] accepted a connection from %s:%d' % peer[:2])
        # The server's own protection: a client that sends nothing, or
        # reads nothing, for this long is dropped.
        conn.settimeout(args.idle_timeout)
        try:
            if args.mode == 'silent':
                time.sleep(args.idle_timeout)  # never reads, never writes
            else:
                echo(conn, args.delay if args.mode == 'slow' else 0)
        except (OSError, ValueError) as e:  # timed out, reset, too long
            print('[server] error: %s' % e, file=sys.stderr)
        conn.close()
        if args.once:
            break


if __name__ == '__main__':
    main()
