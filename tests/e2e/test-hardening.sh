#!/usr/bin/env bash
# Every binary is built as hardening.md asks: PIE, full RELRO (BIND_NOW),
# non-executable stack, stack protector and FORTIFY_SOURCE in use, CET
# (endbr64) instrumentation.  readelf/objdump read the binaries directly.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "FAIL: $*"; exit 1; }
n=0
for b in build/bin/*; do
	[ -x "$b" ] || continue
	name=$(basename "$b")
	readelf -h "$b" | grep -c 'Type:.*DYN' >/dev/null || fail "$name: not PIE"
	readelf -l "$b" | grep -c GNU_RELRO >/dev/null || fail "$name: no RELRO"
	readelf -d "$b" | grep -Ec 'BIND_NOW|FLAGS.*NOW' >/dev/null || fail "$name: no BIND_NOW"
	readelf -lW "$b" | grep GNU_STACK | grep -c 'RW ' >/dev/null || fail "$name: executable stack"
	readelf -sW --dyn-syms "$b" | grep -c '__stack_chk_fail' >/dev/null || fail "$name: no stack protector"
	readelf -sW --dyn-syms "$b" | grep -c '_chk@' >/dev/null || fail "$name: no FORTIFY_SOURCE calls"
	[ "$(objdump -d --no-show-raw-insn "$b" | grep -c endbr64)" -gt 0 ] || fail "$name: no CET endbr64"
	n=$((n+1))
done
[ $n -gt 0 ] || fail "no binaries in build/bin"
echo "hardening: $n passed, 0 failed"
