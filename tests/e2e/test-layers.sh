#!/usr/bin/env bash
# The libraries' layers hold (doc/architecture.md section 1):
#  - make links a probe per library against only the libraries below it
#    that the Makefile names (build/layers/): each must exist and be newer
#    than its archive, so a call upward has failed the build;
#  - no circle of calls between any two source files;
#  - gatewayd holds no HSM server code (DES, EMV key derivation, payShield
#    commands) and no WireGuard management.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "FAIL test-layers: $*"; exit 1; }
libs=$(make -s print-libs 2>/dev/null) || fail "make print-libs"
n=0
while read -r l dir; do
	p=build/layers/$l
	[ -x "$p" ] || fail "layer probe $p missing: run make"
	# what the library is built from: its members' sources and the
	# headers they include (a program's own files, hsmctl.c say, are not)
	for o in $(ar t "build/rel/lib$l.a"); do
		d=build/rel/$dir/${o%.o}.d
		[ -f "$d" ] || fail "$d missing: run make"
		for f in $(sed 's/^[^:]*://; s/\\$//' "$d" | tr ' ' '\n' | grep -v ':$' | sort -u); do
			[ -f "$f" ] && [ "$f" -nt "$p" ] && fail "$f is newer than the probe $p: run make"
		done
	done
	n=$((n+1))
done <<<"$libs"
python3 tests/e2e/layers.py cycles build/rel || fail "circles between files"
python3 tests/e2e/layers.py absent build/bin/gatewayd build/rel/libhsm.a \
    build/rel/libwg.a || fail "gatewayd links server or WireGuard code"
if nm build/bin/gatewayd | grep -q ' T hsm_des_'; then
	fail "gatewayd holds hsm_des_ symbols"
fi
echo "PASS test-layers: $n library probes, no circles, gatewayd without HSM server or WireGuard code"
