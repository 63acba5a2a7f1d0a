#!/usr/bin/env python3
"""isopeer.py — a scriptable scheme-side peer for the e2e tests that need
byte-level control (malformed messages, duplicates, source addresses).
Packing and unpacking go through the project's own `iso8583` CLI, so this
file knows nothing about ISO 8583 layout; framing is len2.

usage: isopeer.py SCENARIO BIN HOST PORT [args]
"""
import json
import socket
import struct
import subprocess
import sys
import time

BIN = sys.argv[2]
HOST = sys.argv[3]
PORT = int(sys.argv[4])
PROFILE = "iso87"


def encode(mti, fields):
    out = subprocess.run([BIN + "/iso8583", "encode", "--profile", PROFILE],
                         input=json.dumps({"mti": mti, "fields": fields}).encode(),
                         capture_output=True, check=True)
    return out.stdout


def decode(wire):
    out = subprocess.run([BIN + "/iso8583", "decode", "--profile", PROFILE,
                          "--unmasked"], input=wire, capture_output=True,
                         check=True)
    return json.loads(out.stdout)


def connect(src=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if src:
        s.bind((src, 0))
    s.settimeout(2.0)
    s.connect((HOST, PORT))
    return s


def send(s, wire):
    s.sendall(struct.pack(">H", len(wire)) + wire)


def recv(s):
    hdr = b""
    while len(hdr) < 2:
        c = s.recv(2 - len(hdr))
        if not c:
            raise EOFError("closed")
        hdr += c
    n = struct.unpack(">H", hdr)[0]
    body = b""
    while len(body) < n:
        c = s.recv(n - len(body))
        if not c:
            raise EOFError("closed")
        body += c
    return body


def request(stan, amount="000000001000", mti="0100"):
    return {"2": "5413330000000019", "3": "000000", "4": amount,
            "7": "1123001122", "11": stan, "12": "001122", "13": "1123",
            "32": "005037", "37": "00000000" + stan[-4:],
            "41": "TERM0001", "42": "SIMMERCHANT0001", "49": "826"}


def fail(msg):
    print("isopeer: " + msg)
    sys.exit(1)


def signon(s):
    send(s, encode("0800", {"7": "1123001122", "11": "000900", "70": "001"}))
    r = decode(recv(s))
    if r["mti"] != "0810" or r["fields"].get("39") != "00":
        fail("sign-on answer %r" % r)


def malformed():
    s = connect()
    signon(s)
    good = encode("0100", request("000001"))
    # 1. cut inside DE41 (fixed 8): fields before it are readable.
    send(s, good[:-30])
    r = decode(recv(s))
    if r["mti"] != "0110" or r["fields"].get("39") != "30":
        fail("truncated request: want 0110 DE39 30, got %r" % r)
    if r["fields"].get("11") != "000001":
        fail("format-error answer does not echo DE11: %r" % r)
    # 2. a non-digit in DE4 (numeric)
    bad = bytearray(encode("0100", request("000002")))
    i = bad.find(b"000000001000")
    bad[i + 3] = ord("X")
    send(s, bytes(bad))
    r = decode(recv(s))
    if r["fields"].get("39") != "30":
        fail("bad DE4: want DE39 30, got %r" % r)
    # 3. not even an MTI: dropped, connection survives
    send(s, b"\xff\xfe garbage")
    # 4. the link still works
    send(s, encode("0100", request("000003")))
    r = decode(recv(s))
    if r["mti"] != "0110" or r["fields"].get("11") != "000003":
        fail("link did not survive: %r" % r)
    print("malformed: truncated->30 (DE11 echoed), bad DE4->30, garbage "
          "dropped, link alive (DE39 %s)" % r["fields"].get("39"))


def duplicate():
    s1 = connect()
    signon(s1)
    req = encode("0100", request("000101"))
    send(s1, req)
    send(s1, req)          # retransmission while in flight
    a = recv(s1)
    b = recv(s1)
    time.sleep(0.1)
    s2 = connect()
    signon(s2)
    rep = dict(request("000101"))
    send(s2, encode("0101", rep))   # repeat, on another connection, later
    c = recv(s2)
    if not (a == b == c):
        fail("answers differ: %r %r %r" % (decode(a), decode(b), decode(c)))
    d = decode(a)
    print("duplicate: 3 identical answers, DE39 %s" % d["fields"].get("39"))


def refused(src):
    s = connect(src)
    try:
        s.settimeout(1.0)
        data = s.recv(1)
    except (ConnectionResetError, socket.timeout) as e:
        if isinstance(e, socket.timeout):
            fail("connection from %s not closed" % src)
        data = b""
    if data:
        fail("refused connection sent data")
    print("refused: %s closed at once" % src)


def allowed(src):
    s = connect(src)
    signon(s)
    print("allowed: %s signed on" % src)


def hold():
    """Connect, sign on, wait for a line on stdin, then check the
    connection still works (reload must not drop it)."""
    s = connect()
    signon(s)
    print("ready", flush=True)
    sys.stdin.readline()
    send(s, encode("0800", {"7": "1123001122", "11": "000901", "70": "301"}))
    r = decode(recv(s))
    if r["mti"] != "0810":
        fail("held connection broken: %r" % r)
    print("held connection survived", flush=True)


if __name__ == "__main__":
    sc = sys.argv[1]
    try:
        if sc == "malformed":
            malformed()
        elif sc == "duplicate":
            duplicate()
        elif sc == "refused":
            refused(sys.argv[5])
        elif sc == "allowed":
            allowed(sys.argv[5])
        elif sc == "hold":
            hold()
        else:
            fail("unknown scenario")
    except (EOFError, socket.timeout, ConnectionError) as e:
        fail("%s: %s" % (sc, e))
