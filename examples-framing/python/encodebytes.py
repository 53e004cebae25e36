#!/usr/bin/env python3
"""A pitfall: base64.encodebytes for the base64 framing. It inserts a
newline after every 76 characters, so a 100-byte message (136 characters)
goes out as two lines: framing-server --strategy base64 reads two messages,
and answers two. base64.b64encode adds no newline: one message, one reply.

    python3 examples-framing/python/encodebytes.py
"""
import argparse
import base64
import socket

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--addr', default='127.0.0.1:7103', help='HOST:PORT')
host, _, port = p.parse_args().addr.rpartition(':')

message = bytes(range(100))
for encode in (base64.encodebytes, base64.b64encode):
    s = socket.create_connection((host.strip('[]'), int(port)), timeout=5)
    # ANCHOR: pitfall
    text = encode(message).rstrip(b'\n') + b'\n'  # one frame, we think
    # ANCHOR_END: pitfall
    s.sendall(text)
    s.shutdown(1)  # our FIN: the server answers what it read, then closes
    replies = [base64.b64decode(line) for line in s.makefile('rb')]
    print('%s: %d lines sent, replies of %s bytes'
          % (encode.__name__, text.count(b'\n'), [len(r) for r in replies]))
    s.close()
