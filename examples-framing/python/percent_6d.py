#!/usr/bin/env python3
"""A pitfall: '%6d' for the ASCII length header. The notes say to pad the
characters to a constant length; '%6d' pads with spaces, and '     5' is
not six digits: framing-server --strategy ascii-length refuses it and
closes. '%06d' pads with zeros.

    python3 examples-framing/python/percent_6d.py
"""
import argparse
import socket

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--addr', default='127.0.0.1:7103', help='HOST:PORT')
host, _, port = p.parse_args().addr.rpartition(':')

for header in ('%6d', '%06d'):
    s = socket.create_connection((host.strip('[]'), int(port)), timeout=5)
    # ANCHOR: pitfall
    s.sendall((header % 5).encode() + b'hello')  # '     5' or '000005'
    # ANCHOR_END: pitfall
    reply = s.makefile('rb').read(11)  # b'' if the server closed on us
    print('%-5s header %r: reply %r' % (header, header % 5, reply))
    s.close()
