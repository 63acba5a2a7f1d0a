#!/bin/bash
# MACs on a link (MAC = yes, gateway/linkmac.c) with the real gatewayd,
# hsmd (A6 import, M6/M8) and scheme-sim holding the same MAC key:
#   1. the MAC key arrives as a key change (0800 161, kind M) under the ZMK;
#   2. 200 requests with DE64 (ISO 9797-1 alg. 3) are verified and every
#      answer carries a MAC scheme-sim verifies (no mismatch);
#   3. every 10th MAC spoilt: answered 63 and counted; the rest 00;
#   4. requests without a MAC: 63; a refusal is never MACed (an 0420
#      with a bad MAC gets an unMACed 0430 63);
#   5. after a second key change, requests MACed under the previous key
#      still verify (their answers carry the new key's MAC);
#   6. a MAC key change in the middle of a load (scheme-sim sends it and
#      switches once answered): no request refused, no answer's MAC wrong;
#   7. a flood of bad MACs on one connection beside MACed requests on
#      another: the flood is capped (64 checks at the HSM at once), the
#      other connection's requests are all verified.
TEST=mac
TEST_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
HSM_LISTEN_OPTS=",allow=verify,A6,M6" start_hsm 1
ZMK=0123456789ABCDEFFEDCBA9876543210
MAK=89ABCDEF01234567FEDCBA9876543210
"$BIN/hsmctl" key form --lmk "$T/lmk" --type ZMK --clear "$ZMK" 2>/dev/null |
    cut -d' ' -f1 >"$T/zmk.blk" || fail "hsmctl key form ZMK"
chmod 600 "$T/zmk.blk"
echo "$MAK" >"$T/mak.clear"; chmod 600 "$T/mak.clear"
KCV=$("$BIN/hsmctl" key form --lmk "$T/lmk" --type TAK --clear "$MAK" 2>/dev/null | cut -d' ' -f2)
enc=$(echo "$MAK" | xxd -r -p | openssl enc -des-ede-ecb -K "$ZMK" -nopad |
    xxd -p | tr a-f A-F)
