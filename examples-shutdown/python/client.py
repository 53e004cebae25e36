#!/usr/bin/env python3
"""Lesson 1's client in the notes' Python: send the request, shutdown(1),
read the reply until recv() returns b''. It speaks to shutdown-server and
shutdown-async-server as shutdown-client does; the story is exchange().

    python3 examples-shutdown/python/client.py --addr 127.0.0.1:7101 "hello"
"""
import argparse
import socket
import sys


# ANCHOR: story
def exchange(host, port, request):
    """Send `request`, half-close, and read the reply to the server's FIN."""
    s = socket.create_connection((host, port), timeout=5)
    print('[client] connected to %s:%d' % s.getpeername()[:2])
    s.sendall(request)
    print('[client] sent %d bytes' % len(request))
    # The notes' shutdown(1): our FIN follows the request, and the server's
    # recv() returns b'' once it has read every byte before it. That b'' is
    # the only end of request this protocol has. Our read half stays open.
    s.shutdown(1)
    print('[client] shutdown(1): our FIN follows the request')
    reply = b''
    while True:
        data = s.recv(4096)  # what has arrived, maybe much less than 4096
        if not data:  # b'': the server's FIN, the end of the reply
            break
        reply += data
    print("[client] read %d bytes, then recv() = b'': the server's FIN"
          % len(reply))
    s.close()
    return reply
# ANCHOR_END: story


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--addr', default='127.0.0.1:7101', help='HOST:PORT')
    p.add_argument('message', help='the request')
    args = p.parse_args()
    host, _, port = args.addr.rpartition(':')
    try:
        reply = exchange(host.strip('[]'), int(port), args.message.encode())
    except OSError as e:  # socket.timeout is one since Python 3.3
        sys.exit('error: %s' % e)
    sent = b'received %d bytes' % len(args.message.encode())
    if not reply.startswith(sent):
        sys.exit('error: the server did not confirm every byte: %r' % reply)
    sys.stdout.buffer.write(reply + b'\n')


if __name__ == '__main__':
    main()
