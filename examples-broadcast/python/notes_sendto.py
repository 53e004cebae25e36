#!/usr/bin/env python3
"""The notes' line, s.sendto('<broadcast>', 123), run as written. Python 3
refuses it before anything is sent: sendto() takes the data first and the
address second, as a tuple, and the data must be bytes. Written the right
way round, it would reach every host of the LAN ('<broadcast>' is Python's
name for 255.255.255.255) on port 123, which is NTP's: this script does
not send it. The course's peers send to 127.255.255.255, which stays on
this host.

    python3 examples-broadcast/python/notes_sendto.py
"""
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
try:
    # ANCHOR: pitfall
    s.sendto('<broadcast>', 123)  # the notes' line
    # ANCHOR_END: pitfall
except TypeError as e:
    print('TypeError: %s' % e)
print("the right way round, not run: s.sendto(data, ('<broadcast>', 123))")
