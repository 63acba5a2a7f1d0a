#!/usr/bin/env bash
# demo.sh — the gateway story on loopback, about 20 s:
#   scheme-sim scheme (Mastercard link, 2000 auth/s) -> gatewayd ->
#   scheme-sim core (core link: UDP, GUE, sealed frames)
# Phase 1 the core answers; phase 2 the core is black-holed (SIGUSR1) and
# gatewayd must answer every request in time through stand-in; phase 3 the
# core is restored (SIGUSR2).  Prints one summary line per phase; fails if
# any request missed its 40 ms deadline or got a wrong answer.
#
# Environment: DEMO_RATE (2000), DEMO_PHASE_SECONDS (7), DEMO_KEEP=1 keeps
# the temp dir (configs, logs, reports), HSMD_ARGS (arguments for hsmd when
# it is built; the stand-in does not use it yet).
set -u
cd "$(dirname "$0")/../.."

RATE=${DEMO_RATE:-2000}
PH=${DEMO_PHASE_SECONDS:-7}
BIN=$PWD/build/bin
for b in scheme-sim gatewayd; do
	[ -x "$BIN/$b" ] || { echo "demo: $BIN/$b not built (make)"; exit 1; }
done

T=$(mktemp -d /tmp/gatewayd-demo.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	if [ "${DEMO_KEEP:-0}" = 1 ]; then echo "demo: files kept in $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

BASE=$(( 30000 + ($$ % 2000) * 10 ))
P_LINK=$((BASE + 1)) P_CORE=$((BASE + 2)) P_MET=$((BASE + 3))

# --- configuration, generated ---------------------------------------------
head -c 32 /dev/urandom | base64 >"$T/core-a.key"
chmod 600 "$T/core-a.key"
mkdir -p "$T/state"
cat >"$T/gatewayd.conf" <<CFG
[Gateway]
Name = demo-colo-1
StateDirectory = $T/state
ControlSocket = $T/control.sock
Metrics = 127.0.0.1:$P_MET

[Link mastercard-1]
Profile = mastercard
Listen = 127.0.0.1:$P_LINK
AllowFrom = 127.0.0.1
Framing = len2
Deadline = 40ms
StandInReserve = 5ms

[Core core-a]
Address = 127.0.0.1:$P_CORE
KeyFile = $T/core-a.key
Priority = 1
HeartbeatInterval = 100ms

[StandIn]
Mode = auto
CFG
"$BIN/gatewayd" -n -f "$T/gatewayd.conf" >/dev/null || { echo "demo: config refused"; exit 1; }

# --- processes --------------------------------------------------------------
if [ -x "$BIN/hsmd" ]; then
	"$BIN/hsmd" ${HSMD_ARGS:--d} >"$T/hsmd.log" 2>&1 &
	PIDS+=($!)
	sleep 0.2
	if kill -0 "${PIDS[-1]}" 2>/dev/null; then echo "demo: hsmd running"
	else echo "demo: hsmd exited at once (see HSMD_ARGS); going on without it"; fi
fi
"$BIN/scheme-sim" core --listen 127.0.0.1:$P_CORE --key "$T/core-a.key" \
    --record "$T/advices.jsonl" --decline-over 2000000 \
    --delay-dist uniform:200us:2ms --json "$T/core.json" \
    >"$T/core.txt" 2>"$T/core.log" &
CORE=$!
PIDS+=($CORE)
"$BIN/gatewayd" -d -f "$T/gatewayd.conf" 2>"$T/gatewayd.log" &
PIDS+=($!)
for i in $(seq 50); do
	(exec 3<>/dev/tcp/127.0.0.1/$P_LINK) 2>/dev/null && break
	sleep 0.1
done
sleep 0.5	# heartbeats: core-a up

echo "demo: scheme-sim -> gatewayd -> core at $RATE auth/s, 3 phases of ${PH}s (Deadline 40ms)"
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$P_LINK --profile mastercard \
    --rate "$RATE" --duration $((3 * PH))s --deadline 40ms \
    --amount 1500 --amount-step 250000 --expect 00,51,91 \
    --phases core-up,core-blackholed,core-restored \
    --json "$T/scheme.json" --progress >"$T/scheme.txt" 2>"$T/scheme.log" &
SCHEME=$!
PIDS+=($SCHEME)
sleep "$PH"
echo "demo: black-holing the core (SIGUSR1)"
kill -USR1 $CORE; kill -USR1 $SCHEME
sleep "$PH"
echo "demo: restoring the core (SIGUSR2)"
kill -USR2 $CORE; kill -USR1 $SCHEME
wait $SCHEME
SRC=$?
[ -x "$BIN/gatewayctl" ] && "$BIN/gatewayctl" -s "$T/control.sock" cores 2>/dev/null | sed 's/^/demo: gatewayctl cores: /'
kill -TERM $CORE 2>/dev/null; wait $CORE 2>/dev/null

python3 - "$T/scheme.json" "$T/advices.jsonl" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["phases"] + [d["total"]]:
    rc = p["by_rc"]; l = p["latency_us"]
    print("demo: %-16s requests=%d answered=%d approved_core=%d approved_standin=%d "
          "standin_91=%d declined=%d p50=%.0fus p99=%.0fus max=%.0fus deadline_misses=%d errors=%d"
          % (p["name"], p["sent"], p["received"], p["approved"]["core"], p["approved"]["other"],
             rc.get("91", 0), sum(v for k, v in rc.items() if k not in ("00", "91")),
             l["p50"], l["p99"], l["max"], p["deadline_miss"], p["errors"]["total"]))
try:
    n = sum(1 for _ in open(sys.argv[2]))
except OSError:
    n = 0
print("demo: advices recorded by the core: %d" % n)
PY
if [ $SRC -ne 0 ]; then
	echo "demo: FAILED (scheme-sim exit $SRC: errors or deadline misses)"
	sed 's/^/demo:   /' "$T/scheme.txt" | tail -8
	exit 1
fi
echo "demo: OK — every request answered within its deadline"
