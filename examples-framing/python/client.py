#!/usr/bin/env python3
"""Lesson 3's client in the notes' Python: send each message as one frame,
read each reply frame, check it is the message reversed. It speaks to
framing-server and framing-async-server as framing-client does, in any of
the seven framings (framings.py); the story is exchange().

    python3 examples-framing/python/client.py --strategy netstring hi "2 words"
"""
import argparse
import socket
import sys

from framings import STRATEGIES


# ANCHOR: story
def exchange(host, port, strategy, messages):
    """One frame per message; the replies, each the message reversed."""
    encode, read_frame = STRATEGIES[strategy]
    s = socket.create_connection((host, port), timeout=5)
    # One buffered reader for the whole connection: bytes that arrive with
    # one reply and belong to the next wait in it.
    replies = s.makefile('rb')
    answers = []
    for message in messages:
        s.sendall(encode(message))  # the whole frame in one call
        reply = read_frame(replies)
        if reply != message[::-1]:
            raise ValueError('reply %r is not %r reversed' % (reply, message))
        answers.append(reply)
    s.shutdown(1)  # done: our FIN tells the server so (lesson 1)
    print('[client] %d replies, each our message reversed' % len(answers))
    return answers
# ANCHOR_END: story


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--addr', default='127.0.0.1:7103', help='HOST:PORT')
    p.add_argument('--strategy', choices=STRATEGIES, default='u32-length')
    p.add_argument('messages', nargs='+')
    args = p.parse_args()
    host, _, port = args.addr.rpartition(':')
    messages = [m.encode() for m in args.messages]
    try:
        replies = exchange(host.strip('[]'), int(port), args.strategy,
                           messages)
    except (OSError, EOFError, ValueError) as e:
        sys.exit('error: %s' % e)
    for reply in replies:
        sys.stdout.buffer.write(reply + b'\n')


if __name__ == '__main__':
    main()
