#!/bin/bash
# A scheme with a line to each of two gateways (two colos, one core):
# scheme-sim scheme --connect A --connect B spreads the load over both;
# gateway A is killed with SIGKILL mid-run; the requests A had in flight
# go again to B at once (retransmissions), B answers the rest of the run,
# and nothing is lost: no timeouts, no double answers.
TEST=scheme-failover
. "$(dirname "$0")/lib.sh"

LA=$(free_port); LB=$(free_port); CP=$(free_port udp)
MA=$(free_port); MB=$(free_port); METRICS=$MA
genkey "$T/core.key"

# gw_conf NAME LINKPORT METRICSPORT: one appliance; only what must
# differ between the two differs (name, control socket, metrics, link).
gw_conf() {
	cat <<CONF
[Gateway]
Name = e2e-$1
ControlSocket = $T/ctl-$1.sock
Metrics = 127.0.0.1:$3
Durability = none

[Link mc]
Profile = iso87
Listen = 127.0.0.1:$2
AllowFrom = 127.0.0.1
Deadline = 200ms

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
}
gw_conf a "$LA" "$MA" >"$T/gw-a.conf"
gw_conf b "$LB" "$MB" >"$T/gw-b.conf"

# The core answers after 50 ms, so at 300/s some requests (about 7 on
# each gateway) are in flight whenever A is killed.
start_core a "$CP" "$T/core.key" --delay 50ms

# start_gw knows one gateway ($T/ctl.sock, $GWPID): these have their own.
start_one() {	# start_one NAME: its pid in GW_<NAME>
	start_named "$1" "$T/gw-$1.conf" "$T/ctl-$1.sock" "$T/gatewayd-$1.log"
}
# core_up NAME: gateway NAME has the core up.
core_up() {
	local i
	for i in $(seq 1 100); do
		"$BIN/gatewayctl" -s "$T/ctl-$1.sock" cores --json | python3 -c "
import json,sys
sys.exit(0 if any(c['state']=='up' for c in json.load(sys.stdin)['cores']) else 1)" && return 0
		sleep 0.05
	done
	fail "gateway $1: core never came up"
}
start_one a
start_one b
core_up a
core_up b

"$BIN/scheme-sim" scheme --connect gw-a=127.0.0.1:$LA \
    --connect gw-b=127.0.0.1:$LB --rate 300 --duration 4s --timeout 2s \
    --json "$T/scheme.json" --record-answers "$T/answers" --no-progress \
    >"$T/scheme.out" 2>"$T/scheme.log" &
SP=$!
sleep 1.5
kill -9 "$GW_a"
wait "$GW_a" 2>/dev/null
wait $SP
rc=$?
sed 's/^/   /' "$T/scheme.out"
[ $rc = 0 ] || { grep -v '^t=' "$T/scheme.log" | tail -20; fail "scheme-sim exit $rc"; }

python3 - "$T" <<'PY' || fail "failover accounting (see above)"
import json, sys
T = sys.argv[1]
d = json.load(open(T + "/scheme.json"))
tot, gw = d["total"], {g["name"]: g for g in d["appliances"]}
bad = []
if tot["sent"] == 0 or tot["received"] != tot["sent"]:
    bad.append("sent %d, answered %d" % (tot["sent"], tot["received"]))
if tot["errors"]["timeout"] != 0:
    bad.append("%d timeouts" % tot["errors"]["timeout"])
if gw["gw-a"]["conn_losses"] < 1:
    bad.append("gw-a: no connection loss counted")
if gw["gw-a"]["answered"] == 0 or gw["gw-b"]["answered"] == 0:
    bad.append("both appliances should have answered")
if d["failovers"] < 0 or d["double_answers"] != 0:
    bad.append("failovers %d double_answers %d" % (d["failovers"],
               d["double_answers"]))
if gw["gw-a"]["answered"] + gw["gw-b"]["answered"] != tot["received"]:
    bad.append("per-appliance answers do not add up")
# Every request recorded once, by its first answer.
keys = [tuple(l.split()[:3]) for l in open(T + "/answers")]
if len(keys) != len(set(keys)) or len(keys) != tot["received"]:
    bad.append("answers file: %d lines, %d distinct" % (len(keys),
               len(set(keys))))
print("   failovers=%d gw-a answered %d, gw-b answered %d" % (
    d["failovers"], gw["gw-a"]["answered"], gw["gw-b"]["answered"]))
for b in bad:
    print("   " + b)
sys.exit(1 if bad else 0)
PY

# B went on answering after A died: its approvals (metrics) grew after
# the kill, and B took more than half of the load.
nb=$(curl -s "http://127.0.0.1:$MB/metrics" | awk '$1 ~ /^gatewayd_requests_total\{link="mc",mti="0100",outcome="00"/ {n += $2} END {print n+0}')
sb=$(json_get "$T/scheme.json" "[g['answered'] for g in d['appliances'] if g['name']=='gw-b'][0]")
[ "$nb" -ge "$sb" ] || fail "gateway b counted $nb approvals, the scheme $sb"
st=$(json_get "$T/scheme.json" "d['total']['received']")
[ $((sb * 2)) -gt "$st" ] || fail "gw-b answered $sb of $st: no load after the kill"
grep -q "event=reconnected gw=gw-a" "$T/scheme.log" && fail "reconnected to a dead gateway"
grep -q "event=conn_lost conn=0 .*gw=gw-a" "$T/scheme.log" || fail "loss of gw-a not logged"
pass "$(json_get "$T/scheme.json" "'failovers=%d' % d['failovers']")"
