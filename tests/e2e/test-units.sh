#!/bin/bash
# The systemd units, checked without a running systemd:
#   1. each unit verifies (systemd-analyze verify, binaries from build/),
#      scores at most 2.0 (systemd-analyze security --offline=yes) and
#      caps its memory (MemoryMax=);
#   2. the users, groups, modes and umasks the units and sysusers set up
#      work together: hsmd as its own uid with UMask=0117 in a 0750
#      runtime directory, gatewayd as another uid that is a member of
#      hsmd's group: gatewayd starts, reaches hsmd and confines itself;
#      a third uid outside the group cannot reach hsmd's socket.
TEST=units
TEST_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

command -v systemd-analyze >/dev/null || fail "systemd-analyze not installed"
command -v setpriv >/dev/null || fail "setpriv (util-linux) not installed"

# 1. The units.
scores=""
for u in gatewayd.service hsmd.service gatewayd-tunnel@.service; do
	name=$u
	[ "$u" = gatewayd-tunnel@.service ] && name=gatewayd-tunnel@wg0.service
	sed -e "s|@BINDIR@|$BIN|g" -e "s|@DOCDIR@|$ROOT/doc|g" "$ROOT/systemd/$u" >"$T/$name"
	out=$(systemd-analyze verify --man=no "$T/$name" 2>&1)
	[ -z "$out" ] || fail "$u: systemd-analyze verify: $out"
	systemd-analyze security --offline=yes --threshold=20 "$T/$name" \
	    >"$T/$name.security" 2>&1 || fail "$u: exposure above 2.0: $(tail -1 "$T/$name.security")"
	score=$(tail -1 "$T/$name.security" | grep -o '[0-9]\+\.[0-9]')
	grep -q '^MemoryMax=' "$ROOT/systemd/$u" || fail "$u: no MemoryMax="
	scores="$scores $u=$score"
done
"$BIN/hsmd" -n --config "$ROOT/systemd/hsmd.conf.example" >/dev/null \
    || fail "hsmd -n: systemd/hsmd.conf.example"
for f in gatewayd.sysusers gatewayd.tmpfiles hsmd.sysusers hsmd.tmpfiles; do
	[ -s "$ROOT/systemd/$f" ] || fail "systemd/$f missing"
done
grep -q '^m gatewayd hsmd' "$ROOT/systemd/gatewayd.sysusers" \
    || fail "sysusers: gatewayd is not in group hsmd"

# 2. Users, groups and modes as the units make them (numeric ids: no
# passwd entries needed, nothing left behind).
GW_UID=61000 HSM_UID=61001 OTHER_UID=61002
chmod 0711 "$T"
mkdir -p "$T/run/hsmd" "$T/run/gatewayd" "$T/lib/gatewayd" "$T/etc"
chown $HSM_UID:$HSM_UID "$T/run/hsmd"; chmod 0750 "$T/run/hsmd"
chown $GW_UID:$GW_UID "$T/run/gatewayd" "$T/lib/gatewayd"
chmod 0750 "$T/run/gatewayd"; chmod 0700 "$T/lib/gatewayd"
genkey "$T/etc/state.key"; genkey "$T/etc/core.key"
# Outside a test an unsealed LMK is neither made nor read by hsmctl, nor
# served by hsmd.
if env -u HSM_INSECURE_TEST_LMK "$BIN/hsmctl" lmk init --out "$T/open.lmk" >/dev/null 2>&1; then
	fail "hsmctl made an unsealed LMK outside a test"
fi
"$BIN/hsmctl" lmk init --out "$T/open.lmk" >/dev/null 2>&1 || fail "lmk init (test)"
if env -u HSM_INSECURE_TEST_LMK "$BIN/hsmctl" key form --lmk "$T/open.lmk" --type CVK \
    --clear 0123456789ABCDEFFEDCBA9876543210 >/dev/null 2>&1; then
	fail "hsmctl read an unsealed LMK outside a test"
fi
if timeout 5 "$BIN/hsmd" --lmk "$T/open.lmk" -l "unix:$T/open.sock" >/dev/null 2>&1; then
	fail "hsmd served an unsealed LMK without --insecure-test-lmk"
fi
# a sealed LMK, as an appliance keeps it (the unit passes both as
# credentials)
head -c 24 /dev/urandom | base64 >"$T/lmk-pass"; chmod 0600 "$T/lmk-pass"
"$BIN/hsmctl" lmk init --passphrase-file "$T/lmk-pass" --out "$T/lmk" >/dev/null \
    || fail "lmk init"
