#!/usr/bin/env python3
"""udprelay.py — the pair link through a cable the test can cut.

usage: udprelay.py PORT_A PORT_B BIND_A BIND_B
  appliance A sends to 127.0.0.1:PORT_A, which goes on to B's BIND_B from
  PORT_B; B sends to PORT_B, which goes on to A's BIND_A from PORT_A (so
  each side's connected socket sees its Address answering).
  SIGUSR1 cuts the cable (every datagram dropped, counted), SIGUSR2 heals.
"""
import select
import signal
import socket
import sys

pa, pb, ba, bb = (int(x) for x in sys.argv[1:5])
cut = False
dropped = passed = 0


def on_cut(sig, frm):
    global cut
    cut = sig == signal.SIGUSR1
    print("relay: %s (passed %d dropped %d)" %
          ("cut" if cut else "healed", passed, dropped), flush=True)


signal.signal(signal.SIGUSR1, on_cut)
signal.signal(signal.SIGUSR2, on_cut)
sa = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sa.bind(("127.0.0.1", pa))
sb = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sb.bind(("127.0.0.1", pb))
print("relay: ready", flush=True)
while True:
    try:
        r, _, _ = select.select([sa, sb], [], [], 1.0)
    except InterruptedError:
        continue
    for s in r:
        d, _ = s.recvfrom(65535)
        if cut:
            dropped += 1
            continue
        passed += 1
        try:
            if s is sa:
                sb.sendto(d, ("127.0.0.1", bb))
            else:
                sa.sendto(d, ("127.0.0.1", ba))
        except OSError:
            pass
