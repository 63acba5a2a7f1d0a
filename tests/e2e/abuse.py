#!/usr/bin/env python3
"""abuse.py — attacks on a gatewayd scheme link (issue 14, the link
limits), and the legitimate scheme peer that keeps asking meanwhile, for
tests/e2e/test-abuse-*.sh.  iso87 profile, len2 framing; messages are
packed once through the project's `iso8583` CLI (as isopeer.py does) and
then copied with another DE11, so the floods are not paced by packing.

usage: abuse.py SCENARIO BIN HOST PORT [args]
  probe SECONDS STOPFILE      the scheme: signs on, one request every
                              100 ms until STOPFILE exists (or SECONDS)
  idle N HOLD                 N idle sockets held HOLD seconds
  schemein WAIT               the scheme connects (retrying) and signs on
  slowloris K                 K signed-on peers each leave a frame unfinished
  unread MB SECONDS           requests, answers never read
  flood0800 MB                MB of 0800 echoes, answers read and dropped
  oversize K                  K peers send a length prefix over MaxFrame
  echo                        a peer that signs on, then answers nothing
  burst N                     N requests at once on one connection
  deafpeer PORT SECONDS       listens (for a Connect link), never answers
Each prints one line of key=value figures; exit status 1 on a failure.
"""
import json
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

BIN = sys.argv[2]
HOST = sys.argv[3]
PORT = int(sys.argv[4])
ARGS = sys.argv[5:]
PROFILE = "iso87"


def encode(mti, fields):
    return subprocess.run([BIN + "/iso8583", "encode", "--profile", PROFILE],
                          input=json.dumps({"mti": mti,
                                            "fields": fields}).encode(),
                          capture_output=True, check=True).stdout


def decode(wire):
    return json.loads(subprocess.run(
        [BIN + "/iso8583", "decode", "--profile", PROFILE], input=wire,
        capture_output=True, check=True).stdout)


def fail(msg):
    print("FAIL " + msg, flush=True)
    sys.exit(1)


def framed(wire):
    return struct.pack(">H", len(wire)) + wire


class Template:
    """A packed message whose DE11 (999001 when packed) is replaced."""

    def __init__(self, mti, fields):
        self.wire = encode(mti, dict(fields, **{"11": "999001"}))
        if self.wire.count(b"999001") != 1:
            raise SystemExit("template: DE11 not unique in the packing")

    def make(self, stan):
        return framed(self.wire.replace(b"999001", b"%06d" % (stan % 1000000)))


def request_fields(rrn):
    return {"2": "5413330000000019", "3": "000000", "4": "000000001000",
            "7": "1123001122", "12": "001122", "13": "1123", "32": "005037",
            "37": "0000000%05d" % rrn, "41": "TERM0001",
            "42": "SIMMERCHANT0001", "49": "826"}


SIGNON = None
ECHO = None
ECHO_ANSWER = None


def templates():
    global SIGNON, ECHO, ECHO_ANSWER
    SIGNON = Template("0800", {"7": "1123001122", "70": "001"})
    ECHO = Template("0800", {"7": "1123001122", "70": "301"})
    ECHO_ANSWER = Template("0810", {"7": "1123001122", "39": "00",
                                    "70": "301"})


