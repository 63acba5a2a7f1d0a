#!/bin/bash
# test-tunnel-netns.sh — a real WireGuard tunnel between two network
# namespaces joined by a veth pair, wireguard-go in each (this kernel has
# no WireGuard module), configured only by `gatewayctl tunnel up`, read
# back with the standard `wg` tool.  Then UDP both ways, a `tunnel sync`
# that must not disturb the other peer's session, a sync that must fail
# and leave everything as it was, and teardown.
#
# Needs root (namespaces, TUN).  Skips with a message otherwise.
set -u
# Bounded: the whole test runs under timeout(1); TERM runs the cleanup.
if [ -z "${GW_E2E_BOUNDED:-}" ]; then
	GW_E2E_BOUNDED=1 exec timeout -k 10 180 bash "$0" "$@"
fi
cd "$(dirname "$0")/../.."
G=$PWD/build/bin/gatewayctl

if [ "$(id -u)" != 0 ]; then
	echo "SKIP test-tunnel-netns: needs root (network namespaces, TUN)"
	exit 0
fi
for t in wireguard-go wg ip ping python3 timeout; do
	command -v $t >/dev/null || { echo "FAIL test-tunnel-netns: $t missing (make deps-test)"; exit 1; }
done
[ -x "$G" ] || { echo "FAIL test-tunnel-netns: $G not built"; exit 1; }

# Unique names: the UAPI socket directory is shared by all namespaces.
ID=$$
NSA=gwtA$ID NSB=gwtB$ID
IFA=gwa$ID IFB=gwb$ID
T=$(mktemp -d /tmp/gw-tunnel-netns.XXXXXX)
PIDS=()
FAILS=0

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	rm -f "/var/run/wireguard/$IFA.sock" "/var/run/wireguard/$IFB.sock"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'echo "FAIL test-tunnel-netns: interrupted or timed out"; exit 1' INT TERM

