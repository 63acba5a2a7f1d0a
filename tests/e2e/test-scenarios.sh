#!/bin/bash
# The shipped scenario library (scheme-sim/scenarios/*.json) run by
# `scheme-sim run` against the real gatewayd, hsmd and two scheme-sim
# cores driven through their control sockets; the gateway's actions
# (kill -9, restart, reload, standin force) are commands given on the
# command line.  Every case must pass and the JUnit report must say so.
# Network management and the link's faults also run on a Connect link
# (the gateway dials, scheme-sim run --listen accepts).  The scheme-link
# cases (12-scheme-link.json) run on a link of their own: profile fps
# (traffic gated on the session), SignOn = yes, a ZMK, MAC = yes and
# outbound store and forward, the runner holding the test's clear ZMK and
# MAC key.  Then the runner is tested on itself: the cases of
# scenario-fail.json must each fail, with the message that says why.
TEST=scenarios
TEST_TIMEOUT=${TEST_TIMEOUT:-240}
. "$(dirname "$0")/lib.sh"

LP=$(free_port); OP=$(free_port); SP=$(free_port); CA=$(free_port udp)
CB=$(free_port udp); METRICS=$(free_port)
HSM_LISTEN_OPTS=",allow=verify,A6,M6" start_hsm 10 --special
genkey "$T/b.key"
# The scheme link's keys: the ZMK as the gateway holds it (under the
# LMK) and in clear for the runner; the MAC key the first case sends.
echo 0123456789ABCDEFFEDCBA9876543210 >"$T/zmk.clear"
echo 89ABCDEF01234567FEDCBA9876543210 >"$T/mak.clear"
chmod 600 "$T/zmk.clear" "$T/mak.clear"
"$BIN/hsmctl" key form --lmk "$T/lmk" --type ZMK --clear "$(cat "$T/zmk.clear")" \
    2>/dev/null | cut -d' ' -f1 >"$T/zmk.blk" || fail "hsmctl key form ZMK"
chmod 600 "$T/zmk.blk"
cat >"$T/out.json" <<'J'
{"mti":"0200","fields":{"2":"4000000000000002","3":"260000","4":"000000012345","7":"1206120000","11":"424242","32":"005037","37":"OUT000000001","41":"TERM0001","42":"400000 1234","49":"826"}}
J

cat >"$T/gw.conf" <<CONF
$(gw_section)

[Link mc]
Profile = iso87
$ZPKLINE
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Deadline = 1s
StandInReserve = 600ms
EchoInterval = 1s

# The gateway dials this one: scheme-sim run --listen.
[Link out]
Profile = iso87
$ZPKLINE
Connect = 127.0.0.1:$OP
Deadline = 1s
StandInReserve = 600ms
EchoInterval = 1s

# The scheme-link cases (12-scheme-link.json); removed and restored by
# their actions, so it stays the last link.
[Link fps]
Profile = fps
Connect = 127.0.0.1:$SP
SignOn = yes
ZMKFile = $T/zmk.blk
MAC = yes
OutTimeout = 1s
OutRepeats = 1
Deadline = 1s
StandInReserve = 600ms
EchoInterval = 1s

[Core a]
Address = 127.0.0.1:$CA
KeyFile = $T/core.key
Priority = 1

[Core b]
Address = 127.0.0.1:$CB
KeyFile = $T/b.key
Priority = 2

[StandIn]
Mode = auto
MaxAmount = 50000
ExposureCap = 1000000
BlockMCC = 7995
CONF

for c in a b; do
	key=$T/core.key port=$CA
	[ $c = b ] && key=$T/b.key port=$CB
	start_core $c $port "$key" --cards "$T/portfolio" --decline-over 50000 \
	    --decline-pan 5413335500000112 --record "$T/advices-$c.jsonl" \
	    --control "$T/core-$c.ctl" --out-request fps:"$T/out.json" \
	    --out-profile fps --out-on-command
done

# gatewayd is started and restarted by the runner's actions, so its pid
# lives in a file the cleanup reads too.
cat >"$T/gw-start.sh" <<EOF
"${GATEWAYD:-$BIN/gatewayd}" -d -f "$T/gw.conf" >>"$T/gatewayd.log" 2>&1 &
echo \$! >"$T/gw.pid"
for i in \$(seq 1 200); do
	"$BIN/gatewayctl" -s "$T/ctl.sock" status >/dev/null 2>&1 && exit 0
	kill -0 \$(cat "$T/gw.pid") 2>/dev/null || exit 1
	sleep 0.05
done
exit 1
EOF
trap 'kill $(cat "$T/gw.pid" 2>/dev/null) 2>/dev/null; cleanup' EXIT
bash "$T/gw-start.sh" || { tail -5 "$T/gatewayd.log"; fail "gatewayd did not start"; }
wait_core_up a
wait_core_up b
wait_snapshot a
wait_snapshot b

