#!/bin/bash
# Zone keys (gateway/zonekey.c) with the real gatewayd, hsmd (A6 import)
# and scheme-sim playing the scheme that issues keys under a ZMK it shares
# with this test:
#   1. before any key change, stand-in checks PINs under the card's ZPK;
#   2. scheme-sim's key change (0800 161, ZPK Z1 under the ZMK) is imported,
#      its KCV checked, answered 00; PINs under Z1 verify;
#   3. `gatewayctl link mc rekey` sends 162; the scheme answers with Z2,
#      then Z3: PINs under the previous key still verify right after a
#      change, and no longer two changes later (the link's keys are used,
#      not the card's);
#   4. a key change with a KCV that does not match is refused (63) and the
#      key in use stays;
#   4b. a replayed key change to Z1 (two changes back, retired) is
#      refused 63 (reason=retired_key) and Z3 stays; Z3 re-sent is 00;
#   5. the keys survive a restart (the state directory), and so does the
#      list of retired keys: Z1 replayed is still refused; a file from
#      before the list (no "zpk-used" lines) loads, its keys seeding it;
#   6. 163 (key verify) is answered 00; a ZMK file others can read is
#      refused by gatewayd -n;
#   7. a key change in the middle of a PIN load (300 requests, each with
#      CVC2 and a PIN under the ZPK in use; scheme-sim switches keys once
#      the change is answered): none refused 55 (91s from the deadline
#      on a loaded machine are allowed);
#   8. on a link with SignOn = yes, a key change on a connection the
#      scheme has not signed on is refused (91) and changes nothing; the
#      same key change once signed on is taken.
TEST=zonekey
TEST_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

LP=$(free_port); LP2=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
HSM_LISTEN_OPTS=",allow=verify,A6" start_hsm 300
ZMK=0123456789ABCDEFFEDCBA9876543210
echo "$ZMK" >"$T/zmk.clear"; chmod 600 "$T/zmk.clear"
"$BIN/hsmctl" key form --lmk "$T/lmk" --type ZMK --clear "$ZMK" 2>/dev/null |
    cut -d' ' -f1 >"$T/zmk.blk" || fail "hsmctl key form ZMK"
chmod 600 "$T/zmk.blk"
Z1=$(sed -n 's/^clear .*ZPK=\([0-9A-F]*\).*/\1/p' "$T/portfolio")
Z2=89ABCDEF01234567FEDCBA9876543210
Z3=FEDCBA987654321089ABCDEF01234567
printf '%s\n%s\n%s\n' "$Z1" "$Z2" "$Z3" >"$T/zpks"
kcv() { "$BIN/hsmctl" key form --lmk "$T/lmk" --type ZPK --clear "$1" 2>/dev/null | cut -d' ' -f2; }
K1=$(kcv "$Z1"); K2=$(kcv "$Z2"); K3=$(kcv "$Z3")
{ standin_conf; cat <<CONF; } >"$T/gw.conf"
ZMKFile = $T/zmk.blk

[StandIn]
Mode = force
CONF
# ZMKFile belongs to the link section: move it there.
python3 - "$T/gw.conf" <<'PY'
import sys
p = sys.argv[1]
lines = open(p).read().split("\n")
z = [l for l in lines if l.startswith("ZMKFile")][0]
lines.remove(z)
i = lines.index("[Link mc]")
lines.insert(i + 1, z)
open(p, "w").write("\n".join(lines))
PY
cat >>"$T/gw.conf" <<CONF

[Link mcs]
Profile = iso87
Listen = 127.0.0.1:$LP2
AllowFrom = 127.0.0.1
SignOn = yes
ZMKFile = $T/zmk.blk
CONF
start_core a "$CP" "$T/core.key" --cards "$T/portfolio"
start_gw "$T/gw.conf"
wait_core_up a
wait_snapshot a

pin() {	# pin NAME EXPECT STAN: a manual-entry request with a good PIN
	"$BIN/scheme-sim" cards request --portfolio "$T/portfolio" --index 3 \
	    --entry manual --pin good --stan "$3" --amount 500 >"$T/req.json" ||
	    fail "cards request"
	echo "$1 $2 $(cat "$T/req.json")" |
	    python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP" iso87 \
	    >>"$T/pins.out" || { cat "$T/pins.out"; fail "PIN $1: not $2"; }
}
zpk_kcv() {	# zpk_kcv [previous]
	ctl links --json >"$T/links.json"
	json_get "$T/links.json" "d['links'][0]['session']['zpk${1:+_previous}_kcv']"
}
wait_kcv() {	# wait_kcv KCV
	local i
	for i in $(seq 1 100); do
		[ "$(zpk_kcv)" = "$1" ] && return 0
		sleep 0.05
	done
	fail "the link's ZPK is $(zpk_kcv), want $1"
}

