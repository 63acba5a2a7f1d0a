#!/bin/bash
# Two colos (ARCHITECTURE section 13): two gatewayd appliances paired over
# a sealed pair link, one scheme-sim scheme with a line to each, one
# scheme-sim core, the core black-holed so both decide in stand-in.
#
#   kill: appliance A is killed with SIGKILL mid-load and never restarted.
#         Every request is still answered (by B once the scheme fails
#         over); after PeerTakeover B delivers A's mirrored advices; once
#         the core is back every approval the scheme saw is applied
#         exactly once, and no card's stand-in spend across both exceeds
#         its limit (DailyCount) nor the pair the ExposureCap.
#   cut:  both alive, the pair link cut for the whole load (and A
#         restarted during it): the limits still hold (each appliance
#         keeps to its share), and once the link heals nothing is lost:
#         each holds all of the other's advices, every advice is applied
#         once, nothing is left held.
#   export: A's queue (still on its disk) exported with gatewayctl saf
#         export and imported into B: the core applies none of it twice.
#
# Prints the figures: approvals, advices delivered by whom, duplicates,
# double decisions, spend against limits, the double-decision window.
TEST=pair
TEST_TIMEOUT=300
. "$(dirname "$0")/lib.sh"

NCARDS=40
DAILY=4			# [Range default] DailyCount: 2 per appliance
CAP=6000		# ExposureCap: 3000 per appliance
RATE=${PAIR_RATE:-300}
start_hsm "$NCARDS"
genkey "$T/pair.key"
genkey "$T/state-b.key"
mv "$T/state.key" "$T/state-a.key"

# appliance NAME PEER CASE LINKPORT METRICS BIND ADDRESS TAKEOVER
appliance() {
	cat <<CONF
[Gateway]
Name = gw-$1
ControlSocket = $T/$3-$1.sock
Metrics = 127.0.0.1:$5
StateDirectory = $T/$3-$1.state
StateKeyFile = $T/state-$1.key
HSM = unix:$T/hsm.sock

[Link mc]
Profile = iso87
$ZPKLINE
Listen = 127.0.0.1:$4
AllowFrom = 127.0.0.1
Deadline = 40ms
StandInReserve = 15ms

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key

[StandIn]
Mode = auto
MaxAmount = 100000
ExposureCap = $CAP

[Range default]
DailyCount = $DAILY

[Pair]
Peer = gw-$2
Address = 127.0.0.1:$7
Bind = 127.0.0.1:$6
KeyFile = $T/pair.key
PeerTakeover = $8
CONF
}

gctl() {	# gctl CASE NAME args...
	local c=$1 n=$2
	shift 2
	"$BIN/gatewayctl" -s "$T/$c-$n.sock" "$@"
}

start_one() {	# start_one CASE NAME: pid in GW_NAME
	start_named "$2" "$T/$1-$2.conf" "$T/$1-$2.sock" "$T/$1-$2.log"
}

wait_json() {	# wait_json CASE NAME CMD EXPR [tries]: until EXPR over d holds
	local i
	for i in $(seq 1 "${5:-200}"); do
		gctl "$1" "$2" "$3" --json >"$T/w.json" 2>/dev/null &&
		    python3 -c "import json,sys; d=json.load(open('$T/w.json')); sys.exit(0 if ($4) else 1)" &&
		    return 0
		sleep 0.05
	done
	fail "$1 $2: never $3: $4 ($(cat "$T/w.json"))"
}

# run_case CASE TAKEOVER: two appliances through the relay, core
# black-holed; the load is the caller's.
setup_case() {
	local c=$1
	LA=$(free_port); LB=$(free_port); CP=$(free_port udp)
	MA=$(free_port); MB=$(free_port)
	BA=$(free_port udp); BB=$(free_port udp)
	RA=$(free_port udp); RB=$(free_port udp)
	python3 "$ROOT/tests/e2e/udprelay.py" "$RA" "$RB" "$BA" "$BB" \
	    >"$T/$c-relay.out" 2>&1 &
	RELAY=$!
	PIDS+=($RELAY)
	appliance a b "$c" "$LA" "$MA" "$BA" "$RA" "$2" >"$T/$c-a.conf"
	appliance b a "$c" "$LB" "$MB" "$BB" "$RB" "$2" >"$T/$c-b.conf"
	start_core "$c" "$CP" "$T/core.key" --cards "$T/portfolio" \
	    --record "$T/$c-advices.jsonl" --control "$T/$c-core.ctl"
	start_one "$c" a
	start_one "$c" b
	for g in a b; do
		wait_json "$c" $g cores "d['cores'][0]['state']=='up'"
		wait_json "$c" $g standin "d['authoriser']['snapshot_version']>0"
		wait_json "$c" $g pair "d['state']=='up'"
	done
	[ -n "${3:-}" ] && move_shares "$c" "$3" "$4"
	eval "kill -USR1 \$CORE_${c}_PID"	# the core black-holed
	for g in a b; do
		wait_json "$c" $g standin "d['standin']=='active'"
	done
}

