#!/usr/bin/env python3
"""A pitfall: str(uuid4()) as the delimiter. Its hyphens are not letters or
digits, which the delimiter line must be: framing-server --strategy
delimiter refuses it and closes. uuid4().hex is the same number in 32
letters and digits, and works.

    python3 examples-framing/python/uuid_delimiter.py
"""
import argparse
import socket
import uuid

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--addr', default='127.0.0.1:7103', help='HOST:PORT')
host, _, port = p.parse_args().addr.rpartition(':')

for form in ('str', 'hex'):
    # ANCHOR: pitfall
    d = (str(uuid.uuid4()) if form == 'str' else uuid.uuid4().hex).encode()
    # ANCHOR_END: pitfall
    s = socket.create_connection((host.strip('[]'), int(port)), timeout=5)
    s.sendall(d + b'\nhello' + d)
    s.shutdown(1)
    reply = s.makefile('rb').read()  # up to the server's FIN
    print('%s: a %d-byte delimiter, %d bytes back' % (form, len(d),
                                                      len(reply)))
    s.close()
