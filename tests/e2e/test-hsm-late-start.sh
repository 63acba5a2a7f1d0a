#!/bin/bash
# Failing closed must not fail on an HSM that is merely a moment late:
# gatewayd (Durability = full) asks the HSM for an NC for up to 3 s at
# start, so an hsmd that starts 0.3 s after it — as when both are started
# together at boot — answers in time and gatewayd starts.  The same
# gatewayd with no hsmd at all is still refused (test-fail-closed).
TEST=hsm-late-start
. "$(dirname "$0")/lib.sh"

LP=$(free_port); METRICS=$(free_port)
genkey "$T/state.key"
"$BIN/hsmctl" lmk init --out "$T/lmk" >/dev/null || fail "lmk init"
{ gw_section; cat <<CONF; } >"$T/gw.conf"

[Link mc]
Profile = iso87
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
CONF
"$BIN/gatewayd" -d -f "$T/gw.conf" >"$T/gatewayd.log" 2>&1 &
GWPID=$!
PIDS+=($GWPID)
sleep 0.3
"$BIN/hsmd" --insecure-test-lmk --lmk "$T/lmk" -l "unix:$T/hsm.sock" >"$T/hsmd.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do
	ctl status >/dev/null 2>&1 && break
	kill -0 $GWPID 2>/dev/null || break
	sleep 0.1
done
if ! kill -0 $GWPID 2>/dev/null; then
	echo "   hsmd: $(head -1 "$T/hsmd.log" | cut -c1-100)"
	echo "   gatewayd: $(grep start_refused "$T/gatewayd.log" | cut -c1-160)"
	fail "gatewayd refused an HSM that was up 0.3 s after it started"
fi
ctl status --json >"$T/status.json" || fail "gatewayd did not come up"
[ "$(json_get "$T/status.json" "d['durability']")" = full ] || fail "not durable"
pass "hsmd 0.3 s late: gatewayd waited for its NC and started, durability full"
