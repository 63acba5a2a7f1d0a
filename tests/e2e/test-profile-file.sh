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

LP=$(free_port); AP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
genkey "$T/core.key"
"$BIN/iso8583" profile export mastercard >"$T/mc.json" || fail "export"
printf '{ "profile": "acme", "base": "iso87" }\n' >"$T/acme.json"
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

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
}
conf "" >"$T/gw.conf"
"$BIN/gatewayd" -n -f "$T/gw.conf" >"$T/n.out" 2>&1 || { cat "$T/n.out"; fail "gatewayd -n"; }
grep -q "^ProfileFile = $T/acme.json$" "$T/n.out" || fail "-n does not print ProfileFile"

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
run() {	# run NAME PORT PROFILE
	"$BIN/scheme-sim" scheme --connect 127.0.0.1:$2 --profile "$3" \
	    --count 200 --rate 500 --amount 30000 --amount-step 5000 \
	    --expect 00,51 --json "$T/sim-$1.json" --no-progress >"$T/sim-$1.out" 2>&1 ||
	    { cat "$T/sim-$1.out"; fail "$1: scheme-sim reported errors"; }
}
run mc "$LP" mastercard
run acme "$AP" iso87
n_mc=$(metric 'gatewayd_requests_total{link="mc",mti="0100",outcome="00",path="core"}')
n_acme=$(metric 'gatewayd_requests_total{link="acme",mti="0100",outcome="00",path="core"}')
[ "${n_mc:-0}" -gt 0 ] && [ "${n_acme:-0}" -gt 0 ] || fail "no approvals (mc=$n_mc acme=$n_acme)"

# A changed file is a changed link: rebuilt on reload, and still works.
printf '{ "profile": "acme", "base": "iso87", "framing": "len2" }\n' >"$T/acme.json"
ctl reload >/dev/null || fail "reload"
grep -q "event=reloaded added=0 removed=0 changed=1 failed=0" "$T/gatewayd.log" ||
    fail "the link with a changed ProfileFile was not rebuilt"
run acme2 "$AP" iso87
pass "mastercard exported and acme (iso87 base) as files: $n_mc and $n_acme approvals through the core; -n, broken file (file:line), both keys refused; reload with a changed file"
