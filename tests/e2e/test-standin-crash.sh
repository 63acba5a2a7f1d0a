#!/bin/bash
# Crash test: the core black-holed, stand-in load running (CVC2 through
# hsmd), gatewayd killed with SIGKILL at random moments several times and
# restarted, then the core restored.  Every approval the scheme received
# appears exactly once in what the core applied (its advice record, by
# advice id, repeats flagged); none is missing, none applied twice; the
# gateway's approved amount equals the sum of its durable stand-in
# approvals, all of it settled by the core's acks (exposure 0), and the
# SAF drains to zero.
TEST=standin-crash
TEST_TIMEOUT=240
. "$(dirname "$0")/lib.sh"

ROUNDS=${CRASH_ROUNDS:-5}
RATE=${CRASH_RATE:-400}
LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
start_hsm 500
{ standin_conf; cat <<CONF; } >"$T/gw.conf"

[StandIn]
Mode = auto
MaxAmount = 100000
CONF
start_core a "$CP" "$T/core.key" --cards "$T/portfolio" \
    --record "$T/advices.jsonl"
start_gw "$T/gw.conf"
wait_core_up a
wait_snapshot a

blackhole_core a

load() {	# load DURATION
	"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
	    --portfolio "$T/portfolio" --rate "$RATE" --duration "$1" \
	    --amount 100 --amount-step 7 --expect 00,51,91 --timeout 2s \
	    --record-approvals "$T/approved" --no-progress \
	    >>"$T/scheme.out" 2>&1
}
for r in $(seq 1 "$ROUNDS"); do
	load 4s &
	lp=$!
	sleep "$(python3 -c 'import random; print(round(random.uniform(0.5, 3.0), 2))')"
	kill -9 "$GWPID"
	wait "$GWPID" 2>/dev/null
	wait "$lp"
	echo "   round $r: gatewayd killed (SIGKILL) under load; restarting"
	start_gw "$T/gw.conf"
done
load 2s || true

kill -USR2 "$CORE_a_PID"		# core back
wait_core_up a
for i in $(seq 1 300); do
	ctl saf --json >"$T/saf.json" 2>/dev/null
	[ "$(json_get "$T/saf.json" "d['depth']")" = 0 ] && break
	sleep 0.1
done
[ "$(json_get "$T/saf.json" "d['depth']")" = 0 ] || fail "SAF did not drain: $(cat "$T/saf.json")"
ctl standin --json >"$T/standin.json"
sleep 0.3	# the core's record is flushed on its tick

python3 - "$T" <<'PY' || fail "accounting (see above)"
import json, sys
T = sys.argv[1]
scheme = {}
for line in open(T + "/approved"):
    p = line.split()
    if len(p) == 4 and p[3].startswith("S"):
        k = (p[0], p[1], p[2])
        scheme[k] = scheme.get(k, 0) + 1
applied = {}
voided = {}
amount = 0
ids = set()
for line in open(T + "/advices.jsonl"):
    d = json.loads(line)
    if d.get("kind") != "advice" or d.get("dup"):
        continue
    if d["advice_id"] in ids:
        print("advice id applied twice:", d["advice_id"]); sys.exit(1)
    ids.add(d["advice_id"])
    if d.get("mti") == "0420" and d.get("standin_reason") == "late-void":
        k = (d["de7"], d["stan"], d["rrn"])
        voided[k] = voided.get(k, 0) + 1
        amount -= int(d["amount"])
        continue
    if d.get("standin_de39") != "00" or d.get("mti") not in ("0100", "0200"):
        continue
    k = (d["de7"], d["stan"], d["rrn"])
    applied[k] = applied.get(k, 0) + 1
    amount += int(d["amount"])
twice = [k for k, n in applied.items() if n > 1] + \
    [k for k, n in voided.items() if n > 1]
bad_void = [k for k in voided if k in scheme or k not in applied]
missing = [k for k in scheme if k not in applied]
extra = [k for k in applied if k not in scheme]
si = json.load(open(T + "/standin.json"))["authoriser"]
print("   scheme got %d stand-in approvals; core applied %d (%d not seen by "
      "the scheme: %d voided as late, answered 91; %d killed between commit "
      "and send); approved amount %d = applied minus voided %d, settled "
      "%d, exposure %d; approvals counter %d"
      % (len(scheme), len(applied), len(extra), len(voided),
         len(extra) - len(voided), si["approved_amount"], amount,
         si["settled_amount"], si["exposure"], si["approvals"]))

ok = True
if bad_void:
    print("   void of an approval the scheme saw, or of nothing:", bad_void[:5])
    ok = False
if twice:
    print("   applied twice:", twice[:5]); ok = False
if missing:
    print("   approved but missing at the core:", missing[:5]); ok = False
if si["approved_amount"] != amount or si["approvals"] != len(applied):
    print("   approvals disagree with the core's view"); ok = False
# every advice acknowledged (the SAF drained): nothing outstanding, all
# of it settled by the gatewayd that took the acks
if si["exposure"] != 0 or si["settled_amount"] != amount:
    print("   exposure not settled by the core's acks"); ok = False
if len(scheme) == 0:
    print("   no stand-in approvals at all"); ok = False
open(T + "/summary", "w").write("approvals=%d applied=%d voided=%d unanswered=%d" %
    (len(scheme), len(applied), len(voided), len(extra) - len(voided)))
sys.exit(0 if ok else 1)
PY
pass "$ROUNDS kills: $(cat "$T/summary")"
