#!/bin/bash
# A full LMDB map: stand-in declines 91 with a log line and a metric,
# every approval already given stays durable and queued, and once the
# core is back the advices it holds are delivered (none lost).
TEST=standin-mapfull
TEST_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
start_hsm 200
standin_conf >"$T/gw.conf"
start_core a "$CP" "$T/core.key" --cards "$T/portfolio" \
    --record "$T/advices.jsonl"
export GATEWAYD_STORE_MAPSIZE=$((2 * 1024 * 1024))	# 2 MiB
start_gw "$T/gw.conf"
wait_core_up a
wait_snapshot a
blackhole_core a

"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
    --portfolio "$T/portfolio" --rate 1000 --duration 6s --amount 100 \
    --expect 00,91 --no-progress --json "$T/scheme.json" \
    >"$T/scheme.out" 2>&1 || fail "scheme-sim: $(tail -3 "$T/scheme.out")"
full=$(metric gatewayd_standin_store_full_total)
[ "$full" -gt 0 ] || fail "the map never filled (metric 0)"
grep -q "event=standin_store_full" "$T/gatewayd.log" || fail "no log line"
# the operator was told while there was room (at 80, 90, 95% used;
# at this rate into 2 MiB steps can be passed between two checks)
first_warn=$(grep -n "event=standin_store_filling used_pct=" \
    "$T/gatewayd.log" | head -1 | cut -d: -f1)
first_full=$(grep -n "event=standin_store_full" "$T/gatewayd.log" |
    head -1 | cut -d: -f1)
[ -n "$first_warn" ] && [ "$first_warn" -lt "$first_full" ] ||
    fail "no event=standin_store_filling before the first full map"
seen=$(json_get "$T/scheme.json" "d['total']['approved']['other']")
ctl standin --json >"$T/si.json"
appr=$(json_get "$T/si.json" "d['authoriser']['approvals']")
[ "$seen" = "$appr" ] || fail "scheme saw $seen approvals, gateway holds $appr"

kill -USR2 "$CORE_a_PID"
wait_core_up a
for i in $(seq 1 200); do
	n=$(python3 -c "
import json
ids=set()
for l in open('$T/advices.jsonl'):
    d=json.loads(l)
    if d.get('kind')=='advice' and d.get('standin_de39')=='00': ids.add(d['advice_id'])
print(len(ids))" 2>/dev/null)
	[ "${n:-0}" -ge "$appr" ] && break
	sleep 0.1
done
[ "${n:-0}" = "$appr" ] || fail "core got $n approvals of $appr"
pass "map full $full times (declined 91, warned before it filled); $appr approvals kept and delivered"