# wait-core.sh NAME STATE: until gatewayctl says the core is in STATE.
cat >"$T/wait-core.sh" <<EOF
for i in \$(seq 1 300); do
	"$BIN/gatewayctl" -s "$T/ctl.sock" cores --json | python3 -c "
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if any(c['name'] == '\$1' and c['state'] == '\$2' for c in d['cores']) else 1)" && exit 0
	sleep 0.05
done
exit 1
EOF
# out-saf-empty.sh: until the gateway's outbound queue is empty.
cat >"$T/out-saf-empty.sh" <<EOF
for i in \$(seq 1 300); do
	"$BIN/gatewayctl" -s "$T/ctl.sock" saf --json | python3 -c "
import json, sys
sys.exit(0 if json.load(sys.stdin)['outbound']['depth'] == 0 else 1)" && exit 0
	sleep 0.05
done
exit 1
EOF
# link-remove.sh: the conf without the fps link, reloaded (kept aside
# for link-restore).
cat >"$T/link-remove.sh" <<EOF
cp "$T/gw.conf" "$T/gw.conf.full"
sed -i '/^# The scheme-link cases/,\$d' "$T/gw.conf"
sed -n '/^\[Core a\]/,\$p' "$T/gw.conf.full" >>"$T/gw.conf"
$BIN/gatewayctl -s "$T/ctl.sock" reload
EOF
# saf-empty.sh: until the gateway's advice queue is empty.
cat >"$T/saf-empty.sh" <<EOF
for i in \$(seq 1 300); do
	"$BIN/gatewayctl" -s "$T/ctl.sock" saf --json | python3 -c "
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d.get('saf', d)['depth'] == 0 else 1)" && exit 0
	sleep 0.05
done
exit 1
EOF
CTL="$BIN/gatewayctl -s $T/ctl.sock"
# run_lib [--listen ADDR:PORT] ARGS...: scheme-sim run on link mc (or
# accepting link out's connections) with the cores and actions.
run_lib() {
	local link=(--connect 127.0.0.1:$LP)
	if [ "$1" = --listen ]; then
		link=(--listen "$2")
		shift 2
	fi
	"$BIN/scheme-sim" run "${link[@]}" --profile iso87 \
	    --portfolio "$T/portfolio" \
	    --core a="$T/core-a.ctl" --core b="$T/core-b.ctl" \
	    --action gateway-kill="kill -9 \$(cat $T/gw.pid)" \
	    --action gateway-start="bash $T/gw-start.sh" \
	    --action gateway-reload="$CTL reload" \
	    --action standin-force-on="$CTL standin force on" \
	    --action standin-force-off="$CTL standin force off" \
	    --action standin-auto="$CTL standin force auto" \
	    --action core-a-up="bash $T/wait-core.sh a up" \
	    --action core-a-down="bash $T/wait-core.sh a down" \
	    --action core-b-up="bash $T/wait-core.sh b up" \
	    --action saf-empty="bash $T/saf-empty.sh" \
	    --action reload-low-limit="sed -i 's/^MaxAmount = 50000\$/MaxAmount = 1000/' $T/gw.conf && $CTL reload" \
	    --action reload-restore="sed -i 's/^MaxAmount = 1000\$/MaxAmount = 50000/' $T/gw.conf && $CTL reload" \
	    "$@"
}

# The library but the scheme-link file, which needs a link of its own.
LIB=()
for f in "$ROOT"/scheme-sim/scenarios/*.json; do
	[ "${f##*/}" = 12-scheme-link.json ] || LIB+=("$f")
done
run_lib --junit "$T/junit.xml" --json "$T/results.json" \
    "${LIB[@]}" >"$T/run.out" 2>"$T/run.err"
rc=$?
sed 's/^/   /' "$T/run.out"
[ $rc = 0 ] || { tail -5 "$T/run.err"; fail "the shipped library did not pass (exit $rc)"; }
python3 - "$T/junit.xml" "${LIB[@]}" <<'PY' || fail "JUnit report"
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
want = sum(len(json.load(open(f))["cases"]) for f in sys.argv[2:])
cases = root.findall("./testsuite/testcase")
assert root.tag == "testsuites", root.tag
assert int(root.get("tests")) == want == len(cases), (root.get("tests"), want)
assert int(root.get("failures")) == 0, root.get("failures")
assert not root.findall(".//failure")
assert len(root.findall("./testsuite")) == len(sys.argv) - 2
PY
# No full PAN in what the run wrote.
if grep -q 5413335500000104 "$T/junit.xml" "$T/results.json" "$T/run.out"; then
	fail "a full PAN in the reports"
fi

# A Connect link: the runner accepts the gateway's connections, and a
# "connect" step waits for the gateway to dial again.
run_lib --listen 127.0.0.1:$OP "$ROOT/scheme-sim/scenarios/01-network.json" \
    "$ROOT/scheme-sim/scenarios/07-link-faults.json" >"$T/listen.out" 2>&1 \
    || fail "--listen: $(cat "$T/listen.out")"
