#!/bin/bash
# Stand-in staleness and the operator's force, with the real hsmd:
#   - a snapshot older than MaxSnapshotAge: stand-in declines 91, and says
#     so in the log, `gatewayctl status`, `gatewayctl standin` and the
#     metrics; a newer snapshot from the core (a restarted core pushes one)
#     and it approves again;
#   - `gatewayctl standin force on` is logged with the caller's uid and
#     pid, survives a restart of gatewayd (Mode = auto in the config), and
#     `force auto` survives one too;
#   - a [Range] added by `gatewayctl reload` applies to the next request.
TEST=standin-stale-force
TEST_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
start_hsm 10 --special

cat >"$T/gw.conf" <<CONF
$(gw_section)

[Link mc]
Profile = iso87
$ZPKLINE
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Deadline = 40ms
StandInReserve = 10ms

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key

[StandIn]
Mode = auto
MaxSnapshotAge = 3s
CONF
start_core a "$CP" "$T/core.key" --cards "$T/portfolio"
start_gw "$T/gw.conf"
wait_core_up a
wait_snapshot a

stan=500
req() {	# req NAME EXPECT: a good e-commerce request on card 8 (the
	# caller moves $stan: this runs in the pipeline's subshell)
	echo "$1 $2 $("$BIN/scheme-sim" cards request --portfolio "$T/portfolio" \
	    --stan $stan --index 8 --cvc2 good --amount 100 |
	    python3 -c "import json,sys; d=json.load(sys.stdin); d['fields']['22']='812'; print(json.dumps(d))")"
}
send() {
	python3 "$ROOT/tests/e2e/sisend.py" "$BIN" 127.0.0.1 "$LP" iso87 \
	    | tee -a "$T/results" | sed 's/^/   /'
	return "${PIPESTATUS[0]}"
}

# 1. Forced into stand-in by the operator: logged with uid and pid.
ctl standin force on >/dev/null || fail "force on"
grep -q "event=standin_force value=on uid=$(id -u) pid=[0-9]" "$T/gatewayd.log" \
    || fail "force not logged with the caller's uid and pid"
stan=$((stan + 1))
req fresh 00 | send || fail "fresh snapshot, forced stand-in"

# 2. The force survives a restart (the config still says auto).
kill "$GWPID"; wait "$GWPID" 2>/dev/null
start_gw "$T/gw.conf"
ctl status | grep -q "^force: on" || fail "force on lost in a restart"
grep -q "event=standin_force_restored value=on" "$T/gatewayd.log" \
    || fail "restored force not logged"
ctl status --json >"$T/st.json"
[ "$(json_get "$T/st.json" "d['snapshot']['force']")" = on ] || fail "status --json force"

# 3. The snapshot grows old: 91, said everywhere.
sleep 4
stan=$((stan + 1))
req stale 91 | send || fail "stale snapshot not declined 91"
ctl status | grep -q "STALE (stand-in declines 91)" || fail "status does not say stale"
ctl standin | grep -q "STALE SNAPSHOT" || fail "standin does not say stale"
[ "$(metric gatewayd_snapshot_stale)" = 1 ] || fail "gatewayd_snapshot_stale not 1"
[ "$(metric gatewayd_standin_stale_declines_total)" -ge 1 ] || fail "stale declines not counted"
grep -q "event=standin_stale_snapshot rc=91" "$T/gatewayd.log" || fail "stale not logged"

# 4. A newer snapshot (a restarted core pushes the clock's version).
eval "kill \$CORE_a_PID"
sleep 0.3
start_core a "$CP" "$T/core.key" --cards "$T/portfolio"
wait_snapshot a
stan=$((stan + 1))
req refreshed 00 | send || fail "newer snapshot: not approved"
[ "$(metric gatewayd_snapshot_stale)" = 0 ] || fail "still stale after a newer snapshot"

# 5. Parameter tables reload: a range over card 8's prefix with a lower
# limit applies at once, and `gatewayctl standin` shows it with its day.
cat >>"$T/gw.conf" <<CONF

[Range tight]
Prefix = 541333
TxnLimit = 50
CONF
ctl reload | grep -q reloaded || fail "reload with a [Range]"
stan=$((stan + 1))
req reloaded-range 61 | send || fail "reloaded range limit not applied"
ctl standin | grep -q "^tight  *541333 *50 " || fail "standin does not show the range"
ctl standin --json >"$T/si.json"
[ "$(json_get "$T/si.json" "[r['name'] for r in d['authoriser']['ranges']]")" = "['tight', 'default']" ] \
    || fail "standin --json ranges"

# 6. force auto survives a restart too.
ctl standin force auto >/dev/null || fail "force auto"
kill "$GWPID"; wait "$GWPID" 2>/dev/null
start_gw "$T/gw.conf"
ctl status | grep -q "^force: auto" || fail "force auto lost in a restart"
pass "stale snapshot 91 and back; ranges reload; force on/auto survive restarts, logged with uid/pid"
