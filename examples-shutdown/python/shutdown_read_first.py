#!/usr/bin/env python3
"""A pitfall: shutdown(0), then the exchange. The notes say 0 prevents
future reads; on Linux, recv() returns b'' at once whenever nothing is
queued, so a loop that reads until b'' ends before the reply is there. And
shutdown(0) then shutdown(1) is shutdown(2), as the notes say: when the
reply comes, the kernel answers it with a reset, and it is lost.

    python3 examples-shutdown/python/shutdown_read_first.py
"""
import argparse
import socket
import time

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--addr', default='127.0.0.1:7101', help='HOST:PORT')
host, _, port = p.parse_args().addr.rpartition(':')

s = socket.create_connection((host.strip('[]'), int(port)), timeout=5)
# ANCHOR: pitfall
s.shutdown(0)  # SHUT_RD: nothing goes on the wire, the server never knows
s.sendall(b'hello')
# The server answers after our FIN only, so nothing can be here yet; but
# recv() no longer waits for anything: b'' at once, like an end of stream.
reply = b''
while True:
    data = s.recv(4096)
    if not data:  # our own shutdown(0), not the server's FIN
        break
    reply += data
print('[client] the read-until-empty loop got %d bytes' % len(reply))
s.shutdown(1)  # SHUT_WR after SHUT_RD: now as after shutdown(2)
# ANCHOR_END: pitfall
# recv() cannot wait any more: it returns b'' whether or not data is
# coming. Ask again, every 5 ms, for up to 5 s.
try:
    for _ in range(1000):
        data = s.recv(4096)
        if data:
            break
        time.sleep(0.005)
    print('[client] later, recv() returned %d bytes' % len(data))
except ConnectionResetError as e:
    # The reply came to a socket shut both ways: our kernel reset it.
    print('[client] later, recv() raised %s' % type(e).__name__)
