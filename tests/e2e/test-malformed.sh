#!/bin/bash
# Malformed ISO 8583 from the scheme: answered DE39 30 where the MTI and
# the fields before the damage are readable, dropped otherwise; the
# connection survives either way.
TEST=malformed
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
genkey "$T/core.key"
plain_conf >"$T/gw.conf"
start_core a "$CP" "$T/core.key"
start_gw "$T/gw.conf"
wait_core_up a
out=$(python3 "$ROOT/tests/e2e/isopeer.py" malformed "$BIN" 127.0.0.1 "$LP") \
    || fail "$out"
echo "   $out"
bad=$(metric 'gatewayd_link_bad_messages_total{link="plain"}')
[ "$bad" = 3 ] || fail "want 3 bad messages counted, got $bad"
n30=$(metric 'gatewayd_requests_total{link="plain",mti="0100",outcome="30",path="local"}')
[ "$n30" = 2 ] || fail "want 2 format-error answers, got $n30"
# No full PAN in the logs, ever.
if grep -q 5413330000000019 "$T/gatewayd.log"; then fail "full PAN in the log"; fi
pass "bad=$bad answered30=$n30"
