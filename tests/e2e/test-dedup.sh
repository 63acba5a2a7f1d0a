#!/bin/bash
# Duplicate detection: the same request twice while in flight, and its
# 0101 repeat later on another connection, get the same answer bytes and
# cause one core call, not three.
TEST=dedup
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
genkey "$T/core.key"
plain_conf >"$T/gw.conf"
# A 15 ms core, so the second copy arrives while the first is in flight.
start_core a "$CP" "$T/core.key" --delay 15ms
start_gw "$T/gw.conf"
wait_core_up a
out=$(python3 "$ROOT/tests/e2e/isopeer.py" duplicate "$BIN" 127.0.0.1 "$LP") \
    || fail "$out"
echo "   $out"
kill -INT $CORE_a_PID; wait $CORE_a_PID 2>/dev/null
n=$(grep -o 'auth_requests=[0-9]*' "$T/core-a.out" | cut -d= -f2)
[ "$n" = 1 ] || fail "core saw $n AUTH_REQUESTs, want 1"
d=$(metric gatewayd_duplicates_total)
[ "$d" = 2 ] || fail "want 2 duplicates counted, got $d"
pass "3 copies, 1 core call, duplicates=$d"
