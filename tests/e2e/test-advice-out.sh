#!/bin/bash
# Scheme advices (0120) are acknowledged (0130) and forwarded to the core
# as ADVICE frames; core OUT_REQUESTs go out on the named link and the
# scheme's answer comes back as OUT_RESPONSE; an OUT_REQUEST for a link
# with no connection is answered DE39 91.
TEST=advice-out
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
genkey "$T/core.key"
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link plain]
Profile = iso87
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1

[Link idle]
Profile = iso87
Listen = 127.0.0.1:$(free_port)
AllowFrom = 127.0.0.1
CONF
cat >"$T/out.json" <<'J'
{"mti":"0200","fields":{"2":"4000000000000002","3":"260000","4":"000000012345","7":"1123001122","11":"424242","32":"005037","37":"OUT000000001","41":"TERM0001","42":"SIMMERCHANT0001","49":"826"}}
J
start_gw "$T/gw.conf"
# The core starts once the scheme is connected, so its OUT_REQUESTs
# find the link up (it sends them when it first hears the gateway).
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
    --rate 200 --duration 3s --advice-every 4 --expect 00,91 \
    --answer-rc 00 --no-progress >"$T/scheme.out" 2>&1 &
SP=$!
sleep 0.5
start_core a "$CP" "$T/core.key" --record "$T/record.jsonl" \
    --out-request plain:"$T/out.json" --out-request idle:"$T/out.json"
cat >>"$T/gw.conf" <<CONF

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
ctl reload >/dev/null || fail "reload adding the core failed"
wait_core_up a
wait $SP || { cat "$T/scheme.out"; fail "scheme-sim scheme reported errors"; }
sleep 0.3
kill -INT $CORE_a_PID; wait $CORE_a_PID 2>/dev/null
grep -E "DE39|errors" "$T/scheme.out" | sed 's/^/   /'
adv=$(grep -c '"ADVICE"\|"advice' "$T/record.jsonl" || true)
[ "${adv:-0}" -gt 0 ] || { head -3 "$T/record.jsonl"; fail "no advice reached the core"; }
acks=$(metric 'gatewayd_requests_total{link="plain",mti="0120",outcome="00",path="local"}')
[ "$acks" -gt 0 ] || fail "no 0130 acknowledgements counted"
ok=$(metric 'gatewayd_requests_total{link="plain",mti="0200",outcome="00",path="out"}')
down=$(metric 'gatewayd_requests_total{link="idle",mti="0200",outcome="91",path="out"}')
[ "$ok" -ge 1 ] || { grep -i out "$T/record.jsonl" | head; fail "OUT_REQUEST on plain not answered 00"; }
[ "$down" -ge 1 ] || fail "OUT_REQUEST on the idle link not answered 91"
pass "advices acked=$acks recorded=$adv; out ok=$ok, out link-down 91=$down"
