#!/bin/bash
# Sign-on, echo and authorisations through the core: approvals (00) and
# declines (51 over an amount) come back from scheme-sim core via
# gatewayd, with the echoed fields checked by scheme-sim scheme.
TEST=approve-decline
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
genkey "$T/core.key"
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link mc]
Profile = mastercard
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Framing = len2
Deadline = 40ms
EchoInterval = 300ms

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
Priority = 1
CONF
start_core a "$CP" "$T/core.key" --decline-over 50000
start_gw "$T/gw.conf"
wait_core_up a

"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile mastercard \
    --rate 1000 --duration 3s --deadline 40ms --amount 30000 \
    --amount-step 5000 --expect 00,51 --json "$T/scheme.json" \
    --no-progress >"$T/scheme.out" 2>&1 &
SP=$!
sleep 1.5
# Signed on while the scheme is connected; the gateway's idle echo is
# not expected under load, but link state must show.
ctl links --json >"$T/links.json"
signed=$(json_get "$T/links.json" "d['links'][0]['signed_on']")
wait $SP || { cat "$T/scheme.out"; fail "scheme-sim scheme reported errors"; }
[ "$signed" = True ] || fail "link not signed on during the run"

grep -E "DE39|errors|latency|deadline" "$T/scheme.out" | sed 's/^/   /'
n00=$(metric 'gatewayd_requests_total{link="mc",mti="0100",outcome="00",path="core"}')
n51=$(metric 'gatewayd_requests_total{link="mc",mti="0100",outcome="51",path="core"}')
nso=$(metric 'gatewayd_requests_total{link="mc",mti="0800",outcome="00",path="local"}')
[ "$n00" -gt 0 ] || fail "no approvals through the core (metrics)"
[ "$n51" -gt 0 ] || fail "no declines through the core (metrics)"
[ "$nso" -ge 1 ] || fail "sign-on not answered locally (metrics)"

# Echo from the scheme side: an idle connection gets the gateway's echo
# (EchoInterval 300ms) and the sim answers it.
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile mastercard \
    --rate 1 --duration 2.5s --expect 00,51 --no-progress \
    >"$T/scheme-idle.out" 2>&1 || { cat "$T/scheme-idle.out"; fail "idle run"; }
ctl links --json >"$T/links2.json"
eok=$(json_get "$T/links2.json" "d['links'][0]['echo_ok']")
[ "$eok" -ge 1 ] || fail "gateway echo on the idle line not answered (echo_ok=$eok)"
pass "approvals=$n00 declines=$n51 signon=$nso echo_ok=$eok"
