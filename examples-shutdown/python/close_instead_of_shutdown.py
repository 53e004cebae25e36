#!/usr/bin/env python3
"""A pitfall: close() where the protocol wants shutdown(1). The close sends
the FIN the server waits for, so the server answers; but the answer reaches
a socket that no longer exists, whose kernel resets the connection. The
reply is lost, and the server says so (reply_failed, BrokenPipe or
ConnectionReset).

    python3 examples-shutdown/python/close_instead_of_shutdown.py
"""
import argparse
import socket

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--addr', default='127.0.0.1:7101', help='HOST:PORT')
host, _, port = p.parse_args().addr.rpartition(':')

s = socket.create_connection((host.strip('[]'), int(port)), timeout=5)
s.sendall(b'hello')
# ANCHOR: pitfall
s.close()  # not s.shutdown(1): nothing of ours is left to take the reply
# ANCHOR_END: pitfall
print('[client] sent 5 bytes, then close(): the reply has nowhere to go')
