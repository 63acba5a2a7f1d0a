#!/usr/bin/env python3
"""pscall.py — one payShield host command over a unix socket, as a host
sends it: 2-byte length, header "0000", the command.

usage: pscall.py SOCKET BODY...

Each BODY is sent on the same connection in turn; prints this process's
pid, then one line per reply: the response code, error code and fields
(header dropped). Exit 1 if the connection closes before a reply.
"""
import os
import socket
import struct
import sys


def recvn(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            sys.exit(1)
        b += c
    return b


def main():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(sys.argv[1])
    print(os.getpid())
    for body in sys.argv[2:]:
        req = b"0000" + body.encode()
        s.sendall(struct.pack(">H", len(req)) + req)
        (n,) = struct.unpack(">H", recvn(s, 2))
        print(recvn(s, n)[4:].decode("latin-1"))
    s.close()


main()
