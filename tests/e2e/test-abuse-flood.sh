#!/bin/bash
# Volume abuse (issue 14): a peer that sends requests and never reads its
# answers (the gateway's RSS stays bounded: reads stop at OutputCap, the
# connection is closed after StallTimeout), 60 MB of 0800s (log lines
# bounded by LogRateLimit), a burst over MaxInFlight (91 at once, within
# the deadline), garbage UDP at the core socket from foreign sources
# (dropped), and the control socket from an unprivileged uid (refused:
# the socket is owner-only).  The scheme's own connection is answered
# within its deadline throughout.
TEST=abuse-flood
TEST_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

LP=$(free_port); BP=$(free_port); CP=$(free_port udp); GP=$(free_port udp)
METRICS=$(free_port)
A="python3 $ROOT/tests/e2e/abuse.py"
# OutputCap (1 MiB) plus what the gateway holds anyway (about 4 MB).
RSS_BOUND_KB=$((16 * 1024))
LOG_BOUND=2000
genkey "$T/core.key"
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link mc]
Profile = iso87
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Deadline = 40ms
StallTimeout = 2s

[Link burst]
Profile = iso87
Listen = 127.0.0.1:$BP
AllowFrom = 127.0.0.1
Deadline = 40ms
MaxInFlight = 8

[Core a]
Address = 127.0.0.1:$CP
Bind = 127.0.0.1:$GP
KeyFile = $T/core.key
CONF
# The core takes 5 ms: requests stay in flight long enough to be counted.
start_core a "$CP" "$T/core.key" --delay 5ms
start_gw "$T/gw.conf"
wait_core_up a
rss() { awk '/^VmRSS/ {print $2}' "/proc/$GWPID/status"; }
rss0=$(rss)
# The peak, sampled every 50 ms while the attacks run.
( peak=0; while [ ! -e "$T/stop" ]; do
	v=$(awk '/^VmRSS/ {print $2}' "/proc/$GWPID/status" 2>/dev/null) || break
	[ "${v:-0}" -gt "$peak" ] && { peak=$v; echo "$peak" >"$T/rss.peak"; }
	sleep 0.05
  done ) &
PIDS+=($!)
$A probe "$BIN" 127.0.0.1 "$LP" 100 "$T/stop" >"$T/probe.out" 2>&1 &
PROBE=$!
PIDS+=($PROBE)
sleep 0.5

# 1. Requests whose answers are never read: 100 MB offered for 8 s.
un=$($A unread "$BIN" 127.0.0.1 "$LP" 100 8) || fail "$un"
echo "   $un (RSS before ${rss0} kB)"
echo "$un" | grep -q 'closed_after_s=never' && fail "unread peer never closed: $un"
[ "$(metric 'gatewayd_link_output_stalled_total{link="mc"}')" -ge 1 ] ||
    fail "output stall not counted"
[ "$(metric 'gatewayd_link_output_paused_total{link="mc"}')" -ge 1 ] ||
    fail "output pause not counted"
rss_unread=$(cat "$T/rss.peak")

# 2. 60 MB of 0800s, answers read: log lines bounded by the rate limit.
l0=$(grep -c '' "$T/gatewayd.log")
fl=$($A flood0800 "$BIN" 127.0.0.1 "$LP" 60) || fail "$fl"
sleep 1.5   # the suppressed counts are reported within a second or two
lines=$(( $(grep -c '' "$T/gatewayd.log") - l0 ))
echo "   $fl log_lines=$lines"
[ "$lines" -lt "$LOG_BOUND" ] || fail "60 MB of 0800s logged $lines lines"
grep -q 'event=log_suppressed key=netmgmt count=[0-9]*' "$T/gatewayd.log" ||
    fail "suppressed netmgmt lines not reported"

# 3. 64 requests at once on a link of MaxInFlight 8: the rest 91 at once.
bu=$($A burst "$BIN" 127.0.0.1 "$BP" 64) || fail "$bu"
echo "   $bu"
echo "$bu" | grep -q '91:' || fail "nothing refused over MaxInFlight: $bu"
ms=$(echo "$bu" | sed 's/.*last_answer_ms=\([0-9.]*\).*/\1/')
awk -v l="$ms" 'BEGIN { exit !(l < 40) }' || fail "burst answered in ${ms}ms"
busy=$(metric 'gatewayd_link_inflight_refused_total{link="burst"}')
[ "$busy" -ge 1 ] || fail "in-flight refusals not counted"

# 4. Garbage at the core socket from foreign sources: the socket is
#    connected to the core, so the kernel drops it; the core stays up.
python3 - "$GP" <<'PY'
import os, socket, sys
for src in ("127.0.0.2", "127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    for i in range(2000):
        s.sendto(os.urandom(64 + i % 1200), ("127.0.0.1", int(sys.argv[1])))
PY
sleep 0.3
[ "$(metric 'gatewayd_core_up{core="a"}')" = 1 ] || fail "core down after UDP garbage"
rej=$(curl -s "http://127.0.0.1:$METRICS/metrics" |
    awk '/^gatewayd_core_frames_rejected_total/ {s += $2} END {print s + 0}')
echo "   udp garbage: 4000 datagrams from 2 foreign sources, $rej reached gatewayd"

# 5. The control socket from an unprivileged uid: refused by its mode
#    (owner only: 0700 from umask 0077).  The test directory is opened to let nobody
#    reach the socket itself.
ls -l "$T/ctl.sock" | grep -q '^srw[x-]------' || fail "control socket mode: $(ls -l "$T/ctl.sock")"
if [ "$(id -u)" = 0 ]; then
	chmod 0711 "$T"
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$BIN/gatewayctl" -s "$T/ctl.sock" standin force on 2>&1) &&
	    fail "nobody's gatewayctl was served: $out"
	chmod 0700 "$T"
	echo "$out" | grep -q 'Permission denied' || fail "nobody: $out"
	echo "   control socket, uid nobody: $out"
	ctl=refused
else
	echo "   control socket: not root, uid switch skipped (mode 0600 checked)"
	ctl=mode-0600
fi

touch "$T/stop"
wait $PROBE || fail "probe: $(cat "$T/probe.out")"
probe=$(cat "$T/probe.out")
echo "   $probe"
max=$(echo "$probe" | sed 's/.*max_ms=\([0-9.]*\).*/\1/')
awk -v l="$max" 'BEGIN { exit !(l < 40) }' ||
    fail "a legitimate request took ${max}ms (Deadline 40ms)"
echo "$probe" | grep -q 'rc=00:[0-9]*$' || fail "probe not all approved: $probe"
peak=$(cat "$T/rss.peak")
[ "$peak" -lt "$RSS_BOUND_KB" ] || fail "RSS peaked at ${peak} kB (bound $RSS_BOUND_KB kB)"
pass "RSS ${rss0} -> peak ${peak} kB (< $RSS_BOUND_KB) with $(echo "$un" | sed 's/.*sent_mb=\([0-9.]*\).*/\1/') MB unread, closed; 60 MB of 0800s: $lines log lines; burst: $(echo "$bu" | sed 's/.*rc=//') in ${ms}ms; UDP garbage dropped; ctl as nobody: $ctl; legit $(echo "$probe" | sed 's/probe //')"
