#!/bin/bash
# Outbound store and forward (gateway/outsaf.c) with the real gatewayd
# (durable store), scheme-sim core sending one OUT_REQUEST and scheme-sim
# scheme holding it unanswered:
#   1. the 0200 times out (OutTimeout 1s): the core gets 91, the request
#      is queued durably (in the store, sealed) and repeated (0201), also
#      unanswered;
#   2. gatewayd is killed (SIGKILL) and restarted: the entry is read back
#      and the reversal (0420, DE90 = the original's data) goes out to a
#      new scheme-sim once the link is back;
#   3. paused, nothing is sent; replayed after resume, the 0420 is
#      acknowledged (0430), the queue is empty and the entry is not read
#      back at the next start;
#   4. with the advice queue to the core paused (saf in pause) gatewayd
#      is killed again: the "out-reversed" advice was stored before the
#      entry went, and the core gets it after the restart.
TEST=outsaf
TEST_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

SP=$(free_port); LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
start_hsm 1
{ standin_conf; cat <<CONF; } >"$T/gw.conf"

[Link out]
Profile = iso87
Connect = 127.0.0.1:$SP
OutTimeout = 1s
OutRepeats = 1
CONF
cat >"$T/out.json" <<'J'
{"mti":"0200","fields":{"2":"4000000000000002","3":"260000","4":"000000012345","7":"1206120000","11":"424242","32":"005037","37":"OUT000000001","41":"TERM0001","42":"SIMMERCHANT0001","49":"826"}}
J
saf_json() {
	ctl saf --json >"$T/saf.json"
	json_get "$T/saf.json" "$1"
}

scheme_listen one --hold-out 9 --hold 60s
start_gw "$T/gw.conf"
wait_log "$T/one.out" 'event=signed_on'
# The core comes once the link is up, so its OUT_REQUEST finds it.
start_core a "$CP" "$T/core.key" --record "$T/record.jsonl" \
    --out-request out:"$T/out.json"
wait_log "$T/one.out" 'event=incoming_held conn=0 mti=0200'
wait_log "$T/one.out" 'event=incoming_held conn=0 mti=0201'
[ "$(saf_json "d['outbound']['depth']")" = 1 ] || fail "not queued"
grep -q '"OUT_RESPONSE"\|out_response\|"0210"' "$T/record.jsonl" ||
    fail "the core did not hear the timeout (91)"

# 2. A crash after the repeat; the entry comes back from the disk.
kill -9 "$GWPID"; wait "$GWPID" 2>/dev/null
wait "$SIM" 2>/dev/null
! grep -q 424242 "$T/state"/*.mdb || fail "the entry is not sealed"
start_gw "$T/gw.conf"
grep -q 'event=outsaf_restored link=out .* from=store' "$T/gatewayd.log" ||
    fail "the entry was not read back from the store"
ctl saf out pause >/dev/null
scheme_listen two --hold 60s
wait_log "$T/two.out" 'event=signed_on'
sleep 1.5
! grep -q 'mti=0420' "$T/two.out" || fail "sent while paused"
ctl saf | grep -q 'paused=yes' || fail "gatewayctl saf: not shown paused"
# The advice queue to the core held (saf in pause): the outcome's advice
# must outlive a crash once the entry is gone.
ctl saf in pause >/dev/null
ctl saf out resume >/dev/null
ctl saf out replay >/dev/null
wait_log "$T/two.out" 'event=incoming_answered conn=0 mti=0420'
for i in $(seq 1 200); do
	[ "$(saf_json "d['outbound']['depth']")" = 0 ] && break
	sleep 0.05
done
[ "$(saf_json "d['outbound']['depth']")" = 0 ] || fail "0430 did not empty the queue"
! grep -q 'out-reversed' "$T/record.jsonl" || fail "advice sent while the queue was paused"
# 4. A crash once the entry is gone: its outcome is in the store.
kill -9 "$GWPID"; wait "$GWPID" 2>/dev/null
start_gw "$T/gw.conf"
for i in $(seq 1 200); do
	grep -q 'out-reversed' "$T/record.jsonl" && break
	sleep 0.05
done
grep -q 'out-reversed' "$T/record.jsonl" || fail "the core never heard out-reversed"
[ "$(grep -c 'event=outsaf_restored' "$T/gatewayd.log")" = 1 ] ||
    fail "the entry came back after it went"
grep -q 'event=outsaf_pause uid=' "$T/gatewayd.log" || fail "pause not logged with the caller"
pass "0200 timed out (91 to the core), 0201 repeated, SIGKILL + restart, 0420 after resume/replay acknowledged 0430, queue empty and not read back, core advised out-reversed after a second SIGKILL"
