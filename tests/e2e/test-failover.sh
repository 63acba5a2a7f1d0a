#!/bin/bash
# Two core endpoints: a (Priority 1) black-holes mid-run, b (Priority 2)
# takes over once a is down; no request misses its deadline, and
# approvals come from the core again after the switch.  A request sent to
# a as it went silent is answered 91 when its budget ends, StandInReserve
# (5 ms) before the deadline: a miss passes only beside a stop of the
# machine longer than that (stall_excused), measured during the load.
TEST=failover
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CA=$(free_port udp); CB=$(free_port udp); METRICS=$(free_port)
genkey "$T/a.key"; genkey "$T/b.key"
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link mc]
Profile = mastercard
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Deadline = 40ms

[Core a]
Address = 127.0.0.1:$CA
KeyFile = $T/a.key
Priority = 1

[Core b]
Address = 127.0.0.1:$CB
KeyFile = $T/b.key
Priority = 2
CONF
start_core a "$CA" "$T/a.key" --blackhole-after 3s --json "$T/core-a.json"
start_core b "$CB" "$T/b.key" --json "$T/core-b.json"
start_gw "$T/gw.conf"
wait_core_up a
wait_core_up b
ctl cores | sed 's/^/   /'

stall_watch scheme 9
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile mastercard \
    --rate 1000 --duration 6s --deadline 40ms --expect 00,51,91 \
    --no-progress >"$T/scheme.out" 2>&1
stall_stop scheme
grep -E "DE39|approvals|errors|latency|deadline" "$T/scheme.out" | sed 's/^/   /'
grep -q "errors: 0 " "$T/scheme.out" || fail "scheme-sim scheme reported errors"
if ! grep -q "misses=0" "$T/scheme.out"; then
	max=$(sed -n 's/.* max=\([0-9]*\).*/\1/p' "$T/scheme.out" | head -1)
	max=${max:-0}
	stall_excused scheme $(( max > 40000 ? max - 40000 : 0 )) 5000 ||
	    fail "deadline misses (the longest stop of a CPU: $(stall_max_us scheme)us)"
fi
ctl cores | sed 's/^/   /'
ctl cores --json >"$T/cores.json"
sa=$(json_get "$T/cores.json" "[c for c in d['cores'] if c['name']=='a'][0]['state']")
ab=$(json_get "$T/cores.json" "[c for c in d['cores'] if c['name']=='b'][0]['active']")
[ "$sa" = down ] || fail "core a not down (state=$sa)"
[ "$ab" = True ] || fail "core b not active"
# Both answered requests: a before its black hole, b after.
kill -INT $CORE_a_PID $CORE_b_PID; wait $CORE_a_PID $CORE_b_PID 2>/dev/null
na=$(grep -o 'auth_requests=[0-9]*' "$T/core-a.out" | cut -d= -f2)
nb=$(grep -o 'auth_requests=[0-9]*' "$T/core-b.out" | cut -d= -f2)
[ "${na:-0}" -gt 0 ] || fail "core a answered no requests before its black hole"
[ "${nb:-0}" -gt 0 ] || fail "core b answered no requests"
pass "a answered $na then went down, b answered $nb, 0 deadline misses"
