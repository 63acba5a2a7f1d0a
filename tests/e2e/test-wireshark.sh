#!/bin/bash
# The generated Wireshark dissectors against the codec: for each shipped
# profile (and both framings for iso87 and mastercard) a short scheme-sim
# run (scheme -> plain ISO 8583 peer, `scheme-sim core --tcp`) is captured
# on loopback with dumpcap, and tshark with the dissector from
# `iso8583 dissector` must show every message's MTI and every field
# exactly as `iso8583 decode` prints the same bytes: masked with the
# default script, in clear with the --unmasked one.  Skipped, saying so,
# only where tshark (Debian package tshark, in DEB_TEST) is not installed.
TEST=wireshark
TEST_TIMEOUT=240
. "$(dirname "$0")/lib.sh"

if ! command -v tshark >/dev/null || ! command -v dumpcap >/dev/null; then
	echo "SKIP $TEST: tshark/dumpcap not installed (Debian package tshark; make deps-test installs it)"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "SKIP $TEST: capturing on loopback needs root"; exit 0; }

ISO=$BIN/iso8583
RUNS="iso87:len2 iso87:len4ascii iso87hex:len2 mastercard:len2 mastercard:len4ascii mastercard-cp037:len2 fps:len2"
COUNT=12
total=0

# capture NAME PROFILE FRAMING: $T/NAME.pcapng of one scheme-sim run.
capture() {
	local name=$1 prof=$2 fr=$3 port dpid cpid i
	port=$(free_port)
	dumpcap -q -i lo -f "tcp port $port" -w "$T/$name.pcapng" \
	    >"$T/$name.dumpcap.log" 2>&1 &
	dpid=$!
	PIDS+=($dpid)
	# dumpcap writes the file's header once it captures.
	for i in $(seq 100); do
		[ -s "$T/$name.pcapng" ] && break
		sleep 0.1
	done
	[ -s "$T/$name.pcapng" ] || fail "$name: dumpcap did not start: $(cat "$T/$name.dumpcap.log")"
	"$BIN/scheme-sim" core --tcp "127.0.0.1:$port" --profile "$prof" \
	    --framing "$fr" >"$T/$name.core.log" 2>&1 &
	cpid=$!
	PIDS+=($cpid)
	"$BIN/scheme-sim" scheme --connect "127.0.0.1:$port" --profile "$prof" \
	    --framing "$fr" --count $COUNT --rate 200 --expect any \
	    --no-progress >"$T/$name.scheme.log" 2>&1 ||
	    fail "$name: scheme-sim run failed: $(tail -3 "$T/$name.scheme.log")"
	kill $cpid
	wait $cpid 2>/dev/null
	# Let the last segments reach the capture before it stops.
	sleep 0.5
	kill -INT $dpid
	wait $dpid 2>/dev/null
	echo "$port" >"$T/$name.port"
}

# compare NAME PROFILE FRAMING MODE [MIN]: tshark with the MODE
# (masked|clear) dissector against iso8583 decode, message by message, at
# least MIN of them (a scheme-sim run's by default).  PROFILE is a name, or
# file:PATH for a profile file.
compare() {
	local name=$1 prof=$2 fr=$3 mode=$4 min=${5:-$((2 * COUNT + 2))} proto port flag=
	local popt=(--profile "$prof")
	[ "${prof#file:}" != "$prof" ] && popt=(--profile-file "${prof#file:}")
	[ "$mode" = clear ] && flag=--unmasked
	"$ISO" dissector "${popt[@]}" --framing "$fr" $flag \
	    >"$T/$name.$mode.lua" || fail "$name: iso8583 dissector"
	proto=$(sed -n 's/^.*proto = "\(.*\)",$/\1/p' "$T/$name.$mode.lua")
	port=$(cat "$T/$name.port")
	tshark -r "$T/$name.pcapng" -X "lua_script:$T/$name.$mode.lua" \
	    -d "tcp.port==$port,$proto" -Y "$proto" -T json \
	    --no-duplicate-keys >"$T/$name.$mode.json" 2>"$T/$name.tshark.err" ||
	    fail "$name: tshark: $(grep -v 'Running as user' "$T/$name.tshark.err" | head -3)"
	python3 - "$T/$name.$mode.json" "$proto" "$ISO" "${popt[*]}" "$mode" \
	    "$min" >"$T/$name.$mode.n" <<'PY' || fail "$name ($mode): dissector and iso8583 decode differ"
import json, subprocess, sys

path, proto, iso, popt, mode, want_n = sys.argv[1:7]
pkts = json.load(open(path))
n = 0
for p in pkts:
    layer = p["_source"]["layers"].get(proto)
    for pdu in layer if isinstance(layer, list) else [layer]:
        if pdu is None or proto + ".msg" not in pdu:
            continue
        wire = pdu[proto + ".msg"].replace(":", "")
        args = [iso, "decode"] + popt.split(" ") + ["--hex"]
        if mode == "clear":
            args.append("--unmasked")
        r = subprocess.run(args, input=wire.encode(), capture_output=True)
        if r.returncode != 0:
            sys.exit("decode refused a captured message: %s" % r.stderr)
        want = json.loads(r.stdout)
        got = {k[len(proto) + 3:]: v for k, v in pdu.items()
               if k.startswith(proto + ".de")}
        if pdu.get(proto + ".mti") != want["mti"] or got != want["fields"]:
            print("message %d: dissector %s %s" % (n, pdu.get(proto + ".mti"), got), file=sys.stderr)
            print("message %d: decode    %s %s" % (n, want["mti"], want["fields"]), file=sys.stderr)
            sys.exit(1)
        if mode == "masked":
            for k, v in want["fields"].items():
                if k == "2" and "*" not in v:
                    sys.exit("PAN shown in clear by the masked dissector")
        n += 1
# e.g. sign-on and its answer, then each request and its answer
if n < int(want_n):
    sys.exit("only %d messages dissected, want %d" % (n, int(want_n)))
print(n)
PY
}

