#!/bin/bash
# A retransmission gets the same answer again, not a second decision
# (ARCHITECTURE 3.4) — also when the transaction is the second of two
# that share one identity (DE7/DE11/DE32/DE37) but not the card: B
# collides with A, is rightly decided on its own, and then B is sent
# again byte for byte.  That repeat must be B's answer again, with no
# second decision: no second core call in the core path; in stand-in no
# second approval code, no second advice, and B's amount counted once in
# the approved amount (the exposure is settled as the core acknowledges).
TEST=dedup-collision-repeat
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
# send < lines: isotx.py's answers into $T/answers, shown without the wire.
send() {
	python3 "$ROOT/tests/e2e/isotx.py" "$BIN" 127.0.0.1 "$LP" iso87 \
	    >"$T/last" || { cat "$T/last"; fail "an answer did not come"; }
	cat "$T/last" >>"$T/answers"
	sed 's/ wire=.*//; s/^/   /' "$T/last"
}
get() {		# get NAME KEY: KEY of answer NAME
	grep "^$1 " "$T/answers" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}
conf() {	# conf [StandIn mode]
	cat <<CONF
[Link mc]
Profile = iso87
$ZPKLINE
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Deadline = 500ms
StandInReserve = 100ms

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
	[ -z "${1:-}" ] || printf '\n[StandIn]\nMode = %s\n' "$1"
}
FAILS=""

# --- the core decides ----------------------------------------------------
genkey "$T/core.key"
{ gw_base; conf; } >"$T/gw.conf"
start_core a "$CP" "$T/core.key" --delay 20ms
start_gw "$T/gw.conf"
wait_core_up a
line() {	# line NAME PAN AMOUNT: identity 777
	printf '%s {"mti":"0100","fields":{"2":"%s","3":"000000","4":"%012d","7":"1123001122","11":"000777","12":"001122","13":"1123","32":"005037","37":"DUP000000777","41":"TERM0001","42":"SIMMERCHANT0001","49":"826"}}\n' \
	    "$1" "$2" "$3"
}
{
	line A 5413330000000019 1000
	line B 4000000000000002 2000
	line B-again 4000000000000002 2000
} | send
[ "$(get B wire)" = "$(get B-again wire)" ] || FAILS="$FAILS; core path: B-again got another answer than B (DE38 $(get B de38) then $(get B-again de38))"
kill -INT $CORE_a_PID
wait $CORE_a_PID 2>/dev/null
calls=$(grep -o 'auth_requests=[0-9]*' "$T/core-a.out" | cut -d= -f2)
echo "   core path: core calls=$calls (want 2: A and B)"
[ "$calls" = 2 ] || FAILS="$FAILS; core path: B-again was sent to the core again ($calls calls for A, B, B-again)"
kill $GWPID
wait $GWPID 2>/dev/null

# --- stand-in ------------------------------------------------------------
rm -f "$T/ctl.sock" "$T/answers"
start_hsm 10
CP=$(free_port udp)
{ gw_section; conf force; } >"$T/gw.conf"
start_core a "$CP" "$T/core.key" --cards "$T/portfolio" \
    --record "$T/advices.jsonl"
start_gw "$T/gw.conf"
wait_core_up a
wait_snapshot a
card() {	# card NAME INDEX AMOUNT: CVC2 good, identity 501
	echo "$1 $("$BIN/scheme-sim" cards request --portfolio "$T/portfolio" \
	    --index $2 --amount $3 --stan 501 --entry ecom --cvc2 good)"
}
{
	card A 0 1000
	card B 9 2000
	card B-again 9 2000
} | send
[ "$(get B de39)" = 00 ] || fail "B not approved in stand-in: $(get B de39)"
ctl standin --json >"$T/standin.json"
exp=$(json_get "$T/standin.json" "d['authoriser']['approved_amount']")
for i in $(seq 1 100); do
	ctl saf --json >"$T/saf.json"
	[ "$(json_get "$T/saf.json" "d['depth']")" = 0 ] && break
	sleep 0.1
done
sleep 0.3
kill -INT $CORE_a_PID
wait $CORE_a_PID 2>/dev/null
pb=$(sed -n 10p "$T/cards" | cut -d' ' -f1)
nb=$(python3 - "$T/advices.jsonl" "${pb: -4}" <<'PY'
import json, sys
print(sum(1 for l in open(sys.argv[1]) for r in [json.loads(l)]
          if r.get("kind") == "advice" and not r["dup"]
          and r.get("pan", "").endswith(sys.argv[2])))
PY
)
echo "   stand-in: B de38=$(get B de38), B-again de38=$(get B-again de38); advices for B=$nb; approved amount=$exp (want 3000)"
[ "$(get B wire)" = "$(get B-again wire)" ] || FAILS="$FAILS; stand-in: B-again got another answer than B (DE38 $(get B de38) then $(get B-again de38))"
[ "$nb" = 1 ] || FAILS="$FAILS; stand-in: $nb advices for B"
[ "$exp" = 3000 ] || FAILS="$FAILS; stand-in: approved amount $exp, B counted twice"
[ -z "$FAILS" ] || fail "a retransmission of the colliding request was decided again${FAILS}"
pass "the colliding request's retransmission got its first answer: 2 core calls; one approval, one advice, 3000 approved in stand-in"
