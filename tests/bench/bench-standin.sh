#!/usr/bin/env bash
# bench-standin.sh — durable stand-in decisions, with the HSM in the path.
#
#   scheme-sim scheme --portfolio --entry mix -> gatewayd, Mode = force,
#   every request verified by its entry mode, in turn: chip (DE22 051, a
#   real ARQC: hsmd KQ), magnetic stripe (901, track 2 CVC1: hsmd CY),
#   e-commerce (812, CVC2: hsmd CY); the core black-holed after pushing
#   the snapshot (advices queue):
#   card look-up (LMDB reader thread) -> hsmd over a unix socket ->
#   rules + decision + exposure + advice in one group-committed LMDB
#   transaction (writer thread, fsync) -> response.
#
# Prints, for each fixed rate:
#   standin rate=R us p50=.. p99=.. p99.9=.. (errors=N) entry=mix
# then the closed-loop figure:
#   standin saturation_per_s=N
# and the store's grouping (decisions per commit).  Goal (issue 5): p99
# under 2 ms at 10,000/s; at least 20,000 durable decisions/s.
#
# Environment: BENCH_STANDIN_RATES (default "1000 5000 10000"),
# BENCH_SECONDS (5), BENCH_MAX_SECONDS (5), BENCH_INFLIGHT (128: Little's law
# keeps closed-loop latency under the 40 ms deadline),
# BENCH_CARDS (10000), GATEWAYD_STORE_SYNC (full; "meta" = one fsync per
# commit, see doc/standin.md), BENCH_OUT (keep the reports).
set -u
cd "$(dirname "$0")/../.."

RATES=${BENCH_STANDIN_RATES:-"1000 5000 10000"}
SECS=${BENCH_SECONDS:-5}
MAXSECS=${BENCH_MAX_SECONDS:-5}
INFLIGHT=${BENCH_INFLIGHT:-128}
NCARDS=${BENCH_CARDS:-10000}
BIN=$PWD/build/bin
export HSM_INSECURE_TEST_LMK=1	# its LMK is unsealed: a test
SIM=$BIN/scheme-sim

for b in gatewayd hsmd hsmctl scheme-sim; do
	[ -x "$BIN/$b" ] || { echo "bench-standin: $BIN/$b not built"; exit 1; }
done
T=$(mktemp -d /tmp/bench-standin.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	if [ -n "${BENCH_OUT:-}" ]; then mkdir -p "$BENCH_OUT" && cp "$T"/*.json "$T"/*.log "$BENCH_OUT"/ 2>/dev/null; fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

BASE=$(( 40000 + ($$ % 2000) * 10 ))
P_GW=$((BASE + 1)) P_CORE=$((BASE + 2)) P_MET=$((BASE + 3))

head -c 32 /dev/urandom | base64 >"$T/core.key"
head -c 32 /dev/urandom | base64 >"$T/state.key"
chmod 600 "$T/core.key" "$T/state.key"
"$BIN/hsmctl" lmk init --out "$T/lmk" >/dev/null
"$BIN/hsmd" --insecure-test-lmk --lmk "$T/lmk" -l "unix:$T/hsm.sock" 2>"$T/hsmd.log" &
PIDS+=($!)
"$SIM" cards generate "$NCARDS" --lmk "$T/lmk" --out "$T/portfolio" || exit 1
"$SIM" cards list "$T/portfolio" >"$T/cards"
cat >"$T/gatewayd.conf" <<CFG
[Gateway]
Name = bench-standin
StateDirectory = $T/state
StateKeyFile = $T/state.key
ControlSocket = $T/ctl.sock
Metrics = 127.0.0.1:$P_MET
HSM = unix:$T/hsm.sock

[Link bench]
Profile = iso87
Listen = 127.0.0.1:$P_GW
AllowFrom = 127.0.0.1
Framing = len2
Deadline = 40ms
StandInReserve = 20ms

[Core core-a]
Address = 127.0.0.1:$P_CORE
KeyFile = $T/core.key

[StandIn]
Mode = force
MaxAmount = 100000
CFG
"$SIM" core --listen 127.0.0.1:$P_CORE --key "$T/core.key" \
    --cards "$T/portfolio" -q 2>"$T/core.log" &
CORE=$!
PIDS+=($CORE)
"$BIN/gatewayd" -d -f "$T/gatewayd.conf" 2>"$T/gatewayd.log" &
PIDS+=($!)
for i in $(seq 1 200); do
	grep -q snapshot_acked "$T/core.log" && break
	sleep 0.05
done
grep -q snapshot_acked "$T/core.log" || { echo "bench-standin: snapshot not applied"; tail -5 "$T"/*.log; exit 1; }
# The stand-in situation: the core unreachable (black-holed), advices
# queue durably in the SAF while decisions are made.
kill -USR1 "$CORE"
sleep 0.5

fig() {
	python3 - "$1" "$2" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))["total"]
    k = sys.argv[2]
    if k == "rate":
        print("%d" % d["rate"])
    elif k == "errors":
        print(d["errors"]["total"] + d["deadline_miss"])
    elif k == "approved_rate":
        print("%d" % (d["by_rc"].get("00", 0) * d["rate"] / max(d["received"], 1)))
    else:
        print("%d" % round(d["latency_us"][k]))
except Exception:
    print("na")
PY
}
common=(--connect 127.0.0.1:$P_GW --profile iso87 --portfolio "$T/portfolio" --entry mix
    --amount 100 --expect 00 --deadline 40ms --no-progress)

echo "bench-standin: cards=$NCARDS seconds=$SECS rates=\"$RATES\" sync=${GATEWAYD_STORE_SYNC:-full} (HSM per request: KQ for chip, CY for stripe and ecom)"
for r in $RATES; do
	"$SIM" scheme "${common[@]}" --rate "$r" --duration "${SECS}s" \
	    --json "$T/si-$r.json" >"$T/si-$r.txt" 2>"$T/si-$r.log"
	err=$(fig "$T/si-$r.json" errors)
	echo "standin rate=$r us p50=$(fig "$T/si-$r.json" p50) p99=$(fig "$T/si-$r.json" p99) p99.9=$(fig "$T/si-$r.json" p99_9) errors=$err entry=mix(chip,stripe,ecom)"
	[ "$err" = 0 ] || echo "standin rate=$r report: $(tr '\n' ' ' <"$T/si-$r.txt" | head -c 400)"
done
"$SIM" scheme "${common[@]}" --inflight "$INFLIGHT" --duration "${MAXSECS}s" \
    --deadline 1s --json "$T/si-max.json" >"$T/si-max.txt" 2>"$T/si-max.log"
echo "standin saturation_per_s=$(fig "$T/si-max.json" rate) approved_per_s=$(fig "$T/si-max.json" approved_rate) inflight=$INFLIGHT p99_us=$(fig "$T/si-max.json" p99) (every answer is a durable decision; 91 = past the deadline under overload)"
"$BIN/gatewayctl" -s "$T/ctl.sock" standin --json >"$T/standin.json" 2>/dev/null
python3 - "$T/standin.json" <<'PY'
import json, sys
try:
    a = json.load(open(sys.argv[1]))["authoriser"]
    print("standin store decisions=%d commits=%d decisions_per_commit=%.1f max_batch=%d "
          "commit_us_avg=%d deadline_91=%d hsm_91=%d late_voids=%d"
          % (a["decisions"], a["batches"], a["decisions"] / max(a["batches"], 1), a["max_batch"],
             a["commit_us_avg"], a["deadline_91"], a["hsm_91"], a["late_voids"]))
except Exception as e:
    print("standin store figures unavailable:", e)
PY
