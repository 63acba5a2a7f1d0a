#!/usr/bin/env bash
# Runs every suite make check names, keeps going past a failure so one run
# shows them all, and ends with the plain "N passed, N failed" line.
# Arguments: unit binaries, ASan+UBSan binaries, fuzz targets, e2e scripts
# (each a space-separated list).
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0; failed=()
run() {
	local name=$1; shift
	local t0=$SECONDS log
	log=build/logs/$(echo "$name" | tr '/ ' '__').log
	mkdir -p build/logs
	if "$@" >"$log" 2>&1; then
		pass=$((pass+1))
		echo "PASS $name ($((SECONDS-t0))s)"
	else
		fail=$((fail+1)); failed+=("$name")
		echo "FAIL $name ($((SECONDS-t0))s) — last lines of $log:"
		tail -25 "$log" | sed 's/^/    /'
	fi
	grep -E '^[0-9]+%: Checks|passed, [0-9]+ failed|^SKIP' "$log" | sed 's/^/    /'
}
for t in $1; do run "unit $(basename "$t")" "$t"; done
for t in $2; do
	run "asan+ubsan $(basename "$t")" env CK_FORK=no \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$t"
done
for f in $3; do
	n=$(basename "$f")
	run "fuzz corpus $n" "$f" -runs=0 "tests/fuzz/corpus/$n"
done
for t in $4; do run "e2e $(basename "$t" .sh)" bash "$t"; done
echo
[ $fail = 0 ] || echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
