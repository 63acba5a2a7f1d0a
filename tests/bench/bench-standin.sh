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
# Each figure is measured BENCH_REPEAT times, each run right after the
# floor it is compared with: `bench_store`'s one-decision commit (a
# durable commit of one decision, waited for, on the same disk, in the
# same minute).  Printed as median [min-max] of the runs:
#   standin rate=R p50_us=.. p99_us=.. late=N gw_late=N rc91=N shed_old=N
#           shed_busy=N pages_per_decision=..
#           decisions_per_commit=.. commit_us_avg=.. floor_p99_us=..
#           p99_over_floor=.. floor_pages_per_commit=..
#           (goal <= 3 at 10,000/s, late = 0)
#   standin saturation_per_s=.. approved_per_s=.. pages_per_decision=..
#           decisions_per_commit=.. (goal >= 20,000)
# Beside each run, during it: stallprobe (tests/bench/stallprobe.c)
# counts the times nothing on the machine ran for over 3 ms, and the same
# one-decision commit, 100 a second in a store of its own, gives the
# floor under what the run met (loaded_floor_p99_us):
#   standin ... stalls_per_s=.. stall_ms=.. stall_max_us=..
#           loaded_floor_p99_us=.. p99_over_loaded_floor=..
#           cpu_us_per_decision=..
# stall_max_us is the longest a CPU ran nothing, from a stallprobe at
# SCHED_FIFO on each CPU (none of our load delays those): late answers
# beside a stop longer than the deadline guard's 8 ms margin are the
# machine's, not gatewayd's (test-pair and test-overload excuse them so).
# cpu_us_per_decision is gatewayd's CPU (all threads, /proc) a decision.
# floor_pages_per_commit is what one commit of one decision writes (each
# database's path from root to leaf, the free list, the meta page): at
# low rates, with one or two decisions a commit, pages_per_decision is
# about that.
# late = answers after the 40 ms deadline as the scheme simulator saw
# them, gw_late = as gatewayd counts them (sent more than Deadline after
# the kernel received the request; the difference is the simulator's
# own delays); rc91 = 91s (shed at the door when the pipeline cannot
# answer in time, or the deadline guard), of them shed_old (read too
# late: the loop was behind, most often after a stop of the host) and
# shed_busy (the pipeline's queue would outlast the deadline; admission,
# gateway/admit.c);
# pages_per_decision = what the store's writer thread wrote (its wchar
# in /proc) / 4096 / decisions; commit sizes from `gatewayctl standin`.
#
# Environment: BENCH_STANDIN_RATES (default "1000 5000 10000"),
# BENCH_SECONDS (5), BENCH_MAX_SECONDS (5), BENCH_REPEAT (3),
# BENCH_INFLIGHT (128: Little's law keeps closed-loop latency under the
# 40 ms deadline), BENCH_CARDS (10000), GATEWAYD_STORE_SYNC (full;
# "meta" = one fsync per commit, see doc/standin.md), BENCH_OUT (keep the
# reports), BENCH_BIN (the binaries to measure, default build/bin: an
# older build side by side), BENCH_FLOOR (build/bench/bench_store),
# BENCH_CPU_SLICE (gatewayd's CpuSlice, e.g. 100us; unset: the kernel's).
set -u
cd "$(dirname "$0")/../.."

RATES=${BENCH_STANDIN_RATES:-"1000 5000 10000"}
SECS=${BENCH_SECONDS:-5}
MAXSECS=${BENCH_MAX_SECONDS:-5}
INFLIGHT=${BENCH_INFLIGHT:-128}
NCARDS=${BENCH_CARDS:-10000}
REPEAT=${BENCH_REPEAT:-3}
BIN=${BENCH_BIN:-$PWD/build/bin}
FLOOR=${BENCH_FLOOR:-$PWD/build/bench/bench_store}
PROBE=${BENCH_PROBE:-$PWD/build/bench/stallprobe}
export HSM_INSECURE_TEST_LMK=1	# its LMK is unsealed: a test
SIM=$BIN/scheme-sim

for b in gatewayd hsmd hsmctl scheme-sim gatewayctl; do
	[ -x "$BIN/$b" ] || { echo "bench-standin: $BIN/$b not built"; exit 1; }
done
[ -x "$FLOOR" ] || { echo "bench-standin: $FLOOR not built"; exit 1; }
[ -x "$PROBE" ] || { echo "bench-standin: $PROBE not built"; exit 1; }
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
# The link's first ZPK: the portfolio's (the snapshot carries none).
(umask 077; sed -n 's/^blocks .*ZPK=\([^;]*\).*/\1/p' "$T/portfolio" >"$T/zpk")
cat >"$T/gatewayd.conf" <<CFG
[Gateway]
Name = bench-standin
StateDirectory = $T/state
StateKeyFile = $T/state.key
ControlSocket = $T/ctl.sock
Metrics = 127.0.0.1:$P_MET
HSM = unix:$T/hsm.sock
${BENCH_CPU_SLICE:+CpuSlice = $BENCH_CPU_SLICE}

