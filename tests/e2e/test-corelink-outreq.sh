#!/bin/bash
# OUT_REQUEST is acted on once (protocol v2 rule 5 and its idempotent
# effect): gatewayd has two [Core] endpoints holding the same key, at two
# addresses coretap listens on, both relayed to one scheme-sim core that
# sends one OUT_REQUEST for link "out".  coretap records that frame and
#   - replays it to the endpoint it came through: refused, "replay";
#   - replays it to the other endpoint: refused, "replay" (the replay
#     state is per key, shared by the endpoints);
#   - seals it anew with the same corr_id (the core retrying), through
#     either endpoint: the same OUT_RESPONSE again, byte for byte;
#   - after a gatewayd restart replays it to both: refused,
#     "before_start".
# The scheme (scheme-sim scheme on link "out") receives exactly one 0200
# in all, counted by its report's "incoming".
TEST=corelink-outreq
. "$(dirname "$0")/lib.sh"

LP=$(free_port); CP=$(free_port udp); METRICS=$(free_port)
TA=$(free_port udp); TB=$(free_port udp); GA=$(free_port udp); GB=$(free_port udp)
genkey "$T/core.key"
cat >"$T/gw.conf" <<CONF
$(gw_base)

[Link out]
Profile = iso87
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1

[Core a]
Address = 127.0.0.1:$TA
Bind = 127.0.0.1:$GA
KeyFile = $T/core.key
Priority = 1

[Core b]
Address = 127.0.0.1:$TB
Bind = 127.0.0.1:$GB
KeyFile = $T/core.key
Priority = 2
CONF
cat >"$T/out.json" <<'J'
{"mti":"0200","fields":{"2":"4000000000000002","3":"260000","4":"000000012345","7":"1123001122","11":"424242","32":"005037","37":"OUT000000001","41":"TERM0001","42":"SIMMERCHANT0001","49":"826"}}
J
CORES=(a b)
start_tap "$T/core.key" "$CP" "$TA" "$TB"
start_gw "$T/gw.conf"

# scheme N: scheme-sim scheme on link "out" (report $T/scheme-N.json), a
# trickle of load to stay signed on; waits until the link is signed on.
scheme() {
	"$BIN/scheme-sim" scheme --connect 127.0.0.1:$LP --profile iso87 \
	    --rate 5 --duration 60s --expect any --no-progress \
	    --json "$T/scheme-$1.json" >"$T/scheme-$1.out" 2>&1 &
	SPID=$!
	PIDS+=($SPID)
	local i
	for i in $(seq 1 100); do
		[ "$(metric 'gatewayd_link_signed_on{link="out"}')" = 1 ] && return 0
		sleep 0.05
	done
	fail "scheme-sim scheme never signed on"
}
# scheme_stop N: stops it; INCOMING = the 0200s it received (its
# report's "incoming").
scheme_stop() {
	kill -INT $SPID
	wait $SPID
	[ -s "$T/scheme-$1.json" ] || fail "scheme-sim scheme wrote no report"
	INCOMING=$(json_get "$T/scheme-$1.json" "d['total']['incoming']")
}
rejected() {	# rejected CORE REASON
	metric "gatewayd_core_frames_rejected_total{core=\"$1\",reason=\"$2\"}"
}
# outresp PORT FROMLINE: the OUT_RESPONSE coretap saw the gateway send
# through PORT after line FROMLINE, as "de39=.. body=HASH".
outresp() {
	local l
	l=$(tap_wait "^gw $1 OUT_RESPONSE corr=$corr " "$2") || fail "no OUT_RESPONSE through port $1 (core ${CORES[$1]})"
	echo "${l#* de39=}"
}

scheme 1
# The core starts once the scheme is signed on: it sends its OUT_REQUEST
# as soon as it hears the gateway.
start_core a "$CP" "$T/core.key" --out-request out:"$T/out.json" \
    --record "$T/record.jsonl"
wait_core_up a
wait_core_up b
l=$(tap_wait '^core [0-9] OUT_REQUEST ') || fail "$l"
set -- $l
P=$2; Q=$((1 - P)); corr=${4#corr=}; cap=${5#cap=}
first=$(outresp $P 0)
echo "   OUT_REQUEST corr=$corr via core ${CORES[$P]} (capture $cap); OUT_RESPONSE $first"
[ "${first%% *}" = 00 ] || fail "the scheme's answer was not 00: $first"

tap replay $cap $P
tap replay $cap $Q
n=$(tap_lines)
tap reseal $cap $P
again=$(outresp $P "$n")
n=$(tap_lines)
tap reseal $cap $Q
other=$(outresp $Q "$n")
echo "   resealed via ${CORES[$P]}: $again"
echo "   resealed via ${CORES[$Q]}: $other"
[ "$again" = "$first" ] || fail "a retry through the same core got another OUT_RESPONSE"
[ "$other" = "$first" ] || fail "a retry through the other core got another OUT_RESPONSE"
for k in a b; do
	v=$(wait_metric "gatewayd_core_frames_rejected_total{core=\"$k\",reason=\"replay\"}" 1)
	echo "   core $k: rejected replay=$v"
	[ "$v" = 1 ] || fail "core $k counted replay=$v, want 1"
done
sleep 0.5	# time for a second 0200, were there one, to reach the scheme
scheme_stop 1
in1=$INCOMING
out=$(metric 'gatewayd_requests_total{link="out",mti="0200",outcome="00",path="out"}')
echo "   before the restart: 0200s at the scheme=$in1, out requests answered=$out"
[ "$in1" = 1 ] || fail "the scheme received $in1 0200s, want 1"
[ "$out" = 1 ] || fail "gatewayd counted $out OUT_REQUESTs sent and answered, want 1"

# The restart: what was recorded before it never takes.
kill $GWPID
wait $GWPID 2>/dev/null
start_gw "$T/gw.conf"
scheme 2
wait_core_up a
wait_core_up b
n=$(tap_lines)
tap replay $cap $P
tap replay $cap $Q
for k in a b; do
	v=$(wait_metric "gatewayd_core_frames_rejected_total{core=\"$k\",reason=\"before_start\"}" 1)
	echo "   after the restart, core $k: rejected before_start=$v"
	[ "$v" = 1 ] || fail "core $k counted before_start=$v, want 1"
done
sleep 0.5	# time for a wrong answer to show
tail -n +$((n + 1)) "$T/tap.out" | grep -q '^gw [0-9] OUT_RESPONSE' \
    && fail "the gateway answered a replayed OUT_REQUEST after its restart"
scheme_stop 2
in2=$INCOMING
echo "   after the restart: 0200s at the scheme=$in2"
[ "$in2" = 0 ] || fail "the scheme received $in2 0200s after the restart, want 0"
pass "1 OUT_REQUEST, 1 0200 at the scheme: replays refused (replay on both cores, before_start after a restart), retries answered with the same OUT_RESPONSE"
