#!/bin/bash
# scheme-sim core with a pair of gateways (fakegw stands in for both; no
# gatewayd):
#   advices  known by (0x1007 gateway, 0x1006 id), not by corr_id: gw-a's
#            advice 1, gw-b's advice 1, and gw-a's advice 1 again as gw-b
#            delivers it after a takeover (its own corr_id 7) are 2 new +
#            1 duplicate; without the tags ("", corr_id) as before; each
#            acked to its sender with the sender's corr_id; the record
#            and the JSON report say who made and who delivered each;
#   snapshot pushed to both gateways, done only once both acked;
#   shares   --share at start, then `share` on the control socket: the
#            lowering step first (no share ever raised before every
#            gateway holds the lowered ones), then the raise; a gateway
#            that does not answer leaves the move pending, naming it,
#            until an injected SHARE_ACK completes it.
TEST=core-pair
. "$(dirname "$0")/lib.sh"

[ -x "$BIN/../e2e/fakegw" ] || fail "build/e2e/fakegw not built (make tests)"
genkey "$T/core.key"
"$BIN/hsmctl" lmk init --out "$T/lmk" >"$T/cards.log" 2>&1 || fail "lmk init"
"$BIN/scheme-sim" cards generate 3 --lmk "$T/lmk" --out "$T/portfolio" \
    >>"$T/cards.log" 2>&1 || fail "cards generate: $(tail -3 "$T/cards.log")"
CP=$(free_port udp)
start_core pair "$CP" "$T/core.key" --record "$T/adv.jsonl" \
    --json "$T/core.json" --control "$T/core.ctl" --cards "$T/portfolio" \
    --share gw-a=70,gw-b=30
for i in $(seq 1 100); do [ -S "$T/core.ctl" ] && break; sleep 0.05; done
[ -S "$T/core.ctl" ] || fail "no control socket"

rm -f "$T/gw.in"
mkfifo "$T/gw.in"
"$BIN/../e2e/fakegw" "$T/core.key" "$CP" 2 <>"$T/gw.in" >"$T/gw.out" 2>&1 &
PIDS+=($!)

# gw_wait REGEX [LINE]: the first line of gw.out after LINE that matches.
gw_wait() {
	local i l
	for i in $(seq 1 200); do
		l=$(tail -n +$((${2:-0} + 1)) "$T/gw.out" | grep -m1 -E "$1") && {
			echo "$l"
			return 0
		}
		sleep 0.05
	done
	fail "fakegw never printed /$1/ (last: $(tail -3 "$T/gw.out" | tr '\n' '|'))"
}
gw() {
	local n l
	n=$(grep -c '' "$T/gw.out")
	echo "$*" >"$T/gw.in"
	l=$(gw_wait "^(ok|err) " "$n")
	[ "$l" = "ok $*" ] || fail "fakegw: '$*' answered '$l'"
}
core() {
	python3 - "$T/core.ctl" "$*" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
b = b""
while not b.endswith(b"\n"):
	c = s.recv(512)
	if not c:
		break
	b += c
print(b.decode().strip())
PY
}
# core_until CMD REGEX: until the answer to CMD matches, within 10 s.
core_until() {
	local i a
	for i in $(seq 1 100); do
		a=$(core "$1")
		[[ $a =~ $2 ]] && { echo "$a"; return 0; }
		sleep 0.1
	done
	fail "'$1' never answered /$2/: $a"
}

echo "== shares at start (--share gw-a=70,gw-b=30)"
gw autoshare 0 gw-a 50
gw autoshare 1 gw-b 50
gw hb 0
gw hb 1
a=$(core_until share '^ok done ')
echo "   $a"
[[ $a == *"shares=gw-a=70,gw-b=30" ]] || fail "want gw-a=70,gw-b=30: $a"

echo "== snapshot to both gateways, done when both acked"
gw_wait '^rx 0 SNAPSHOT corr=' >/dev/null
gw_wait '^rx 1 SNAPSHOT corr=' >/dev/null
gw autosnap 0
sleep 0.8
a=$(core counters)
[[ $a == *" snapshot_acked=0" ]] || fail "done before gw-b acked: $a"
gw autosnap 1
a=$(core_until counters ' snapshot_acked=[1-9]')
echo "   gw-a alone: not done; with gw-b: ${a##* }"

echo "== advices by (gateway, advice id)"
core mark >/dev/null
gw advice 0 1 gw-a 1
gw advice 1 1 gw-b 1
gw advice 1 7 gw-a 1
gw advice 0 5 - -
gw advice 1 5 - -
a=$(core_until counters ' advices=5 ')
echo "   $a"
[[ $a == *" advices=5 advice_new=3 advice_dups=2 "* ]] ||
    fail "want 5 advices, 3 new, 2 duplicates: $a"
gw_wait '^rx 0 ADVICE_ACK corr=1$' >/dev/null
gw_wait '^rx 1 ADVICE_ACK corr=1$' >/dev/null
gw_wait '^rx 1 ADVICE_ACK corr=7$' >/dev/null
python3 - "$T/adv.jsonl" <<'PY' || fail "advice record"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
rs = [r for r in rs if r["kind"] == "advice"]
got = [(r["gateway"], r["advice_id"], r["corr_id"], r["dup"],
        r["delivered_by"]) for r in rs]