corectl() {	# corectl CASE COMMAND: one line to the core's control socket
	core_ctl "$T/$1-core.ctl" "$2"
}

# move_shares CASE A B: the core moves the shares (SHARE frames: lower,
# then raise); each appliance holds its own, durably, as the core said.
move_shares() {
	local i out
	out=$(corectl "$1" "share gw-a=$2,gw-b=$3")
	case $out in ok*) ;; *) fail "share: $out" ;; esac
	for i in $(seq 1 200); do
		out=$(corectl "$1" share)
		case $out in "ok done"*) break ;; esac
		sleep 0.05
	done
	case $out in "ok done"*) ;; *) fail "share move: $out" ;; esac
	wait_json "$1" a standin "d['authoriser']['share_percent']==$2 and d['authoriser']['share_version']>0"
	wait_json "$1" b standin "d['authoriser']['share_percent']==$3 and d['authoriser']['share_version']>0"
	echo "   shares moved by the core: gw-a $2%, gw-b $3% ($out)"
}

load() {	# load CASE DURATION
	stall_watch "$1" $(( ${2%s} + 3 ))
	"$BIN/scheme-sim" scheme --connect gw-a=127.0.0.1:$LA \
	    --connect gw-b=127.0.0.1:$LB --profile iso87 \
	    --portfolio "$T/portfolio" --rate "$RATE" --duration "$2" \
	    --amount 100 --amount-step 7 --expect 00,51,65,91 --timeout 2s --deadline 40ms \
	    --json "$T/$1-scheme.json" --record-answers "$T/$1-answers" \
	    --no-progress >"$T/$1-scheme.out" 2>&1
	local rc=$?
	stall_stop "$1"
	return $rc
}

# core_back CASE NAMES...: the core restored, each queue drained
core_back() {
	local c=$1 g
	shift
	eval "kill -USR2 \$CORE_${c}_PID"
	for g in "$@"; do
		wait_json "$c" $g saf "d['depth']==0" 400
	done
	sleep 0.5		# the core's record is flushed on its tick
}

# scheme_ok CASE: every request answered, within its deadline (answers
# after it only as stall_excused allows).
scheme_ok() {
	local by
	python3 - "$T/$1-scheme.json" "$(stall_max_us "$1")" "$T/$1.lateby" <<'PY' || fail "$1: the scheme saw errors: $(tail -5 "$T/$1-scheme.out")"
import json, sys
d = json.load(open(sys.argv[1]))
t = d["total"]
e = {k: v for k, v in t["errors"].items() if v and k not in ("total", "rc_unexpected")}
print("   scheme: sent %d answered %d (approved %d) deadline_miss %d failovers %s"
      " double_answers %s errors %s p99 %sus max %sus; longest machine stall %sus"
      % (t["sent"], t["received"], t["approved"]["other"], t["deadline_miss"],
         d.get("failovers"), d.get("double_answers"), e or 0,
         t["latency_us"].get("p99"), t["latency_us"].get("max"), sys.argv[2]))
# how late the latest answer was, 0 when none was
open(sys.argv[3], "w").write("%d\n" % (max(1, round(t["latency_us"]["max"] -
    d["deadline_us"])) if t["deadline_miss"] else 0))
sys.exit(1 if e or t["received"] != t["sent"] or d.get("double_answers") else 0)
PY
	by=$(cat "$T/$1.lateby")
	[ "$by" = 0 ] || stall_excused "$1" "$by" ||
	    fail "$1: answers after the deadline, the latest ${by}us late"
}

window() {	# window CASE NAME: the measured double-decision window
	gctl "$1" "$2" pair --json | python3 -c "
import json,sys
d=json.load(sys.stdin); w=d['window_us']
print('   gw-$2 keeping %s\'s decisions: double-decision window (its receipt to our durable copy) p50 %dus p99 %dus max %dus over %d; held %d, taken over %d' % (d['peer'], w['p50'], w['p99'], w['max'], w['n'], d['held']['held'], d['held']['taken_over']))"
}

