#!/usr/bin/env python3
"""sisend.py — sends ISO 8583 requests one at a time on one len2-framed
connection and checks each answer's DE39 (stand-in rule tests, crash and
demo scripts).  Packing goes through the project's `iso8583` CLI.

usage: sisend.py BIN HOST PORT PROFILE < lines
  each line: NAME EXPECT JSON      (EXPECT: a DE39, or - for any)
prints one line per request: NAME rc=DE39 de38=... arpc=yes|no [ok|FAIL]
mac=yes|no (the answer carries DE64 or DE128)
exit status 1 if any DE39 differs from what was expected.
"""
import json
import socket
import struct
import subprocess
import sys

BIN, HOST, PORT, PROFILE = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]


def run(args, data):
    return subprocess.run([BIN + "/iso8583"] + args, input=data,
                          capture_output=True, check=True).stdout


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


s = socket.create_connection((HOST, PORT), timeout=5)
bad = 0
for line in sys.stdin:
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    name, expect, js = line.split(" ", 2)
    req = json.loads(js)
    wire = run(["encode", "--profile", PROFILE], json.dumps(req).encode())
    s.sendall(struct.pack(">H", len(wire)) + wire)
    while True:
        n = struct.unpack(">H", recv_exact(s, 2))[0]
        resp = json.loads(run(["decode", "--profile", PROFILE, "--unmasked"],
                              recv_exact(s, n)))
        if resp["mti"][2] in "13" and resp["fields"].get("11") == req["fields"].get("11"):
            break
    f = resp["fields"]
    rc = f.get("39", "??")
    arpc = "55" in f and "91" in f["55"][:4] if "55" in f else False
    ok = expect == "-" or rc == expect
    if not ok:
        bad += 1
    mac = "64" in f or "128" in f
    print("%s rc=%s de38=%s arpc=%s %s mac=%s" % (name, rc, f.get("38", "-"),
          "yes" if arpc else "no", "ok" if ok else "FAIL (want %s)" % expect,
          "yes" if mac else "no"))
    sys.stdout.flush()
sys.exit(1 if bad else 0)
