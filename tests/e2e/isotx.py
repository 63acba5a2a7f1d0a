#!/usr/bin/env python3
"""isotx.py — sends ISO 8583 requests on one len2-framed connection and
prints every answer whole, for tests that compare answers with each other
(duplicate detection).  Packing goes through the project's `iso8583` CLI.

usage: isotx.py BIN HOST PORT PROFILE < lines
  each line: NAME JSON     a request, sent once the answers to the lines
                           before it have all come back
             &NAME JSON    a request sent right after the line before it,
                           without waiting (both are then in flight)
prints one line per answer, in the order the requests were given:
  NAME de39=.. de2=.. de4=.. de38=.. wire=HEX
Answers are told apart by DE11 and then DE2 and DE4 (requests in flight
together may share DE11).  Exit status 1 if an answer is missing.
"""
import json
import socket
import struct
import subprocess
import sys

BIN, HOST, PORT, PROFILE = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]


def cli(args, data):
    return subprocess.run([BIN + "/iso8583"] + args, input=data,
                          capture_output=True, check=True).stdout


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError("connection closed")
        b += c
    return b


def key(fields):
    return (fields.get("11"), fields.get("2"), fields.get("4"))


def run_group(s, group):
    """Sends the group's requests back to back, then reads one answer
    for each; returns the lines to print."""
    for name, req in group:
        wire = cli(["encode", "--profile", PROFILE], json.dumps(req).encode())
        s.sendall(struct.pack(">H", len(wire)) + wire)
    waiting = {}
    for i, (name, req) in enumerate(group):
        waiting.setdefault(key(req["fields"]), []).append(i)
    lines = [None] * len(group)
    while any(v for v in waiting.values()):
        wire = recv_exact(s, struct.unpack(">H", recv_exact(s, 2))[0])
        resp = json.loads(cli(["decode", "--profile", PROFILE, "--unmasked"],
                              wire))
        if resp["mti"][2] not in "13":
            continue
        f = resp["fields"]
        slots = waiting.get(key(f))
        if not slots:
            print("unmatched de39=%s de2=%s de4=%s" % (f.get("39"),
                  f.get("2"), f.get("4")), flush=True)
            continue
        i = slots.pop(0)
        lines[i] = "%s de39=%s de2=%s de4=%s de38=%s wire=%s" % (
            group[i][0], f.get("39", "-"), f.get("2", "-"), f.get("4", "-"),
            f.get("38", "-"), wire.hex())
    return lines


def main():
    groups = []
    for line in sys.stdin:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, js = line.split(" ", 1)
        together = name.startswith("&")
        item = (name.lstrip("&"), json.loads(js))
        if together and groups:
            groups[-1].append(item)
        else:
            groups.append([item])
    s = socket.create_connection((HOST, PORT), timeout=5)
    for g in groups:
        for line in run_group(s, g):
            print(line, flush=True)


if __name__ == "__main__":
    try:
        main()
    except (EOFError, socket.timeout, ConnectionError) as e:
        print("isotx: %s" % e)
        sys.exit(1)
