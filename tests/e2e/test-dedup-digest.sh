#!/bin/bash
# Duplicate detection keys on the link and DE7/DE11/DE32/DE37, and replays
# a cached answer only to a request with the same digest (ARCHITECTURE
# 3.4).  Two requests with one identity but another DE2 and DE4 on the
# same link each get their own answer, echoing their own PAN — while the
# first is in flight and after it was answered; a true retransmission gets
# the first answer again, with no second decision; the same identity on
# another link is decided on its own.  Once with the core deciding
# (scheme-sim core: DE4 over 5000 gets 51), once in stand-in with the
# real store and hsmd, where the duplicate record is durable: after a
# gatewayd restart a retransmission still gets its first answer and a new
# colliding request still its own.
TEST=dedup-digest
TEST_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

LP=$(free_port); LP2=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
links() {
	cat <<CONF

[Link mc1]
Profile = iso87
$ZPKLINE
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Deadline = 500ms
StandInReserve = 100ms

[Link mc2]
Profile = iso87
$ZPKLINE
Listen = 127.0.0.1:$LP2
AllowFrom = 127.0.0.1
Deadline = 500ms
StandInReserve = 100ms

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
}
# send PORT < lines: isotx.py's answers, into $T/answers (and shown
# without the wire bytes).
send() {
	python3 "$ROOT/tests/e2e/isotx.py" "$BIN" 127.0.0.1 "$1" iso87 \
	    >"$T/last" || { cat "$T/last"; fail "an answer did not come"; }
	cat "$T/last" >>"$T/answers"
	sed 's/ wire=.*//; s/^/   /' "$T/last"
}
# get NAME KEY: KEY (de39, de2, de4, de38, wire) of answer NAME.
get() {
	local l
	l=$(grep "^$1 " "$T/answers" | tail -1) || fail "no answer $1"
	echo "$l" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
# want NAME DE39 PAN AMOUNT: answer NAME has that DE39 and echoes that
# DE2 and DE4.
want() {
	[ "$(get $1 de39)" = "$2" ] || fail "$1: DE39 $(get $1 de39), want $2"
	[ "$(get $1 de2)" = "$3" ] || fail "$1: echoed another card's PAN ($(get $1 de2))"
	[ "$(get $1 de4)" = "$(printf %012d $4)" ] || fail "$1: DE4 $(get $1 de4), want $4"
}
same() {	# same NAME1 NAME2: the same answer bytes
	[ "$(get $1 wire)" = "$(get $2 wire)" ] || fail "$2 is not $1's answer again"
}

# --- 1. the core decides ------------------------------------------------
genkey "$T/core.key"
{ gw_base; links; } >"$T/gw.conf"
start_core a "$CP" "$T/core.key" --delay 40ms --decline-over 5000
start_gw "$T/gw.conf"
wait_core_up a
PA=5413330000000019; PB=4000000000000002
# line NAME PAN AMOUNT STAN: a request of identity STAN (DE7 fixed, DE11
# and DE37 from STAN, DE32 005037).
line() {
	printf '%s {"mti":"0100","fields":{"2":"%s","3":"000000","4":"%012d","7":"1123001122","11":"%06d","12":"001122","13":"1123","32":"005037","37":"DUP%09d","41":"TERM0001","42":"SIMMERCHANT0001","49":"826"}}\n' \
	    "$1" "$2" "$3" "$4" "$4"
}
{
	line A1 $PA 1000 777		# A1 and B1 in flight together
	line '&B1' $PB 9000 777
	line A1-again $PA 1000 777	# a retransmission of A1
	line A2 $PA 1000 778		# one answered, then the other
	line B2 $PB 9000 778
} | send "$LP"
line C $PA 1000 777 | send "$LP2"	# A1's identity on another link
want A1 00 $PA 1000
want B1 51 $PB 9000
same A1 A1-again
want A2 00 $PA 1000
want B2 51 $PB 9000
want C 00 $PA 1000
[ "$(get C de38)" != "$(get A1 de38)" ] || fail "link mc2 got link mc1's cached answer"
dups=$(metric gatewayd_duplicates_total)
coll=$(metric gatewayd_dedup_collisions_total)
kill -INT $CORE_a_PID
wait $CORE_a_PID 2>/dev/null
calls=$(grep -o 'auth_requests=[0-9]*' "$T/core-a.out" | cut -d= -f2)
echo "   core path: core calls=$calls duplicates=$dups collisions=$coll"
[ "$calls" = 5 ] || fail "the core decided $calls requests, want 5 (A1 B1 A2 B2 C)"
[ "$dups" = 1 ] || fail "duplicates=$dups, want 1 (A1-again)"
[ "$coll" -ge 2 ] || fail "collisions=$coll, want B1 and B2 counted"
kill $GWPID
wait $GWPID 2>/dev/null

# --- 2. stand-in, durable ------------------------------------------------
rm -f "$T/ctl.sock"
start_hsm 10 --special		# card 2 is stolen, 8 a plain one
{ gw_section; links; printf '\n[StandIn]\nMode = force\n'; } >"$T/gw.conf"
CP=$(free_port udp)
sed -i "s/^Address = 127.0.0.1:.*/Address = 127.0.0.1:$CP/" "$T/gw.conf"
start_core a "$CP" "$T/core.key" --cards "$T/portfolio" \
    --record "$T/advices.jsonl"
start_gw "$T/gw.conf"
wait_core_up a
wait_snapshot a
pan() { sed -n "$(($1 + 1))p" "$T/cards" | cut -d' ' -f1; }
# card NAME INDEX AMOUNT STAN: a portfolio card (CVC2 good), identity STAN.
card() {
	echo "$1 $("$BIN/scheme-sim" cards request --portfolio "$T/portfolio" \
	    --index $2 --amount $3 --stan $4 --entry ecom --cvc2 good)"
}
{
	card A 0 1000 501		# A and B in flight together
	card '&B' 2 2000 501		# the stolen card: 43
	card A-again 0 1000 501
} | send "$LP"
card C 0 1000 501 | send "$LP2"
want A 00 "$(pan 0)" 1000
want B 43 "$(pan 2)" 2000
same A A-again
want C 00 "$(pan 0)" 1000
[ "$(get C de38)" != "$(get A de38)" ] || fail "link mc2 got link mc1's cached approval"
A_38=$(get A de38)

kill $GWPID			# the restart: the memory is gone
wait $GWPID 2>/dev/null
start_gw "$T/gw.conf"
wait_core_up a
{
	card A-after-restart 0 1000 501
	card D 8 3000 501		# another card with A's identity
} | send "$LP"
want A-after-restart 00 "$(pan 0)" 1000
[ "$(get A-after-restart de38)" = "$A_38" ] || fail "after the restart A got a new decision"
same A A-after-restart
want D 00 "$(pan 8)" 3000
[ "$(get D de38)" != "$A_38" ] || fail "D got A's stored approval"

# The core heard one advice per decision: A, B, C, D.
for i in $(seq 1 100); do
	ctl saf --json >"$T/saf.json"
	[ "$(json_get "$T/saf.json" "d['depth']")" = 0 ] && break
	sleep 0.1
done
sleep 0.3
kill -INT $CORE_a_PID
wait $CORE_a_PID 2>/dev/null
adv=$(python3 - "$T/advices.jsonl" <<'PY'
import json, sys
seen = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("kind") == "advice" and not r["dup"]:
        k = (r.get("link"), r.get("pan"), r.get("de39"))
        seen[k] = seen.get(k, 0) + 1
print(" ".join("%s/%s/%s=%d" % (k + (n,)) for k, n in sorted(seen.items())))
PY
)
echo "   advices at the core (link/PAN/DE39=count): $adv"
n=$(echo "$adv" | wc -w)
[ "$n" = 4 ] || fail "want advices for A, B, C and D, one each"
echo "$adv" | grep -q '=[02-9]' && fail "a decision advised more than once"
pass "core path: own answers for colliding requests (in flight and after), retransmission cached, other link decided on its own ($calls core calls); stand-in: the same, and across a restart (A's stored answer again, D its own)"
