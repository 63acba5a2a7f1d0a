#!/bin/bash
# An OUT_REQUEST in flight on a link a reload removes (gateway/outreq.c
# outreq_link_gone).  The real gatewayd with a store, scheme-sim core
# sending one OUT_REQUEST (a 0200) for link "out", scheme-sim scheme
# holding it unanswered:
#   1. the link is removed by SIGHUP: the core is answered 91 at once, and
#      since the scheme had the request (it may have acted on it) the
#      request goes to the outbound saf under the link's name, durably;
#   2. the entry waits, shown by gatewayctl saf, while the link is gone;
#   3. the link is added back by gatewayctl reload: the repeat (0201)
#      reaches the scheme, which answers it; the core is advised
#      out-answered and the queue is empty.
TEST=outreq-link-gone
TEST_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

SP=$(free_port); LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
start_hsm 1
conf() {	# conf with|without: the gateway, with link "out" or not
	{
		standin_conf
		[ "$1" = with ] && cat <<CONF

[Link out]
Profile = iso87
Connect = 127.0.0.1:$SP
OutTimeout = 30s
OutRepeats = 1
CONF
	} >"$T/gw.conf"
}
cat >"$T/out.json" <<'J'
{"mti":"0200","fields":{"2":"4000000000000002","3":"260000","4":"000000012345","7":"1206120000","11":"515151","32":"005037","37":"OUT000000002","41":"TERM0001","42":"SIMMERCHANT0001","49":"826"}}
J
saf_json() {
	ctl saf --json >"$T/saf.json"
	json_get "$T/saf.json" "$1"
}

conf with
scheme_listen one --hold-out 1 --hold 60s
start_gw "$T/gw.conf"
wait_log "$T/one.out" 'event=signed_on'
start_core a "$CP" "$T/core.key" --record "$T/record.jsonl" \
    --out-request out:"$T/out.json"
wait_log "$T/one.out" 'event=incoming_held conn=0 mti=0200'

# 1. The link goes while the scheme holds the request.
conf without
kill -HUP "$GWPID"
wait_log "$T/gatewayd.log" 'event=out_request_failed .* reason=link_removed'
for i in $(seq 1 100); do
	grep -q '"0210"' "$T/record.jsonl" 2>/dev/null && break
	sleep 0.05
done
grep -q '"0210"' "$T/record.jsonl" || fail "the core was not answered (91)"
[ "$(saf_json "d['outbound']['depth']")" = 1 ] ||
    fail "the request the scheme had is not in the outbound saf"
[ "$(saf_json "d['outbound']['entries'][0]['link']")" = out ] ||
    fail "the entry does not name the removed link"
! grep -q 515151 "$T/state"/*.mdb || fail "the entry is not sealed"
kill "$SIM" 2>/dev/null; wait "$SIM" 2>/dev/null

# 2. Gone, the entry waits; 3. the link back, the repeat goes.
sleep 0.5
[ "$(saf_json "d['outbound']['depth']")" = 1 ] || fail "the entry went"
conf with
scheme_listen two --hold 60s
ctl reload >/dev/null || fail "reload adding the link back refused"
wait_log "$T/two.out" 'event=incoming_answered conn=0 mti=0201'
for i in $(seq 1 200); do
	[ "$(saf_json "d['outbound']['depth']")" = 0 ] && break
	sleep 0.05
done
[ "$(saf_json "d['outbound']['depth']")" = 0 ] ||
    fail "the answered repeat did not empty the queue"
for i in $(seq 1 200); do
	grep -q 'out-answered' "$T/record.jsonl" && break
	sleep 0.05
done
grep -q 'out-answered' "$T/record.jsonl" || fail "the core never heard out-answered"
pass "0200 in flight when its link was removed: 91 to the core, queued durably under the link, repeated (0201) once the link was back and answered, core advised out-answered"
