#!/bin/bash
# Overload keeps the deadline (issue 14): stand-in Mode = force with the
# real hsmd, a CPU hog (a busy loop) pinned to the CPU gatewayd is pinned
# to, and an offered load of twice what it decides in the same setting.
#   1. saturation: closed loop (--inflight), the rate of approvals (00);
#   2. overload: open loop at twice that for OVERLOAD_SECONDS with a 40 ms
#      deadline: NO answer may reach the scheme after its deadline and
#      none may go unanswered (scheme-sim's deadline_miss, timeout and
#      late, with kernel receive times on its side too); what cannot be
#      decided in time must have been answered 91 early.
# Goodput (approvals a second, every one in time) is printed, not held to
# a figure: on a busy CI machine only "no late answer" is a promise.
#
# gatewayd and hsmd run at the priority their units give them
# (Nice=-20); the hog at normal priority.  At normal priority a busy
# loop pinned beside gatewayd on a shared 2-CPU VM kept the loop off the
# CPU for up to 200 ms and cut saturation to about 100 approvals/s; at
# Nice=-20 on a quiet machine it kept late=0 and about 10,500
# approvals/s (goodput 1.1x that) in seven 3 s runs, but with another session compiling on the same
# machine the writer's commits behind the hog outlasted the deadline
# and everything was answered 91 early (goodput 0).  So make check runs
# without the hog, where the result is steady, and make bench
# (bench-overload.sh) both, side by side, with the figures printed.
#
# Environment: OVERLOAD_SECONDS (3), OVERLOAD_SAT_SECONDS (2),
# OVERLOAD_HOG ("0" without the hog; "1" with it; "0 1" both, as make bench does),
# OVERLOAD_CARDS (2000), OVERLOAD_INFLIGHT (below).
# Each setting prints (tests/bench/bench-overload.sh keeps these lines):
#   overload hog=H offered=2x rate=.. late=N goodput_per_s=G
#       goodput_ratio=R saturation_per_s=S shed_old=.. shed_busy=..
#       deadline_91=.. p99_us=.. max_us=.. by_rc=..
# Saturation is the most approvals a second of closed-loop runs with
# OVERLOAD_INFLIGHT ("32 64") outstanding: a closed loop sends a 91
# of admission's again at once, and with more outstanding than the
# pipeline holds within the deadline those 91s crowd the decisions out
# (worst with the hog), so one figure alone can read far too low.
TEST=overload
TEST_TIMEOUT=${OVERLOAD_TIMEOUT:-150}
. "$(dirname "$0")/lib.sh"

SECS=${OVERLOAD_SECONDS:-3}
SATSECS=${OVERLOAD_SAT_SECONDS:-2}
HOGS=${OVERLOAD_HOG:-0}
NCARDS=${OVERLOAD_CARDS:-2000}
INFLIGHTS=${OVERLOAD_INFLIGHT:-"32 64"}

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
start_hsm "$NCARDS"
{
	standin_conf
	cat <<CONF

[StandIn]
Mode = force
MaxAmount = 100000
CONF
} >"$T/gw.conf"
start_core a "$CP" "$T/core.key" --cards "$T/portfolio" -q
start_gw "$T/gw.conf"
wait_snapshot a
# The advices queue in the store meanwhile, as in bench-standin.
eval "kill -USR1 \$CORE_a_PID"

# gatewayd (every thread) and the hog on the last CPU; the simulators
# and hsmd on the others.  One CPU: all share it, the hog included.
NCPU=$(nproc 2>/dev/null || echo 1)
CPU=$((NCPU - 1))
PIN=""
if [ "$NCPU" -gt 1 ] && command -v taskset >/dev/null; then
	taskset -a -p -c "$CPU" "$GWPID" >/dev/null || fail "taskset gatewayd"
	taskset -a -p -c "0-$((CPU - 1))" "$HSMPID" >/dev/null
	PIN="taskset -c 0-$((CPU - 1))"
