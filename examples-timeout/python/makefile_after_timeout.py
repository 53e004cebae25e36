#!/usr/bin/env python3
"""A pitfall: makefile().readline() under settimeout(). Against
timeout-server --mode halves, the first half of the reply arrives, the
timeout fires, and the file object is done for: every later read raises
"cannot read from timed out object", and the half line is lost. The
timeout lesson's desync (read_exact's), in Python's own words. client.py's
recv() loop keeps what it read.

    python3 examples-timeout/python/makefile_after_timeout.py
"""
import argparse
import socket

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--addr', default='127.0.0.1:7102', help='HOST:PORT')
host, _, port = p.parse_args().addr.rpartition(':')

s = socket.create_connection((host.strip('[]'), int(port)), timeout=5)
s.sendall(b'hello halves\n')
s.settimeout(0.4)
# ANCHOR: pitfall
replies = s.makefile('rb')
for attempt in (1, 2):
    try:
        print('[client] readline() = %r' % replies.readline())
        break
    except OSError as e:  # socket.timeout first, then a plain OSError
        print('[client] try %d: %s: %s' % (attempt, type(e).__name__, e))
# ANCHOR_END: pitfall
