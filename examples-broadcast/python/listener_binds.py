#!/usr/bin/env python3
"""Pitfalls of an announcement listener. The server already holds the
port, so a listener must share it (SO_REUSEADDR, on both: the Rust servers
set it) and bind every address (''): a socket bound to 127.0.0.1 is not
sent broadcasts to 127.255.255.255, and hears nothing. Against
broadcast-server --announce-every 200ms.

    python3 examples-broadcast/python/listener_binds.py --port 7104
"""
import argparse
import socket

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--port', type=int, default=7104)
port = p.parse_args().port

# ANCHOR: pitfall
for reuse, host in ((False, ''), (True, '127.0.0.1'), (True, '')):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    what = "SO_REUSEADDR=%d, bind(('%s', port))" % (reuse, host)
    try:
        s.bind((host, port))
        s.settimeout(1.0)  # five announcements' time
        data, sender = s.recvfrom(512)
        print('%s: heard %s' % (what, data.decode()[8:]))
    except OSError as e:  # socket.timeout is one too
        print('%s: %s %s' % (what, type(e).__name__, e))
    s.close()
# ANCHOR_END: pitfall