[Link bench]
Profile = iso87
ZPKFile = $T/zpk
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
GW=$!
PIDS+=($GW)
for i in $(seq 1 200); do
	grep -q snapshot_acked "$T/core.log" && break
	sleep 0.05
done
grep -q snapshot_acked "$T/core.log" || { echo "bench-standin: snapshot not applied"; tail -5 "$T"/*.log; exit 1; }
# The stand-in situation: the core unreachable (black-holed), advices
# queue durably in the SAF while decisions are made.
kill -USR1 "$CORE"
sleep 0.5

common=(--connect 127.0.0.1:$P_GW --profile iso87 --portfolio "$T/portfolio" --entry mix
    --amount 100 --expect 00 --deadline 40ms --no-progress)

# The store's counters and what its writer thread has written so far:
# "decisions batches wchar".  The writer is the first thread gatewayd
# starts (store_open) when its gatewayctl does not name it.
store_now() {
	"$BIN/gatewayctl" -s "$T/ctl.sock" standin --json >"$T/standin.json" 2>/dev/null
	python3 - "$T/standin.json" "$GW" <<'PY'
import json, os, sys
a = json.load(open(sys.argv[1]))["authoriser"]
pid = int(sys.argv[2])
tid = a.get("store_writer_tid") or min(
    int(t) for t in os.listdir("/proc/%d/task" % pid) if int(t) != pid)
w = 0
for l in open("/proc/%d/task/%d/io" % (pid, tid)):
    if l.startswith("wchar:"):
        w = int(l.split()[1])
st = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
print(a["decisions"], a["batches"], a["commit_us_avg"] * a["batches"], w,
      int(st[11]) + int(st[12]), end=" ")
PY
	# gatewayd's own count of answers sent after the deadline, timed from
	# the kernel's receive time: what the simulator's lateness cannot hide
	"$BIN/gatewayctl" -s "$T/ctl.sock" links --json 2>/dev/null | python3 -c "
import json, sys
ls = json.load(sys.stdin)['links']
print(*(sum(l['admission'][k] for l in ls)
    for k in ('answered_late', 'shed_old', 'shed_busy')))" ||
	    echo 0 0 0
}

# One measured run: NAME, then scheme-sim's own arguments.  Appends a
# JSON line with the figures to $T/runs.
measure() {
	local name=$1 before after floor
	shift
	floor=$(BENCH_STORE_SECONDS=0 BENCH_STORE_SINGLE=${BENCH_FLOOR_COMMITS:-1000} \
	    "$FLOOR" | sed -n 's/.* p99=\([0-9]*\).*pages_per_commit=\([0-9.]*\).*/\1 \2/p')
	before=$(store_now)
	"$PROBE" >"$T/probe.out" &
	local probe=$! c fifo=()
	# and one at SCHED_FIFO on each CPU: nothing of ours delays those,
	# so their longest wait is a stop of the machine itself
	for c in $(seq 0 $(( $(nproc) - 1 ))); do
		chrt -f 1 taskset -c "$c" "$PROBE" >"$T/fifo.$c" 2>/dev/null &
		fifo+=($!)
	done
	BENCH_STORE_SECONDS=0 BENCH_STORE_SINGLE=$((SECS * 100)) \
	    BENCH_STORE_GAP_US=10000 "$FLOOR" >"$T/lfloor.out" &
	local lfloor=$!
	"$SIM" scheme "${common[@]}" "$@" --json "$T/$name.json" \
	    >"$T/$name.txt" 2>"$T/$name.log"
	after=$(store_now)
	kill "$probe" "${fifo[@]}"
	wait "$probe" "$lfloor" "${fifo[@]}"
	python3 - "$T/$name.json" "$name" "${floor:-0 0}" "$before" "$after" \
	    "$(cat "$T/probe.out")" \
	    "$(sed -n 's/.* p99=\([0-9]*\).*/\1/p' "$T/lfloor.out")" \
	    "$(getconf CLK_TCK)" "$(cat "$T"/fifo.* 2>/dev/null |
	    sed -n 's/.*max_us=\([0-9]*\).*/\1/p' | sort -n | tail -1)" \
	    >>"$T/runs.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["total"]
