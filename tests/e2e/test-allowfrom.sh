#!/bin/bash
# A Listen link accepts only AllowFrom sources: others are closed at once
# (before a byte is read) and counted.
TEST=allowfrom
. "$(dirname "$0")/lib.sh"

LP=$(free_port); METRICS=$(free_port)
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link plain]
Profile = iso87
Listen = 0.0.0.0:$LP
AllowFrom = 127.0.0.2, 10.9.0.0/16
CONF
start_gw "$T/gw.conf"
out=$(python3 "$ROOT/tests/e2e/isopeer.py" refused "$BIN" 127.0.0.1 "$LP" 127.0.0.1) \
    || fail "$out"
echo "   $out"
out=$(python3 "$ROOT/tests/e2e/isopeer.py" allowed "$BIN" 127.0.0.1 "$LP" 127.0.0.2) \
    || fail "$out"
echo "   $out"
r=$(metric 'gatewayd_link_connections_refused_total{link="plain"}')
[ "$r" = 1 ] || fail "want 1 refused connection counted, got $r"
grep -q 'event=connection_refused link=plain peer=127.0.0.1' "$T/gatewayd.log" \
    || fail "refusal not logged"
pass "unlisted source refused and counted, listed source served"
