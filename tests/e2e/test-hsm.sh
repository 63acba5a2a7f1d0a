#!/usr/bin/env bash
# test-hsm.sh — hsmctl and hsmd as an operator runs them: unsealed and
# sealed LMKs, systemd credentials, unix and TCP listeners, key forming
# from components, key generation, diagnostics through the client library.
# (Every crypto vector through the socket is in
# tests/unit/check_hsmd_vectors.c.)
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${HSM_BIN_DIR:-build/bin}
export HSM_INSECURE_TEST_LMK=1	# its LMK is unsealed: a test
T=$(mktemp -d /tmp/test-hsm.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'echo "test-hsm: FAIL (line $LINENO)"; exit 1' ERR

fail() { echo "test-hsm: FAIL: $*"; exit 1; }
ok() { echo "  ok: $*"; }

# Wait (max 5 s) until hsmctl diag answers on ADDR; print its output.
diag_wait() {
	local i
	for i in $(seq 50); do
		if out=$(timeout 5 "$BIN/hsmctl" diag --hsm "$1" --timeout 500 2>/dev/null); then
			echo "$out"; return 0
		fi
		sleep 0.1
	done
	return 1
}

# --help is true for both programs.
"$BIN/hsmctl" --help | grep -q 'hsmctl lmk init' || fail "hsmctl --help"
"$BIN/hsmd" --help | grep -q 'hsmd \[--lmk FILE\]' || fail "hsmd --help"
"$BIN/hsmd" --help | grep -q 'insecure-test-lmk' || fail "hsmd --help: no --insecure-test-lmk"
ok "--help"

# Unsealed LMK: mode 0600, check value stable.
kcv=$("$BIN/hsmctl" lmk init --out "$T/lmk")
[ "$(stat -c %a "$T/lmk")" = 600 ] || fail "LMK file mode"
[ "$("$BIN/hsmctl" lmk check "$T/lmk")" = "$kcv" ] || fail "lmk check"
[[ $kcv =~ ^[0-9A-F]{16}$ ]] || fail "check value format: $kcv"
if "$BIN/hsmctl" lmk init --out "$T/lmk" 2>/dev/null; then
	fail "lmk init overwrote an existing LMK"
fi
ok "unsealed LMK $kcv"

# Key forming: clear key, components (XOR, parity fixed), generate.
line=$("$BIN/hsmctl" key form --lmk "$T/lmk" --type CVK \
	--clear 0123456789ABCDEFFEDCBA9876543210)
# A CVK is verify-only (mode V) unless --mode says otherwise.
[[ $line =~ ^S10112C0TV00N0000[0-9A-F]{96}\ 08D7B4$ ]] || fail "key form: $line"
line=$("$BIN/hsmctl" key form --lmk "$T/lmk" --type CVK --mode C \
	--clear 0123456789ABCDEFFEDCBA9876543210)
[[ $line =~ ^S10112C0TC00N0000[0-9A-F]{96}\ 08D7B4$ ]] || fail "--mode C: $line"
line=$(printf '%s\n%s\n' 01010101010101010101010101010101 \
	0022446688AACCEEFFDDBB9977553311 |
	"$BIN/hsmctl" key form --lmk "$T/lmk" --type ZPK --components 2 2>"$T/comp.err")
[[ $line =~ ^S10112P0TB00E0000[0-9A-F]{96}\ 08D7B4$ ]] || fail "components: $line"
grep -q 'component 1 KCV' "$T/comp.err" || fail "component KCVs not shown"
line=$(echo 0123456789ABCDEFFEDCBA9876543210 |
	"$BIN/hsmctl" key form --lmk "$T/lmk" --type MK-AC --clear -)
[[ $line =~ ^S10112E0TX00N0000[0-9A-F]{96}\ 08D7B4$ ]] || fail "clear from stdin"
if "$BIN/hsmctl" key form --lmk "$T/lmk" --type CVK \
	--clear 404142434445464748494A4B4C4D4E4F 2>/dev/null; then
	fail "bad parity accepted without --no-parity-check"
fi
line=$("$BIN/hsmctl" key form --lmk "$T/lmk" --type CVK --adjust-parity \
	--clear 404142434445464748494A4B4C4D4E4F)
[[ $line =~ \ [0-9A-F]{6}$ ]] || fail "adjust parity"
for t in CVK PVK PVK-IBM PVK-VISA TPK ZPK ZMK MK-AC TAK ZAK; do
	line=$("$BIN/hsmctl" key generate --lmk "$T/lmk" --type $t)
	[[ $line =~ ^S10112[A-Z0-9]{2}T[A-Z]00[ENS]0000[0-9A-F]{96}\ [0-9A-F]{6}$ ]] ||
		fail "generate $t: $line"
done
if "$BIN/hsmctl" key form --lmk "$T/lmk" --type NOPE --clear 00 2>/dev/null; then
	fail "unknown type accepted"
fi
ok "key form / components / generate"

# An unsealed LMK is refused without --insecure-test-lmk.
if timeout 10 "$BIN/hsmd" --lmk "$T/lmk" -l "unix:$T/u.sock" 2>"$T/unsealed.log"; then
	fail "hsmd started an unsealed LMK without --insecure-test-lmk"
fi
grep -q 'not sealed' "$T/unsealed.log" || fail "no unsealed message"
ok "unsealed LMK refused without --insecure-test-lmk"

# hsmd on unix and TCP at once; NC answers with the LMK check value.
port=$((20000 + RANDOM % 20000))
"$BIN/hsmd" --insecure-test-lmk --lmk "$T/lmk" -l "unix:$T/hsm.sock" \
	-l "tcp:127.0.0.1:$port,peers=127.0.0.1" 2>"$T/hsmd.log" &
PIDS+=($!)
out=$(diag_wait "unix:$T/hsm.sock") || fail "hsmd (unix) not answering"
[ "$out" = "lmk-check=$kcv firmware=0001-HSMD" ] || fail "diag: $out"
out=$(diag_wait "tcp:127.0.0.1:$port") || fail "hsmd (tcp) not answering"
[ "$out" = "lmk-check=$kcv firmware=0001-HSMD" ] || fail "diag tcp: $out"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" || true
[ ! -e "$T/hsm.sock" ] || fail "unix socket left behind"
grep -q 'event=insecure-test-lmk' "$T/hsmd.log" || fail "unsealed LMK not logged"
ok "hsmd unix + tcp, NC, clean stop"

# Sealed LMK: passphrase file required, wrong one refused.
echo "correct horse battery staple" >"$T/pp"
# A passphrase file others can read is refused.
chmod 644 "$T/pp"
"$BIN/hsmctl" lmk init --out "$T/slmk" --passphrase-file "$T/pp" 2>/dev/null &&
	fail "passphrase file of mode $(stat -c %a "$T/pp") accepted"
chmod 600 "$T/pp"
skcv=$("$BIN/hsmctl" lmk init --out "$T/slmk" --passphrase-file "$T/pp")
grep -q '^hsm-lmk-v1 sealed argon2id13 ' "$T/slmk" || fail "not sealed"
grep -qi "$skcv" "$T/slmk" && fail "check value in the sealed file"
[ "$("$BIN/hsmctl" lmk check "$T/slmk" --passphrase-file "$T/pp")" = "$skcv" ] ||
	fail "sealed check"
echo "wrong" >"$T/bad"
chmod 600 "$T/bad"
if "$BIN/hsmctl" lmk check "$T/slmk" --passphrase-file "$T/bad" 2>/dev/null; then
	fail "wrong passphrase accepted"
fi
if timeout 10 "$BIN/hsmd" --lmk "$T/slmk" -l "unix:$T/x.sock" </dev/null \
	2>"$T/nopp.log"; then
	fail "hsmd started a sealed LMK without a passphrase"
fi
grep -q 'passphrase' "$T/nopp.log" || fail "no passphrase message"
"$BIN/hsmd" --lmk "$T/slmk" --passphrase-file "$T/pp" -l "unix:$T/s1.sock" \
	2>>"$T/hsmd.log" &
PIDS+=($!)
out=$(diag_wait "unix:$T/s1.sock") || fail "sealed hsmd not answering"
[ "$out" = "lmk-check=$skcv firmware=0001-HSMD" ] || fail "sealed diag: $out"
ok "sealed LMK ($skcv) with --passphrase-file"

# systemd LoadCredential=: lmk and lmk-passphrase from $CREDENTIALS_DIRECTORY.
mkdir -m 700 "$T/creds"
cp "$T/slmk" "$T/creds/lmk"
cp "$T/pp" "$T/creds/lmk-passphrase"
CREDENTIALS_DIRECTORY="$T/creds" "$BIN/hsmd" -l "unix:$T/s2.sock" \
	2>>"$T/hsmd.log" &
PIDS+=($!)
out=$(diag_wait "unix:$T/s2.sock") || fail "credentials hsmd not answering"
[ "$out" = "lmk-check=$skcv firmware=0001-HSMD" ] || fail "creds diag: $out"
ok "LMK and passphrase from \$CREDENTIALS_DIRECTORY"

# Nothing secret in the logs.
if grep -Eq '0123456789ABCDEF|correct horse' "$T/hsmd.log"; then
	fail "secret material in hsmd log"
fi
ok "logs clean"

echo "test-hsm: PASS"
