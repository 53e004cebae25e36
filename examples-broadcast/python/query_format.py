#!/usr/bin/env python3
"""Pitfalls of the query's format. A query is exactly
'ASOCK/1 QUERY id=' and 16 hex digits: one with a trailing '\n' (as
print() or a line of text would add) is refused, and so is an id written
with '%x', which drops leading zeros (one random id in 16 has one). UDP
tells the sender nothing either way: no answer comes, that is all.

    python3 examples-broadcast/python/query_format.py --port 7104
"""
import argparse
import random
import socket

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--port', type=int, default=7104)
port = p.parse_args().port

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.settimeout(0.5)
query_id = random.getrandbits(60)  # below 2**60: its first hex digit is 0
# ANCHOR: pitfall
queries = [
    ('a trailing newline', b'ASOCK/1 QUERY id=%016x\n' % query_id),
    ("'%x'", b'ASOCK/1 QUERY id=%x' % query_id),  # 15 digits, or fewer
    ("'%016x'", b'ASOCK/1 QUERY id=%016x' % query_id),
]
# ANCHOR_END: pitfall
for what, query in queries:
    s.sendto(query, ('127.255.255.255', port))
    try:
        answer, sender = s.recvfrom(512)
        print('%-18s answered by %s:%d' % (what, *sender))
    except socket.timeout:
        print('%-18s no answer in 0.5 s' % what)
