#!/bin/bash
# Reload adds a link (gatewayctl reload, then SIGHUP removes it again)
# without dropping a connection held open on the link that stays; a
# changed CpuSlice is said to wait for a restart.
TEST=reload
. "$(dirname "$0")/lib.sh"

L1=$(free_port); L2=$(free_port); METRICS=$(free_port)
write_conf() {
	cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link one]
Profile = iso87
Listen = 127.0.0.1:$L1
AllowFrom = 127.0.0.1
CONF
	if [ "$1" = 2 ]; then
		cat >>"$T/gw.conf" <<CONF

[Link two]
Profile = iso87
Listen = 127.0.0.1:$L2
AllowFrom = 127.0.0.1
CONF
	fi
}
write_conf 1
start_gw "$T/gw.conf"

mkfifo "$T/hold.in"
python3 "$ROOT/tests/e2e/isopeer.py" hold "$BIN" 127.0.0.1 "$L1" <"$T/hold.in" >"$T/hold.out" 2>&1 &
HP=$!
PIDS+=($HP)
exec 7>"$T/hold.in"
for i in $(seq 1 50); do grep -q ready "$T/hold.out" && break; sleep 0.05; done
grep -q ready "$T/hold.out" || fail "holder did not sign on"

# With it CpuSlice changes: not applied by a reload, and said so.
GW_CPU_SLICE=250us write_conf 2
ctl reload | sed 's/^/   /'
ctl links | sed 's/^/   /'
grep -q "event=reload_cpu_slice_unchanged slice_us=0 " "$T/gatewayd.log" ||
    fail "a reload changing CpuSlice did not say it waits for a restart"
out=$(python3 "$ROOT/tests/e2e/isopeer.py" allowed "$BIN" 127.0.0.1 "$L2" 127.0.0.1) \
    || fail "new link not serving: $out"
echo "   new link: $out"

# A bad config is refused and changes nothing.
cp "$T/gw.conf" "$T/good.conf"
echo "Bogus = 1" >>"$T/gw.conf"
if ctl reload >"$T/bad.out" 2>&1; then fail "bad config accepted"; fi
echo "   bad config: $(cat "$T/bad.out")"
ctl links --json | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if len(d['links'])==2 else 1)" \
    || fail "links changed by a failed reload"

# SIGHUP with link two removed.
write_conf 1
kill -HUP $GWPID
sleep 0.3
ctl links --json | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if [l['name'] for l in d['links']]==['one'] else 1)" \
    || fail "SIGHUP did not remove link two"

echo go >&7
wait $HP || { cat "$T/hold.out"; fail "connection on link one dropped by reload"; }
grep -q "survived" "$T/hold.out" || fail "holder did not confirm"
pass "link added by reload (CpuSlice change said to wait), bad config refused, link removed by SIGHUP, held connection survived"
