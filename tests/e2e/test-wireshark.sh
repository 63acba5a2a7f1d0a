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

# compare NAME PROFILE FRAMING MODE: tshark with the MODE (masked|clear)
# dissector against iso8583 decode, message by message.
compare() {
	local name=$1 prof=$2 fr=$3 mode=$4 proto port flag=
	[ "$mode" = clear ] && flag=--unmasked
	"$ISO" dissector --profile "$prof" --framing "$fr" $flag \
	    >"$T/$name.$mode.lua" || fail "$name: iso8583 dissector"
	proto=$(sed -n 's/^.*proto = "\(.*\)",$/\1/p' "$T/$name.$mode.lua")
	port=$(cat "$T/$name.port")
	tshark -r "$T/$name.pcapng" -X "lua_script:$T/$name.$mode.lua" \
	    -d "tcp.port==$port,$proto" -Y "$proto" -T json \
	    --no-duplicate-keys >"$T/$name.$mode.json" 2>"$T/$name.tshark.err" ||
	    fail "$name: tshark: $(grep -v 'Running as user' "$T/$name.tshark.err" | head -3)"
	python3 - "$T/$name.$mode.json" "$proto" "$ISO" "$prof" "$mode" \
	    "$COUNT" >"$T/$name.$mode.n" <<'PY' || fail "$name ($mode): dissector and iso8583 decode differ"
import json, subprocess, sys

path, proto, iso, prof, mode, count = sys.argv[1:7]
pkts = json.load(open(path))
n = 0
for p in pkts:
    layer = p["_source"]["layers"].get(proto)
    for pdu in layer if isinstance(layer, list) else [layer]:
        if pdu is None or proto + ".msg" not in pdu:
            continue
        wire = pdu[proto + ".msg"].replace(":", "")
        args = [iso, "decode", "--profile", prof, "--hex"]
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
# sign-on and its answer, then each request and its answer
if n < 2 * int(count) + 2:
    sys.exit("only %d messages dissected, want %d" % (n, 2 * int(count) + 2))
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
pass "$(echo $RUNS | wc -w) captures, $total messages: every field as iso8583 decode shows it, masked and in clear"
