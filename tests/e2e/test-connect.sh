#!/bin/bash
# A Connect link: gatewayd dials the scheme (scheme-sim scheme --listen)
# with two connections, retries with backoff while nobody listens, carries
# authorisations both ways of framing len4ascii, and reconnects after the
# scheme side goes away and comes back.
TEST=connect
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
genkey "$T/core.key"
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link mcout]
Profile = mastercard
Connect = 127.0.0.1:$LP
Connections = 2
Framing = len4ascii
Deadline = 40ms

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
Priority = 1
CONF
start_core a "$CP" "$T/core.key"
start_gw "$T/gw.conf"
wait_core_up a

# Nobody listens yet: connection refused, retried with backoff.
sleep 0.5
grep -q 'event=link_closed link=mcout' "$T/gatewayd.log" ||
    fail "no refused connect attempt logged"

run_scheme() {	# run_scheme NAME: one listening scheme run, 2 connections
	"$BIN/scheme-sim" scheme --listen 127.0.0.1:$LP --conns 2 \
	    --profile mastercard --framing len4ascii --rate 500 \
	    --duration 2s --deadline 40ms --json "$T/$1.json" \
	    --no-progress >"$T/$1.out" 2>&1 ||
	    { cat "$T/$1.out"; fail "scheme run $1 reported errors"; }
}
run_scheme first
n1=$(json_get "$T/first.json" "d['total']['received']")
[ "$n1" -ge 900 ] || fail "first run: $n1 responses, want about 1000"

# The scheme side closed both connections; gatewayd dials again.
run_scheme second
n2=$(json_get "$T/second.json" "d['total']['received']")
[ "$n2" -ge 900 ] || fail "second run: $n2 responses, want about 1000"

n00=$(metric 'gatewayd_requests_total{link="mcout",mti="0100",outcome="00",path="core"}')
[ "$n00" -ge $((n1 + n2 - 20)) ] ||
    fail "gateway metrics: $n00 core approvals for $n1 + $n2 responses"
ctl links --json >"$T/links.json"
nc=$(json_get "$T/links.json" "len(d['links'][0]['conns'])")
pass "responses=$n1+$n2 core_approvals=$n00 (dialled again after the scheme left; conns now $nc)"