ok()   { echo "  ok   $*"; }
bad()  { echo "  FAIL $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
ms_now() { date +%s%N | cut -c1-13; }
inA() { ip netns exec "$NSA" "$@"; }
inB() { ip netns exec "$NSB" "$@"; }

# UDP round trip: server in $1 at $2:$3 echoes one datagram; client in $4.
udp_roundtrip() {
	local sns=$1 sip=$2 port=$3 cns=$4 msg=$5
	ip netns exec "$sns" timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
d, a = s.recvfrom(2048)
s.sendto(d[::-1], a)' "$sip" "$port" &
	local srv=$!
	sleep 0.3
	local got
	got=$(ip netns exec "$cns" timeout 10 python3 -c '
import socket, sys
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(1.0)
for _ in range(8):
    c.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
    try:
        print(c.recv(2048)[::-1].decode()); break
    except socket.timeout:
        pass' "$sip" "$port" "$msg")
	wait $srv 2>/dev/null
	[ "$got" = "$msg" ]
}

echo "== test-tunnel-netns: wireguard-go in two namespaces"
ip netns add "$NSA" && ip netns add "$NSB" || { echo "FAIL: netns"; exit 1; }
ip link add vA netns "$NSA" type veth peer name vB netns "$NSB"
inA ip addr add 192.168.250.1/24 dev vA; inB ip addr add 192.168.250.2/24 dev vB
inA ip link set vA up; inB ip link set vB up; inA ip link set lo up; inB ip link set lo up

umask 077
$G genkey > "$T/a.key"; $G genkey > "$T/b.key"; $G genkey > "$T/c.key"
$G genkey > "$T/ab.psk"
for k in a b c; do $G pubkey < "$T/$k.key" > "$T/$k.pub"; done
check "gatewayctl pubkey agrees with wg pubkey" \
	[ "$(wg pubkey < "$T/a.key")" = "$(cat "$T/a.pub")" ]
PA=$(cat "$T/a.pub") PB=$(cat "$T/b.pub") PC=$(cat "$T/c.pub") PSK=$(cat "$T/ab.psk")

cat > "$T/$IFA.conf" <<EOF
# site A: the colo
[Interface]
PrivateKeyFile = a.key
ListenPort = 51820
Address = 10.77.0.1/24
MTU = 1400

[Peer]
# site B: the cloud core
PublicKey = $PB
PresharedKeyFile = ab.psk
Endpoint = 192.168.250.2:51821
AllowedIPs = 10.77.0.2/32, 10.78.0.0/16
PersistentKeepalive = 25

[Peer]
# site C: not running; sync changes it
PublicKey = $PC
Endpoint = 192.168.250.3:51822
AllowedIPs = 10.77.0.3/32
EOF
cat > "$T/$IFB.conf" <<EOF
[Interface]
PrivateKey = $(cat "$T/b.key")
ListenPort = 51821
Address = 10.77.0.2/24
[Peer]
PublicKey = $PA
PresharedKey = $PSK
Endpoint = 192.168.250.1:51820
AllowedIPs = 10.77.0.1/32
EOF

inA env WG_PROCESS_FOREGROUND=1 wireguard-go "$IFA" > "$T/wga.log" 2>&1 &
PIDS+=("$!")
inB env WG_PROCESS_FOREGROUND=1 wireguard-go "$IFB" > "$T/wgb.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do
	[ -S /var/run/wireguard/$IFA.sock ] && [ -S /var/run/wireguard/$IFB.sock ] && break
	sleep 0.1
done
check "wireguard-go sockets present" [ -S /var/run/wireguard/$IFA.sock -a -S /var/run/wireguard/$IFB.sock ]

# --- up ---------------------------------------------------------------------
t0=$(ms_now)
outB=$(inB $G tunnel up "$T/$IFB.conf" 2>&1); rcB=$?
t1=$(ms_now)
outA=$(inA $G tunnel up "$T/$IFA.conf" 2>&1); rcA=$?
t2=$(ms_now)
# First packet right away: it may include the handshake (B was configured
# before A, so A's first initiation is answered at once).
first=$(inA ping -c 1 -W 5 10.77.0.2 2>&1); rcp=$?
t4=$(ms_now)
FIRST_RTT=$(sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' <<<"$first")
echo "  $outB"; echo "  $outA"
check "first ping through the tunnel right after up" [ $rcp = 0 ]
check "tunnel up $IFB" [ $rcB = 0 ]
check "tunnel up $IFA" [ $rcA = 0 ]
UP_MS_A=$(sed -n 's/.* in \([0-9.]*\) ms$/\1/p' <<<"$outA")
UP_MS_B=$(sed -n 's/.* in \([0-9.]*\) ms$/\1/p' <<<"$outB")

# --- wg show agrees with the files -------------------------------------------
dumpA=$(wg show "$IFA" dump); dumpB=$(wg show "$IFB" dump)
ifaceA=$(head -1 <<<"$dumpA")
check "wg: $IFA private key matches file" [ "$(cut -f1 <<<"$ifaceA")" = "$(cat "$T/a.key")" ]
check "wg: $IFA public key" [ "$(cut -f2 <<<"$ifaceA")" = "$PA" ]
check "wg: $IFA listen port 51820" [ "$(cut -f3 <<<"$ifaceA")" = 51820 ]
peerAB=$(grep "^$PB" <<<"$dumpA"); peerAC=$(grep "^$PC" <<<"$dumpA")
check "wg: $IFA peer B preshared key" [ "$(cut -f2 <<<"$peerAB")" = "$PSK" ]
check "wg: $IFA peer B endpoint" [ "$(cut -f3 <<<"$peerAB")" = 192.168.250.2:51821 ]
check "wg: $IFA peer B allowed ips" [ "$(cut -f4 <<<"$peerAB")" = "10.77.0.2/32,10.78.0.0/16" ]
check "wg: $IFA peer B keepalive 25" [ "$(cut -f8 <<<"$peerAB")" = 25 ]
check "wg: $IFA peer C endpoint" [ "$(cut -f3 <<<"$peerAC")" = 192.168.250.3:51822 ]
check "wg: $IFA peer C allowed ips" [ "$(cut -f4 <<<"$peerAC")" = 10.77.0.3/32 ]
check "wg: $IFA peer C no psk, keepalive off" [ "$(cut -f2,8 <<<"$peerAC")" = "(none)	off" ]
peerBA=$(sed -n 2p <<<"$dumpB")
check "wg: $IFB private key (inline) matches" [ "$(head -1 <<<"$dumpB" | cut -f1)" = "$(cat "$T/b.key")" ]
check "wg: $IFB peer A psk/endpoint/allowed" \
	[ "$(cut -f1-4 <<<"$peerBA")" = "$PA	$PSK	192.168.250.1:51820	10.77.0.1/32" ]
check "link: address, mtu, up" bash -c "ip -n $NSA addr show $IFA | grep -q 'inet 10.77.0.1/24' && ip -n $NSA link show $IFA | grep -q 'mtu 1400' && ip -n $NSA link show $IFA | grep -q ',UP'"
check "routes for allowed ips" bash -c "ip -n $NSA route show dev $IFA | grep -q '^10.78.0.0/16 proto static' && ip -n $NSA route show dev $IFA | grep -q '^10.77.0.3 proto static'"
inA $G tunnel show "$IFA" --json > "$T/show.json"
check "tunnel show --json parses, 2 peers" python3 -c "
import json,sys; d=json.load(open('$T/show.json'))['interfaces'][0]
assert d['name']=='$IFA' and d['backend']=='userspace' and len(d['peers'])==2
assert not any('$(cat "$T/a.key")' in json.dumps(x) for x in [d])"

# --- traffic ------------------------------------------------------------------
check "UDP A -> B -> A through the tunnel" udp_roundtrip "$NSB" 10.77.0.2 7001 "$NSA" hello-from-A
check "UDP B -> A -> B through the tunnel" udp_roundtrip "$NSA" 10.77.0.1 7002 "$NSB" hello-from-B
FIRST_MS=$((t4 - t2))
ping_out=$(inA ping -c 50 -i 0.02 -q 10.77.0.2 2>&1)
RTT=$(sed -n 's#^rtt min/avg/max/mdev = \([^ ]*\) ms#\1#p' <<<"$ping_out")
check "ping A -> B: 50/50" grep -q ' 0% packet loss' <<<"$ping_out"
ping_veth=$(inA ping -c 50 -i 0.02 -q 192.168.250.2 2>&1)
RTT_VETH=$(sed -n 's#^rtt min/avg/max/mdev = \([^ ]*\) ms#\1#p' <<<"$ping_veth")

# --- sync: change peer C only; peer B's session must survive ------------------
hs_before=$(wg show "$IFA" latest-handshakes | grep "^$PB" | cut -f2)
rx_before=$(wg show "$IFA" transfer | grep "^$PB" | cut -f2)
check "peer B has a handshake" [ "${hs_before:-0}" -gt 0 ]
sed -i -e 's#^Endpoint = 192.168.250.3:51822#Endpoint = 192.168.250.3:51899#' \
	-e 's#^AllowedIPs = 10.77.0.3/32#AllowedIPs = 10.77.0.3/32, 10.79.0.0/16\nPersistentKeepalive = 0#' \
	"$T/$IFA.conf"
sleep 1.1	# a new handshake would now show a different second
out=$(inA $G tunnel sync "$T/$IFA.conf" 2>&1); rc=$?
echo "  $out"
SYNC_MS=$(sed -n 's/.* in \([0-9.]*\) ms$/\1/p' <<<"$out")
check "tunnel sync" [ $rc = 0 ]
check "sync sent exactly one peer change" grep -q ', 1 WireGuard change(s)' <<<"$out"
peerAC=$(wg show "$IFA" dump | grep "^$PC")
check "wg: peer C endpoint changed" [ "$(cut -f3 <<<"$peerAC")" = 192.168.250.3:51899 ]
check "wg: peer C allowed ips changed" [ "$(cut -f4 <<<"$peerAC")" = "10.77.0.3/32,10.79.0.0/16" ]
check "route for the new prefix" bash -c "ip -n $NSA route show dev $IFA | grep -q '^10.79.0.0/16 proto static'"
check "UDP still flows after sync" udp_roundtrip "$NSB" 10.77.0.2 7003 "$NSA" after-sync
hs_after=$(wg show "$IFA" latest-handshakes | grep "^$PB" | cut -f2)
rx_after=$(wg show "$IFA" transfer | grep "^$PB" | cut -f2)
check "peer B session undisturbed (handshake $hs_before unchanged)" [ "$hs_before" = "$hs_after" ]
check "peer B counters kept (rx $rx_before -> $rx_after)" [ "$rx_after" -ge "$rx_before" ]
out=$(inA $G tunnel sync "$T/$IFA.conf" 2>&1)
check "second sync is a no-op" grep -q ', 0 WireGuard change(s)' <<<"$out"

# --- a sync that fails leaves the previous state -------------------------------
inA ip route add 10.90.0.0/16 dev vA
# wireguard-go lists peers in Go map order, which changes: compare sorted.
before=$(wg show "$IFA" dump | cut -f1-4,8 | sort)
routes_before=$(ip -n "$NSA" route show dev "$IFA")
mkdir "$T/bad"
sed -e 's#^AllowedIPs = 10.77.0.2/32, 10.78.0.0/16#AllowedIPs = 10.77.0.2/32, 10.78.0.0/16, 10.90.0.0/16#' \
	-e 's#^PersistentKeepalive = 25#PersistentKeepalive = 9#' "$T/$IFA.conf" > "$T/bad/$IFA.conf"
cp "$T/a.key" "$T/ab.psk" "$T/bad/"
out=$(inA $G tunnel sync "$T/bad/$IFA.conf" 2>&1); rc=$?
check "sync with a route taken by another interface fails" [ $rc != 0 ]
check "  and says why" grep -q 'route 10.90.0.0/16 already exists' <<<"$out"
after=$(wg show "$IFA" dump | cut -f1-4,8 | sort)
check "  and WireGuard state is as before" [ "$before" = "$after" ]
[ "$before" = "$after" ] || diff <(echo "$before") <(echo "$after") | sed 's/^/    /'

check "  and routes are as before" [ "$routes_before" = "$(ip -n "$NSA" route show dev "$IFA")" ]

# --- refused inputs --------------------------------------------------------------
cp "$T/$IFB.conf" "$T/bad/$IFB.conf"; chmod 644 "$T/bad/$IFB.conf"
out=$(inB $G tunnel sync "$T/bad/$IFB.conf" 2>&1); rc=$?
check "config with inline key, mode 0644: refused" [ $rc != 0 ]
check "  naming file, line and key" grep -q "$IFB.conf:2: PrivateKey: .*mode 0644" <<<"$out"
chmod 644 "$T/bad/a.key"
out=$(inA $G tunnel sync "$T/bad/$IFA.conf" 2>&1); rc=$?
check "key file mode 0644: refused" [ $rc != 0 ] && grep -q "a.key: holds a key but mode 0644" <<<"$out"
printf '[Interface]\nPrivateKeyFile = a.key\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.1.2.3/24\n' "$PB" > "$T/bad/$IFA.conf"
chmod 600 "$T/bad/a.key"
out=$(inA $G tunnel sync "$T/bad/$IFA.conf" 2>&1); rc=$?
check "AllowedIPs with host bits: refused with file:line:key" \
	bash -c "[ $rc != 0 ] && grep -q '$IFA.conf:5: AllowedIPs:' <<<'$out'"

# --- down -------------------------------------------------------------------------
out=$(inA $G tunnel down "$IFA" 2>&1); rc=$?
echo "  $out"
check "tunnel down $IFA" [ $rc = 0 ]
check "  link down, no addresses, no peers" bash -c "! ip -n $NSA link show $IFA | grep -q ',UP' && ! ip -n $NSA addr show $IFA | grep -q 'inet ' && [ \$(wg show $IFA peers | wc -l) = 0 ]"
check "  no traffic after down" bash -c "! ip netns exec $NSA ping -c1 -W1 10.77.0.2 >/dev/null 2>&1"

echo "-- figures (wireguard-go, two namespaces over veth)"
echo "   tunnel up (gatewayctl apply): B ${UP_MS_B} ms, A ${UP_MS_A} ms; wall time incl. exec: B $((t1 - t0)) ms, A $((t2 - t1)) ms"
echo "   end of tunnel up to first ping answer: ${FIRST_MS} ms wall (that ping: ${FIRST_RTT} ms RTT)"
echo "   tunnel sync (one peer change): ${SYNC_MS} ms"
echo "   ping RTT through the tunnel min/avg/max/mdev: ${RTT} ms  (veth alone: ${RTT_VETH} ms)"
if [ $FAILS = 0 ]; then
	echo "PASS test-tunnel-netns"
	exit 0
fi
echo "FAIL test-tunnel-netns: $FAILS check(s) failed"
for f in "$T"/wg?.log; do echo "--- $f"; tail -5 "$f"; done
exit 1