# 1. No link key yet: the card's ZPK (Z1 too, from the portfolio).
pin card 00 100001

# 2. The scheme sends Z1 a little into its run, and stays for the rekeys.
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
    --no-progress --zmk "$T/zmk.clear" --new-zpk "$T/zpks" \
    --key-change-at 100ms --rate 20 --count 4 --expect 00,05,51,55,82,91 \
    --hold 60s >"$T/scheme.out" 2>&1 &
SIM=$!
PIDS+=($SIM)
wait_kcv "$K1"
grep -q 'event=key_change_answered conn=0 rc=00' "$T/scheme.out" ||
    fail "scheme-sim did not see its key change answered 00"
pin after-change 00 100002

# 3. Two rekeys: Z2 (previous Z1 still verifies), then Z3 (Z1 is gone).
ctl link mc rekey | grep -q 'key request (162) sent' || fail "rekey refused"
wait_kcv "$K2"
[ "$(zpk_kcv previous)" = "$K1" ] || fail "previous ZPK is not Z1's"
pin previous-key 00 100003
ctl link mc rekey >/dev/null
wait_kcv "$K3"
pin two-changes-on 55 100004

# 4. A key with a KCV that does not match: 63, Z3 stays.
# Z2 under the ZMK (openssl's TDES, not gatewayd's), with Z3's KCV.
enc=$(echo "$Z2" | xxd -r -p | openssl enc -des-ede-ecb -K "$ZMK" -nopad |
    xxd -p | tr a-f A-F)
