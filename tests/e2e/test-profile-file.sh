#!/bin/bash
# A link's wire profile from a file (ProfileFile, doc/profiles.md): a new
# scheme is a data file, not a C change.  The shipped mastercard profile
# exported to a file, and a new scheme "acme" written as a file on the
# iso87 base, each carry approvals through the core exactly as the
# compiled-in profiles do (scheme-sim plays them with the shipped
# profile: the same bytes on the wire); gatewayd -n prints ProfileFile;
# a broken file is refused naming the file and line; Profile and
# ProfileFile together are refused; a reload with a changed file
# rebuilds the link.
TEST=profile-file
. "$(dirname "$0")/lib.sh"

LP=$(free_port); AP=$(free_port); HP=$(free_port); FP=$(free_port)
CP=$(free_port udp); METRICS=$(free_port)
genkey "$T/core.key"
"$BIN/iso8583" profile export mastercard >"$T/mc.json" || fail "export"
printf '{ "profile": "acme", "base": "iso87" }\n' >"$T/acme.json"
# A scheme whose frames carry a header after the length prefix: from the
# profile file, and from the link's FrameHeader.
printf '{ "profile": "hdr", "base": "iso87", "header": "4142" }\n' >"$T/hdr.json"
"$BIN/iso8583" profile check "$T/acme.json" >/dev/null || fail "acme.json"
conf() {	# conf EXTRA-LINE-FOR-ACME
	cat <<CONF
$(gw_base)

[Link mc]
ProfileFile = $T/mc.json
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Deadline = 40ms

[Link acme]
ProfileFile = $T/acme.json
$1
Listen = 127.0.0.1:$AP
AllowFrom = 127.0.0.1
Deadline = 40ms

[Link hdr]
ProfileFile = $T/hdr.json
Listen = 127.0.0.1:$HP
AllowFrom = 127.0.0.1

[Link fh]
Profile = iso87
FrameHeader = 49534F31
Listen = 127.0.0.1:$FP
AllowFrom = 127.0.0.1

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
}
conf "" >"$T/gw.conf"
"$BIN/gatewayd" -n -f "$T/gw.conf" >"$T/n.out" 2>&1 || { cat "$T/n.out"; fail "gatewayd -n"; }
grep -q "^ProfileFile = $T/acme.json$" "$T/n.out" || fail "-n does not print ProfileFile"
grep -q "^FrameHeader = 49534F31$" "$T/n.out" || fail "-n does not print FrameHeader"

# Refused at load: a file that does not read, both keys at once.
printf '{ "profile": "bad",\n  "charset": }\n' >"$T/bad.json"
sed "s|$T/acme.json|$T/bad.json|" "$T/gw.conf" >"$T/bad.conf"
! "$BIN/gatewayd" -n -f "$T/bad.conf" >"$T/bad.out" 2>&1 || fail "broken profile file accepted"
grep -q "ProfileFile: $T/bad.json:2" "$T/bad.out" || { cat "$T/bad.out"; fail "error does not name the file and line"; }
conf "Profile = iso87" >"$T/both.conf"
! "$BIN/gatewayd" -n -f "$T/both.conf" >"$T/both.out" 2>&1 || fail "Profile and ProfileFile together accepted"
grep -q "only one of Profile and ProfileFile" "$T/both.out" || { cat "$T/both.out"; fail "no reason for both"; }

start_core a "$CP" "$T/core.key" --decline-over 50000
start_gw "$T/gw.conf"
wait_core_up a
run() {	# run NAME PORT PROFILE [OPTIONS...]
	local n=$1 port=$2 prof=$3
	shift 3
	"$BIN/scheme-sim" scheme --connect 127.0.0.1:$port --profile "$prof" \
	    "$@" --count 200 --rate 500 --amount 30000 --amount-step 5000 \
	    --expect 00,51 --json "$T/sim-$n.json" --no-progress \
	    >"$T/sim-$n.out" 2>&1 ||
	    { cat "$T/sim-$n.out"; fail "$n: scheme-sim reported errors"; }
}
run mc "$LP" mastercard
run acme "$AP" iso87
run hdr "$HP" iso87 --frame-header 4142
run fh "$FP" iso87 --frame-header 49534F31
# The header gatewayd sends is the template: a sign-on's answer, raw.
echo '{"mti":"0800","fields":{"7":"1206120000","11":"000001","70":"001"}}' |
    "$BIN/iso8583" encode --profile iso87 >"$T/so.bin" || fail "encode"
for lp in "$HP:4142" "$FP:49534F31"; do
	python3 - "${lp%%:*}" "${lp#*:}" "$T/so.bin" <<'PY' || fail "frame header ${lp#*:} not sent back"
import socket, sys
port, hdr, msg = int(sys.argv[1]), bytes.fromhex(sys.argv[2]), open(sys.argv[3], "rb").read()
s = socket.create_connection(("127.0.0.1", port), timeout=5)
body = hdr + msg
s.sendall(len(body).to_bytes(2, "big") + body)
buf = b""
while len(buf) < 2 or len(buf) < 2 + int.from_bytes(buf[:2], "big"):
    buf += s.recv(4096)
sys.exit(0 if buf[2:2 + len(hdr)] == hdr and buf[2 + len(hdr):6 + len(hdr)] == b"0810" else 1)
PY
done
n_hdr=$(metric 'gatewayd_requests_total{link="hdr",mti="0100",outcome="00",path="core"}')
n_fh=$(metric 'gatewayd_requests_total{link="fh",mti="0100",outcome="00",path="core"}')
[ "${n_hdr:-0}" -gt 0 ] && [ "${n_fh:-0}" -gt 0 ] || fail "no approvals with headers (hdr=$n_hdr fh=$n_fh)"
n_mc=$(metric 'gatewayd_requests_total{link="mc",mti="0100",outcome="00",path="core"}')
n_acme=$(metric 'gatewayd_requests_total{link="acme",mti="0100",outcome="00",path="core"}')
[ "${n_mc:-0}" -gt 0 ] && [ "${n_acme:-0}" -gt 0 ] || fail "no approvals (mc=$n_mc acme=$n_acme)"

# A changed file is a changed link: rebuilt on reload, and still works.
printf '{ "profile": "acme", "base": "iso87", "framing": "len2" }\n' >"$T/acme.json"
ctl reload >/dev/null || fail "reload"
grep -q "event=reloaded added=0 removed=0 changed=1 failed=0" "$T/gatewayd.log" ||
    fail "the link with a changed ProfileFile was not rebuilt"
run acme2 "$AP" iso87
pass "mastercard exported and acme (iso87 base) as files: $n_mc and $n_acme approvals through the core; -n, broken file (file:line), both keys refused; reload with a changed file; frame headers from a profile file ($n_hdr approvals) and FrameHeader ($n_fh), sent back as the template"
