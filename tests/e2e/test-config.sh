#!/bin/bash
# gatewayd -n golden files: each tests/e2e/config/NAME.conf prints
# NAME.expected (and the printed form reads back to itself), or fails
# with exactly the message in NAME.err (file, line, key).
TEST=config
. "$(dirname "$0")/lib.sh"

# A copy: git keeps no 0600, and a key file others can read is refused.
mkdir -p "$T/tests/e2e"
cp -r "$ROOT/tests/e2e/config" "$T/tests/e2e/"
chmod 600 "$T"/tests/e2e/config/*.key
sed 's|/etc/gatewayd/core.key|tests/e2e/config/test.key|' \
    "$ROOT/systemd/gatewayd.conf.example" >"$T/example.conf"
cd "$T"
D=tests/e2e/config
n=0
for conf in $D/*.conf; do
	name=$(basename "$conf" .conf)
	if [ -f "$D/$name.expected" ]; then
		"$BIN/gatewayd" -n -f "$conf" >"$T/$name.out" 2>"$T/$name.err" \
		    || fail "$name: refused: $(cat "$T/$name.err")"
		diff -u "$D/$name.expected" "$T/$name.out" || fail "$name: output differs"
		# Normalised output is a fixed point.
		"$BIN/gatewayd" -n -f "$T/$name.out" >"$T/$name.out2" 2>&1 \
		    || fail "$name: normalised form refused: $(cat "$T/$name.out2")"
		diff -u "$T/$name.out" "$T/$name.out2" || fail "$name: not a fixed point"
	elif [ -f "$D/$name.err" ]; then
		if (cd $D && "$BIN/gatewayd" -n -f "$name.conf") >"$T/$name.out" 2>&1; then
			fail "$name: accepted, want an error"
		fi
		want="gatewayd: $(cat "$D/$name.err")"
		got=$(cat "$T/$name.out")
		[ "$got" = "$want" ] || fail "$name: want '$want', got '$got'"
	else
		fail "$name: no .expected or .err"
	fi
	n=$((n + 1))
done
# The shipped example is valid (its key paths swapped for a test key).
"$BIN/gatewayd" -n -f "$T/example.conf" >/dev/null 2>"$T/example.err" \
    || fail "systemd/gatewayd.conf.example: $(cat "$T/example.err")"
# The same key readable by others is refused, naming file, line and mode.
cp "$D/test.key" "$T/open.key"
chmod 644 "$T/open.key"
sed "s|tests/e2e/config/test.key|$T/open.key|" "$T/example.conf" >"$T/open.conf"
"$BIN/gatewayd" -n -f "$T/open.conf" >/dev/null 2>"$T/open.err" &&
    fail "a key file of mode 0644 was accepted"
grep -q "open.conf:[0-9]*: KeyFile: .*open.key: holds a key but mode 0644" "$T/open.err" ||
    fail "mode 0644 key: $(cat "$T/open.err")"
pass "$n configs + the example; a 0644 key refused"