for run in $RUNS; do
	prof=${run%%:*}
	fr=${run#*:}
	name=$prof-$fr
	capture "$name" "$prof" "$fr"
	for mode in masked clear; do
		compare "$name" "$prof" "$fr" "$mode"
		total=$((total + $(cat "$T/$name.$mode.n")))
	done
done
# A scheme only a profile file describes (EBCDIC 037, BCD numbers and
# prefixes, hex binary, a header, len4ascii): scheme-sim takes compiled-in
# profiles only, so its messages are made with iso8583 encode and written
# as one TCP stream into a capture file.
cat >"$T/acme.json" <<'JSON'
{ "profile": "acme-bcd", "base": "iso87", "charset": "ebcdic037",
  "numeric": "bcd", "length_prefix": "bcd", "binary": "hex",
  "framing": "len4ascii", "header": "4953",
  "fields": { "48": {"name": "Acme data", "class": "ans", "length": "LLLL", "max": 2000} } }
JSON
msgs=(
'{"mti":"0800","fields":{"7":"1206101010","11":"000001","70":"001"}}'
'{"mti":"0100","fields":{"2":"476173900101001","3":"000000","4":"000000012500","11":"000123","14":"2812","22":"051","35":"4761739001010010D28122011","41":"TERM 01!","48":"ACME $ data","49":"826","52":"0123456789ABCDEF","55":"9F2608EEF198FD3D57D70D5A084761739001010010","100":"12345"}}'
'{"mti":"0110","fields":{"2":"476173900101001","3":"000000","11":"000123","38":"A1B2C3","39":"00"}}'
)
i=0
for j in "${msgs[@]}"; do
	echo "$j" | "$ISO" encode --profile-file "$T/acme.json" --hex \
	    >"$T/acme.$i.hex" || fail "acme: encode message $i"
	i=$((i + 1))
done
port=$(free_port)
echo "$port" >"$T/acme.port"
python3 - "$T/acme.pcapng" "$port" "$T"/acme.[0-9].hex <<'PY' || fail "acme: writing the capture"
import struct, sys
out, port, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def pkt(sport, dport, seq, payload):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 1, 5 << 4, 0x18, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0,
                     0x4000, 64, 6, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
    return b"\0" * 12 + b"\x08\x00" + ip + tcp + payload
# A classic pcap file (tshark reads it whatever the name), Ethernet.
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    seq = 1000
    for k, name in enumerate(files):
        msg = bytes.fromhex(open(name).read().strip())
        frame = b"%04d" % (2 + len(msg)) + b"\x49\x53" + msg
        p = pkt(40000, port, seq, frame)
        seq += len(frame)
        f.write(struct.pack("<IIII", 1700000000 + k, 0, len(p), len(p)) + p)
PY
for mode in masked clear; do
	compare acme "file:$T/acme.json" len4ascii $mode ${#msgs[@]}
	total=$((total + $(cat "$T/acme.$mode.n")))
done

pass "$(echo $RUNS | wc -w) captures and a profile file's messages, $total in all: every field as iso8583 decode shows it, masked and in clear"
