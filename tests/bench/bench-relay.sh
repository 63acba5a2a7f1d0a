#!/usr/bin/env bash
# bench-relay.sh — what gatewayd adds to a request's round trip, next to a
# bare TCP relay (haproxy) on the same machine.
#
#   scheme-sim scheme -> gatewayd -> (UDP, GUE, sealed) -> scheme-sim core
#   scheme-sim scheme -> haproxy (mode tcp)        -> scheme-sim core --tcp
#
# For each fixed rate both paths carry the same load for BENCH_SECONDS, and
# one line is printed:
#   relay rate=R gatewayd_us p50=.. p99=.. p99.9=.. haproxy_us p50=.. p99=..
#         p99.9=.. p99_ratio=..
# and where the CPU went, in µs of CPU (user + system, from /proc) per
# request, for each relay and the core peer behind it:
#   relay rate=R cpu_us_per_req gatewayd=.. core=.. haproxy=.. core_tcp=..
# and, unless BENCH_FLOOR=0, the contract's floor (tests/bench/floor.c):
# a relay that only moves each message in one UDP datagram to a peer that
# answers as the TCP peer does, plain and as sealed core-link v2 frames
# (both ends applying every acceptance rule, replay table included), as
#   relay rate=R floor_us p50=.. p99=.. sealed_floor_us p50=.. p99=..
#         floor_p99_ratio=.. sealed_floor_p99_ratio=..  (against haproxy)
#   relay rate=R cpu_us_per_req floor=.. floor_peer=.. sealed_floor=..
#         sealed_floor_peer=..
# then the highest rate at which gatewayd kept p99 under 1 ms, and the
# closed-loop throughput of both paths.  Without gatewayd (not built yet)
# the haproxy half still runs and the gatewayd figures read "na".
#
# Environment: BENCH_RATES (default "1000 5000 10000 20000 30000 40000
# 50000"), BENCH_SECONDS (5), BENCH_PROFILE (mastercard), BENCH_CONNS (1),
# BENCH_MAX_SECONDS (5, the closed-loop run; 0 skips it),
# BENCH_INFLIGHT (256), BENCH_FLOOR (1), BENCH_OUT (a directory to keep
# the JSON reports).
set -u
cd "$(dirname "$0")/../.."

RATES=${BENCH_RATES:-"1000 5000 10000 20000 30000 40000 50000"}
SECS=${BENCH_SECONDS:-5}
PROFILE=${BENCH_PROFILE:-mastercard}
CONNS=${BENCH_CONNS:-1}
MAXSECS=${BENCH_MAX_SECONDS:-5}
INFLIGHT=${BENCH_INFLIGHT:-256}
FLOOR=${BENCH_FLOOR:-1}
FLOORBIN=$PWD/build/bench/floor
BIN=$PWD/build/bin
SIM=$BIN/scheme-sim
GWD=$BIN/gatewayd

[ -x "$SIM" ] || { echo "bench-relay: $SIM not built (run make)"; exit 1; }
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
BASE=$(( 20000 + ($$ % 2000) * 10 ))
P_TCP=$((BASE + 1)) P_HAP=$((BASE + 2)) P_GW=$((BASE + 3)) P_CORE=$((BASE + 4))
P_MET=$((BASE + 5))
P_FL=$((BASE + 6)) P_FLU=$((BASE + 7)) P_SFL=$((BASE + 8)) P_SFLU=$((BASE + 9))

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
HAVE_GW=0
if [ -x "$GWD" ]; then
	( umask 077; head -c 32 /dev/urandom | base64 >"$T/core.key" )
	mkdir -p "$T/state"
	cat >"$T/gatewayd.conf" <<CFG
[Gateway]
Name = bench
StateDirectory = $T/state
Durability = none
ControlSocket = $T/ctl.sock
Metrics = 127.0.0.1:$P_MET

[Link bench]
Profile = $PROFILE
Listen = 127.0.0.1:$P_GW
AllowFrom = 127.0.0.1
Framing = len2
Deadline = 40ms
StandInReserve = 5ms

[Core core-a]
Address = 127.0.0.1:$P_CORE
KeyFile = $T/core.key
Priority = 1
CFG
	"$SIM" core --listen 127.0.0.1:$P_CORE --key "$T/core.key" -q 2>"$T/core.log" &
	PIDS+=($!)
	CORE_PID=$!
	"$GWD" -d -f "$T/gatewayd.conf" 2>"$T/gatewayd.log" &
	PIDS+=($!)
	GW_PID=$!
	if wait_port $P_GW; then
		HAVE_GW=1
		sleep 0.5	# a few heartbeats: the core must be up
	else
		echo "bench-relay: gatewayd did not start; haproxy figures only"
		tail -5 "$T/gatewayd.log"
	fi
else
	echo "bench-relay: $GWD not built; haproxy figures only"
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

