#!/usr/bin/env python3
"""Lesson 1's server in the notes' Python: read each request to the
client's FIN, answer on the half still open, then send our own FIN. It
answers shutdown-client and shutdown-async-client as shutdown-server does;
the story is answer(). One client at a time, and none of the Rust server's
hardening beyond an idle timeout and a size limit.

    python3 examples-shutdown/python/server.py
"""
import argparse
import socket
import sys

LIMIT = 1 << 20  # the longest request answered: a bound on memory


# ANCHOR: story
def answer(conn):
    """One connection: the request ends at the client's FIN."""
    request = b''
    while len(request) <= LIMIT:
        data = conn.recv(16384)
        if not data:  # b'': every byte before the client's FIN is read
            break
        request += data
    if len(request) > LIMIT:
        conn.sendall(b'error: request exceeds %d bytes\n' % LIMIT)
        return
    print("[server] read %d bytes, then recv() = b'': the client's FIN"
          % len(request))
    lines = request.count(b'\n') + (request[-1:] not in (b'', b'\n'))
    plural = b'' if lines == 1 else b's'
    reply = b'received %d bytes in %d line%s\n' % (len(request), lines, plural)
    conn.sendall(reply + request.upper())
    # Our FIN follows the reply: the client's recv() returns b'' after it.
    conn.shutdown(1)
    print('[server] sent a %d-byte reply, then shutdown(1): our FIN'
          % (len(reply) + len(request)))
# ANCHOR_END: story


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--addr', default='127.0.0.1:7101', help='HOST:PORT')
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
        conn.settimeout(10)  # a client that goes quiet holds us 10 s at most
        try:
            answer(conn)
        except OSError as e:  # reset, timed out: this client only
            print('[server] error: %s' % e, file=sys.stderr)
        conn.close()
        if args.once:
            break


if __name__ == '__main__':
    main()
