#!/usr/bin/env python3
"""A pitfall: the header and the body in two sendall() calls. Nagle's
algorithm holds the body until the header is acknowledged, and the server
delays that acknowledgement, hoping to ride it on data: each round trip
waits for the delayed ACK (40 ms or more on Linux) instead of taking a few
microseconds. Against framing-server --strategy u32-length.

    python3 examples-framing/python/two_sendalls.py
"""
import argparse
import socket
import statistics
import struct
import time

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--addr', default='127.0.0.1:7103', help='HOST:PORT')
p.add_argument('--rounds', type=int, default=10)
args = p.parse_args()
host, _, port = args.addr.rpartition(':')


def median_ms(split):
    s = socket.create_connection((host.strip('[]'), int(port)), timeout=5)
    replies, times = s.makefile('rb'), []
    for _ in range(args.rounds):
        body = b'x' * 100
        started = time.perf_counter()
        # ANCHOR: pitfall
        if split:
            s.sendall(struct.pack('!I', len(body)))  # the header...
            s.sendall(body)  # ...and the body: held until the header's ACK
        else:
            s.sendall(struct.pack('!I', len(body)) + body)  # one call
        # ANCHOR_END: pitfall
        (n,) = struct.unpack('!I', replies.read(4))
        replies.read(n)
        times.append(time.perf_counter() - started)
    s.close()
    return statistics.median(times) * 1000


print('one sendall:  median round trip %.3f ms' % median_ms(False))
print('two sendalls: median round trip %.3f ms' % median_ms(True))