[ ${#enc} = 32 ] || fail "openssl des-ede-ecb unavailable"
echo "badkcv 63 {\"mti\":\"0800\",\"fields\":{\"7\":\"1206101010\",\"11\":\"900001\",\"70\":\"161\",\"48\":\"PX${enc}${K3}\"}}" |
    python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP" iso87 \
    >>"$T/pins.out" || { cat "$T/pins.out"; fail "bad KCV not refused 63"; }
[ "$(zpk_kcv)" = "$K3" ] || fail "a refused key replaced the ZPK"

# 4b. A captured key change from two rotations back: its KCV matches, the
# HSM imports it, but Z1 is retired: 63, Z3 stays.  Z3 itself is a repeat.
keychange() {	# keychange CLEARKEY KCV STAN: an 0800 161 of kind P
	local enc
	enc=$(echo "$1" | xxd -r -p | openssl enc -des-ede-ecb -K "$ZMK" \
	    -nopad | xxd -p | tr a-f A-F)
	echo "{\"mti\":\"0800\",\"fields\":{\"7\":\"1206101010\",\"11\":\"$3\",\"70\":\"161\",\"48\":\"PX${enc}$2\"}}"
}
replay() {	# replay NAME EXPECT CLEARKEY KCV STAN
	echo "$1 $2 $(keychange "$3" "$4" "$5")" |
	    python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP" iso87 \
	    >>"$T/pins.out" || { cat "$T/pins.out"; fail "$1: not $2"; }
}
replay replay-z1 63 "$Z1" "$K1" 900011
[ "$(zpk_kcv)" = "$K3" ] || fail "a replayed change rolled the ZPK back to $(zpk_kcv)"
[ "$(zpk_kcv previous)" = "$K2" ] || fail "a replayed change moved the previous ZPK"
grep -q "event=key_change_refused link=mc kind=P .*reason=retired_key" \
    "$T/gatewayd.log" || fail "the retired key's refusal was not logged"
replay resend-z3 00 "$Z3" "$K3" 900012
[ "$(zpk_kcv)" = "$K3" ] && [ "$(zpk_kcv previous)" = "$K2" ] ||
    fail "the current key re-sent changed the keys"

# 5. A restart keeps Z3 and Z2.
kill -TERM "$GWPID"; wait "$GWPID"
start_gw "$T/gw.conf"
[ "$(zpk_kcv)" = "$K3" ] || fail "ZPK not kept over a restart ($(zpk_kcv))"
[ "$(zpk_kcv previous)" = "$K2" ] || fail "previous ZPK not kept over a restart"
[ "$(metric 'gatewayd_link_key_changes_total{link="mc"}')" = 0 ] ||
    fail "counter not reset by the restart?"
replay replay-z1-restarted 63 "$Z1" "$K1" 900013
[ "$(zpk_kcv)" = "$K3" ] || fail "after a restart a replayed change rolled the ZPK back to $(zpk_kcv)"
[ "$(zpk_kcv previous)" = "$K2" ] || fail "after a restart a replayed change moved the previous ZPK"
# 5b. The file as a gatewayd from before the list wrote it: the keys load,
# and the current and previous start the list (Z2 is refused after step 7).
grep -q '^zpk-used ' "$T/state/zonekeys.mc" || fail "no used KCVs kept in zonekeys.mc"
kill -TERM "$GWPID"; wait "$GWPID"
sed -i '/^[a-z]*-used /d' "$T/state/zonekeys.mc"
start_gw "$T/gw.conf"
[ "$(zpk_kcv)" = "$K3" ] && [ "$(zpk_kcv previous)" = "$K2" ] ||
    fail "a file without used KCVs did not load ($(zpk_kcv))"
grep -q "event=zonekeys_loaded link=mc .*zpk_used=2 " "$T/gatewayd.log" ||
    fail "the current and previous KCVs did not start the list"
# 6. Key verify, and the ZMK file's mode.
echo "verify 00 {\"mti\":\"0800\",\"fields\":{\"7\":\"1206101010\",\"11\":\"900002\",\"70\":\"163\"}}" |
    python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP" iso87 \
    >>"$T/pins.out" || { cat "$T/pins.out"; fail "163 not answered 00"; }
chmod 644 "$T/zmk.blk"
out=$("$BIN/gatewayd" -n -f "$T/gw.conf" 2>&1) && fail "a 0644 ZMK file accepted"
grep -q 'ZMKFile' <<<"$out" || fail "the refusal does not name ZMKFile: $out"
chmod 600 "$T/zmk.blk"
# 7. Mid-load: Z3 -> Z4 while PINs flow.
echo "$Z3" >"$T/z3"
echo 0123456789ABCDEF89ABCDEF01234567 >"$T/z4"
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
    --portfolio "$T/portfolio" --entry ecom --pin --zpk "$T/z3" \
    --zmk "$T/zmk.clear" --new-zpk "$T/z4" --key-change-at 1s \
    --rate 100 --duration 3s --expect 00,91 --timeout 2s --no-progress \
    --json "$T/midload.json" >"$T/midload.out" 2>&1 ||
    { cat "$T/midload.out"; fail "the PIN load across a key change had errors"; }
grep -q 'event=zpk_switched' "$T/midload.out" || fail "scheme-sim never switched ZPK"
nmid=$(json_get "$T/midload.json" "d['total']['by_rc'].get('00', 0)")
n55=$(json_get "$T/midload.json" "d['total']['by_rc'].get('55', 0)")
[ "$n55" = 0 ] || fail "$n55 PINs refused across the key change"
# 91s are the deadline's under a loaded machine (admission, the guard),
# not the keys': only a floor is held
[ "$nmid" -ge 150 ] || fail "only $nmid of 300 approved"
# Z2, two changes back now, known only from the old file's seeding.
replay replay-z2-seeded 63 "$Z2" "$K2" 900015
[ "$(zpk_kcv)" != "$K2" ] || fail "a replayed change rolled the ZPK back to Z2"
# 8. SignOn = yes: no key before the scheme has signed on.
link_kcv() {	# link_kcv LINK
	ctl links --json >"$T/links.json"
	json_get "$T/links.json" "[l for l in d['links'] if l['name'] == '$1'][0]['session']['zpk_kcv']"
}
before=$(link_kcv mcs)
enc=$(echo "$Z2" | xxd -r -p | openssl enc -des-ede-ecb -K "$ZMK" -nopad |
    xxd -p | tr a-f A-F)
kc="{\"mti\":\"0800\",\"fields\":{\"7\":\"1206101010\",\"11\":\"900003\",\"70\":\"161\",\"48\":\"PX${enc}${K2}\"}}"
printf '%s\n' "unsigned 91 $kc" \
    "signon 00 {\"mti\":\"0800\",\"fields\":{\"7\":\"1206101010\",\"11\":\"900004\",\"70\":\"001\"}}" |
    python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP2" iso87 \
    >>"$T/pins.out" || { cat "$T/pins.out"; fail "a key change before sign-on was not refused 91"; }
[ "$(link_kcv mcs)" = "$before" ] || fail "a key change before sign-on replaced the ZPK"
grep -q 'event=key_change_refused link=mcs .*reason="not signed on"' "$T/gatewayd.log" ||
    fail "the refusal was not logged"
printf '%s\n' "signon 00 {\"mti\":\"0800\",\"fields\":{\"7\":\"1206101010\",\"11\":\"900005\",\"70\":\"001\"}}" \
    "signed 00 $kc" |
    python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP2" iso87 \
    >>"$T/pins.out" || { cat "$T/pins.out"; fail "a key change once signed on was not taken"; }
[ "$(link_kcv mcs)" = "$K2" ] || fail "the key change once signed on did not set Z2 ($(link_kcv mcs))"
sed 's/^/   /' "$T/pins.out"
pass "ZPK Z1 $K1 -> Z2 $K2 -> Z3 $K3 imported under the ZMK (A6), PINs verified under the current and previous key, refused two changes on, bad KCV 63, a replay of Z1 refused 63 (also after a restart), kept over a restart, 163 answered, a 0644 ZMK file refused; a change mid-load: $nmid PINs approved, none refused; before sign-on a key change is refused 91"
