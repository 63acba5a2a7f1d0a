#!/bin/bash
# An OUT_REQUEST is sent to the scheme once, across gatewayd crashes
# (ARCHITECTURE section 4: a corr_id seen within FreshWindow is not sent
# again; gateway/standin/outrec.c keeps them in the store).  The real
# gatewayd with a store, coretap between it and scheme-sim core, which
# sends one OUT_REQUEST for link "out" (a scheme-sim scheme listening):
#   1. in flight: the scheme holds the 0200; gatewayd is killed (SIGKILL)
#      and restarted; the core's retry (the captured request sealed anew,
#      same corr_id) gets 91 and no second 0200 reaches the scheme; the
#      request goes to the outbound saf, whose repeat (0201) does;
#   2. answered: a new core sends another OUT_REQUEST, the scheme answers
#      00; SIGKILL, restart; the retry gets the same OUT_RESPONSE, byte
#      for byte, and the scheme sees no second 0200;
#   3. seen again late in its FreshWindow (10s here), and gatewayd
#      restarted once the window counted from the first answer is over:
#      the retry still gets the same answer, no second 0200;
#   4. the records are sealed (no PAN, no DE11 in the clear on disk).
TEST=outreq-restart
TEST_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

SP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
TA=$(free_port udp); GA=$(free_port udp)
genkey "$T/core.key"
genkey "$T/state.key"
{ gw_head; cat <<CONF; } >"$T/gw.conf"
StateDirectory = $T/state
StateKeyFile = $T/state.key

[Link out]
Profile = iso87
Connect = 127.0.0.1:$SP
OutTimeout = 5s
OutRepeats = 1

[Core a]
Address = 127.0.0.1:$TA
Bind = 127.0.0.1:$GA
KeyFile = $T/core.key
Priority = 1
FreshWindow = 10s
CONF
out_json() {	# out_json DE11 DE37
	cat >"$T/out.json" <<J
{"mti":"0200","fields":{"2":"4000000000000002","3":"260000","4":"000000012345","7":"1206120000","11":"$1","32":"005037","37":"$2","41":"TERM0001","42":"SIMMERCHANT0001","49":"826"}}
J
}
core() {	# core: scheme-sim core sending one OUT_REQUEST, from out.json
	[ -n "${CPID:-}" ] && { kill "$CPID"; wait "$CPID" 2>/dev/null; }
	start_core a "$CP" "$T/core.key" --out-request out:"$T/out.json"
	CPID=$CORE_a_PID
}
# capture: the next OUT_REQUEST coretap sees from the core after line N;
# sets CAP and CORR.
capture() {
	local l
	l=$(tap_wait '^core 0 OUT_REQUEST ' "$1") || fail "$l"
	set -- $l
	CORR=${4#corr=}
	CAP=${5#cap=}
}
outresp() {	# outresp FROMLINE: "de39=.. body=HASH" of the next OUT_RESPONSE
	local l
	l=$(tap_wait "^gw 0 OUT_RESPONSE corr=$CORR " "$1") || fail "$l"
	echo "${l#* de39=}"
}
crash() {	# crash [SCHEME ARGS...]: SIGKILL, a new scheme-sim, restart
	kill -9 "$GWPID"
	wait "$GWPID" 2>/dev/null
	if [ $# -gt 0 ]; then
		kill -9 "$SIM" 2>/dev/null
		wait "$SIM" 2>/dev/null
		scheme_listen "$@"
	fi
	start_gw "$T/gw.conf"
	wait_core_up a
}
n0200() {	# n0200 FILE: the 0200s a scheme-sim scheme received
	grep -cE 'event=incoming_(held|answered) conn=[0-9]+ mti=0200' "$1"
}

start_tap "$T/core.key" "$CP" "$TA"

# 1. In flight at the crash.
out_json 424242 OUT000000001
scheme_listen one --hold-out 9 --hold 60s
start_gw "$T/gw.conf"
wait_log "$T/one.out" 'event=signed_on'
n=$(tap_lines)
core
capture "$n"
wait_log "$T/one.out" 'event=incoming_held conn=0 mti=0200'
crash one-b --hold-out 9 --hold 60s
grep -q "event=out_request_restored corr=$CORR " "$T/gatewayd.log" ||
    fail "the in-flight request was not read back"
n=$(tap_lines)
tap reseal "$CAP" 0
r1=$(outresp "$n")
echo "   in flight at the crash: corr=$CORR retry answered de39=$r1"
[ "${r1%% *}" = 91 ] || fail "the retry after the crash got $r1, want 91"
wait_log "$T/one-b.out" 'event=incoming_held conn=[0-9]+ mti=0201'
sleep 0.5
m=$(( $(n0200 "$T/one.out") + $(n0200 "$T/one-b.out") ))
[ "$m" = 1 ] || fail "the scheme received $m 0200s for one OUT_REQUEST, want 1"
kill -9 "$SIM"; wait "$SIM" 2>/dev/null

# 2. Answered before the crash.
out_json 515151 OUT000000002
scheme_listen two --hold 60s
wait_log "$T/two.out" 'event=signed_on'
n=$(tap_lines)
core
capture "$n"
first=$(outresp "$n")
[ "${first%% *}" = 00 ] || fail "the scheme's answer was not 00: $first"
crash two-b --hold 60s
n=$(tap_lines)
tap reseal "$CAP" 0
again=$(outresp "$n")
echo "   answered before the crash: corr=$CORR first $first, retry $again"
[ "$again" = "$first" ] || fail "the retry after the crash got another OUT_RESPONSE"
sleep 0.5
m=$(( $(n0200 "$T/two.out") + $(n0200 "$T/two-b.out") ))
[ "$m" = 1 ] || fail "the scheme received $m 0200s for one OUT_REQUEST, want 1"

# 3. Seen again late in its window, then a restart after the window
# counted from the first answer: still remembered (FreshWindow from the
# last time it was seen), answered the same, never sent again.
sleep 6
n=$(tap_lines)
tap reseal "$CAP" 0
late=$(outresp "$n")
[ "$late" = "$first" ] || fail "the retry 6 s on got another OUT_RESPONSE"
sleep 5
crash two-c --hold 60s
n=$(tap_lines)
tap reseal "$CAP" 0
after=$(outresp "$n")
echo "   seen again 6 s on, restarted 11 s on (FreshWindow 10s): retry $after"
[ "$after" = "$first" ] || fail "the retry after the window's restart got $after"
sleep 0.5
m=$(( $(n0200 "$T/two.out") + $(n0200 "$T/two-b.out") + $(n0200 "$T/two-c.out") ))
[ "$m" = 1 ] || fail "the scheme received $m 0200s for one OUT_REQUEST, want 1"

# 4. Sealed at rest.
for s in 4000000000000002 515151 OUT000000002; do
	grep -rqa "$s" "$T/state" && fail "$s in the clear under StateDirectory"
done
pass "in flight at a SIGKILL: retry answered 91, repeated (0201) by the outbound saf; answered: the same OUT_RESPONSE after a SIGKILL, and after one past the window of its first answer; one 0200 each at the scheme"
