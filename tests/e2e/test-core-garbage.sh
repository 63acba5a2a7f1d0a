#!/bin/bash
# Forged, reflected, tampered, stale, replayed and garbage datagrams on the
# gateway's core link (protocol v2) are dropped (never answered), counted
# by reason in the metrics, and the core link keeps working.
#
# gatewayd's core socket is connected to the core's address, so an
# attacker's datagrams only reach it from there: coreinject sits at the
# address the gateway is given for the core, relays to the real core
# (scheme-sim core), and on SIGUSR1 sends one datagram per reject reason,
# a valid unsolicited answer, replays, and one valid frame from another
# port, which the kernel drops before gatewayd sees it ("source" stays 0).
TEST=core-garbage
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); IP=$(free_port udp); GP=$(free_port udp)
METRICS=$(free_port)
INJ=$BIN/../e2e/coreinject
genkey "$T/core.key"
[ -x "$INJ" ] || fail "build/e2e/coreinject not built (make tests)"
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link mc]
Profile = mastercard
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1

[Core a]
Address = 127.0.0.1:$IP
Bind = 127.0.0.1:$GP
KeyFile = $T/core.key
CONF
start_core a "$CP" "$T/core.key"
# Anything sealed before this instant was sealed before gatewayd started.
before_ms=$(date +%s%3N)
"$INJ" "$T/core.key" "$IP" "$CP" "$before_ms" >"$T/inject.out" 2>&1 &
INJPID=$!
PIDS+=($INJPID)
start_gw "$T/gw.conf"
wait_core_up a

kill -USR1 $INJPID
for i in $(seq 1 50); do
	grep -q '^coreinject: sent' "$T/inject.out" && break
	sleep 0.1
done
sent=$(grep '^coreinject: sent' "$T/inject.out") || { cat "$T/inject.out"; fail "coreinject sent nothing"; }
echo "   $sent"
sleep 0.3
# want NAME: what coreinject says gatewayd should have counted for NAME
want() { echo "$sent" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
for r in gue key auth version stale before_start replay source; do
	v=$(metric "gatewayd_core_frames_rejected_total{core=\"a\",reason=\"$r\"}")
	echo "   rejected reason=$r: $v (sent $(want $r))"
	[ "$v" = "$(want $r)" ] || fail "reason $r: counted $v, sent $(want $r)"
done
for r in gue key auth version stale before_start replay; do
	[ "$(want $r)" -ge 1 ] || fail "coreinject sent nothing for reason $r"
done
late=$(metric gatewayd_core_late_answers_total)
[ "$late" = 1 ] || fail "the one valid unsolicited answer should count late=1 (got $late; the one from another port must not arrive)"

# Still healthy, still serving.
ctl cores --json >"$T/cores.json"
[ "$(json_get "$T/cores.json" "d['cores'][0]['state']")" = up ] || fail "core not up after the attack"
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile mastercard \
    --rate 500 --duration 1s --deadline 40ms --expect 00 --no-progress \
    >"$T/scheme.out" 2>&1 || { cat "$T/scheme.out"; fail "requests failed after the attack"; }
pass "every reject reason but source counted exactly; source=0, late=1; link still serving"
