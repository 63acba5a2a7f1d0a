#!/bin/bash
# Forged, tampered, replayed and garbage datagrams on the gateway's core
# socket are dropped (never answered), counted by reason in the metrics,
# and the core link keeps working.
TEST=core-garbage
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); GP=$(free_port udp); METRICS=$(free_port)
genkey "$T/core.key"
[ -x "$BIN/../e2e/coreinject" ] || fail "build/e2e/coreinject not built (make tests)"
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link mc]
Profile = mastercard
Listen = 127.0.0.1:$LP

[Core a]
Address = 127.0.0.1:$CP
Bind = 127.0.0.1:$GP
KeyFile = $T/core.key
CONF
start_core a "$CP" "$T/core.key"
start_gw "$T/gw.conf"
wait_core_up a

"$BIN/../e2e/coreinject" "$T/core.key" 127.0.0.1 "$GP" || fail "coreinject failed"
sleep 0.3
for r in short gue cbit key auth replay; do
	v=$(metric "gatewayd_core_frames_rejected_total{core=\"a\",reason=\"$r\"}")
	echo "   rejected reason=$r: $v"
	[ "$v" -ge 1 ] || fail "no rejection counted for reason $r"
done
late=$(metric gatewayd_core_late_answers_total)
[ "$late" = 1 ] || fail "the one valid unsolicited answer should count late=1 (got $late)"

# Still healthy, still serving.
ctl cores --json >"$T/cores.json"
[ "$(json_get "$T/cores.json" "d['cores'][0]['state']")" = up ] || fail "core not up after the attack"
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile mastercard \
    --rate 500 --duration 1s --deadline 40ms --expect 00 --no-progress \
    >"$T/scheme.out" 2>&1 || { cat "$T/scheme.out"; fail "requests failed after the attack"; }
pass "6 kinds of bad datagram dropped and counted; late=1; link still serving"
