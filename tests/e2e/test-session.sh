#!/bin/bash
# Session control (SignOn = yes, doc/architecture.md "Session control"),
# with the real gatewayd and scheme-sim playing the scheme:
#   1. a Connect link signs on by itself (mastercard 061), asks for the
#      scheme's stored advices (060), carries traffic, and takes the
#      scheme's sign-off (062);
#   2. a dead line (scheme-sim --echo-silent): EchoMisses unanswered
#      echoes close the connection, the slot reconnects and signs on again;
#   3. a planned stop (SIGTERM) signs off (062) before closing;
#   4. a Listen link of a gating profile answers 91 on a connection the
#      scheme has not signed on, and carries traffic once it has;
#   5. a link removed by a reload signs its connections off (062) first.
TEST=session
TEST_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

LP=$(free_port); SP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
genkey "$T/core.key"
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link mcout]
Profile = mastercard
Connect = 127.0.0.1:$LP
Framing = len4ascii
SignOn = yes
EchoInterval = 300ms
EchoMisses = 2

[Link mcin]
Profile = mastercard
Listen = 127.0.0.1:$SP
AllowFrom = 127.0.0.1
SignOn = yes

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
start_core a "$CP" "$T/core.key"
start_gw "$T/gw.conf"
wait_core_up a

m() { metric "gatewayd_link_$1{link=\"$2\"}"; }
sim_listen() {	# sim_listen NAME ARGS...: one scheme run on the Connect link
	local n=$1
	shift
	"$BIN/scheme-sim" scheme --listen 127.0.0.1:$LP --profile mastercard \
	    --framing len4ascii --no-progress --json "$T/$n.json" "$@" \
	    >"$T/$n.out" 2>&1
}

# 1. The gateway signs on; the scheme-sim does not (--no-signon).
sim_listen one --no-signon --rate 50 --duration 1s --hold 1s --signoff ||
    { cat "$T/one.out"; fail "run one reported errors"; }
grep -q 'event=netmgmt_answered conn=0 code=061' "$T/one.out" ||
    fail "scheme-sim never got the gateway's 061 sign-on"
grep -q 'event=netmgmt_answered conn=0 code=060' "$T/one.out" ||
    fail "scheme-sim never got the 060 stored-advices request"
grep -q 'event=session link=mcout .* to=signed_on reason=sign_on_answered' \
    "$T/gatewayd.log" || fail "gatewayd did not log its sign-on answered"
grep -q 'event=session link=mcout .* to=signed_off reason=scheme_sign_off' \
    "$T/gatewayd.log" || fail "gatewayd did not take the scheme's sign-off"
# Requests that beat the sign-on's answer are gated (91): a floor only.
n00=$(json_get "$T/one.json" "d['total']['by_rc'].get('00', 0)")
[ "$n00" -ge 25 ] || fail "run one: $n00 approvals of 50"
[ "$(m sign_on_ok_total mcout)" -ge 1 ] || fail "sign_on_ok_total not counted"
[ "$(m saf_requests_total mcout)" -ge 1 ] || fail "saf_requests_total not counted"

# 2. A dead line: the scheme stops answering echoes and sends nothing.
sim_listen two --count 1 --rate 10 --hold 30s --echo-silent >/dev/null
grep -q 'event=netmgmt_ignored conn=0 code=270' "$T/two.out" ||
    fail "no echo reached the silent scheme"
grep -q 'event=link_closed link=mcout .*reason=echo_unanswered' \
    "$T/gatewayd.log" || fail "dead line not closed"
[ "$(m echo_closed_total mcout)" = 1 ] || fail "echo_closed_total not 1"
ons=$(m sign_on_ok_total mcout)
# ... and the slot dials again and signs on again.
sim_listen three --no-signon --count 20 --rate 50 --hold 500ms ||
    { cat "$T/three.out"; fail "run three reported errors"; }
[ "$(m sign_on_ok_total mcout)" -gt "$ons" ] ||
    fail "no new sign-on after the reconnect"

# 4. Listen link: the profile gates requests on the scheme's sign-on.
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$SP --profile mastercard \
    --no-signon --count 10 --rate 100 --expect 91 --no-progress \
    --json "$T/gated.json" >"$T/gated.out" 2>&1 ||
    { cat "$T/gated.out"; fail "requests before sign-on not all 91"; }
[ "$(m gated_total mcin)" = 10 ] || fail "gated_total $(m gated_total mcin), want 10"
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$SP --profile mastercard \
    --count 10 --rate 100 --expect 00 --no-progress \
    --json "$T/open.json" >"$T/open.out" 2>&1 ||
    { cat "$T/open.out"; fail "requests after sign-on not all 00"; }

# 5. mcin removed by a reload while the scheme holds a signed-on line.
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$SP --profile mastercard \
    --count 1 --rate 10 --hold 30s --no-progress >"$T/removed.out" 2>&1 &
RSIM=$!
PIDS+=($RSIM)
for i in $(seq 1 200); do
	[ "$(m signed_on mcin)" = 1 ] && break
	sleep 0.05
done
[ "$(m signed_on mcin)" = 1 ] || fail "mcin never signed on"
python3 - "$T/gw.conf" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
a = s.index("[Link mcin]")
b = s.index("[Core a]")
open(p, "w").write(s[:a] + s[b:])
PY
ctl reload | grep -q 'removed=1' || fail "reload did not remove mcin"
wait "$RSIM"
grep -q 'event=netmgmt_answered conn=0 code=062' "$T/removed.out" ||
    fail "no 062 sign-off before the removed link closed"

# 3. A planned stop signs the Connect link off first.
sim_listen four --count 1 --rate 10 --hold 60s &
SIM=$!
PIDS+=($SIM)
for i in $(seq 1 200); do
	ctl links --json >"$T/links.json"
	[ "$(json_get "$T/links.json" "[l for l in d['links'] if l['name']=='mcout'][0]['signed_on']")" = True ] && break
	sleep 0.05
done
[ "$i" -lt 200 ] || fail "mcout never signed on for the stop"
json_get "$T/links.json" "[l for l in d['links'] if l['name']=='mcout'][0]['conns'][0]['session']" |
    grep -qx signed_on || fail "gatewayctl links: no session state"
kill -TERM "$GWPID"
wait "$GWPID"
wait "$SIM"
grep -q 'event=netmgmt_answered conn=0 code=062' "$T/four.out" ||
    fail "no 062 sign-off reached the scheme at the stop"
grep -q 'event=signed_off unanswered=0' "$T/gatewayd.log" ||
    fail "gatewayd did not wait for the sign-off's answer"
pass "gateway sign-on 061 + 060 SAF request, approvals=$n00/50, dead line closed after 2 echoes and signed on again, gated=10 before the scheme's sign-on, 062 at removal and at stop"
