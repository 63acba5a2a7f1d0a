#!/bin/bash
# The core goes silent mid-run (heartbeats too): every request is still
# answered within the link's Deadline — first by the core timer firing
# into stand-in (91), then, once the core is marked down, by stand-in at
# once.  Late core answers are counted, never sent.
TEST=blackhole
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
genkey "$T/core.key"
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link mc]
Profile = mastercard
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Deadline = 40ms
StandInReserve = 5ms

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
start_core a "$CP" "$T/core.key" --blackhole-after 2s
start_gw "$T/gw.conf"
wait_core_up a

"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile mastercard \
    --rate 1000 --duration 4s --deadline 40ms --expect 00,05,51,91 \
    --json "$T/scheme.json" --no-progress >"$T/scheme.out" 2>&1
rc=$?
grep -E "sent|DE39|errors|latency|deadline" "$T/scheme.out" | sed 's/^/   /'
[ $rc = 0 ] || fail "scheme-sim scheme reported errors or deadline misses"
grep -q "misses=0" "$T/scheme.out" || fail "deadline misses"
core=$(metric 'gatewayd_requests_total{link="mc",mti="0100",outcome="00",path="core"}')
sin=$(metric 'gatewayd_requests_total{link="mc",mti="0100",outcome="91",path="standin"}')
[ "$core" -gt 0 ] || fail "nothing went through the core before the black hole"
[ "$sin" -gt 0 ] || fail "nothing answered by stand-in after the black hole"
ctl cores --json >"$T/cores.json"
st=$(json_get "$T/cores.json" "d['cores'][0]['state']")
[ "$st" = down ] || fail "core not marked down (state=$st)"
ctl standin | grep -q "standin: active" || fail "gatewayctl standin not active"
pass "core=$core standin91=$sin core_state=$st"
