#!/bin/bash
# Connection abuse on a Listen link (issue 14): more idle sockets than
# MaxConnections, slowloris partial frames, oversize length prefixes, a
# peer that stops answering echoes, and a Connect link whose peer goes
# deaf.  Each is closed by its limit, counted and logged with the peer,
# while the scheme's own connection is answered within its deadline, and
# a new scheme connection gets in within FirstFrameTimeout.
TEST=abuse-conn
TEST_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); DP=$(free_port); METRICS=$(free_port)
A="python3 $ROOT/tests/e2e/abuse.py"
genkey "$T/core.key"
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link mc]
Profile = iso87
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Deadline = 40ms
MaxConnections = 6
FirstFrameTimeout = 1s
FrameTimeout = 1s
EchoInterval = 500ms
EchoMisses = 2

[Link out]
Profile = iso87
Connect = 127.0.0.1:$DP
EchoInterval = 300ms
EchoMisses = 2

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
start_core a "$CP" "$T/core.key"
# The deaf scheme endpoint is up before the gateway dials it.
$A deafpeer "$BIN" 127.0.0.1 0 "$DP" 6 >"$T/deaf.out" 2>&1 &
DEAF=$!
PIDS+=($DEAF)
start_gw "$T/gw.conf"
wait_core_up a
m() { metric "gatewayd_link_$1{link=\"mc\"}"; }

# The scheme's own connection, asking throughout.
$A probe "$BIN" 127.0.0.1 "$LP" 60 "$T/stop" >"$T/probe.out" 2>&1 &
PROBE=$!
PIDS+=($PROBE)
sleep 0.5

# 1. Idle flood: 12 sockets at a link of 6 (the probe holds one): 5 held
#    until FirstFrameTimeout, the rest refused at once; the scheme's new
#    connection, retrying, is in by FirstFrameTimeout at most.
$A idle "$BIN" 127.0.0.1 "$LP" 12 4 >"$T/idle.out" 2>&1 &
IDLE=$!
sleep 0.2
in=$($A schemein "$BIN" 127.0.0.1 "$LP" 3) || fail "$in"
wait $IDLE
idle=$(cat "$T/idle.out")
echo "   $idle"
echo "   $in"
waited=$(echo "$in" | sed 's/.*waited_s=\([0-9.]*\).*/\1/')
lat=$(echo "$in" | sed 's/.*latency_ms=\([0-9.]*\).*/\1/')
awk -v w="$waited" 'BEGIN { exit !(w <= 1.6) }' ||
    fail "scheme waited ${waited}s for a slot (FirstFrameTimeout 1s)"
awk -v l="$lat" 'BEGIN { exit !(l < 40) }' || fail "scheme answered in ${lat}ms"
echo "$idle" | grep -q 'still_open=0' || fail "idle sockets still open: $idle"
ff=$(m first_frame_timeouts_total)
[ "$ff" -ge 5 ] || fail "first_frame_timeouts_total=$ff, want >= 5"
grep -q 'event=link_closed link=mc conn=[0-9]* peer=127.0.0.1:[0-9]* reason=first_frame_timeout limit=1' \
    "$T/gatewayd.log" || fail "first-frame close not logged with the peer"

# 2. Slowloris: frames begun and fed a byte at a time, closed by
#    FrameTimeout (1s).
sl=$($A slowloris "$BIN" 127.0.0.1 "$LP" 3) || fail "$sl"
echo "   $sl"
echo "$sl" | grep -q 'closed=3 ' || fail "slowloris peers not all closed: $sl"
slt=$(echo "$sl" | sed 's/.*closed_after_max_s=//')
awk -v t="$slt" 'BEGIN { exit !(t <= 1.8) }' || fail "slowloris held ${slt}s"
[ "$(m frame_timeouts_total)" -ge 3 ] || fail "frame timeouts not counted"

# 3. Oversize and empty length prefixes: framing lost, closed, counted.
bf0=$(m bad_frames_total)
ov=$($A oversize "$BIN" 127.0.0.1 "$LP" 6) || fail "$ov"
echo "   $ov"
bf=$(( $(m bad_frames_total) - bf0 ))
[ "$bf" = 6 ] || fail "bad frames counted $bf, want 6"

# 4. A signed-on peer that answers no echo: closed after EchoMisses (2)
#    echoes of EchoInterval (500ms) each went unanswered.
ec=$($A echo "$BIN" 127.0.0.1 "$LP") || fail "$ec"
echo "   $ec"
t=$(echo "$ec" | sed 's/.*closed_after_s=//')
awk -v t="$t" 'BEGIN { exit !(t >= 1.0 && t <= 2.5) }' ||
    fail "deaf peer closed after ${t}s, want about 1.5s"
[ "$(m echo_closed_total)" -ge 1 ] || fail "echo close not counted"

# 5. The Connect link's deaf peer: closed after 2 misses, dialled again.
wait $DEAF
deaf=$(cat "$T/deaf.out" | tail -1)
echo "   $deaf"
n=$(echo "$deaf" | sed 's/.*accepts=\([0-9]*\).*/\1/')
[ "$n" -ge 3 ] || fail "Connect link did not redial its deaf peer: $deaf"
oc=$(metric 'gatewayd_link_echo_closed_total{link="out"}')

touch "$T/stop"
wait $PROBE || fail "probe: $(cat "$T/probe.out")"
probe=$(cat "$T/probe.out")
echo "   $probe"
max=$(echo "$probe" | sed 's/.*max_ms=\([0-9.]*\).*/\1/')
awk -v l="$max" 'BEGIN { exit !(l < 40) }' ||
    fail "a legitimate request took ${max}ms (Deadline 40ms)"
echo "$probe" | grep -q 'rc=00:' || fail "probe not approved: $probe"
ctl links | grep -q 'limits: .*first_frame_timeouts=[1-9]' ||
    fail "gatewayctl links does not show the limits"
pass "idle flood: scheme in after ${waited}s, answered in ${lat}ms; slowloris closed after <= ${slt}s; oversize: $bf closed; echo-deaf peer closed after ${t}s, Connect link redialled ($n accepts, $oc echo closes); legit $(echo "$probe" | sed 's/probe //')"