[ ${#enc} = 32 ] || fail "openssl des-ede-ecb unavailable"
cat >"$T/gw.conf" <<CONF
$(gw_base)
HSM = unix:$T/hsm.sock

[Link mac]
Profile = iso87
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
MAC = yes
ZMKFile = $T/zmk.blk

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
start_core a "$CP" "$T/core.key"
start_gw "$T/gw.conf"
wait_core_up a

# 1. The MAC key under the ZMK (network management carries no MAC).
echo "mak 00 {\"mti\":\"0800\",\"fields\":{\"7\":\"1206101010\",\"11\":\"000001\",\"70\":\"161\",\"48\":\"MX${enc}${KCV}\"}}" |
    python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP" iso87 \
    >"$T/mak.out" || { cat "$T/mak.out"; fail "MAC key change not 00"; }
ctl links --json >"$T/links.json"
[ "$(json_get "$T/links.json" "d['links'][0]['session']['mak_kcv']")" = "$KCV" ] ||
    fail "the link's MAC key is not the one sent"

sim() {	# sim NAME ARGS...
	local n=$1
	shift
	"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
	    --no-progress --json "$T/$n.json" "$@" >"$T/$n.out" 2>&1 ||
	    { cat "$T/$n.out"; fail "scheme-sim run $n reported errors"; }
}
# 2. Good MACs both ways.
sim good --mak "$T/mak.clear" --count 200 --rate 400 --expect 00
n00=$(json_get "$T/good.json" "d['total']['by_rc'].get('00', 0)")
[ "$n00" = 200 ] || fail "good MACs: $n00 answered 00 of 200"
# 3. Every 10th MAC spoilt.
sim spoilt --mak "$T/mak.clear" --bad-mac-every 10 --count 100 --rate 400 \
    --expect 00,63
n63=$(json_get "$T/spoilt.json" "d['total']['by_rc'].get('63', 0)")
[ "$n63" = 10 ] || fail "spoilt MACs: $n63 answered 63, want 10"
[ "$(metric 'gatewayd_link_mac_bad_total{link="mac"}')" = 10 ] ||
    fail "mac_bad_total not 10"
# 4. No MAC at all.
sim none --count 5 --rate 100 --expect 63
ok=$(metric 'gatewayd_link_mac_ok_total{link="mac"}')
sent=$(metric 'gatewayd_link_mac_sent_total{link="mac"}')
[ "$ok" = 290 ] || fail "mac_ok_total $ok, want 290"
[ "$sent" -ge 290 ] || fail "mac_sent_total $sent, want every answer (290)"
# 4b. A refusal is not MACed: it would MAC fields the sender chose (a
# 0430 of our making, played back as the scheme's, would settle one of
# our reversals).
echo "oracle 63 {\"mti\":\"0420\",\"fields\":{\"2\":\"4000000000000002\",\"3\":\"000000\",\"4\":\"000000000100\",\"7\":\"1206101010\",\"11\":\"777777\",\"32\":\"4321\",\"37\":\"000000000077\",\"64\":\"0000000000000000\"}}" |
    python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP" iso87     >"$T/oracle.out" || { cat "$T/oracle.out"; fail "a bad MAC not answered 63"; }
grep -q ' mac=no$' "$T/oracle.out" || { cat "$T/oracle.out"; fail "the refusal of a bad MAC carries a MAC"; }
[ "$(metric 'gatewayd_link_mac_sent_total{link="mac"}')" = "$sent" ] ||
    fail "a MAC was made for a refusal"
# 5. A new MAC key; the scheme still MACs under the old one for a while.
MAK2=FEDCBA987654321089ABCDEF01234567
KCV2=$("$BIN/hsmctl" key form --lmk "$T/lmk" --type TAK --clear "$MAK2" 2>/dev/null | cut -d' ' -f2)
enc2=$(echo "$MAK2" | xxd -r -p | openssl enc -des-ede-ecb -K "$ZMK" -nopad |
    xxd -p | tr a-f A-F)
echo "mak2 00 {\"mti\":\"0800\",\"fields\":{\"7\":\"1206101010\",\"11\":\"000002\",\"70\":\"161\",\"48\":\"MX${enc2}${KCV2}\"}}" |
    python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP" iso87 \
    >>"$T/mak.out" || { cat "$T/mak.out"; fail "second MAC key change not 00"; }
bad=$(metric 'gatewayd_link_mac_bad_total{link="mac"}')
# its answers' MACs are under the new key: scheme-sim counts them as
# mismatches, so only the gateway's counters are held here
"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
    --no-progress --mak "$T/mak.clear" --count 20 --rate 200 --timeout 1s \
    >"$T/old.out" 2>&1 || true
ok2=$(metric 'gatewayd_link_mac_ok_total{link="mac"}')
[ "$ok2" = $((ok + 20)) ] || fail "under the previous key: mac_ok $ok -> $ok2, want +20"
[ "$(metric 'gatewayd_link_mac_bad_total{link="mac"}')" = "$bad" ] ||
    fail "requests under the previous key refused"
# 6. Mid-load: MAK2 -> MAK3 while 500 requests a second go.
echo "$MAK2" >"$T/mak2.clear"
echo "0123456789ABCDEF89ABCDEF01234567" >"$T/mak3.clear"
echo "$ZMK" >"$T/zmk.clear"
bad=$(metric 'gatewayd_link_mac_bad_total{link="mac"}')
sim midload --mak "$T/mak2.clear" --zmk "$T/zmk.clear" \
    --new-mak "$T/mak3.clear" --mak-change-at 1s --rate 500 --duration 3s \
    --expect 00,91
grep -q 'event=mac_key_switched' "$T/midload.out" ||
    fail "scheme-sim never switched to the new MAC key"
nmid=$(json_get "$T/midload.json" "d['total']['by_rc'].get('00', 0)")
# a 91 is the core's deadline on a loaded machine; a wrong MAC in either
# direction is a mismatch (scheme-sim) or a refusal (gatewayd)
[ "$(json_get "$T/midload.json" "d['total']['errors']['mismatch']")" = 0 ] ||
    fail "answers with a wrong MAC across the key change"
[ "$(metric 'gatewayd_link_mac_bad_total{link="mac"}')" = "$bad" ] ||
    fail "requests refused across the mid-load key change"
# 7. A flood of bad MACs on one connection beside MACed requests on
# another: the flood's checks are capped per connection (64 at the HSM
# at once), the rest dropped unchecked; every request of the other
# connection is verified and answered.
cat >"$T/flood.py" <<'PY'
import json, socket, struct, subprocess, sys, time
BIN, HOST, PORT, N = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
m = {"mti": "0100", "fields": {"2": "4000000000000002", "3": "000000",
     "4": "000000000100", "7": "1206101010", "11": "123456", "32": "4321",
     "37": "000000000099", "64": "0000000000000000"}}
w = subprocess.run([BIN + "/iso8583", "encode", "--profile", "iso87"],
                   input=json.dumps(m).encode(), capture_output=True,
                   check=True).stdout
frame = struct.pack(">H", len(w)) + w
s = socket.create_connection((HOST, PORT), timeout=5)
end = time.time() + 3
while time.time() < end:
    s.sendall(frame * N)
    time.sleep(0.01)
s.close()
PY
python3 "$T/flood.py" "$BIN" 127.0.0.1 "$LP" 200 >"$T/flood.out" 2>&1 &
FLOOD=$!
PIDS+=($FLOOD)
sim beside --mak "$T/mak3.clear" --count 300 --rate 150 --expect 00,91
wait "$FLOOD" 2>/dev/null
nb=$(json_get "$T/beside.json" "d['total']['by_rc'].get('00', 0)")
[ "$(json_get "$T/beside.json" "d['total']['errors']['mismatch']")" = 0 ] ||
    fail "answers with a wrong MAC beside the flood"
grep -q 'event=mac_unchecked .* reason=busy' "$T/gatewayd.log" ||
    fail "the flood's checks were never capped"
echo "   beside a flood of bad MACs (capped at 64 checks in flight): $nb of 300 answered 00"

pass "MAC key $KCV imported; 200 MACed requests verified and 200 MACed answers verified by the scheme; 10 of 100 spoilt answered 63; 5 without MAC answered 63 (mac_ok=$ok mac_sent=$sent); after a change to $KCV2, 20 under the previous key verified; a change mid-load: $nmid answered 00, none refused, no answer MAC wrong"
