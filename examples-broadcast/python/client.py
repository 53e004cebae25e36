#!/usr/bin/env python3
"""Lesson 4's client in the notes' Python: `discover` broadcasts one query
and collects the answers; `listen` hears announcements. It speaks to
broadcast-server and broadcast-async-server as broadcast-client does; the
stories are discover() and listen(). Everything stays on this host: the
broadcast address is loopback's, 127.255.255.255.

    python3 examples-broadcast/python/client.py discover --port 7104
    python3 examples-broadcast/python/client.py listen --port 7104 --for 5
"""
import argparse
import random
import socket
import sys
import time


# ANCHOR: discover
def discover(to, port, wait):
    """Broadcast a query; every (name, port, sender) that answers it."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # The notes' option: without it, sendto() a broadcast address fails
    # with PermissionError (EACCES), and nothing is sent.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    query_id = '%016x' % random.getrandbits(64)  # 16 digits, zero-padded
    # sendto(data, address): the data first (the notes have it backwards).
    s.sendto(b'ASOCK/1 QUERY id=' + query_id.encode(), (to, port))
    print('[client] sent a query to %s:%d' % (to, port))
    found, deadline = [], time.monotonic() + wait
    while time.monotonic() < deadline:
        s.settimeout(deadline - time.monotonic())
        try:
            data, sender = s.recvfrom(512)  # one datagram, whole
        except socket.timeout:
            break
        words = data.decode('ascii', 'replace').split(' ')
        if words[:3] != ['ASOCK/1', 'HERE', 'id=' + query_id]:
            continue  # not an answer to this query: another's, or late
        fields = dict(w.split('=', 1) for w in words[3:] if '=' in w)
        found.append((fields.get('name'), fields.get('port'), sender))
        print('[client] reply from %s:%d' % sender)
    return found
# ANCHOR_END: discover


# ANCHOR: listen
def listen(port, seconds):
    """Every (name, port, sender) announced on `port` within `seconds`."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # Others (servers, listeners) use the port too: SO_REUSEADDR shares it,
    # and each of us gets a copy of every broadcast. Bound to '' (every
    # address): a socket bound to 127.0.0.1 would hear no broadcast.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('', port))
    print('listening on 0.0.0.0:%d' % s.getsockname()[1], flush=True)
    heard, deadline = {}, time.monotonic() + seconds
    while time.monotonic() < deadline:
        s.settimeout(deadline - time.monotonic())
        try:
            data, sender = s.recvfrom(512)
        except socket.timeout:
            break
        words = data.decode('ascii', 'replace').split(' ')
        if words[:2] == ['ASOCK/1', 'ANNOUNCE']:
            fields = dict(w.split('=', 1) for w in words[2:] if '=' in w)
            heard[fields.get('name')] = (fields.get('port'), sender)
    return [(name, p, sender) for name, (p, sender) in sorted(heard.items())]
# ANCHOR_END: listen


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('what', choices=['discover', 'listen'])
    p.add_argument('--port', type=int, default=7104)
    p.add_argument('--to', default='127.255.255.255',
                   help='where discover sends its query')
    p.add_argument('--wait', type=float, default=1.0,
                   help='discover: seconds to collect answers')
    p.add_argument('--for', dest='seconds', type=float, default=3.0,
                   help='listen: seconds to listen')
    args = p.parse_args()
    try:
        if args.what == 'discover':
            found = discover(args.to, args.port, args.wait)
        else:
            found = listen(args.port, args.seconds)
    except OSError as e:
        sys.exit('error: %s' % e)
    for name, port, sender in found:
        print('%s port %s from %s:%d' % (name, port, sender[0], sender[1]))
    if not found:
        sys.exit('error: nobody answered')


if __name__ == '__main__':
    main()
