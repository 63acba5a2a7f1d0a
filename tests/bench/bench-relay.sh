#!/usr/bin/env bash
# bench-relay.sh — what gatewayd adds to a request's round trip, next to a
# bare TCP relay (haproxy) and to the core link's floor on the same machine.
#
#   scheme-sim scheme -> gatewayd -> (UDP, GUE, sealed) -> scheme-sim core
#   scheme-sim scheme -> haproxy (mode tcp)        -> scheme-sim core --tcp
#   scheme-sim scheme -> floor relay (UDP, plain / sealed) -> floor peer
#
# The machine is shared and noisy, so no figure comes from one run: for
# each rate the paths take turns (gatewayd, haproxy, floor, sealed floor,
# then again) BENCH_REPEAT times, each turn BENCH_SECONDS long, and every
# line prints the median of the turns, with the spread (min-max) of the
# p99 beside it:
#   relay rate=R gatewayd_us p50=.. p99=.. p99.9=.. haproxy_us p50=.. p99=..
#         p99.9=.. p99_ratio=.. runs=N gatewayd_p99_spread=MIN-MAX
#         haproxy_p99_spread=MIN-MAX
#   relay rate=R cpu_us_per_req gatewayd=.. core=.. haproxy=.. core_tcp=..
# (CPU: user + system from /proc, µs per request, of each relay and the
# peer behind it), and unless BENCH_FLOOR=0 the contract's floor
# (tests/bench/floor.c: a relay that only moves each message in one UDP
# datagram to a peer that answers as the TCP peer does, plain and as
# sealed core-link v2 frames, every acceptance rule applied at both ends):
#   relay rate=R floor_us p50=.. p99=.. sealed_floor_us p50=.. p99=..
#         floor_p99_ratio=.. sealed_floor_p99_ratio=..  (against haproxy)
#         floor_p99_spread=.. sealed_floor_p99_spread=..
#   relay rate=R cpu_us_per_req floor=.. floor_peer=.. sealed_floor=..
#         sealed_floor_peer=..
#   relay rate=R stall_ms_per_turn gatewayd=M (MIN-MAX) haproxy=.. ..
#         (tests/bench/stallprobe.c during each turn: ms in which nothing
#         on the machine ran; a p99 that moved with it is the machine's)
#   relay rate=R cross_cpu_wakeups_per_req gatewayd=M (MIN-MAX) ..
#         (function-call interrupts per request, /proc/interrupts: wake-ups
#         onto another, idle CPU; the p99 follows them on two vCPUs)
#   relay rate=R goal gatewayd_p99_over_sealed_floor=X (goal <= 1.2) met=yes|no
# then the highest rate at which gatewayd's median p99 stayed under 1 ms
# with no error (goal >= 40000; the sealed floor's own figure beside it,
# the most any relay on the core link contract reached in the run), and the closed-loop throughput of both
# relays and of the sealed floor (median of BENCH_REPEAT interleaved
# turns) with the ratios to haproxy's (goal for gatewayd >= 0.5; the
# sealed floor's ratio says how much of that any relay on the core link
# contract can reach here).  Without gatewayd (not built yet) the haproxy half still
# runs and the gatewayd figures read "na".
#
# BENCH_BEFORE=/path/to/bin: a second gatewayd from that directory (an
# older build, e.g. a clean checkout of the branch's base) runs beside the
# first, with its own core simulator, and takes its turn in every round;
# its figures are printed as "before" lines, so a change is measured
# against what it replaces in the same run.
#
# Environment: BENCH_RATES (default "1000 5000 10000 20000 30000 40000
# 50000"), BENCH_SECONDS (5), BENCH_REPEAT (3), BENCH_PROFILE
# (mastercard), BENCH_CONNS (1), BENCH_MAX_SECONDS (5, the closed-loop
# run; 0 skips it), BENCH_INFLIGHT (256), BENCH_FLOOR (1), BENCH_BEFORE
# (unset), BENCH_OUT (a directory to keep the JSON reports), BENCH_PIN
# (0; 1 pins every relay with its peer on the last CPU and the load on
# the others, the same placement for every path), BENCH_CPU_SLICE
# (gatewayd's CpuSlice, e.g. 100us; not the BENCH_BEFORE one's, so the
# same build beside itself measures the setting).
set -u
cd "$(dirname "$0")/../.."

