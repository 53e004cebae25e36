#!/usr/bin/env python3
"""Lesson 3's server in the notes' Python: read frames, answer each with
its message reversed, in the same framing. It answers framing-client and
framing-async-client as framing-server does (framings.py has the seven
framings); the story is answer(). One client at a time.

    python3 examples-framing/python/server.py --strategy netstring
"""
import argparse
import socket
import sys

from framings import STRATEGIES


# ANCHOR: story
def answer(conn, strategy):
    """One connection: each frame answered with its message reversed."""
    encode, read_frame = STRATEGIES[strategy]
    requests = conn.makefile('rb')  # safe here: a timeout ends the client
    frames = 0
    while True:
        message = read_frame(requests)
        if message is None:  # the client's FIN, between two frames
            break
        conn.sendall(encode(message[::-1]))
        frames += 1
        print('[server] frame %d: %d bytes, answered reversed'
              % (frames, len(message)))
    print('[server] the client closed after %d frames' % frames)
# ANCHOR_END: story


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--addr', default='127.0.0.1:7103', help='HOST:PORT')
    p.add_argument('--strategy', choices=STRATEGIES, default='u32-length')
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
            answer(conn, args.strategy)
        except (OSError, EOFError, ValueError, KeyError) as e:
            print('[server] error: %s' % e, file=sys.stderr)
        conn.close()
        if args.once:
            break


if __name__ == '__main__':
    main()
