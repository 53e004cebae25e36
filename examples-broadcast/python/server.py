#!/usr/bin/env python3
"""Lesson 4's server in the notes' Python: answer each discovery query, to
its sender alone, and with --announce-every broadcast "I am here" on its
own. It answers broadcast-client and broadcast-async-client as
broadcast-server does; the story is serve().

    python3 examples-broadcast/python/server.py --name alpha
"""
import argparse
import re
import socket
import sys
import time

QUERY = re.compile(rb'ASOCK/1 QUERY id=([0-9a-f]{16})')


# ANCHOR: story
def serve(s, name, port, every, to):
    """Answer queries on `s`; every `every` seconds (if any), announce."""
    here = b'name=%s port=%d' % (name.encode(), port)
    next_announce = time.monotonic()
    while True:
        if every:
            if time.monotonic() >= next_announce:
                ttl = max(1, round(3 * every))  # believe it for 3 periods
                s.sendto(b'ASOCK/1 ANNOUNCE %s ttl=%d' % (here, ttl), to)
                next_announce += every
            s.settimeout(max(0, next_announce - time.monotonic()))
        try:
            data, sender = s.recvfrom(512)
        except socket.timeout:
            continue  # time to announce
        if data.startswith(b'ASOCK/1 ANNOUNCE '):
            continue  # our own announcements, and others': not for us
        query = QUERY.fullmatch(data)  # exactly that: no '\n', 16 digits
        if not query:
            print('[server] ignored %d bytes from %s:%d'
                  % (len(data), *sender))
            continue
        # To the client alone: its address is the one recvfrom() gave us.
        s.sendto(b'ASOCK/1 HERE id=%s %s' % (query[1], here), sender)
        print('[server] query from %s:%d: answered' % sender)
# ANCHOR_END: story


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--addr', default='0.0.0.0:7104', help='HOST:PORT')
    p.add_argument('--name', default='python')
    p.add_argument('--service-port', type=int, default=8000)
    p.add_argument('--announce-every', type=float, default=0,
                   help='seconds')
    p.add_argument('--to', default='127.255.255.255',
                   help='where announcements go')
    args = p.parse_args()
    if not re.fullmatch(r'[A-Za-z0-9._-]{1,64}', args.name):
        p.error('--name: letters, digits, ".", "-", "_", at most 64')
    host, _, port = args.addr.rpartition(':')
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # Shared with every other server and listener on the port: each gets
    # its own copy of each broadcast.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)  # to announce
    try:
        s.bind((host, int(port)))
    except OSError as e:
        sys.exit('error: bind %s: %s' % (args.addr, e))
    bound = s.getsockname()
    print('listening on %s:%d' % bound, flush=True)
    serve(s, args.name, args.service_port, args.announce_every,
          (args.to, bound[1]))


if __name__ == '__main__':
    main()
