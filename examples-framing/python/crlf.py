#!/usr/bin/env python3
"""A pitfall: CRLF line endings under the line framing. The '\n' ends the
message and the '\r' before it stays in the payload: framing-server
--strategy line reverses 'hello\r' and answers '\rolleh'.

    python3 examples-framing/python/crlf.py
"""
import argparse
import socket

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--addr', default='127.0.0.1:7103', help='HOST:PORT')
host, _, port = p.parse_args().addr.rpartition(':')

s = socket.create_connection((host.strip('[]'), int(port)), timeout=5)
# ANCHOR: pitfall
s.sendall(b'hello\r\n')  # as a Windows text file, or an HTTP header, ends
# ANCHOR_END: pitfall
print('reply %r' % s.makefile('rb').readline())
