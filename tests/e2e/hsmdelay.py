#!/usr/bin/env python3
"""hsmdelay.py — a delaying proxy between gatewayd and hsmd on unix
sockets, for the chaos tests: what hsmd answers reaches gatewayd late, by
a delay drawn at random per read, in order (the payShield host protocol
answers a connection in order, so a late answer holds back the ones
behind it, as on a congested link).  What gatewayd sends is not delayed.

usage: hsmdelay.py LISTEN UPSTREAM SEED [P_SLOW MIN MAX [P_STALL MIN MAX]]
  each answer is delayed by uniform(MIN, MAX) ms with probability P_SLOW,
  else by uniform(MIN, MAX) of the stall group with probability P_STALL,
  else not at all (defaults 0.10 2 15, 0.05 30 150)
On SIGTERM prints "hsmdelay: reads=N slow=N stalled=N max_ms=N" and exits.
"""
import asyncio
import os
import random
import signal
import sys

LISTEN, UPSTREAM, SEED = sys.argv[1], sys.argv[2], int(sys.argv[3])
num = [float(a) for a in sys.argv[4:]]
P_SLOW, SLOW_MIN, SLOW_MAX = num[0:3] if len(num) >= 3 else (0.10, 2, 15)
P_STALL, STALL_MIN, STALL_MAX = num[3:6] if len(num) >= 6 else (0.05, 30, 150)
rng = random.Random(SEED)
stats = {"reads": 0, "slow": 0, "stalled": 0, "max_ms": 0.0}


def draw():
    stats["reads"] += 1
    u = rng.random()
    if u < P_SLOW:
        stats["slow"] += 1
        d = rng.uniform(SLOW_MIN, SLOW_MAX)
    elif u < P_SLOW + P_STALL:
        stats["stalled"] += 1
        d = rng.uniform(STALL_MIN, STALL_MAX)
    else:
        return 0.0
    stats["max_ms"] = max(stats["max_ms"], d)
    return d / 1000.0


async def sender(q, writer):
    loop = asyncio.get_running_loop()
    while True:
        due, data = await q.get()
        if data is None:
            break
        wait = due - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            writer.write(data)
            await writer.drain()
        except ConnectionError:
            break
    writer.close()


async def pump(reader, writer, delayed):
    """Copies reader to writer, each read held back by a drawn delay
    (delayed) but never overtaking the one before it."""
    loop = asyncio.get_running_loop()
    q = asyncio.Queue()
    task = asyncio.create_task(sender(q, writer))
    last = 0.0
    while True:
        try:
            data = await reader.read(65536)
        except ConnectionError:
            data = b""
        if not data:
            q.put_nowait((0.0, None))
            break
        last = max(last, loop.time() + (draw() if delayed else 0.0))
        q.put_nowait((last, data))
    await task


async def client(creader, cwriter):
    try:
        ureader, uwriter = await asyncio.open_unix_connection(UPSTREAM)
    except OSError:
        cwriter.close()
        return
    await asyncio.gather(pump(creader, uwriter, False),
                         pump(ureader, cwriter, True))


async def main():
    if os.path.exists(LISTEN):
        os.unlink(LISTEN)
    server = await asyncio.start_unix_server(client, path=LISTEN)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    print("hsmdelay: reads=%d slow=%d stalled=%d max_ms=%.0f" % (
        stats["reads"], stats["slow"], stats["stalled"], stats["max_ms"]),
        flush=True)
    server.close()
    os.unlink(LISTEN)
    os._exit(0)         # the connections die with us, unfinished


if __name__ == "__main__":
    asyncio.run(main())