def connect(timeout=2.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((HOST, PORT))
    return s


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError("closed")
        b += c
    return b


def recv_msg(s):
    return recv_exact(s, struct.unpack(">H", recv_exact(s, 2))[0])


def signon(s, stan=900):
    s.sendall(SIGNON.make(stan))
    while True:
        m = recv_msg(s)
        if m[:4] == b"0810":
            return


def wait_eof(s, limit):
    """Seconds until the peer closes s (reading and dropping what it
    sends), or None after limit seconds."""
    t0 = time.monotonic()
    s.setblocking(False)
    while time.monotonic() - t0 < limit:
        r, _, _ = select.select([s], [], [], 0.05)
        if r:
            try:
                if not s.recv(65536):
                    return time.monotonic() - t0
            except ConnectionError:
                return time.monotonic() - t0
    return None


# --- the scheme ------------------------------------------------------------

def ask(s, tpl, stan, limit=2.0):
    """One request; its answer's latency in ms and DE39.  Echoes the
    gateway sends meanwhile are answered, as a scheme would."""
    t0 = time.monotonic()
    s.sendall(tpl.make(stan))
    s.settimeout(limit)
    while True:
        m = recv_msg(s)
        if m[:4] == b"0800":
            s.sendall(ECHO_ANSWER.make(stan))
            continue
        if m[:4] == b"0110":
            ms = (time.monotonic() - t0) * 1000
            return ms, decode(m)["fields"].get("39", "-")


def probe(seconds, stopfile):
    tpl = Template("0100", request_fields(1))
    s = connect()
    signon(s)
    lat, rcs, stan = [], {}, 1
    t_end = time.monotonic() + seconds
    while time.monotonic() < t_end and not os.path.exists(stopfile):
        stan += 1
        ms, rc = ask(s, tpl, stan)
        lat.append(ms)
        rcs[rc] = rcs.get(rc, 0) + 1
        time.sleep(0.1)
    lat.sort()
    print("probe requests=%d answered=%d p50_ms=%.1f max_ms=%.1f rc=%s" % (
        stan - 1, len(lat), lat[len(lat) // 2] if lat else 0,
        lat[-1] if lat else 0,
        ",".join("%s:%d" % kv for kv in sorted(rcs.items()))), flush=True)


def schemein(wait):
    """The scheme's own connection, while idle sockets hold the slots."""
    tpl = Template("0100", request_fields(2))
    t0 = time.monotonic()
    tries = 0
    while time.monotonic() - t0 < wait:
        tries += 1
        try:
            s = connect()
            signon(s, 901)
            break
        except (EOFError, ConnectionError, socket.timeout):
            time.sleep(0.1)
    else:
        fail("schemein: not signed on within %.1fs (%d tries)" % (wait, tries))
    waited = time.monotonic() - t0
    ms, rc = ask(s, tpl, 5001)
    print("schemein waited_s=%.2f tries=%d latency_ms=%.1f rc=%s" % (
        waited, tries, ms, rc), flush=True)


# --- the attacks -----------------------------------------------------------

def idle(n, hold):
    socks = []
    for _ in range(n):
        socks.append((connect(), time.monotonic()))
    closed = []
    t_end = time.monotonic() + hold
    open_ = list(socks)
    for s, _ in open_:
        s.setblocking(False)
    while open_ and time.monotonic() < t_end:
        r, _, _ = select.select([s for s, _ in open_], [], [], 0.05)
        for s in r:
            try:
                data = s.recv(4096)
            except ConnectionError:
                data = b""
            if not data:
                t = [t0 for x, t0 in open_ if x is s][0]
                closed.append(time.monotonic() - t)
                open_ = [(x, t0) for x, t0 in open_ if x is not s]
    at_once = sum(1 for c in closed if c < 0.5)
    later = sorted(c for c in closed if c >= 0.5)
    print("idle sockets=%d refused_at_once=%d closed_later=%d "
          "closed_after_max_s=%.2f still_open=%d" % (
              n, at_once, len(later), later[-1] if later else 0,
              len(open_)), flush=True)


def slowloris(k):
    socks = []
    for i in range(k):
        s = connect()
        signon(s, 910 + i)
        # A frame of 300 bytes announced, 10 given, then one a while.
        s.sendall(struct.pack(">H", 300) + b"0100723000")
        socks.append(s)
    t0 = time.monotonic()
    alive = list(socks)
    took = []
    while alive and time.monotonic() - t0 < 15:
        for s in list(alive):
            try:
                s.send(b"0")
            except (ConnectionError, BrokenPipeError):
                took.append(time.monotonic() - t0)
                alive.remove(s)
                continue
            s.setblocking(False)
            try:
                if s.recv(4096) == b"":
                    took.append(time.monotonic() - t0)
                    alive.remove(s)
            except BlockingIOError:
                pass
            except ConnectionError:
                took.append(time.monotonic() - t0)
                alive.remove(s)
        time.sleep(0.2)
    print("slowloris peers=%d closed=%d closed_after_max_s=%.2f" % (
        k, len(took), max(took) if took else 0), flush=True)


def unread(mb, seconds):
    tpl = Template("0100", request_fields(3))
    s = connect()
    signon(s)
    ask(s, tpl, 7000)
    # Repeats of an answered request: each gets the stored answer again,
    # at once, without the core: the most output per byte read.
    chunk = tpl.make(7000) * 500
    s.setblocking(False)
    sent, t0, closed = 0, time.monotonic(), None
    while time.monotonic() - t0 < seconds and sent < mb * 1048576:
        try:
            # Whole frames: a short send goes on where it stopped.
            sent += s.send(chunk[sent % len(chunk):])
        except BlockingIOError:
            time.sleep(0.01)
        except (ConnectionError, BrokenPipeError):
            closed = time.monotonic() - t0
            break
    # Still open: whether the gateway closes it, though we never read.
    t1 = time.monotonic()
    while closed is None and time.monotonic() - t1 < 10:
        try:
            sent += s.send(chunk[sent % len(chunk):])
        except BlockingIOError:
            pass
        except (ConnectionError, BrokenPipeError):
            closed = time.monotonic() - t0
        time.sleep(0.1)
    print("unread sent_mb=%.1f closed_after_s=%s" % (
        sent / 1048576, "%.2f" % closed if closed is not None else "never"),
        flush=True)


def flood0800(mb):
    s = connect(5.0)
    signon(s)
    got = [0]

    def reader():
        try:
            while True:
                d = s.recv(1 << 16)
                if not d:
                    return
                got[0] += len(d)
        except OSError:
            return
    th = threading.Thread(target=reader, daemon=True)
    th.start()
    chunk = b"".join(ECHO.make(i) for i in range(2000))
    sent, t0 = 0, time.monotonic()
    while sent < mb * 1048576:
        s.sendall(chunk)
        sent += len(chunk)
    took = time.monotonic() - t0
    time.sleep(0.5)
    print("flood0800 sent_mb=%.1f messages=%d seconds=%.1f answers_mb=%.1f" % (
        sent / 1048576, sent // len(ECHO.make(0)), took, got[0] / 1048576),
        flush=True)


def oversize(k):
    took = []
    for i in range(k):
        s = connect()
        # 65535 and 0: over MaxFrame, and an empty message.
        s.sendall((b"\xff\xff" if i % 2 == 0 else b"\x00\x00") + b"x" * 64)
        w = wait_eof(s, 3)
        if w is None:
            fail("oversize: peer %d not closed within 3s" % i)
        took.append(w)
    print("oversize peers=%d closed=%d closed_after_max_s=%.2f" % (
        k, len(took), max(took)), flush=True)


def echo():
    s = connect()
    signon(s)
    t0 = time.monotonic()
    s.settimeout(30)
    echoes = 0
    try:
        while True:
            m = recv_msg(s)
            if m[:4] == b"0800":
                echoes += 1
    except (EOFError, ConnectionError):
        pass
    except socket.timeout:
        fail("echo: peer answering nothing still open after 30s")
    print("echo unanswered=%d closed_after_s=%.2f" % (
        echoes, time.monotonic() - t0), flush=True)


def burst(n):
    tpl = Template("0100", request_fields(4))
    s = connect()
    signon(s)
    t0 = time.monotonic()
    s.sendall(b"".join(tpl.make(8000 + i) for i in range(n)))
    rcs, got = {}, []
    s.settimeout(2)
    for _ in range(n):
        got.append(recv_msg(s))
    worst = (time.monotonic() - t0) * 1000
    for m in got:       # decoded once all are in: not in the timing
        rc = decode(m)["fields"].get("39", "-")
        rcs[rc] = rcs.get(rc, 0) + 1
    print("burst requests=%d last_answer_ms=%.1f rc=%s" % (
        n, worst, ",".join("%s:%d" % kv for kv in sorted(rcs.items()))),
        flush=True)


def deafpeer(port, seconds):
    """A scheme endpoint for a Connect link that stops answering: the
    gateway closes after EchoMisses and dials again."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((HOST, port))
    ls.listen(4)
    print("listening", flush=True)
    ls.settimeout(0.2)
    accepts, held = [], []
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        try:
            c, _ = ls.accept()
            accepts.append(time.monotonic() - t0)
            held.append(c)
        except socket.timeout:
            pass
    gaps = [b - a for a, b in zip(accepts, accepts[1:])]
    print("deafpeer accepts=%d redial_every_s=%s" % (
        len(accepts), ",".join("%.2f" % g for g in gaps)), flush=True)


if __name__ == "__main__":
    sc = sys.argv[1]
    templates()
    try:
        if sc == "probe":
            probe(float(ARGS[0]), ARGS[1])
        elif sc == "idle":
            idle(int(ARGS[0]), float(ARGS[1]))
        elif sc == "schemein":
            schemein(float(ARGS[0]))
        elif sc == "slowloris":
            slowloris(int(ARGS[0]))
        elif sc == "unread":
            unread(float(ARGS[0]), float(ARGS[1]))
        elif sc == "flood0800":
            flood0800(float(ARGS[0]))
        elif sc == "oversize":
            oversize(int(ARGS[0]))
        elif sc == "echo":
            echo()
        elif sc == "burst":
            burst(int(ARGS[0]))
        elif sc == "deafpeer":
            deafpeer(int(ARGS[0]), float(ARGS[1]))
        else:
            fail("unknown scenario " + sc)
    except (EOFError, socket.timeout, ConnectionError) as e:
        fail("%s: %s" % (sc, e))
