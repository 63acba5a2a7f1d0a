#!/usr/bin/env bash
# bench-outsaf.sh — a burst of outbound timeouts beside the relay.  The
# core sends BENCH_OUT (250) OUT_REQUESTs on link "out", which the scheme
# holds unanswered; they time out together (OutTimeout 2s) and go to the
# outbound saf (91 to the core, repeat, reversal), while link "mc" relays
# 1,000 authorisations a second to the core for 6 s.  Printed, beside
# the same load with no OUT_REQUEST (the floor):
#   outsaf_burst out=N p99_us=.. max_us=.. late=.. outbound_sent=..
#   outsaf_floor out=0 p99_us=.. max_us=.. late=..
# late: relay answers after the 40 ms deadline (goal 0).  The entries'
# writes go through the store's writer (gateway/outsaf.c); they were a
# file and two fsyncs each on the loop.
set -u
cd "$(dirname "$0")/../.."
TEST=bench-outsaf
TEST_TIMEOUT=150
. tests/e2e/lib.sh
OUTN=${BENCH_OUT:-250}

SP=$(free_port); LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
start_hsm 1
{ standin_conf; cat <<CONF; } >"$T/gw.conf"

[Link out]
Profile = iso87
Connect = 127.0.0.1:$SP
OutTimeout = 2s
OutRepeats = 1
CONF

# one N: gatewayd afresh, N OUT_REQUESTs (distinct DE11), the load
one() {
	local n=$1 i args=() line
	for i in $(seq 1 "$n"); do
		printf '{"mti":"0200","fields":{"2":"4000000000000002","3":"260000","4":"000000012345","7":"1206120000","11":"%06d","32":"005037","37":"OUT%09d","41":"TERM0001","42":"SIMMERCHANT0001","49":"826"}}\n' \
		    "$i" "$i" >"$T/out$i.json"
		args+=(--out-request out:"$T/out$i.json")
	done
	rm -rf "$T/state"
	scheme_listen sch$n --hold-out $((n * 3 + 1)) --hold 60s
	start_gw "$T/gw.conf"
	wait_log "$T/sch$n.out" 'event=signed_on'
	start_core a "$CP" "$T/core.key" "${args[@]}"
	wait_core_up a
	"$BIN/scheme-sim" scheme --connect 127.0.0.1:"$LP" --profile iso87 \
	    --rate 1000 --duration 6s --deadline 40ms --expect 00,51,91 \
	    --no-progress >"$T/load$n.out" 2>&1
	ctl saf --json >"$T/saf$n.json"
	line=$(grep -E 'latency_us:' "$T/load$n.out" | head -1)
	printf '%s out=%d p99_us=%s max_us=%s late=%s' \
	    "$([ "$n" = 0 ] && echo outsaf_floor || echo outsaf_burst)" "$n" \
	    "$(sed -n 's/.* p99=\([0-9.]*\).*/\1/p' <<<"$line")" \
	    "$(sed -n 's/.* max=\([0-9.]*\).*/\1/p' <<<"$line")" \
	    "$(sed -n 's/.*misses=\([0-9]*\).*/\1/p' "$T/load$n.out" | head -1)"
	[ "$n" = 0 ] && echo ||
	    echo " outbound_sent=$(json_get "$T/saf$n.json" "d['outbound']['sent']")"
	kill "$GWPID" "$SIM" "$CORE_a_PID" 2>/dev/null
	wait "$GWPID" "$SIM" "$CORE_a_PID" 2>/dev/null
}

one "$OUTN"
one 0
pass "outbound burst measured" >/dev/null