sed 's/^/   /' "$T/listen.out" | tail -1

# The scheme-link cases on link fps: the gateway dials and signs on.
run_lib --listen 127.0.0.1:$SP --no-signon --profile fps \
    --zmk "$T/zmk.clear" --mak "$T/mak.clear" \
    --action out-saf-empty="bash $T/out-saf-empty.sh" \
    --action link-remove="bash $T/link-remove.sh" \
    --action link-restore="cp $T/gw.conf.full $T/gw.conf && $CTL reload" \
    --junit "$T/link.xml" "$ROOT/scheme-sim/scenarios/12-scheme-link.json" \
    >"$T/link.out" 2>"$T/link.err"
rc=$?
sed 's/^/   /' "$T/link.out"
[ $rc = 0 ] || { tail -5 "$T/link.err"; fail "the scheme-link cases did not pass (exit $rc)"; }
grep -q 'failures="0"' "$T/link.xml" || fail "scheme-link JUnit report"
# Under a key the gateway does not hold: refused 63, and the refusal not
# MACed (the runner's check of a wrong MAC: tests/unit/check_scenario.c).
run_lib --listen 127.0.0.1:$SP --no-signon --profile fps \
    --mak "$T/zmk.clear" --json "$T/macfail.json" \
    "$ROOT/tests/e2e/scenario-fail-mac.json" >"$T/macfail.out" 2>&1 ||
    fail "a request under the wrong MAC key: $(cat "$T/macfail.out")"

# --case runs one case; a file with a mistake runs nothing, exit 2, and
# the error names the case and the step.
run_lib --case "sign-on is answered 00" "$ROOT"/scheme-sim/scenarios/*.json \
    >"$T/one.out" 2>&1 || fail "--case: $(cat "$T/one.out")"
tail -1 "$T/one.out" | grep -q "^1 cases: 1 passed" || fail "--case ran: $(tail -1 "$T/one.out")"
printf '{"cases": [{"name": "x", "steps": [{"wait": "1s"}, {"expect": {"de39": "000"}}]}]}' >"$T/bad.json"
run_lib "$T/bad.json" >"$T/bad.out" 2>&1
rc=$?
[ $rc = 2 ] || fail "a wrong file: exit $rc, want 2"
grep -q 'case 1 "x" step 2: expect: de39 "000": want 2 characters' "$T/bad.out" \
    || fail "a wrong file: $(cat "$T/bad.out")"

# The test of the test tool: each case of scenario-fail.json fails, and
# says why (JSON report: the step, the field, expected and got).
run_lib --json "$T/fail.json" --junit "$T/fail.xml" \
    "$ROOT/tests/e2e/scenario-fail.json" >"$T/fail.out" 2>&1
rc=$?
sed 's/^/   /' "$T/fail.out"
[ $rc = 1 ] || fail "a run with failing cases exited $rc, want 1"
python3 - "$T/fail.json" "$T/fail.xml" <<'PY' || fail "the failures were not reported as they should be"
import json, sys
import xml.etree.ElementTree as ET
d = json.load(open(sys.argv[1]))
r = {c["name"]: c for c in d["results"]}
def f(name):
    c = r[name]
    assert not c["passed"], name + " passed"
    return c["failure"]
x = f("wrong DE39")
assert x["step"] == 2 and x["kind"] == "expect" and x["field"] == 39, x
assert x["expected"] == "05|51" and x["got"] == "00", x
x = f("field mismatch")
assert x["field"] == 4 and x["expected"] == "000000009999" and x["got"] == "000000001000", x
x = f("masked PAN in a mismatch")
assert x["field"] == 2 and "******" in x["expected"] and "******" in x["got"], x
assert "5413335500000104" not in json.dumps(x), x
x = f("timeout")
assert x["step"] == 2 and "timeout" in x["message"] and "0210" in x["message"], x
x = f("regex mismatch")
assert x["field"] == 38 and x["expected"] == "/^X/", x
x = f("unknown variable")
assert "no variable" in x["message"], x
x = f("absent field present")
assert x["field"] == 39 and "absent" in x["expected"], x
assert d["failed"] == len(r) == d["cases"], d
root = ET.parse(sys.argv[2]).getroot()
fl = root.findall(".//testcase/failure")
assert len(fl) == len(r), len(fl)
m = [e.get("message") for e in fl]
assert any("step 2 (expect" in s and "DE39: expected 05|51, got 00" in s for s in m), m
PY
pass "$(tail -1 "$T/run.out"); scheme link: $(tail -1 "$T/link.out" | cut -d, -f1), a request under a wrong MAC key refused unMACed; Connect link (--listen): $(tail -1 "$T/listen.out" | cut -d, -f1); $(grep -c '^FAIL' "$T/fail.out") must-fail cases failed as they should"
