#!/bin/bash
# Every message class a scheme sends is answered and nothing is dropped
# (gateway/msgclass.c; the table in doc/architecture.md "Message classes"),
# with the real gatewayd (durable stand-in store, hsmd), scheme-sim core
# recording what reaches the core, and scheme-sim scheme / sisend.py
# playing the scheme:
#   - 0220 financial advices and 0620 administrative advices: 0230/0630
#     00 once durable, each on to the core as an ADVICE exactly once, a
#     repeat (0221/0621) acknowledged again and not delivered twice;
#   - 0302 file update: to the core as a request, the core's answer
#     relayed (0312); with the core black-holed, 91 (no stand-in);
#   - 0420 reversal advice: 0430 and delivered;
#   - 0700 (a class nobody routes): 0710 DE39 12, counted by MTI.
TEST=msgclass
TEST_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
start_hsm 20
standin_conf >"$T/gw.conf"
start_core a "$CP" "$T/core.key" --cards "$T/portfolio" \
    --record "$T/advices.jsonl"
start_gw "$T/gw.conf"
wait_core_up a
wait_snapshot a

# 1. scheme-sim as the scheme: 100 financial advices, 50 administrative.
for mti in 0220:100 0620:50; do
	"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
	    --mti "${mti%:*}" --count "${mti#*:}" --rate 200 --expect 00 \
	    --no-progress --json "$T/${mti%:*}.json" >"$T/${mti%:*}.out" 2>&1 ||
	    { cat "$T/${mti%:*}.out"; fail "scheme-sim ${mti%:*} run failed"; }
done

# 2. One of each by hand, the repeats with the same DE7/DE11/DE32/DE37.
f='"2":"5413330000000019","3":"000000","4":"000000001000","7":"1206101010","32":"005037","41":"TERM0001","42":"SIMMERCHANT0001","49":"826"'
python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP" iso87 \
    >"$T/send.out" <<L || { cat "$T/send.out"; fail "an answer was not as expected"; }
fin 00 {"mti":"0220","fields":{$f,"11":"700001","37":"MC0000700001"}}
fin-repeat 00 {"mti":"0221","fields":{$f,"11":"700001","37":"MC0000700001"}}
adm 00 {"mti":"0620","fields":{$f,"11":"700002","37":"MC0000700002"}}
adm-repeat 00 {"mti":"0621","fields":{$f,"11":"700002","37":"MC0000700002"}}
rev 00 {"mti":"0420","fields":{$f,"11":"700003","37":"MC0000700003","90":"010070000312061010100000000503700000000000"}}
file 00 {"mti":"0302","fields":{$f,"11":"700004","37":"MC0000700004"}}
unknown 12 {"mti":"0700","fields":{$f,"11":"700005","37":"MC0000700005"}}
L
sed 's/^/   /' "$T/send.out"
grep -q '^file rc=00 de38=C' "$T/send.out" ||
    fail "the 0302's answer did not come from the core"

# Every advice is on to the core, once (the SAF drains; no dup flags).
for i in $(seq 1 200); do
	[ "$(metric gatewayd_saf_depth)" = 0 ] && break
	sleep 0.05
done
[ "$(metric gatewayd_saf_depth)" = 0 ] || fail "the SAF did not drain"
count() {	# count MTI [STAN]: advices of that MTI the core recorded
	python3 - "$T/advices.jsonl" "$@" <<'PY'
import json, sys
n = set()
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get("mti") != sys.argv[2] or d.get("dup"):
        continue
    if len(sys.argv) > 3 and d.get("stan") != sys.argv[3]:
        continue
    n.add(d.get("stan"))
print(len(n))
PY
}
recs() {	# recs MTI: every record of that MTI, repeats included
	grep -c "\"mti\": *\"$1\"" "$T/advices.jsonl" || true
}
n220=$(count 0220); n620=$(count 0620)
[ "$n220" = 101 ] || fail "core got $n220 distinct 0220 advices, want 101"
[ "$n620" = 51 ] || fail "core got $n620 distinct 0620 advices, want 51"
[ "$(recs 0221)" = 0 ] || fail "the 0221 repeat was delivered again"
[ "$(recs 0621)" = 0 ] || fail "the 0621 repeat was delivered again"
[ "$(recs 0220)" = 101 ] || fail "$(recs 0220) 0220 records, want 101 (one each)"
[ "$(count 0420 700003)" = 1 ] || fail "the 0420 did not reach the core"
u=$(metric 'gatewayd_requests_total{link="mc",mti="0700",outcome="12",path="local"}')
[ "$u" = 1 ] || fail "the 0700 was not counted by MTI ($u)"
[ "$(metric 'gatewayd_link_unhandled_total{link="mc"}')" = 1 ] ||
    fail "gatewayd_link_unhandled_total not 1"

# 3. No core: a file update cannot be decided by stand-in: 91.
blackhole_core a
python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP" iso87 \
    >"$T/send2.out" <<L || { cat "$T/send2.out"; fail "0302 without a core not 91"; }
file-nocore 91 {"mti":"0302","fields":{$f,"11":"700006","37":"MC0000700006"}}
L
pass "0220 x101 and 0620 x51 acknowledged and delivered once each (repeats not again), 0420 delivered, 0302 relayed from the core (91 without it), 0700 answered 12 and counted"
