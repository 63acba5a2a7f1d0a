#!/bin/bash
# SNAPSHOT versions only go up (protocol v2 rule 5 and its idempotent
# effect), with the real store and hsmd.  scheme-sim core pushes a
# portfolio as version 10 through coretap, which records the frame; in
# version 11 (sealed by coretap from that record) one card is stolen.
# Then
#   (i)   the recorded version 10 frame replayed: refused ("replay"),
#         never acknowledged;
#   (ii)  a newly sealed version 10 saying the card is active: applied
#         nowhere, acknowledged with 0x200B = 11 (not newer: counted);
#   (iii) a newly sealed version 12 saying active, from other local
#         addresses and ports: the kernel drops it ("source" stays 0),
#         nothing acknowledged;
#   (iv)  after a gatewayd restart, the recorded frame ("before_start")
#         and a newly sealed version 10 again: the store still holds 11.
# After each, the card asked for in stand-in gets DE39 43 (stolen);
# before version 11 it was approved.
TEST=corelink-snapshot
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); TA=$(free_port udp); GA=$(free_port udp)
METRICS=$(free_port)
start_hsm 10
{ gw_section; cat <<CONF; } >"$T/gw.conf"

[Link mc]
Profile = iso87
$ZPKLINE
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Deadline = 200ms
StandInReserve = 100ms

[Core a]
Address = 127.0.0.1:$TA
Bind = 127.0.0.1:$GA
KeyFile = $T/core.key

[StandIn]
Mode = force
CONF
IDX=1
PAN=$(sed -n "$((IDX + 1))p" "$T/cards" | cut -d' ' -f1)
start_core a "$CP" "$T/core.key" --cards "$T/portfolio" --snapshot-version 10
start_tap "$T/core.key" "$CP" "$TA"
start_gw "$T/gw.conf"
wait_core_up a
l=$(tap_wait '^gw 0 SNAPSHOT_ACK corr=10 held=10$') || fail "version 10 never acknowledged: $l"
l=$(tap_wait '^core 0 SNAPSHOT corr=10 ') || fail "$l"
cap=${l##*cap=}

echo 100 >"$T/stan"
# ask NAME EXPECT: the card in stand-in (CVC2 good), a new STAN each time.
ask() {
	local stan r
	stan=$(( $(cat "$T/stan") + 1 ))
	echo $stan >"$T/stan"
	r=$(echo "$1 $2 $("$BIN/scheme-sim" cards request --portfolio "$T/portfolio" \
	    --index $IDX --stan $stan --entry ecom --cvc2 good)" |
	    python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP" iso87) ||
	    fail "$1: $r"
	echo "   $r"
}
# acked V HELD FROMLINE: the SNAPSHOT_ACK for version V says HELD.
acked() {
	local l
	l=$(tap_wait "^gw 0 SNAPSHOT_ACK corr=$1 " "$3") || fail "version $1 never acknowledged"
	[ "$l" = "gw 0 SNAPSHOT_ACK corr=$1 held=$2" ] || fail "want 0x200B=$2: $l"
	echo "   version $1 acknowledged, 0x200B=$2"
}
rejected() {
	metric "gatewayd_core_frames_rejected_total{core=\"a\",reason=\"$1\"}"
}
no_ack() {	# no_ack V FROMLINE: nothing acknowledged version V
	sleep 0.5
	tail -n +$(($2 + 1)) "$T/tap.out" | grep -q "^gw 0 SNAPSHOT_ACK corr=$1 " &&
	    fail "a SNAPSHOT that should never have arrived was acknowledged"
	return 0
}

ask active-v10 00
n=$(tap_lines)
tap snap $cap 0 11 $PAN stolen
acked 11 11 "$n"
ask stolen-v11 43

n=$(tap_lines)
tap replay $cap 0					# (i)
no_ack 10 "$n"
[ "$(wait_metric 'gatewayd_core_frames_rejected_total{core="a",reason="replay"}' 1)" = 1 ] || fail "the recorded frame: replay=$(rejected replay), want 1"
ask after-replayed-v10 43

n=$(tap_lines)
tap snap $cap 0 10 $PAN active				# (ii)
acked 10 11 "$n"
ask after-resealed-v10 43
old=$(metric gatewayd_snapshot_not_newer_total)
[ "$old" = 1 ] || fail "snapshot_not_newer=$old, want 1"

n=$(tap_lines)
tap snap $cap x0 12 $PAN active				# (iii)
no_ack 12 "$n"
[ "$(rejected source)" = 0 ] || fail "source=$(rejected source): another source reached the parser"
ask after-v12-from-elsewhere 43
ver=$(metric gatewayd_snapshot_version)
[ "$ver" = 11 ] || fail "the store holds version $ver, want 11"

kill $GWPID						# (iv)
wait $GWPID 2>/dev/null
start_gw "$T/gw.conf"
wait_core_up a
n=$(tap_lines)
tap replay $cap 0
no_ack 10 "$n"
[ "$(wait_metric 'gatewayd_core_frames_rejected_total{core="a",reason="before_start"}' 1)" = 1 ] || fail "after the restart: before_start=$(rejected before_start), want 1"
tap snap $cap 0 10 $PAN active
acked 10 11 "$n"
ask after-restart 43
pass "v10 approved, v11 stolen -> 43; replayed v10 (replay), resealed v10 (ack 0x200B=11), v12 from elsewhere (dropped, source=0), after a restart (before_start; ack 11): still 43"
