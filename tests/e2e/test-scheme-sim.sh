#!/usr/bin/env bash
# test-scheme-sim.sh — the simulators on their own (no gatewayd): scheme-sim
# scheme against scheme-sim core --tcp in every profile and framing, the
# core's decision rules, error detection (a wrong DE39 makes the run fail),
# --help and option errors, and no full PAN in any output.
TEST=scheme-sim
. "$(dirname "$0")/lib.sh"
SIM=$BIN/scheme-sim

jget() {	# jget FILE python-expression-on-d
	python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['total']; print($2)" "$1"
}

# --help is true for every subcommand, and names the options it parses.
$SIM scheme --help 2>"$T/h1" || fail "scheme --help exit"
$SIM core --help 2>"$T/h2" || fail "core --help exit"
$SIM help >/dev/null 2>&1 || fail "help exit"
for o in --connect --listen --profile --framing --rate --inflight --duration \
    --count --cards --expect --deadline --json --conns; do
	grep -q -- "$o" "$T/h1" || fail "scheme --help lacks $o"
done
for o in --listen --key --record --delay --delay-dist --drop \
    --blackhole-after --out-request --decline-over --decline-pan --tcp; do
	grep -q -- "$o" "$T/h2" || fail "core --help lacks $o"
done
# Option errors name the option and exit 2.
$SIM scheme --connect 127.0.0.1:1 --rate 12x 2>"$T/e1"; [ $? = 2 ] || fail "bad --rate exit"
grep -q -- "--rate 12x" "$T/e1" || fail "bad --rate message: $(cat "$T/e1")"
$SIM core --listen 127.0.0.1:1 2>"$T/e2"; [ $? = 2 ] || fail "core without --key exit"
grep -q -- "--key" "$T/e2" || fail "core without --key message"

# Every profile and framing, closed loop.
for prof in iso87 iso87hex mastercard fps; do
	for fr in len2 len4ascii; do
		port=$(free_port)
		$SIM core --tcp 127.0.0.1:$port --profile $prof --framing $fr -q 2>"$T/core-$prof-$fr.log" &
		cp=$!
		PIDS+=($cp)
		$SIM scheme --connect 127.0.0.1:$port --profile $prof --framing $fr \
		    --count 3000 --inflight 32 --conns 2 --no-progress \
		    --json "$T/$prof-$fr.json" >"$T/$prof-$fr.txt" 2>"$T/$prof-$fr.log" \
		    || fail "$prof/$fr: scheme-sim exit $? ($(tr '\n' ' ' <"$T/$prof-$fr.txt"))"
		[ "$(jget "$T/$prof-$fr.json" 'd["received"]')" = 3000 ] || fail "$prof/$fr: not 3000 answers"
		kill $cp; wait $cp 2>/dev/null
	done
done

# Decision rules: a declined PAN (05), amounts over a limit (51).
printf '5413330089010434\n5413330089020011 3012 500\n' >"$T/cards"
port=$(free_port)
$SIM core --tcp 127.0.0.1:$port --decline-pan 5413330089010434 --decline-over 5000 -q 2>"$T/core-rules.log" &
cp=$!
PIDS+=($cp)
$SIM scheme --connect 127.0.0.1:$port --cards "$T/cards" --amount 9000 \
    --count 1000 --inflight 16 --no-progress --json "$T/rules.json" >"$T/rules.txt" 2>"$T/rules.log" \
    || fail "rules run exit $?"
# Card 1 (declined PAN): 05; card 2 (own amount 500): 00 with a core DE38.
[ "$(jget "$T/rules.json" 'd["by_rc"].get("05")')" = 500 ] || fail "rules: want 500 x 05: $(cat "$T/rules.txt")"
[ "$(jget "$T/rules.json" 'd["approved"]["core"]')" = 500 ] || fail "rules: want 500 core approvals"
# Amount over the limit on a clean card: 51.
$SIM scheme --connect 127.0.0.1:$port --amount 9000 --count 200 --inflight 8 \
    --no-progress --json "$T/over.json" >/dev/null 2>&1 || fail "over-limit run exit"
[ "$(jget "$T/over.json" 'd["by_rc"].get("51")')" = 200 ] || fail "want 200 x 51"
# An answer outside --expect is an error: exit 1, counted.
$SIM scheme --connect 127.0.0.1:$port --amount 9000 --count 100 --expect 00 \
    --no-progress --json "$T/unexp.json" >/dev/null 2>&1
[ $? = 1 ] || fail "unexpected DE39 not reported by the exit status"
[ "$(jget "$T/unexp.json" 'd["errors"]["rc_unexpected"]')" = 100 ] || fail "rc_unexpected != 100"
kill $cp; wait $cp 2>/dev/null

# Open loop at a fixed rate, with a deadline.
port=$(free_port)
$SIM core --tcp 127.0.0.1:$port -q 2>"$T/core-rate.log" &
cp=$!
PIDS+=($cp)
$SIM scheme --connect 127.0.0.1:$port --rate 2000 --duration 1s --deadline 40ms \
    --no-progress --json "$T/rate.json" >"$T/rate.txt" 2>&1 || fail "rate run exit $?"
n=$(jget "$T/rate.json" 'd["received"]')
[ "$n" -ge 1900 ] && [ "$n" -le 2100 ] || fail "rate run: $n answers, want ~2000"
kill $cp; wait $cp 2>/dev/null

# No full PAN anywhere we printed.
if grep -rqE '5413330089010434|5413330089020011' "$T"/*.txt "$T"/*.log "$T"/*.json 2>/dev/null; then
	fail "a full PAN was printed"
fi
pass "8 profile/framing pairs, rules, error exit, rate, help"
