#!/bin/bash
# Nothing falls back silently to a weaker mode (ARCHITECTURE section 2):
# with Durability = full (the default) gatewayd refuses to start, exiting
# non-zero with a message naming the problem, when the StateDirectory
# cannot be made (a path under a regular file), the state key file is
# missing, of mode 0644 or not a key, or nothing answers at the HSM
# address (no socket; a closed TCP port; a listener that never answers).
# The same config with each fault fixed starts (the control).
# `gatewayd -n` refuses a config without StateKeyFile unless it says
# Durability = none; with it gatewayd starts and says so in
# `gatewayctl status --json` and in the metric gatewayd_durable.
TEST=fail-closed
TEST_TIMEOUT=150
. "$(dirname "$0")/lib.sh"

LP=$(free_port); METRICS=$(free_port); DEAD=$(free_port)
start_hsm 1
# conf KEY=VALUE...: the [Gateway] keys of a working stand-in config, with
# the given ones replaced or added (an empty VALUE drops the key).
conf() {
	{
		gw_section
		cat <<CONF

[Link mc]
Profile = iso87
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
CONF
	} | python3 -c '
import sys
over = dict(a.split("=", 1) for a in sys.argv[1:])
lines = sys.stdin.read().splitlines()
have = set(l.split("=")[0].strip() for l in lines)
for line in lines:
    k = line.split("=")[0].strip()
    if k in over:
        if over[k]:
            print("%s = %s" % (k, over[k]))
        continue
    print(line)
    if line == "[Gateway]":
        for k, v in over.items():
            if k not in have and v:
                print("%s = %s" % (k, v))' "$@"
}
# refused NAME WHAT REGEX KEY=VALUE...: gatewayd with that config exits
# non-zero, on its own, with a line naming WHAT and matching REGEX.
refused() {
	local name=$1 what=$2 re=$3 rc
	shift 3
	conf "$@" >"$T/$name.conf"
	rm -f "$T/ctl.sock"
	timeout 30 "$BIN/gatewayd" -d -f "$T/$name.conf" >"$T/$name.log" 2>&1
	rc=$?
	[ $rc = 124 ] && fail "$name: still running after 30 s"
	[ $rc != 0 ] || fail "$name: exited 0"
	grep -F -- "$what" "$T/$name.log" | grep -Eq -- "$re" ||
	    { cat "$T/$name.log"; fail "$name: no message naming $what /$re/"; }
	echo "   $name: exit $rc: $(grep -F -- "$what" "$T/$name.log" | grep -E -- "$re" | head -1 | cut -c1-150)"
}

# The control: the config as it is starts, durable.
conf >"$T/good.conf"
start_gw "$T/good.conf"
ctl status --json >"$T/status.json"
[ "$(json_get "$T/status.json" "d['durability']")" = full ] || fail "good config: not durable"
[ "$(metric gatewayd_durable)" = 1 ] || fail "good config: gatewayd_durable=$(metric gatewayd_durable)"
kill $GWPID
wait $GWPID 2>/dev/null
echo "   control: the working config starts, durability full"

: >"$T/afile"
refused statedir-under-file "$T/afile/state" "Not a directory" \
    StateDirectory="$T/afile/state"
refused statekey-missing "$T/missing.key" "No such file" \
    StateKeyFile="$T/missing.key"
cp "$T/state.key" "$T/open.key"
chmod 644 "$T/open.key"
refused statekey-0644 "$T/open.key" "0644" StateKeyFile="$T/open.key"
echo "not a key" >"$T/bad.key"
chmod 600 "$T/bad.key"
refused statekey-not-a-key "$T/bad.key" "not a .*key" StateKeyFile="$T/bad.key"
refused hsm-no-socket "$T/nobody.sock" "HSM" HSM="unix:$T/nobody.sock"
refused hsm-closed-port "127.0.0.1:$DEAD" "HSM" HSM="tcp:127.0.0.1:$DEAD"
# A listener that takes the connection and never says a word.
SILENT=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
held = []
while True:
    c, _ = s.accept(); held.append(c)' "$SILENT" &
PIDS+=($!)
sleep 0.3
t0=$SECONDS
refused hsm-silent "127.0.0.1:$SILENT" "HSM" HSM="tcp:127.0.0.1:$SILENT"
echo "   (the silent HSM was given up after $((SECONDS - t0)) s)"

# gatewayd -n: StateKeyFile or Durability = none.
conf StateKeyFile= StateDirectory= HSM= >"$T/nokey.conf"
"$BIN/gatewayd" -n -f "$T/nokey.conf" >"$T/nokey.out" 2>&1 &&
    fail "-n accepted a config without StateKeyFile"
grep -q "StateKeyFile is required" "$T/nokey.out" ||
    fail "-n without StateKeyFile: $(cat "$T/nokey.out")"
echo "   -n without StateKeyFile: $(head -1 "$T/nokey.out")"
conf StateKeyFile= StateDirectory= HSM= Durability=none >"$T/lab.conf"
"$BIN/gatewayd" -n -f "$T/lab.conf" >"$T/lab.out" 2>&1 ||
    fail "-n refused Durability = none: $(cat "$T/lab.out")"
grep -q "^Durability = none" "$T/lab.out" || fail "-n does not print Durability = none"
rm -f "$T/ctl.sock"
start_gw "$T/lab.conf"
ctl status --json >"$T/status.json"
d=$(json_get "$T/status.json" "d['durability']")
m=$(metric gatewayd_durable)
echo "   Durability = none: started; status durability=$d, gatewayd_durable=$m"
[ "$d" = none ] || fail "status says durability=$d"
[ "$m" = 0 ] || fail "gatewayd_durable=$m"
pass "7 faults refused at start, each named; -n wants StateKeyFile or Durability = none, which starts and says so"