# --- kill ---------------------------------------------------------------------------
echo "   case kill: A killed with SIGKILL mid-load, never restarted"
setup_case kill 2s 30 70
load kill 6s &
lp=$!
sleep 2.5
kill -9 "$GW_a"
wait "$GW_a" 2>/dev/null
wait "$lp" || true
scheme_ok kill
# past PeerTakeover B holds nothing of A's: it has queued it all
wait_json kill b pair "d['gone'] and d['held']['held']==0 and d['held']['taken_over']>0" 200
window kill b
core_back kill b
python3 "$ROOT/tests/e2e/paircheck.py" "$T/kill-answers" \
    "$T/kill-advices.jsonl" "$DAILY" "$CAP" || fail "kill: see above"

# --- export: A's queue is still on its disk ------------------------------------------
n=$("$BIN/gatewayctl" saf export -f "$T/kill-a.conf" "$T/a.safx") ||
    fail "export: $n"
echo "   export: $n"
out=$(gctl kill b saf import "$T/a.safx") || fail "import: $out"
echo "   import: $out"
[ -f "$T/kill-b.state/import/a.safx.done" ] || fail "import: file not marked done"
core_back kill b
python3 "$ROOT/tests/e2e/paircheck.py" "$T/kill-answers" \
    "$T/kill-advices.jsonl" "$DAILY" "$CAP" || fail "export/import: see above"
# a file under another pair key, or altered, is refused whole
genkey "$T/other.key"
sed "s#$T/pair.key#$T/other.key#" "$T/kill-a.conf" >"$T/other.conf"
"$BIN/gatewayctl" saf export -f "$T/other.conf" "$T/other.safx" >/dev/null ||
    fail "export under another key"
out=$(gctl kill b saf import "$T/other.safx") &&
    fail "import of a file under another key accepted: $out"
echo "   import under another pair key refused: $out"

# --- cut ------------------------------------------------------------------------------
echo "   case cut: both alive, the pair link cut during the load"
setup_case cut 60s
# A retransmission the scheme sends to the other appliance gets the
# first one's answer: A decides, B answers the repeat from A's mirror.
# A commit that outlasts the 40 ms deadline (a disk stall of the test
# machine) makes A's answer the guard's 91: then another transaction.
for stan in 900001 900002 900003; do
	req=$("$BIN/scheme-sim" cards request --portfolio "$T/portfolio" \
	    --index 3 --stan $stan --entry ecom --cvc2 good) ||
	    fail "cards request"
	ra=$(echo "at-a 00 $req" | python3 "$ROOT/tests/e2e/sisend.py" \
	    "$BIN" 127.0.0.1 "$LA" iso87) && break
	echo "   A answered '$ra' (STAN $stan); again with another"
done
case $ra in *FAIL*) fail "A: $ra" ;; esac
wait_json cut b pair "d['held']['kept']>=1"
rb=$(echo "at-b 00 $req" | python3 "$ROOT/tests/e2e/sisend.py" "$BIN" \
    127.0.0.1 "$LB" iso87) || fail "B: $rb"
[ "${ra#at-a }" = "${rb#at-b }" ] || fail "the repeat at B was answered '$rb', A said '$ra'"
wait_json cut b standin "d['authoriser']['duplicates_of_peer']==1"
echo "   repeat across the pair: A $ra; B $rb (duplicates_of_peer 1)"
kill -USR1 "$RELAY"
load cut 4s || true
scheme_ok cut
# A restarts while cut off: its unacked mirrors died with the process;
# the restart sends its queue again, so B ends up holding all of it.
kill "$GW_a"
wait "$GW_a" 2>/dev/null
start_one cut a
kill -USR2 "$RELAY"
for g in a b; do
	wait_json cut $g pair "d['state']=='up' and d['mirror']['queued']==0" 400
done
depth_a=$(gctl cut a saf --json | json_get /dev/stdin "d['depth']")
depth_b=$(gctl cut b saf --json | json_get /dev/stdin "d['depth']")
wait_json cut b pair "d['held']['held']==$depth_a" 200
wait_json cut a pair "d['held']['held']==$depth_b" 200
echo "   after the cut (A restarted during it): B holds all $depth_a of A's advices, A all $depth_b of B's"
# An import of B's own advices is refused: their ids are B's own too.
"$BIN/gatewayctl" saf export -f "$T/cut-b.conf" "$T/b.safx" >/dev/null ||
    fail "export of B's queue"
out=$(gctl cut b saf import "$T/b.safx") &&
    fail "B took an import of its own advices: $out"
echo "   import of B's own $depth_b advices refused: $out"
window cut a
window cut b
core_back cut a b
for g in a b; do
	wait_json cut $g pair "d['held']['held']==0 and d['release']['queued']==0" 400
done
python3 "$ROOT/tests/e2e/paircheck.py" "$T/cut-answers" \
    "$T/cut-advices.jsonl" "$DAILY" "$CAP" || fail "cut: see above"
pass "SIGKILL, export/import and a cut pair link: limits held, every approval applied once"