# run NAME PORT RATE [RELAY_PID PEER_PID] -> $T/NAME-RATE.json, and the
# relay's and peer's CPU per request in $T/NAME-RATE.cpu ; prints nothing
run() {
	local name=$1 port=$2 rate=$3 r0 p0
	r0=$(cpu "${4:-0}") p0=$(cpu "${5:-0}")
	"$SIM" scheme --connect 127.0.0.1:"$port" --profile "$PROFILE" \
	    --conns "$CONNS" --rate "$rate" --duration "${SECS}s" \
	    --deadline 40ms --no-progress --json "$T/$name-$rate.json" \
	    >"$T/$name-$rate.txt" 2>"$T/$name-$rate.log"
	python3 -c "import sys; r, p, n, t = map(float, sys.argv[1:]); print('%.1f %.1f' % (r * 1e6 / t / n, p * 1e6 / t / n) if n else 'na na')" \
	    $(( $(cpu "${4:-0}") - r0 )) $(( $(cpu "${5:-0}") - p0 )) $(( rate * SECS )) "$TCK" >"$T/$name-$rate.cpu"
}
runmax() {
	local name=$1 port=$2
	"$SIM" scheme --connect 127.0.0.1:"$port" --profile "$PROFILE" \
	    --conns "$CONNS" --inflight "$INFLIGHT" --duration "${MAXSECS}s" \
	    --no-progress --json "$T/$name-max.json" \
	    >"$T/$name-max.txt" 2>"$T/$name-max.log"
}

# fig FILE KEY -> the latency figure (µs, integer) or "na"
fig() {
	python3 - "$1" "$2" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))["total"]
    if sys.argv[2] == "rate":
        print("%d" % d["rate"])
    elif sys.argv[2] == "errors":
        print(d["errors"]["total"] + d["deadline_miss"])
    else:
        print("%d" % round(d["latency_us"][sys.argv[2]]))
except Exception:
    print("na")
PY
}

echo "bench-relay: profile=$PROFILE conns=$CONNS seconds=$SECS rates=\"$RATES\""
best=0
for r in $RATES; do
	gw50=na gw99=na gw999=na gwerr=na
	if [ $HAVE_GW = 1 ]; then
		run gw $P_GW "$r" "$GW_PID" "$CORE_PID"
		gw50=$(fig "$T/gw-$r.json" p50)
		gw99=$(fig "$T/gw-$r.json" p99)
		gw999=$(fig "$T/gw-$r.json" p99_9)
		gwerr=$(fig "$T/gw-$r.json" errors)
	fi
	run hap $P_HAP "$r" "$HAP_PID" "$CORETCP_PID"
	h50=$(fig "$T/hap-$r.json" p50)
	h99=$(fig "$T/hap-$r.json" p99)
	h999=$(fig "$T/hap-$r.json" p99_9)
	ratio=na
	if [ "$gw99" != na ] && [ "$h99" != na ] && [ "$h99" -gt 0 ]; then
		ratio=$(python3 -c "print('%.2f' % ($gw99 / $h99))")
	fi
	echo "relay rate=$r gatewayd_us p50=$gw50 p99=$gw99 p99.9=$gw999 haproxy_us p50=$h50 p99=$h99 p99.9=$h999 p99_ratio=$ratio"
	read -r gwc corec <"$T/gw-$r.cpu" 2>/dev/null || gwc=na corec=na
	read -r hc ctc <"$T/hap-$r.cpu" 2>/dev/null || hc=na ctc=na
	echo "relay rate=$r cpu_us_per_req gatewayd=$gwc core=$corec haproxy=$hc core_tcp=$ctc"
	if [ "$FLOOR" = 1 ]; then
		run fl $P_FL "$r" "$FL_PID" "$FLP_PID"
		run sfl $P_SFL "$r" "$SFL_PID" "$SFLP_PID"
		f99=$(fig "$T/fl-$r.json" p99) s99=$(fig "$T/sfl-$r.json" p99)
		echo "relay rate=$r floor_us p50=$(fig "$T/fl-$r.json" p50) p99=$f99 sealed_floor_us p50=$(fig "$T/sfl-$r.json" p50) p99=$s99 floor_p99_ratio=$(python3 -c "print('%.2f' % ($f99 / $h99))" 2>/dev/null || echo na) sealed_floor_p99_ratio=$(python3 -c "print('%.2f' % ($s99 / $h99))" 2>/dev/null || echo na)"
		read -r fc fpc <"$T/fl-$r.cpu" 2>/dev/null || fc=na fpc=na
		read -r sc spc <"$T/sfl-$r.cpu" 2>/dev/null || sc=na spc=na
		echo "relay rate=$r cpu_us_per_req floor=$fc floor_peer=$fpc sealed_floor=$sc sealed_floor_peer=$spc"
	fi
	if [ "$gwerr" != na ] && [ "$gwerr" != 0 ]; then
		python3 - "$T/gw-$r.json" "$r" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["total"]
e = d["errors"]
print("relay rate=%s gatewayd_errors sent=%d answered=%d deadline_miss=%d timeout=%d late=%d "
      "mismatch=%d rc_unexpected=%d by_rc=%s" % (sys.argv[2], d["sent"], d["received"],
      d["deadline_miss"], e["timeout"], e["late"], e["mismatch"], e["rc_unexpected"],
      ",".join("%s:%d" % kv for kv in sorted(d["by_rc"].items()))))
PY
	fi
	if [ "$gw99" != na ] && [ "$gw99" -lt 1000 ] && [ "$gwerr" = 0 ]; then
		best=$r
	fi
done
if [ $HAVE_GW = 1 ]; then
	echo "gatewayd max_rate_p99_under_1ms=$best"
else
	echo "gatewayd max_rate_p99_under_1ms=na"
fi

if [ "$MAXSECS" != 0 ]; then
	gwmax=na
	if [ $HAVE_GW = 1 ]; then
		runmax gw $P_GW
		gwmax=$(fig "$T/gw-max.json" rate)
	fi
	runmax hap $P_HAP
	hmax=$(fig "$T/hap-max.json" rate)
	echo "relay max_throughput inflight=$INFLIGHT gatewayd_per_s=$gwmax haproxy_per_s=$hmax"
fi
exit 0
