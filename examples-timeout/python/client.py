#!/usr/bin/env python3
"""Lesson 2's client in the notes' Python: send one line, and read the
one-line reply under settimeout(), reading again after a timeout. It speaks
to timeout-server and timeout-async-server as timeout-client does; the
story is exchange().

    python3 examples-timeout/python/client.py --addr 127.0.0.1:7102 ping
"""
import argparse
import socket
import sys


# ANCHOR: story
def exchange(host, port, message, timeout, retries):
    """Send `message` as a line; read the reply line, `retries` more tries."""
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(message + b'\n')
    print('[client] sent %d bytes' % (len(message) + 1))
    # The notes' settimeout: from now on a recv() that waits this long
    # raises socket.timeout (TimeoutError since Python 3.10).
    s.settimeout(timeout)
    reply, timeouts = b'', 0
    while not reply.endswith(b'\n'):
        try:
            data = s.recv(4096)
        except socket.timeout:
            if timeouts == retries:
                raise
            # Nothing is lost: what recv() returned before stays in reply.
            timeouts += 1
            print('[client] timeout after %g s, %d bytes kept: reading again'
                  ' (%d of %d)' % (timeout, len(reply), timeouts, retries))
            continue
        if not data:
            raise ConnectionError('the server closed the connection')
        reply += data
    print('[client] got the %d-byte reply' % len(reply))
    return reply
# ANCHOR_END: story


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--addr', default='127.0.0.1:7102', help='HOST:PORT')
    p.add_argument('--timeout', type=float, default=0.4, help='seconds')
    p.add_argument('--retries', type=int, default=3)
    p.add_argument('message', nargs='?', default='ping')
    args = p.parse_args()
    host, _, port = args.addr.rpartition(':')
    try:
        reply = exchange(host.strip('[]'), int(port), args.message.encode(),
                         args.timeout, args.retries)
    except socket.timeout:
        sys.exit('error: read timeout: no data for %g s' % args.timeout)
    except OSError as e:
        sys.exit('error: %s' % e)
    sys.stdout.buffer.write(reply)


if __name__ == '__main__':
    main()
