#!/bin/bash
# Which connection an OUT_REQUEST goes to, and which may answer it
# (gateway/linkset.c link_pick_conn, gateway/outreq.c): a Listen link
# that does not want sign-on, the real gatewayd, scheme-sim core sending
# one OUT_REQUEST on command, scheme-sim scheme holding it:
#   1. a stranger connects first (AllowFrom lets its address in) and says
#      nothing: the request goes to the scheme's connection, which has
#      spoken the protocol, not to the stranger's;
#   2. the stranger, now speaking the protocol (an 0800 echo), sends an
#      0210 with the request's DE11 and DE7: not taken (answers come from
#      the connection the request went to), and the core is told what the
#      scheme answered later (its answer to the repeat, out-answered),
#      never the stranger's 00.
TEST=outreq-conn
TEST_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
genkey "$T/core.key"
genkey "$T/state.key"
{ gw_head; cat <<CONF; } >"$T/gw.conf"
StateDirectory = $T/state
StateKeyFile = $T/state.key

[Link out]
Profile = iso87
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
OutTimeout = 2s
OutRepeats = 1

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
cat >"$T/out.json" <<'J'
{"mti":"0200","fields":{"2":"4000000000000002","3":"260000","4":"000000012345","7":"1206120000","11":"616161","32":"005037","37":"OUT000000003","41":"TERM0001","42":"SIMMERCHANT0001","49":"826"}}
J
start_gw "$T/gw.conf"
start_core a "$CP" "$T/core.key" --record "$T/record.jsonl" \
    --control "$T/core.ctl" --out-request out:"$T/out.json" --out-on-command
wait_core_up a

# The stranger: connects, waits for a word on stdin, then sends an echo
# and the forged answer; prints what it received.
mkfifo "$T/stranger.in"
cat >"$T/stranger.py" <<'PY'
import json, socket, struct, subprocess, sys
BIN, HOST, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
def enc(m):
    return subprocess.run([BIN + "/iso8583", "encode", "--profile", "iso87"],
                          input=json.dumps(m).encode(), capture_output=True,
                          check=True).stdout
def send(s, m):
    w = enc(m)
    s.sendall(struct.pack(">H", len(w)) + w)
s = socket.create_connection((HOST, PORT), timeout=10)
print("connected", flush=True)
s.settimeout(0.5)
got = b""
def drain():
    global got
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
    except socket.timeout:
        pass
for line in sys.stdin:
    drain()
    w = line.split()
    if w and w[0] == "forge":
        send(s, {"mti": "0800", "fields": {"7": "1206120000", "11": "000099", "70": "301"}})
        send(s, {"mti": "0210", "fields": {"2": "4000000000000002", "3": "260000",
             "4": "000000012345", "7": w[2], "11": w[1], "32": "005037",
             "37": "OUT000000003", "39": "00", "41": "TERM0001", "42": "SIMMERCHANT0001",
             "49": "826"}})
        print("forged", flush=True)
    if line.strip() == "end":
        break
drain()
print("received_bytes %d has_0200 %s" % (len(got), b"0200" in got), flush=True)
PY
python3 "$T/stranger.py" "$BIN" 127.0.0.1 "$LP" <"$T/stranger.in" \
    >"$T/stranger.out" 2>&1 &
STR=$!
PIDS+=($STR)
exec 7>"$T/stranger.in"
wait_log "$T/stranger.out" '^connected'

"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
    --no-progress --no-signon --count 1 --rate 10 --hold 30s --hold-out 1 \
    >"$T/scheme.out" 2>&1 &
SIM=$!
PIDS+=($SIM)
# its request answered: its connection has spoken the protocol
for i in $(seq 1 200); do
	[ "$(metric 'gatewayd_requests_total{link="out",mti="0100",outcome="00",path="core"}')" = 1 ] && break
	sleep 0.05
done
sleep 0.2

# 1. The request goes to the scheme, not the silent stranger.
[ "$(core_ctl "$T/core.ctl" out-request)" = ok ] || fail "core: out-request refused"
wait_log "$T/scheme.out" 'event=incoming_held conn=0 mti=0200'

# 2. The stranger's forged answer is not taken: it has the request's
# DE11 and DE7 (as one on the line would).
l=$(grep -m1 'event=out_request link=out' "$T/core-a.out")
de11=$(sed -n 's/.* de11=\([0-9]*\).*/\1/p' <<<"$l")
de7=$(sed -n 's/.* de7=\([0-9]*\).*/\1/p' <<<"$l")
[ -n "$de11" ] && [ -n "$de7" ] || fail "the core's out_request line: $l"
echo "forge $de11 $de7" >&7
wait_log "$T/stranger.out" '^forged'
sleep 0.5
grep -q '"0210"' "$T/record.jsonl" 2>/dev/null &&
    fail "the core got an answer before the timeout: the stranger's was taken"
# the timeout: 91 to the core, then the repeat to the scheme's connection
for i in $(seq 1 100); do
	grep -q '"0210"' "$T/record.jsonl" 2>/dev/null && break
	sleep 0.05
done
grep -q '"0210"' "$T/record.jsonl" || fail "no OUT_RESPONSE at the timeout"
python3 - "$T/record.jsonl" <<'PY' || fail "the core's OUT_RESPONSE is not the timeout's 91"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if '"0210"' in l]
assert rs and all('"39": "91"' in json.dumps(r) or r.get("de39") == "91" for r in rs[:1]), rs
PY
wait_log "$T/scheme.out" 'event=incoming_answered conn=0 mti=0201'
for i in $(seq 1 200); do
	grep -q 'out-answered' "$T/record.jsonl" && break
	sleep 0.05
done
grep -q 'out-answered' "$T/record.jsonl" || fail "the scheme's answer to the repeat did not settle it"
echo end >&7
wait "$STR" 2>/dev/null
grep -q 'has_0200 False' "$T/stranger.out" || { cat "$T/stranger.out"; fail "the stranger received the outbound request"; }
pass "an OUT_REQUEST went to the scheme's connection, not a silent stranger's; the stranger's forged 0210 (same DE11, DE7) was not taken: 91 at the timeout, the scheme's answer to the repeat settled it"