b = [int(x) for x in sys.argv[4].split()]
a = [int(x) for x in sys.argv[5].split()]
dec, bat = a[0] - b[0], a[1] - b[1]
probe = dict(kv.split("=") for kv in sys.argv[6].split())
print(json.dumps({
    "stalls_per_s": float(probe.get("per_s", 0)),
    "stall_ms": int(probe.get("stall_ms", 0)),
    "loaded_floor_p99": int(sys.argv[7] or 0),
    "stall_max_us": int(sys.argv[9] or 0),
    "cpu_us": (a[4] - b[4]) * 1e6 / int(sys.argv[8]) / max(dec, 1),
    "name": sys.argv[2], "floor_p99": int(sys.argv[3].split()[0]),
    "floor_pages": float(sys.argv[3].split()[1]),
    "rate": d["rate"], "p50": d["latency_us"]["p50"],
    "p99": d["latency_us"]["p99"], "late": d["deadline_miss"],
    "gw_late": a[5] - b[5],
    "shed_old": a[6] - b[6], "shed_busy": a[7] - b[7],
    "rc91": d["by_rc"].get("91", 0), "errors": d["errors"]["total"],
    "approved_per_s": d["by_rc"].get("00", 0) * d["rate"] / max(d["received"], 1),
    "pages": (a[3] - b[3]) / 4096 / max(dec, 1),
    "per_commit": dec / max(bat, 1),
    "commit_us": (a[2] - b[2]) / max(bat, 1)}))
PY
}

# median [min-max] of one figure of the runs named NAME
summary() {
	python3 - "$T/runs.json" "$1" <<'PY'
import json, statistics, sys
runs = [r for r in map(json.loads, open(sys.argv[1])) if r["name"] == sys.argv[2]]
def f(k, fmt="%.0f"):
    v = [r[k] for r in runs]
    if not v:
        return "na"
    return (fmt + " [" + fmt + "-" + fmt + "]") % (statistics.median(v), min(v), max(v))
def ratio_of(k):
    v = [r["p99"] / r[k] for r in runs if r.get(k)]
    return ("%.1f [%.1f-%.1f]" % (statistics.median(v), min(v), max(v))
            if v else "na")
rs = ratio_of("floor_p99")
beside = ("stalls_per_s=%s stall_ms=%s stall_max_us=%s loaded_floor_p99_us=%s "
          "p99_over_loaded_floor=%s cpu_us_per_decision=%s" % (
          f("stalls_per_s", "%.1f"), f("stall_ms"), f("stall_max_us"),
          f("loaded_floor_p99"),
          ratio_of("loaded_floor_p99"), f("cpu_us", "%.1f")))
late = sum(r["late"] for r in runs)
gw_late = sum(r.get("gw_late", 0) for r in runs)
if sys.argv[2] == "max":
    print("standin saturation_per_s=%s approved_per_s=%s p99_us=%s rc91=%d "
          "pages_per_decision=%s decisions_per_commit=%s commit_us_avg=%s "
          "floor_p99_us=%s floor_pages_per_commit=%s %s runs=%d (goal >= 20000 "
          "durable decisions/s; approved_per_s is what was durably decided)" % (
          f("rate"), f("approved_per_s"), f("p99"), sum(r["rc91"] for r in runs),
          f("pages", "%.2f"), f("per_commit", "%.1f"), f("commit_us"),
          f("floor_p99"), f("floor_pages", "%.1f"), beside, len(runs)))
else:
    print("standin rate=%s p50_us=%s p99_us=%s late=%d gw_late=%d rc91=%d "
          "shed_old=%d shed_busy=%d pages_per_decision=%s decisions_per_commit=%s commit_us_avg=%s "
          "floor_p99_us=%s p99_over_floor=%s floor_pages_per_commit=%s %s "
          "runs=%d (goal at 10000/s: p99_over_floor <= 3, late = 0)" % (
          sys.argv[2][2:], f("p50"), f("p99"), late, gw_late,
          sum(r["rc91"] for r in runs),
          sum(r.get("shed_old", 0) for r in runs),
          sum(r.get("shed_busy", 0) for r in runs),
          f("pages", "%.2f"), f("per_commit", "%.1f"), f("commit_us"),
          f("floor_p99"), rs, f("floor_pages", "%.1f"), beside, len(runs)))
PY
}

echo "bench-standin: cards=$NCARDS seconds=$SECS rates=\"$RATES\" runs=$REPEAT sync=${GATEWAYD_STORE_SYNC:-full} bin=$BIN (HSM per request: KQ for chip, CY for stripe and ecom)"
: >"$T/runs.json"
for i in $(seq 1 "$REPEAT"); do
	for r in $RATES; do
		measure "r-$r" --rate "$r" --duration "${SECS}s"
	done
	measure max --inflight "$INFLIGHT" --duration "${MAXSECS}s" --deadline 1s
done
for r in $RATES; do
	summary "r-$r"
done
summary max
true
