#!/bin/bash
# test-hsm-allowlist.sh — hsmd's per-listener allow-lists as an operator
# configures them: `hsmd -n` golden files (tests/e2e/hsmd-config: each
# NAME.conf prints NAME.expected, a fixed point, or fails with exactly
# NAME.err), then the real hsmd with a config of two unix listeners: the
# gateway one (default: the verification set) answers CW with error 68 and
# logs listener, command, uid and pid; the admin one (Allow = all, mode
# 0600) generates; a mode-V CVK verifies but never generates (A8).
TEST=hsm-allowlist
. "$(dirname "$0")/lib.sh"

PS=$ROOT/tests/e2e/pscall.py
D=$ROOT/tests/e2e/hsmd-config
n=0
cd "$D"
for conf in *.conf; do
	name=${conf%.conf}
	if [ -f "$name.expected" ]; then
		"$BIN/hsmd" -n --config "$conf" >"$T/$name.out" 2>"$T/$name.err" ||
		    fail "$name: refused: $(cat "$T/$name.err")"
		diff -u "$name.expected" "$T/$name.out" || fail "$name: output differs"
		"$BIN/hsmd" -n --config "$T/$name.out" >"$T/$name.out2" 2>&1 ||
		    fail "$name: normalised form refused: $(cat "$T/$name.out2")"
		diff -u "$T/$name.out" "$T/$name.out2" || fail "$name: not a fixed point"
	elif [ -f "$name.err" ]; then
		if "$BIN/hsmd" -n --config "$conf" >"$T/$name.out" 2>&1; then
			fail "$name: accepted, want an error"
		fi
		want="hsmd: $(cat "$name.err")"
		got=$(cat "$T/$name.out")
		[ "$got" = "$want" ] || fail "$name: want '$want', got '$got'"
	else
		fail "$name: no .expected or .err"
	fi
	n=$((n + 1))
done
cd "$ROOT"
echo "   $n hsmd -n golden files"

# -l: the default is the verification set; options after commas.
got=$("$BIN/hsmd" -n -l unix:/run/a.sock -l unix:/run/b.sock,allow=CW,verify,name=issue \
    -l tcp:127.0.0.1:1500,peers=127.0.0.1,10.0.0.0/8)
want='[Listener l1]
Address = unix:/run/a.sock
Allow = verify
Mode = 0660

[Listener issue]
Address = unix:/run/b.sock
Allow = verify CW
Mode = 0600

[Listener l3]
Address = tcp:127.0.0.1:1500
Allow = verify
Peers = 127.0.0.1, 10.0.0.0/8'
[ "$got" = "$want" ] || fail "-l forms: got '$got'"
"$BIN/hsmd" -n -l tcp:127.0.0.1:1500 >/dev/null 2>&1 && fail "tcp without peers accepted"

# The real hsmd: a gateway listener and an admin one.
"$BIN/hsmctl" lmk init --out "$T/lmk" >/dev/null || fail "lmk init"
K=0123456789ABCDEFFEDCBA9876543210
cvkv=$("$BIN/hsmctl" key form --lmk "$T/lmk" --type CVK --clear $K | cut -d' ' -f1)
cvkc=$("$BIN/hsmctl" key form --lmk "$T/lmk" --type CVK --mode C --clear $K | cut -d' ' -f1)
cat >"$T/hsmd.conf" <<CONF
[Listener gateway]
Address = unix:$T/gateway.sock

[Listener admin]
Address = unix:$T/admin.sock
Allow = all
Mode = 0600
CONF
"$BIN/hsmd" --insecure-test-lmk --lmk "$T/lmk" --config "$T/hsmd.conf" \
    >"$T/hsmd.log" 2>&1 &
PIDS+=($!)
for i in $(seq 50); do
	[ -S "$T/admin.sock" ] && [ -S "$T/gateway.sock" ] && break
	sleep 0.1
done
[ "$(stat -c %a "$T/gateway.sock")" = 660 ] || fail "gateway socket mode"
[ "$(stat -c %a "$T/admin.sock")" = 600 ] || fail "admin socket mode"
grep -q 'event=insecure-test-lmk' "$T/hsmd.log" || fail "unsealed LMK not logged"

PAN=4123456789012345
out=$(python3 "$PS" "$T/gateway.sock" "CW${cvkc}${PAN};8701101" "A00FFFS#C0T2C00N00" \
    "M60203FFF${cvkc}0008abcdefgh" "NC") || fail "gateway socket closed"
gwpid=$(echo "$out" | sed -n 1p)
[ "$(echo "$out" | sed -n 2,4p | tr '\n' ' ')" = "CX68 A168 M768 " ] ||
    fail "gateway socket: $out"
echo "$out" | sed -n 5p | grep -q '^ND00' || fail "NC on the gateway socket: $out"
grep -q "event=refused listener=gateway cmd=CW uid=$(id -u) pid=$gwpid " "$T/hsmd.log" ||
    fail "no refusal line with listener, command, uid, pid: $(grep refused "$T/hsmd.log")"
grep -q "listener=gateway cmd=A0 uid=$(id -u) pid=$gwpid " "$T/hsmd.log" || fail "A0 not logged"
echo "   gateway: CW A0 M6 -> 68, NC served; $(grep -m1 'cmd=CW' "$T/hsmd.log" | sed 's/.*event=/event=/')"

out=$(python3 "$PS" "$T/admin.sock" "CW${cvkc}${PAN};8701101" "CW${cvkv}${PAN};8701101") ||
    fail "admin socket closed"
cw=$(echo "$out" | sed -n 2p)
[[ $cw =~ ^CX00[0-9]{3}$ ]] || fail "admin CW: $out"
[ "$(echo "$out" | sed -n 3p)" = CXA8 ] || fail "admin CW with a mode-V CVK: $out"
cvv=${cw:4:3}
out=$(python3 "$PS" "$T/gateway.sock" "CY${cvkv}${cvv}${PAN};8701101") || fail "CY"
[ "$(echo "$out" | sed -n 2p)" = CZ00 ] || fail "CY with the V key on the gateway socket: $out"
echo "   admin: CW -> CVV $cvv; mode-V CVK: CW -> A8, CY on the gateway socket -> 00"
if grep -q "$K" "$T/hsmd.log"; then
	fail "key in hsmd's log"
fi
pass "$n golden files; gateway listener refuses CW/A0/M6 (68, logged with uid/pid), admin generates, V keys only verify"
