#!/bin/bash
# Attacks on the core link's answers (protocol v2), each aimed at a
# request in flight so that an accepted frame would show: coretap sits at
# the core's address, relays to the real core, and holds back one
# AUTH_REQUEST at a time, answering it itself instead:
#   good     a valid AUTH_RESPONSE (DE38 TAP001): taken, the scheme gets
#            it — the control that shows the forged answers below would
#            have had an effect;
#   reflect  the gateway's own AUTH_REQUEST sent back from the core's
#            address: refused as "key" (sealed with K_gc, opened only
#            with K_cg), no effect;
#   stale    a valid answer with sent_ms 60 s old: refused as "stale";
#   other    the valid answer from 127.0.0.1 and 127.0.0.2 on other
#            ports: the core socket is connect()ed, the kernel drops it,
#            "source" stays 0.
# Each of the last three leaves the request to stand-in (91 at the
# deadline in this lab config): no TAP001 ever reaches the scheme, no
# answer is counted late, bad or ignored.
TEST=corelink-attacks
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); TA=$(free_port udp); GA=$(free_port udp)
METRICS=$(free_port)
genkey "$T/core.key"
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link mc]
Profile = iso87
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Deadline = 600ms
StandInReserve = 100ms

[Core a]
Address = 127.0.0.1:$TA
Bind = 127.0.0.1:$GA
KeyFile = $T/core.key
CONF
start_core a "$CP" "$T/core.key"
start_tap "$T/core.key" "$CP" "$TA"
start_gw "$T/gw.conf"
wait_core_up a

# req NAME EXPECT STAN: one request line for sisend.py.
req() {
	printf '%s %s {"mti":"0100","fields":{"2":"5413330000000019","3":"000000","4":"000000001000","7":"1123001122","11":"%06d","12":"001122","13":"1123","32":"005037","37":"ATK%09d","41":"TERM0001","42":"SIMMERCHANT0001","49":"826"}}\n' \
	    "$1" "$2" "$3" "$3"
}
send() {	# send NAME EXPECT STAN: its sisend.py line
	req "$@" | python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP" iso87
}
rejected() {
	metric "gatewayd_core_frames_rejected_total{core=\"a\",reason=\"$1\"}"
}

r=$(send plain 00 1) || fail "through the core: $r"
echo "   $r"
echo "$r" | grep -q ' de38=C' || fail "the core's approval did not arrive: $r"

stan=10
for mode in good reflect stale other; do
	stan=$((stan + 1))
	wait_core_up a
	n=$(tap_lines)
	tap arm 0 $mode
	if [ $mode = good ]; then
		r=$(send $mode 00 $stan) || fail "$mode: $r"
		echo "$r" | grep -q ' de38=TAP001 ' || fail "$mode: the valid forged answer was not taken: $r"
	else
		r=$(send $mode 91 $stan) || fail "$mode: not left to stand-in: $r"
		echo "$r" | grep -q TAP001 && fail "$mode: the forged answer reached the scheme: $r"
	fi
	a=$(tap_wait "^armed 0 $mode " "$n") || fail "$mode: $a"
	echo "$a" | grep -q ' sent$' || fail "coretap could not send: $a"
	echo "   $r   [$a]"
done
key=$(wait_metric 'gatewayd_core_frames_rejected_total{core="a",reason="key"}' 1)
stale=$(wait_metric 'gatewayd_core_frames_rejected_total{core="a",reason="stale"}' 1)
source=$(rejected source)
echo "   rejected: key=$key stale=$stale source=$source"
for r in gue auth version before_start replay; do
	v=$(rejected $r)
	[ "$v" = 0 ] || fail "reason $r counted $v, want 0"
done
[ "$key" = 1 ] || fail "the reflected request: key=$key, want 1"
[ "$stale" = 1 ] || fail "the 60 s old answer: stale=$stale, want 1"
[ "$source" = 0 ] || fail "source=$source: a datagram from another source reached the parser"
late=$(metric gatewayd_core_late_answers_total)
bad=$(metric gatewayd_core_bad_answers_total)
ign=$(metric gatewayd_core_frames_ignored_total)
[ "$late$bad$ign" = 000 ] || fail "late=$late bad=$bad ignored=$ign, want 0 0 0"
core=$(metric 'gatewayd_requests_total{link="mc",mti="0100",outcome="00",path="core"}')
sin=$(metric 'gatewayd_requests_total{link="mc",mti="0100",outcome="91",path="standin"}')
[ "$core" = 2 ] || fail "core answers $core, want 2 (the plain one and the control)"
[ "$sin" = 3 ] || fail "stand-in answers $sin, want 3 (reflect, stale, other)"
pass "control taken (TAP001); reflected -> key=1, 60 s old -> stale=1, other sources -> source=0 and not delivered; 3 requests left to stand-in, late=bad=ignored=0"