want = [("gw-a", 1, 1, False, "gw-a"), ("gw-b", 1, 1, False, "gw-b"),
        ("gw-a", 1, 7, True, "gw-b"), ("", 5, 5, False, "gw-a"),
        ("", 5, 5, True, "gw-b")]
if got != want:
    sys.exit("record %s, want %s" % (got, want))
if rs[0]["from"] == rs[1]["from"] or not rs[1]["from"].startswith("127.0.0.1:"):
    sys.exit("from: %s %s" % (rs[0]["from"], rs[1]["from"]))
print("   record: gateway, advice_id, corr_id, dup, delivered_by as sent")
PY

echo "== a move: lower first, then raise"
n=$(grep -c '' "$T/gw.out")
a=$(core share gw-a=40,gw-b=60)
[[ $a =~ ^ok\ pending\ step=lower\ version=([0-9]+) ]] || fail "share: $a"
v=${BASH_REMATCH[1]}
core_until share "^ok done step=done version=$((v + 1)) shares=gw-a=40,gw-b=60$" >/dev/null
l1=$(gw_wait "^rx 0 SHARE corr=$v " "$n")
l2=$(gw_wait "^rx 0 SHARE corr=$((v + 1)) " "$n")
[ "$l1" = "rx 0 SHARE corr=$v shares=gw-a=40;gw-b=30" ] || fail "lower step: $l1"
[ "$l2" = "rx 0 SHARE corr=$((v + 1)) shares=gw-a=40;gw-b=60" ] || fail "raise step: $l2"
echo "   v$v gw-a=40;gw-b=30, then v$((v + 1)) gw-a=40;gw-b=60"
# During the move, no time at which what the gateways held added up to
# more than 100.  (At start their shares were unknown to the core: that
# first move asked them first, with a probe of version 0.)
python3 - "$T/gw.out" "$n" <<'PY' || fail "shares held exceeded 100"
import re, sys
held = {}
for i, l in enumerate(open(sys.argv[1])):
    m = re.match(r"tx (\d) SHARE_ACK corr=\d+ share=(\d+) ", l)
    if m:
        held[m.group(1)] = int(m.group(2))
        if i >= int(sys.argv[2]) and sum(held.values()) > 100:
            sys.exit("held %s at line %d" % (held, i + 1))
PY

echo "== a gateway that does not answer: pending, then an injected SHARE_ACK"
gw noshare 1
a=$(core share gw-a=60,gw-b=40)
[[ $a =~ ^ok\ pending\ step=lower\ version=([0-9]+) ]] || fail "share: $a"
v=${BASH_REMATCH[1]}
a=$(core_until share "^ok pending step=lower version=$v missing=gw-b$")
echo "   $a"
a=$(core share gw-a=50,gw-b=50)
[[ $a == "err a move is pending"* ]] || fail "a second move while pending: $a"
gw shareack 1 $v gw-b 40 $v
a=$(core_until share "^ok pending step=raise version=$((v + 1)) missing=gw-b$")
echo "   $a"
gw shareack 1 $((v + 1)) gw-b 40 $((v + 1))
a=$(core_until share "^ok done step=done version=$((v + 1)) ")
echo "   $a"
a=$(core share gw-a=101)
[[ $a == "err "* ]] || fail "share gw-a=101: $a"

echo "== the JSON report"
kill "$CORE_pair_PID"
wait "$CORE_pair_PID" 2>/dev/null
python3 - "$T/core.json" <<'PY' || fail "report"
import json, sys
d = json.load(open(sys.argv[1]))
a = d["advices_by_gateway"]
assert a["gw-a"]["new"] == 1 and a["gw-a"]["dup"] == 1, a
assert a["gw-a"]["delivered_by"]["gw-a"] == {"new": 1, "dup": 0}, a
assert a["gw-a"]["delivered_by"]["gw-b"] == {"new": 0, "dup": 1}, a
assert a["gw-b"]["new"] == 1 and a["gw-b"]["dup"] == 0, a
assert a[""]["new"] == 1 and a[""]["dup"] == 1, a
s = d["shares"]
assert s["gw-a"]["share"] == 60 and s["gw-b"]["share"] == 40, s
assert d["share_move"]["state"] == "done", d["share_move"]
g = sorted(x["name"] for x in d["gateways"])
assert g == ["gw-a", "gw-b"], d["gateways"]
assert all(x["snapshot_acked"] >= 1 for x in d["gateways"]), d["gateways"]
assert d["advices"] == 5 and d["advice_dups"] == 2, d
print("   advices_by_gateway, shares, gateways as expected")
PY
grep -q "advices of gw-a: new=1 dup=1, delivered by gw-a=1 gw-b=1" \
    "$T/core-pair.out" || fail "summary: $(grep advices "$T/core-pair.out")"
pass "2 new + 1 duplicate by (gateway, id); snapshot per gateway; shares lowered before raised"
