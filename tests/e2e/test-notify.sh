#!/bin/bash
# systemd readiness without libsystemd: READY=1 once serving, WATCHDOG=1
# at half of WATCHDOG_USEC, to a NOTIFY_SOCKET given as a path and as an
# abstract name ('@'); and the unit file's sandboxing score.
TEST=notify
. "$(dirname "$0")/lib.sh"

METRICS=$(free_port)
cat >"$T/gw.conf" <<CONF
[Gateway]
ControlSocket = $T/ctl.sock
Metrics = 127.0.0.1:$METRICS
Durability = none
CONF
for sock in "$T/notify.sock" "@gw-e2e-notify-$$"; do
	python3 - "$sock" >"$T/notify.out" <<'PY' &
import socket, sys, time
name = sys.argv[1]
addr = "\0" + name[1:] if name.startswith("@") else name
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(addr)
s.settimeout(5)
print("bound", flush=True)
got = []
try:
    while not ("READY=1" in " ".join(got) and "WATCHDOG=1" in got):
        got.append(s.recv(256).decode())
except socket.timeout:
    pass
print("|".join(got), flush=True)
PY
	LP=$!
	PIDS+=($LP)
	for i in $(seq 1 100); do grep -q bound "$T/notify.out" && break; sleep 0.05; done
	NOTIFY_SOCKET=$sock WATCHDOG_USEC=200000 start_gw "$T/gw.conf"
	wait $LP
	kill $GWPID; wait $GWPID 2>/dev/null
	grep -q "READY=1" "$T/notify.out" || fail "no READY=1 on $sock ($(cat "$T/notify.out"))"
	grep -q "WATCHDOG=1" "$T/notify.out" || fail "no WATCHDOG=1 on $sock"
	echo "   $sock: $(tail -n +2 "$T/notify.out" | tr '\n' ' ')"
	rm -f "$T/ctl.sock"
done
if command -v systemd-analyze >/dev/null; then
	# the unit as make install writes it (paths filled in)
	sed -e "s|@BINDIR@|$BIN|g" -e "s|@DOCDIR@|$ROOT/doc|g" \
	    "$ROOT/systemd/gatewayd.service" >"$T/gatewayd.service"
	systemd-analyze security --offline=true --threshold=20 \
	    "$T/gatewayd.service" >"$T/score.out" 2>&1 \
	    || { tail -3 "$T/score.out"; fail "unit file exposure over 2.0"; }
	echo "   $(grep 'Overall exposure' "$T/score.out")"
fi
pass "READY=1 and WATCHDOG=1 on path and abstract sockets"
