#!/bin/bash
# The operator's controls on the advice queue to the core (gatewayctl saf
# in pause|resume|replay): paused, stand-in approvals are still answered
# and queued durably but nothing reaches the core; resumed, every one is
# delivered once; with the core not acknowledging, a replay sends every
# advice not yet acknowledged again at once (the core sees duplicates,
# as the protocol allows, and counts each advice id once).  Each is
# logged with the caller.
TEST=saf-control
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
N=20
start_hsm 20
{ standin_conf; cat <<CONF; } >"$T/gw.conf"

[StandIn]
Mode = force
MaxAmount = 100000
CONF
start_core a "$CP" "$T/core.key" --cards "$T/portfolio" --control "$T/core.ctl"
start_gw "$T/gw.conf"
wait_core_up a
wait_snapshot a
corectl() {	# corectl COMMAND: one line to the core's control socket
	core_ctl "$T/core.ctl" "$*"
}
saf() {	# saf EXPR over d = gatewayctl saf --json
	ctl saf --json | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}
send() {	# send N: N stand-in approvals
	"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
	    --portfolio "$T/portfolio" --entry ecom --amount 100 --count "$1" \
	    --rate 200 --expect 00 --no-progress >"$T/send.out" 2>&1 ||
	    { cat "$T/send.out"; fail "stand-in approvals"; }
}
wait_for() {	# wait_for PYEXPR-over-saf WHAT
	local i
	for i in $(seq 1 100); do
		[ "$(saf "$1")" = True ] && return 0
		sleep 0.1
	done
	fail "$2 (saf: $(ctl saf | head -2 | tr '\n' ' '))"
}

corectl mark >/dev/null
ctl saf in pause >/dev/null || fail "saf in pause"
[ "$(saf "d['paused']")" = True ] || fail "not shown paused"
send $N
sleep 1.5	# past the retry interval: nothing may have gone out
[ "$(saf "d['depth']")" = $N ] || fail "depth $(saf "d['depth']"), want $N"
adv=$(corectl counters | sed -n 's/.* advices=\([0-9]*\).*/\1/p')
[ "$adv" = 0 ] || fail "the core got $adv advices while paused"
ctl saf in resume >/dev/null || fail "saf in resume"
wait_for "d['depth'] == 0 and not d['paused']" "advices not delivered after resume"
c=$(corectl counters)
new=$(echo "$c" | sed -n 's/.* advice_new=\([0-9]*\).*/\1/p')
[ "$new" = $N ] || fail "the core counted $new advice ids, want $N ($c)"

# Not acknowledged: a replay sends them all again at once.
corectl advice-ack off >/dev/null
send 5
wait_for "d['sent'] >= $((N + 5))" "the new advices were not sent"
r0=$(saf "d['resent']")
ctl saf in replay >/dev/null || fail "saf in replay"
r1=$(saf "d['resent']")
[ "$r1" -ge $((r0 + 5)) ] || fail "replay resent $((r1 - r0)), want 5"
corectl advice-ack on >/dev/null
wait_for "d['depth'] == 0" "advices not acknowledged after the core acks again"
c=$(corectl counters)
new=$(echo "$c" | sed -n 's/.* advice_new=\([0-9]*\).*/\1/p')
[ "$new" = $((N + 5)) ] || fail "the core counted $new advice ids, want $((N + 5)) ($c)"
for w in pause resume replay; do
	grep -q "event=saf_$w uid=$(id -u) pid=" "$T/gatewayd.log" || fail "saf in $w not logged"
done
ctl saf in sideways 2>&1 | grep -q "error: want saf in|out" ||
    fail "a bad word was not refused"
pass "paused: $N approvals queued, 0 at the core; resumed: $N delivered once; replay resent $((r1 - r0)) unacknowledged at once; logged"