fi
# The units' priority (Nice=, set by systemd at exec; here on every
# thread of the running daemons), read from the units so the test
# follows them.  The hog runs at normal priority, as other work on an
# appliance does.
unit_nice() {
	sed -n 's/^Nice=//p' "$ROOT/systemd/$1.service"
}
for d in gatewayd:$GWPID hsmd:$HSMPID; do
	n=$(unit_nice "${d%%:*}")
	[ -n "$n" ] || fail "${d%%:*}.service: no Nice="
	for t in /proc/${d#*:}/task/*; do
		renice -n "$n" -p "${t##*/}" >/dev/null || fail "renice ${d%%:*}"
	done
done
echo "scheduling: gatewayd threads nice $(ps -L -o nice= -p "$GWPID" | tr -s ' \n' ' ')"
HOGPID=""
hog_on() {
	if [ -n "$PIN" ]; then
		taskset -c "$CPU" bash -c 'while :; do :; done' &
	else
		bash -c 'while :; do :; done' &
	fi
	HOGPID=$!
	PIDS+=($HOGPID)
}
hog_off() {
	[ -n "$HOGPID" ] && kill "$HOGPID" 2>/dev/null && wait "$HOGPID" 2>/dev/null
	HOGPID=""
}

# sim NAME ARGS...: one scheme-sim run, its JSON in $T/NAME.json
sim() {
	local name=$1
	shift
	$PIN "$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
	    --portfolio "$T/portfolio" --entry mix --amount 100 \
	    --expect 00,91 --no-progress --json "$T/$name.json" "$@" \
	    >"$T/$name.txt" 2>"$T/$name.log"
	[ -s "$T/$name.json" ] || { cat "$T/$name.log"; fail "$name: no report"; }
}
# fig NAME EXPR: over t (the run's totals)
fig() {
	python3 -c "import json; t=json.load(open('$T/$1.json'))['total']; print($2)"
}
counter() {	# counter FIELD: from gatewayctl links --json, link mc
	ctl links --json | python3 -c "
import json,sys
for l in json.load(sys.stdin)['links']:
    if l['name'] == 'mc': print(l['admission']['$1'])"
}

failed=""
for hog in $HOGS; do
	[ "$hog" = 1 ] && hog_on
	sleep 0.3
	sat=0
	for n in $INFLIGHTS; do
		sim "sat-$hog-$n" --inflight "$n" --duration "${SATSECS}s" --deadline 1s
		s=$(fig "sat-$hog-$n" "int(t['by_rc'].get('00', 0) / t['seconds'])")
		[ "$s" -gt "$sat" ] && sat=$s
	done
	[ "$sat" -gt 0 ] || fail "hog=$hog: no approvals at saturation"
	rate=$((sat * 2))
	old0=$(counter shed_old) busy0=$(counter shed_busy)
	d91_0=$(ctl standin --json | python3 -c "import json,sys; print(json.load(sys.stdin)['authoriser']['deadline_91'])")
	sim "over-$hog" --rate "$rate" --duration "${SECS}s" --deadline 40ms
	hog_off
	late=$(fig "over-$hog" "t['deadline_miss'] + t['errors']['late'] + t['errors']['timeout']")
	good=$(fig "over-$hog" "int(t['by_rc'].get('00', 0) / t['seconds'])")
	ratio=$(python3 -c "print('%.2f' % ($good / $sat))")
	old=$(( $(counter shed_old) - old0 )) busy=$(( $(counter shed_busy) - busy0 ))
	d91=$(( $(ctl standin --json | python3 -c "import json,sys; print(json.load(sys.stdin)['authoriser']['deadline_91'])") - d91_0 ))
	echo "overload hog=$hog offered=2x rate=$rate late=$late goodput_per_s=$good goodput_ratio=$ratio saturation_per_s=$sat shed_old=$old shed_busy=$busy deadline_91=$d91 p99_us=$(fig "over-$hog" "round(t['latency_us']['p99'])") max_us=$(fig "over-$hog" "round(t['latency_us']['max'])") by_rc=$(fig "over-$hog" "','.join('%s:%d' % kv for kv in sorted(t['by_rc'].items()))")"
	errs=$(fig "over-$hog" "t['errors']['total']")
	[ "$late" = 0 ] || failed="$failed hog=$hog:late=$late"
	[ "$errs" = 0 ] || failed="$failed hog=$hog:errors=$errs"
	[ "$good" -gt 0 ] || failed="$failed hog=$hog:no_goodput"
done
[ -z "$failed" ] || { cat "$T"/over-*.txt; fail "$failed"; }
pass "no answer after its deadline at twice saturation (hog: $HOGS)"
