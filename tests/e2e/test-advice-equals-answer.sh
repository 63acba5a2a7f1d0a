#!/bin/bash
# The chaos run: the advice says what the scheme was answered.  Stand-in
# with the real store and a real portfolio, the HSM behind a delaying
# proxy (hsmdelay.py: answers late at random, some past the deadline),
# the core answering after a random delay (many past the 25 ms budget)
# and black-holed and restored at random moments (SIGUSR1), under a few
# thousand requests from scheme-sim scheme.  Once the core is back and the
# SAF has drained, advcheck.py holds every answer the scheme recorded
# against the advices the core recorded: each stand-in answer has exactly
# one advice (one advice id, however often delivered) whose tag 39 and
# 0x1004 are the DE39 the scheme saw — approvals included, so none is
# missing and none counted twice; the core's own answers have none.
TEST=advice-equals-answer
TEST_TIMEOUT=150
. "$(dirname "$0")/lib.sh"

SEED=${CHAOS_SEED:-$((RANDOM * 32768 + RANDOM))}
RATE=${CHAOS_RATE:-250}
SECS=${CHAOS_SECONDS:-16}
LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
RANDOM=$SEED
echo "   seed $SEED (CHAOS_SEED=$SEED repeats the random choices)"
start_hsm 300
python3 "$ROOT/tests/e2e/hsmdelay.py" "$T/hsmproxy.sock" "$T/hsm.sock" \
    "$SEED" >"$T/hsmdelay.out" 2>&1 &
HDPID=$!
PIDS+=($HDPID)
for i in $(seq 1 100); do
	[ -S "$T/hsmproxy.sock" ] && break
	sleep 0.05
done
{ standin_conf; cat <<CONF; } | sed "s|^HSM = .*|HSM = unix:$T/hsmproxy.sock|" >"$T/gw.conf"

[StandIn]
Mode = auto
MaxAmount = 100000
CONF
start_core a "$CP" "$T/core.key" --cards "$T/portfolio" \
    --record "$T/advices.jsonl" --delay-dist uniform:1ms:35ms --seed "$SEED"
start_gw "$T/gw.conf"
wait_core_up a
wait_snapshot a

# The core's black holes: toggled every 0.4 to 2 s.
(
	trap 'exit 0' TERM
	while :; do
		ms=$((RANDOM % 1600 + 400))
		sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
		kill -USR1 "$CORE_a_PID" 2>/dev/null || exit 0
		echo toggle
	done
) >"$T/toggles" &
TOGPID=$!
PIDS+=($TOGPID)
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
    --portfolio "$T/portfolio" --rate "$RATE" --duration "${SECS}s" --amount 100 \
    --amount-step 7 --expect any --timeout 3s --no-progress \
    --record-answers "$T/answers" --json "$T/scheme.json" \
    >"$T/scheme.out" 2>&1
kill $TOGPID
wait $TOGPID 2>/dev/null
echo "   core black-holed/restored $(grep -c toggle "$T/toggles") times during the load"

kill -USR2 "$CORE_a_PID"			# the core back for good
wait_core_up a
t0=$SECONDS
while :; do
	ctl saf --json >"$T/saf.json"
	depth=$(json_get "$T/saf.json" "d['depth']")
	[ "$depth" = 0 ] || [ $((SECONDS - t0)) -ge 20 ] && break
	sleep 0.2
done
echo "   SAF: depth $depth $((SECONDS - t0)) s after the core came back"
ctl standin --json >"$T/standin.json"
sleep 0.3				# the core's record is flushed on its tick
kill -INT "$CORE_a_PID"
wait "$CORE_a_PID" 2>/dev/null
kill "$HDPID"
wait "$HDPID" 2>/dev/null
sed 's/^/   /' "$T/hsmdelay.out"

sent=$(json_get "$T/scheme.json" "d['total']['sent']")
got=$(grep -c '' "$T/answers")
echo "   scheme: sent=$sent answered=$got $(json_get "$T/scheme.json" "'timeouts=%d late=%d mismatch=%d' % (d['total']['errors']['timeout'], d['total']['errors']['late'], d['total']['errors']['mismatch'])")"
si() { json_get "$T/standin.json" "d['authoriser']['$1']"; }
echo "   stand-in: decisions=$(si decisions) deadline_91=$(si deadline_91) late_voids=$(si late_voids) hsm_91=$(si hsm_91)"
python3 "$ROOT/tests/e2e/advcheck.py" "$T/answers" "$T/advices.jsonl" C \
    "$(json_get "$T/saf.json" "'%d-%d' % (d['first_id'], d['last_id'])")" \
    >"$T/advcheck.out"
rc=$?
sed 's/^/   /' "$T/advcheck.out"
[ "$got" = "$sent" ] || fail "$sent requests sent, $got answered"
[ $rc = 0 ] || fail "advices and answers disagree (seed $SEED)"
[ "$depth" = 0 ] || fail "the SAF did not drain: $(cat "$T/saf.json")"
grep -q ' standin=0 ' "$T/advcheck.out" && fail "nothing went to stand-in: no chaos"
pass "$(head -1 "$T/advcheck.out"); late_voids=$(si late_voids); mismatches=0"