RATES=${BENCH_RATES:-"1000 5000 10000 20000 30000 40000 50000"}
SECS=${BENCH_SECONDS:-5}
REPEAT=${BENCH_REPEAT:-3}
PROFILE=${BENCH_PROFILE:-mastercard}
CONNS=${BENCH_CONNS:-1}
MAXSECS=${BENCH_MAX_SECONDS:-5}
INFLIGHT=${BENCH_INFLIGHT:-256}
FLOOR=${BENCH_FLOOR:-1}
BEFORE=${BENCH_BEFORE:-}
FLOORBIN=$PWD/build/bench/floor
PROBE=$PWD/build/bench/stallprobe
BIN=$PWD/build/bin
SIM=$BIN/scheme-sim
GWD=$BIN/gatewayd

[ -x "$SIM" ] || { echo "bench-relay: $SIM not built (run make)"; exit 1; }
[ -x "$PROBE" ] || { echo "bench-relay: $PROBE not built (make bench)"; exit 1; }
command -v haproxy >/dev/null || { echo "bench-relay: haproxy missing (make deps-test)"; exit 1; }
command -v python3 >/dev/null || { echo "bench-relay: python3 missing"; exit 1; }

T=$(mktemp -d /tmp/bench-relay.XXXXXX)
PIDS=()
cleanup() {
	# Only what this script started, by pid.
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	if [ -n "${BENCH_OUT:-}" ]; then mkdir -p "$BENCH_OUT" && cp "$T"/*.json "$T"/*.log "$BENCH_OUT"/ 2>/dev/null; fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Ports from a per-run base so parallel runs do not collide.
BASE=$(( 20000 + ($$ % 2000) * 16 ))
P_TCP=$((BASE + 1)) P_HAP=$((BASE + 2)) P_GW=$((BASE + 3)) P_CORE=$((BASE + 4))
P_MET=$((BASE + 5))
P_FL=$((BASE + 6)) P_FLU=$((BASE + 7)) P_SFL=$((BASE + 8)) P_SFLU=$((BASE + 9))
P_BGW=$((BASE + 10)) P_BCORE=$((BASE + 11)) P_BMET=$((BASE + 12))

wait_port() {	# wait_port PORT (tcp) — up to 5 s
	local i
	for i in $(seq 50); do
		(exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# --- the bare-relay floor: haproxy in front of a plain ISO 8583 peer ------
"$SIM" core --tcp 127.0.0.1:$P_TCP --profile "$PROFILE" -q 2>"$T/coretcp.log" &
PIDS+=($!)
CORETCP_PID=$!
cat >"$T/haproxy.cfg" <<CFG
global
	nbthread 1
	maxconn 1000
defaults
	mode tcp
	timeout connect 2s
	timeout client 1m
	timeout server 1m
frontend scheme
	bind 127.0.0.1:$P_HAP
	default_backend core
backend core
	server core1 127.0.0.1:$P_TCP
CFG
haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
PIDS+=($!)
HAP_PID=$!
wait_port $P_TCP && wait_port $P_HAP || { echo "bench-relay: haproxy side did not start"; cat "$T"/haproxy.log; exit 1; }

# --- gatewayd and the simulated core ---------------------------------------
# start_gw NAME GATEWAYD GWPORT COREPORT METPORT -> 0 when it listens;
# sets STARTED_GW and STARTED_CORE to the two pids
start_gw() {
	local n=$1 gwd=$2 pg=$3 pc=$4 pm=$5
	( umask 077; head -c 32 /dev/urandom | base64 >"$T/$n.key" )
	mkdir -p "$T/$n-state"
	cat >"$T/$n.conf" <<CFG
[Gateway]
Name = bench
StateDirectory = $T/$n-state
Durability = none
ControlSocket = $T/$n-ctl.sock
Metrics = 127.0.0.1:$pm
$([ "$n" = gatewayd ] && [ -n "${BENCH_CPU_SLICE:-}" ] && echo "CpuSlice = $BENCH_CPU_SLICE")

[Link bench]
Profile = $PROFILE
Listen = 127.0.0.1:$pg
AllowFrom = 127.0.0.1
Framing = len2
Deadline = 40ms
StandInReserve = 5ms

[Core core-a]
Address = 127.0.0.1:$pc
KeyFile = $T/$n.key
Priority = 1
CFG
	"$SIM" core --listen 127.0.0.1:"$pc" --key "$T/$n.key" -q 2>"$T/$n-core.log" &
	PIDS+=($!)
	STARTED_CORE=$!
	"$gwd" -d -f "$T/$n.conf" 2>"$T/$n.log" &
	PIDS+=($!)
	STARTED_GW=$!
	if wait_port "$pg"; then
		sleep 0.5	# a few heartbeats: the core must be up
		return 0
	fi
	echo "bench-relay: $gwd did not start"
	tail -5 "$T/$n.log"
	return 1
}

HAVE_GW=0 HAVE_BGW=0
if [ -x "$GWD" ]; then
	start_gw gatewayd "$GWD" $P_GW $P_CORE $P_MET && HAVE_GW=1
	GW_PID=$STARTED_GW CORE_PID=$STARTED_CORE
else
	echo "bench-relay: $GWD not built; haproxy figures only"
fi
if [ -n "$BEFORE" ]; then
	start_gw before "$BEFORE/gatewayd" $P_BGW $P_BCORE $P_BMET && HAVE_BGW=1
	BGW_PID=$STARTED_GW BCORE_PID=$STARTED_CORE
fi

# --- the contract's floor: one (sealed) datagram per message, no logic ----
if [ "$FLOOR" = 1 ] && [ -x "$FLOORBIN" ]; then
	( umask 077; head -c 32 /dev/urandom | base64 >"$T/floor.key" )
	"$FLOORBIN" peer "$PROFILE" $P_FLU & PIDS+=($!); FLP_PID=$!
	"$FLOORBIN" relay $P_FL $P_FLU & PIDS+=($!); FL_PID=$!
	"$FLOORBIN" peer "$PROFILE" $P_SFLU "$T/floor.key" & PIDS+=($!); SFLP_PID=$!
	"$FLOORBIN" relay $P_SFL $P_SFLU "$T/floor.key" & PIDS+=($!); SFL_PID=$!
	wait_port $P_FL && wait_port $P_SFL || FLOOR=0
else
	FLOOR=0
fi

# cpu PID -> clock ticks of CPU (user + system) the process has used
cpu() { awk '{ print $14 + $15 }' /proc/"$1"/stat 2>/dev/null || echo 0; }
TCK=$(getconf CLK_TCK)
# ipis -> function-call interrupts so far, all CPUs: the scheduler sends
# one for each wake-up of a task onto another, idle CPU (ttwu queue), so
# their count per request says how often a request crossed CPUs
ipis() { awk '$1 == "CAL:" { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }' /proc/interrupts; }

# BENCH_PIN=1: every relay and its peer on the last CPU, the load and the
# stall probe on the others, so each path gets the same placement (left
# to the scheduler, one pair may share a CPU and the next not; see
# doc/performance.md).  One CPU then carries relay and peer: past ~20,000/s
# it saturates, for every path alike.
NCPU=$(nproc)
LOADCPU=""
if [ "${BENCH_PIN:-0}" = 1 ] && [ "$NCPU" -ge 2 ]; then
	LOADCPU="taskset -c 0-$((NCPU - 2))"
	for p in ${GW_PID:-} ${CORE_PID:-} ${BGW_PID:-} ${BCORE_PID:-} $HAP_PID $CORETCP_PID \
	    ${FL_PID:-} ${FLP_PID:-} ${SFL_PID:-} ${SFLP_PID:-}; do
		taskset -a -pc $((NCPU - 1)) "$p" >/dev/null || { echo "bench-relay: taskset failed"; exit 1; }
	done
fi

# run NAME PORT RATE TURN [RELAY_PID PEER_PID] -> $T/NAME-RATE-TURN.json,
# and the relay's and peer's CPU per request in $T/NAME-RATE-TURN.cpu
run() {
	local name=$1 port=$2 rate=$3 i=$4 r0 p0 c0
	r0=$(cpu "${5:-0}") p0=$(cpu "${6:-0}") c0=$(ipis)
	$LOADCPU "$PROBE" >"$T/$name-$rate-$i.stall" &
	local probe=$!
	$LOADCPU "$SIM" scheme --connect 127.0.0.1:"$port" --profile "$PROFILE" \
	    --conns "$CONNS" --rate "$rate" --duration "${SECS}s" \
	    --deadline 40ms --no-progress --json "$T/$name-$rate-$i.json" \
	    >"$T/$name-$rate-$i.txt" 2>"$T/$name-$rate-$i.log"
	kill "$probe"
	wait "$probe"
	python3 -c "import sys; r, p, n, t = map(float, sys.argv[1:]); print('%.1f %.1f' % (r * 1e6 / t / n, p * 1e6 / t / n) if n else 'na na')" \
	    $(( $(cpu "${5:-0}") - r0 )) $(( $(cpu "${6:-0}") - p0 )) $(( rate * SECS )) "$TCK" >"$T/$name-$rate-$i.cpu"
	python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" \
	    $(( $(ipis) - c0 )) $(( rate * SECS )) >"$T/$name-$rate-$i.ipi"
}
runmax() {
	local name=$1 port=$2 i=$3
	$LOADCPU "$SIM" scheme --connect 127.0.0.1:"$port" --profile "$PROFILE" \
	    --conns "$CONNS" --inflight "$INFLIGHT" --duration "${MAXSECS}s" \
	    --no-progress --json "$T/$name-max-$i.json" \
	    >"$T/$name-max-$i.txt" 2>"$T/$name-max-$i.log"
}

# med NAME RATE KEY -> "MEDIAN MIN-MAX" of KEY over the turns of NAME at
# RATE: p50/p99/p99_9 (µs), rate, errors (answers missing, wrong or after
# the deadline: the worst turn), cpu (relay and peer, µs per request);
# "na na" when there is nothing to read
med() {
	python3 - "$T" "$1" "$2" "$3" <<'PY'
import glob, json, statistics, sys
t, name, rate, key = sys.argv[1:]
vals, peers = [], []
if key == "stall":
    for f in sorted(glob.glob("%s/%s-%s-*.stall" % (t, name, rate))):
        try:
            vals.append(int(dict(kv.split("=") for kv in
                                 open(f).read().split())["stall_ms"]))
        except Exception:
            pass
    print("%d %d-%d" % (statistics.median(vals), min(vals), max(vals))
          if vals else "na na")
    sys.exit(0)
if key == "ipi":
    for f in sorted(glob.glob("%s/%s-%s-*.ipi" % (t, name, rate))):
        try:
            vals.append(float(open(f).read()))
        except Exception:
            pass
    print("%.2f %.2f-%.2f" % (statistics.median(vals), min(vals), max(vals))
          if vals else "na na")
    sys.exit(0)
if key == "cpu":
    for f in sorted(glob.glob("%s/%s-%s-*.cpu" % (t, name, rate))):
        try:
            a, b = open(f).read().split()
            vals.append(float(a)); peers.append(float(b))
        except Exception:
            pass
    if not vals:
        print("na na")
    else:
        print("%.1f %.1f" % (statistics.median(vals), statistics.median(peers)))
    sys.exit(0)
for f in sorted(glob.glob("%s/%s-%s-*.json" % (t, name, rate))):
    try:
        d = json.load(open(f))["total"]
        if key == "rate":
            vals.append(d["rate"])
        elif key == "errors":
            vals.append(d["errors"]["total"] + d["deadline_miss"])
        else:
            vals.append(d["latency_us"][key])
    except Exception:
        pass
if not vals:
    print("na na")
elif key == "errors":
    print("%d %d-%d" % (max(vals), min(vals), max(vals)))
else:
    print("%d %d-%d" % (round(statistics.median(vals)), round(min(vals)), round(max(vals))))
PY
}
# ratio A B -> A / B with two decimals, or na
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2" 2>/dev/null || echo na; }

# relay_line NAME LABEL RATE H99 -> the latency and CPU lines of one
# gatewayd ("gatewayd" or "before"); sets L99 and LERR
relay_line() {
	local n=$1 label=$2 r=$3 h99=$4 a50 a99 s99 a999 err c
	read -r a50 _ < <(med "$n" "$r" p50)
	read -r a99 s99 < <(med "$n" "$r" p99)
	read -r a999 _ < <(med "$n" "$r" p99_9)
	read -r LERR _ < <(med "$n" "$r" errors)
	L99=$a99
	echo "relay rate=$r ${label}_us p50=$a50 p99=$a99 p99.9=$a999 p99_ratio=$(ratio "$a99" "$h99") runs=$REPEAT ${label}_p99_spread=$s99"
	c=$(med "$n" "$r" cpu)
	echo "relay rate=$r cpu_us_per_req $label=${c% *} ${label}_core=${c#* }"
	if [ "$LERR" != na ] && [ "$LERR" != 0 ]; then
		python3 - "$T" "$n" "$r" "$label" <<'PY'
import glob, json, sys
t, n, r, label = sys.argv[1:]
for f in sorted(glob.glob("%s/%s-%s-*.json" % (t, n, r))):
    d = json.load(open(f))["total"]
    e = d["errors"]
    print("relay rate=%s %s_errors sent=%d answered=%d deadline_miss=%d timeout=%d late=%d "
          "mismatch=%d rc_unexpected=%d by_rc=%s" % (r, label, d["sent"], d["received"],
          d["deadline_miss"], e["timeout"], e["late"], e["mismatch"], e["rc_unexpected"],
          ",".join("%s:%d" % kv for kv in sorted(d["by_rc"].items()))))
PY
	fi
}

# per_path RATE LABEL KEY: one line with KEY's median (and spread) for
# every path that ran at RATE
per_path() {
	local line="relay rate=$1 $2" n sm ss
	for n in gw:gatewayd bgw:before hap:haproxy fl:floor sfl:sealed_floor; do
		read -r sm ss < <(med "${n%%:*}" "$1" "$3")
		[ "$sm" = na ] || line="$line ${n#*:}=$sm ($ss)"
	done
	echo "$line"
}

echo "bench-relay: profile=$PROFILE conns=$CONNS seconds=$SECS repeat=$REPEAT rates=\"$RATES\"${BEFORE:+ before=$BEFORE}${LOADCPU:+ pinned: relays and peers on CPU $((NCPU - 1)), load on the rest}"
best=0 bbest=0 sbest=0 allmet=yes
for r in $RATES; do
	for i in $(seq "$REPEAT"); do
		[ $HAVE_GW = 1 ] && run gw $P_GW "$r" "$i" "$GW_PID" "$CORE_PID"
		[ $HAVE_BGW = 1 ] && run bgw $P_BGW "$r" "$i" "$BGW_PID" "$BCORE_PID"
		run hap $P_HAP "$r" "$i" "$HAP_PID" "$CORETCP_PID"
		if [ "$FLOOR" = 1 ]; then
			run fl $P_FL "$r" "$i" "$FL_PID" "$FLP_PID"
			run sfl $P_SFL "$r" "$i" "$SFL_PID" "$SFLP_PID"
		fi
	done
	read -r h50 _ < <(med hap "$r" p50)
	read -r h99 hs99 < <(med hap "$r" p99)
	read -r h999 _ < <(med hap "$r" p99_9)
	echo "relay rate=$r haproxy_us p50=$h50 p99=$h99 p99.9=$h999 runs=$REPEAT haproxy_p99_spread=$hs99"
	c=$(med hap "$r" cpu)
	echo "relay rate=$r cpu_us_per_req haproxy=${c% *} core_tcp=${c#* }"
	gw99=na gwerr=na bgw99=na bgwerr=na
	if [ $HAVE_GW = 1 ]; then
		relay_line gw gatewayd "$r" "$h99"
		gw99=$L99 gwerr=$LERR
	fi
	if [ $HAVE_BGW = 1 ]; then
		relay_line bgw before "$r" "$h99"
		bgw99=$L99 bgwerr=$LERR
	fi
	s99=na
	if [ "$FLOOR" = 1 ]; then
		read -r f50 _ < <(med fl "$r" p50)
		read -r f99 fs99 < <(med fl "$r" p99)
		read -r s50 _ < <(med sfl "$r" p50)
		read -r s99 ss99 < <(med sfl "$r" p99)
		read -r serr _ < <(med sfl "$r" errors)
		if [ "$s99" != na ] && [ "$s99" -lt 1000 ] && [ "$serr" = 0 ]; then
			sbest=$r
		fi
		echo "relay rate=$r floor_us p50=$f50 p99=$f99 sealed_floor_us p50=$s50 p99=$s99 floor_p99_ratio=$(ratio "$f99" "$h99") sealed_floor_p99_ratio=$(ratio "$s99" "$h99") floor_p99_spread=$fs99 sealed_floor_p99_spread=$ss99"
		fc=$(med fl "$r" cpu) sc=$(med sfl "$r" cpu)
		echo "relay rate=$r cpu_us_per_req floor=${fc% *} floor_peer=${fc#* } sealed_floor=${sc% *} sealed_floor_peer=${sc#* }"
	fi
	per_path "$r" stall_ms_per_turn stall
	per_path "$r" cross_cpu_wakeups_per_req ipi
	if [ $HAVE_GW = 1 ] && [ "$r" -le 40000 ]; then
		x=$(ratio "$gw99" "$s99")
		met=$(python3 -c "import sys; print('yes' if float(sys.argv[1]) <= 1.2 else 'no')" "$x" 2>/dev/null || echo na)
		[ "$met" = yes ] || allmet=no
		line="relay rate=$r goal gatewayd_p99_over_sealed_floor=$x"
		[ $HAVE_BGW = 1 ] && line="$line before_p99_over_sealed_floor=$(ratio "$bgw99" "$s99")"
		echo "$line (goal <= 1.2) met=$met"
	fi
	if [ "$gw99" != na ] && [ "$gw99" -lt 1000 ] && [ "$gwerr" = 0 ]; then
		best=$r
	fi
	if [ "$bgw99" != na ] && [ "$bgw99" -lt 1000 ] && [ "$bgwerr" = 0 ]; then
		bbest=$r
	fi
done
if [ $HAVE_GW = 1 ]; then
	line="gatewayd max_rate_p99_under_1ms=$best"
	[ $HAVE_BGW = 1 ] && line="$line before=$bbest"
	[ "$FLOOR" = 1 ] && line="$line sealed_floor=$sbest"
	echo "$line (goal >= 40000) met=$([ "$best" -ge 40000 ] && echo yes || echo no)"
	echo "relay goal p99_within_1.2x_sealed_floor_up_to_40000 met=$allmet"
else
	echo "gatewayd max_rate_p99_under_1ms=na"
fi

if [ "$MAXSECS" != 0 ]; then
	for i in $(seq "$REPEAT"); do
		[ $HAVE_GW = 1 ] && runmax gw $P_GW "$i"
		[ $HAVE_BGW = 1 ] && runmax bgw $P_BGW "$i"
		runmax hap $P_HAP "$i"
		if [ "$FLOOR" = 1 ]; then
			runmax sfl $P_SFL "$i"
		fi
	done
	read -r gwmax gws < <(med gw max rate)
	read -r hmax hs < <(med hap max rate)
	line="relay max_throughput inflight=$INFLIGHT gatewayd_per_s=$gwmax haproxy_per_s=$hmax runs=$REPEAT gatewayd_spread=$gws haproxy_spread=$hs"
	if [ $HAVE_BGW = 1 ]; then
		read -r bmax bs < <(med bgw max rate)
		line="$line before_per_s=$bmax before_spread=$bs"
	fi
	[ "$FLOOR" = 1 ] && line="$line sealed_floor_per_s=$(med sfl max rate | cut -d' ' -f1)"
	echo "$line"
	x=$(ratio "$gwmax" "$hmax")
	line="relay goal max_throughput_over_haproxy=$x"
	[ $HAVE_BGW = 1 ] && line="$line before=$(ratio "$bmax" "$hmax")"
	[ "$FLOOR" = 1 ] && line="$line sealed_floor=$(ratio "$(med sfl max rate | cut -d' ' -f1)" "$hmax")"
	echo "$line (goal >= 0.5) met=$(python3 -c "import sys; print('yes' if float(sys.argv[1]) >= 0.5 else 'no')" "$x" 2>/dev/null || echo na)"
fi
exit 0