chown $HSM_UID "$T/lmk" "$T/lmk-pass"; chmod 0400 "$T/lmk" "$T/lmk-pass"
setpriv --reuid=$HSM_UID --regid=$HSM_UID --clear-groups \
    bash -c "umask 0117; exec \"$BIN/hsmd\" --lmk \"$T/lmk\" --passphrase-file \"$T/lmk-pass\" -l unix:$T/run/hsmd/gateway.sock" \
    >"$T/hsmd.log" 2>&1 &
HSMPID=$!
PIDS+=($HSMPID)
for i in $(seq 1 100); do [ -S "$T/run/hsmd/gateway.sock" ] && break; sleep 0.05; done
[ -S "$T/run/hsmd/gateway.sock" ] || fail "hsmd did not make its socket: $(tail -3 "$T/hsmd.log")"
mode=$(stat -c %a "$T/run/hsmd/gateway.sock")
[ "$mode" = 660 ] || fail "hsmd socket mode $mode under UMask=0117, want 660"

LP=$(free_port); CP=$(free_port udp)
cat >"$T/etc/gatewayd.conf" <<CONF
[Gateway]
Name = units
StateDirectory = $T/lib/gatewayd
StateKeyFile = $T/etc/state.key
ControlSocket = $T/run/gatewayd/control.sock
HSM = unix:$T/run/hsmd/gateway.sock

[Link mc]
Profile = iso87
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/etc/core.key
CONF
chown -R root:$GW_UID "$T/etc"; chmod 0750 "$T/etc"; chmod 0640 "$T/etc"/*
chown $GW_UID "$T/etc"/*.key; chmod 0600 "$T/etc"/*.key
setpriv --reuid=$GW_UID --regid=$GW_UID --groups=$HSM_UID \
    bash -c "umask 0077; exec \"$BIN/gatewayd\" -d -f \"$T/etc/gatewayd.conf\"" \
    >"$T/gatewayd.log" 2>&1 &
GWPID=$!
PIDS+=($GWPID)
for i in $(seq 1 100); do
	"$BIN/gatewayctl" -s "$T/run/gatewayd/control.sock" status >/dev/null 2>&1 && break
	kill -0 $GWPID 2>/dev/null || fail "gatewayd (uid $GW_UID) exited: $(tail -3 "$T/gatewayd.log")"
	sleep 0.05
done
"$BIN/gatewayctl" -s "$T/run/gatewayd/control.sock" status >/dev/null 2>&1 \
    || fail "gatewayd (uid $GW_UID) did not come up: $(tail -3 "$T/gatewayd.log")"
grep -q 'event=confined seccomp=on' "$T/gatewayd.log" || fail "gatewayd did not confine itself"
sc=$(awk '/^Seccomp:/ {print $2}' /proc/$GWPID/status)
[ "$sc" = 2 ] || fail "gatewayd Seccomp: $sc, want 2 (filter)"
# and it says so where operators look (status, metrics)
"$BIN/gatewayctl" -s "$T/run/gatewayd/control.sock" status >"$T/status.txt"
grep -q '^confinement: seccomp on, files ' "$T/status.txt" ||
    fail "gatewayctl status does not show the confinement: $(cat "$T/status.txt")"
"$BIN/gatewayctl" -s "$T/run/gatewayd/control.sock" status --json >"$T/status.json"
[ "$(json_get "$T/status.json" "d['confinement']['seccomp']")" = True ] ||
    fail "status --json: confinement.seccomp not true"
sc=$(awk '/^Seccomp:/ {print $2}' /proc/$HSMPID/status)
[ "$sc" = 2 ] || fail "hsmd Seccomp: $sc, want 2 (filter)"
grep -q 'event=confined seccomp=on' "$T/hsmd.log" || fail "hsmd did not confine itself"
# a uid outside group hsmd: no way to the HSM
if setpriv --reuid=$OTHER_UID --regid=$OTHER_UID --clear-groups python3 -c "
import socket; s=socket.socket(socket.AF_UNIX); s.connect('$T/run/hsmd/gateway.sock')" 2>/dev/null; then
	fail "uid $OTHER_UID (not in group hsmd) reached hsmd's socket"
fi
pass "units verify, exposure$scores; hsmd uid $HSM_UID socket 660, gatewayd uid $GW_UID in its group reaches it, both Seccomp 2; uid $OTHER_UID refused; unsealed LMK refused outside tests"
