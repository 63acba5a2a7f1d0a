#!/bin/bash
# test-kernel-wg.sh — the kernel netlink backend against a real kernel.
#
# This machine's kernel has no WireGuard module, so boot Debian's
# linux-image-amd64 kernel (downloaded as a .deb into build/kernel/, never
# installed) under qemu-system-x86_64 in software emulation, with a small
# initramfs: busybox-static, gatewayctl, wg, iproute2's ip, their shared
# libraries and the wireguard.ko/veth.ko module chain.  Inside the VM two
# network namespaces get kernel WireGuard devices configured ONLY by
# `gatewayctl tunnel up` (generic netlink + rtnetlink), `wg show` checks
# them, ping goes through, `tunnel sync` changes one peer without
# disturbing the other's session, a 400-peer file exercises multi-message
# netlink sets, and `tunnel down` removes a device.  /init prints
# "KTEST ..." lines on the serial console; this script parses them.
#
# Needs root (apt-get download into the cache, like the other e2e tests).
set -u
if [ -z "${GW_E2E_BOUNDED:-}" ]; then
	GW_E2E_BOUNDED=1 exec timeout -k 10 420 bash "$0" "$@"
fi
cd "$(dirname "$0")/../.."
ROOT=$PWD
G=$ROOT/build/bin/gatewayctl
K=$ROOT/build/kernel

if [ "$(id -u)" != 0 ]; then
	echo "SKIP test-kernel-wg: needs root"
	exit 0
fi
fail() { echo "FAIL test-kernel-wg: $*"; exit 1; }
for t in qemu-system-x86_64 dpkg-deb depmod modprobe cpio gzip apt-get wg python3; do
	command -v $t >/dev/null || fail "$t missing (make deps-test)"
done
[ -x "$G" ] || fail "$G not built"
BB=/bin/busybox
[ -x $BB ] && ! ldd $BB >/dev/null 2>&1 || fail "$BB is not busybox-static (make deps-test)"
IPBIN=$(command -v ip)

T0=$(date +%s%N)
STAGE=$(mktemp -d /tmp/gw-kernel-wg.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
trap 'echo "FAIL test-kernel-wg: interrupted or timed out"; exit 1' INT TERM

# --- the kernel: download once into build/kernel, extract once -------------
mkdir -p "$K"
PKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -1)
if [ -z "$PKG" ]; then
	apt-get update -qq >/dev/null 2>&1
	PKG=$(apt-cache depends linux-image-amd64 |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -1)
fi
[ -n "$PKG" ] || fail "cannot resolve linux-image-amd64 to a kernel package"
VER=${PKG#linux-image-}
DEB=$(ls "$K"/${PKG}_*.deb 2>/dev/null | head -1)
if [ -z "$DEB" ]; then
	echo "  downloading $PKG into build/kernel/ (cached for next runs)"
	(cd "$K" && apt-get download "$PKG" >/dev/null) || fail "apt-get download $PKG"
	DEB=$(ls "$K"/${PKG}_*.deb | head -1)
fi
KR=$K/root-$VER
if [ ! -f "$KR/.extracted" ]; then
	rm -rf "$KR"
	dpkg-deb -x "$DEB" "$KR" || fail "dpkg-deb -x $DEB"
	# The .deb ships no modules.dep; make one to learn the load order.
	depmod -b "$KR" "$VER" || fail "depmod"
	touch "$KR/.extracted"
fi
VMLINUZ=$KR/boot/vmlinuz-$VER
[ -f "$VMLINUZ" ] || fail "no $VMLINUZ in $DEB"
T1=$(date +%s%N)

# --- the initramfs ------------------------------------------------------------
I=$STAGE/root
mkdir -p $I/bin $I/sbin $I/usr/bin $I/usr/sbin $I/lib/modules $I/etc/wg/sync \
	$I/proc $I/sys $I/dev $I/run $I/tmp $I/var
cp $BB $I/bin/busybox
copy_with_libs() {	# FILE DEST
	cp "$1" "$I$2"
	ldd "$1" | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$I$(dirname "$lib")"
		cp -L "$lib" "$I$lib"
	done
}
copy_with_libs "$G" /usr/bin/gatewayctl
copy_with_libs "$(command -v wg)" /usr/bin/wg
copy_with_libs "$IPBIN" /usr/sbin/ip
: > $I/etc/modules.order
for m in wireguard veth; do
	modprobe -d "$KR" -S "$VER" --show-depends $m | awk '$1 == "insmod" {print $2}' |
	while read -r ko; do
		b=$(basename "$ko")
		grep -qx "$b" $I/etc/modules.order && continue
		case $ko in
		*.ko.xz) xz -dc "$ko" > "$I/lib/modules/${b%.xz}"; b=${b%.xz} ;;
		*.ko.zst) zstd -qdc "$ko" > "$I/lib/modules/${b%.zst}"; b=${b%.zst} ;;
		*) cp "$ko" "$I/lib/modules/$b" ;;
		esac
		echo "$b" >> $I/etc/modules.order
	done
done
grep -q '^wireguard.ko$' $I/etc/modules.order || fail "wireguard.ko not found in $PKG"

# Keys and files, made on the host with gatewayctl itself.
umask 077
for k in a b c; do
	$G genkey > $I/etc/wg/$k.key
	$G pubkey < $I/etc/wg/$k.key > $I/etc/wg/$k.pub
done
$G genkey > $I/etc/wg/ab.psk
PA=$(cat $I/etc/wg/a.pub) PB=$(cat $I/etc/wg/b.pub) PC=$(cat $I/etc/wg/c.pub)
cat > $I/etc/wg/wga.conf <<EOF
[Interface]
PrivateKeyFile = a.key
ListenPort = 51820
Address = 10.77.0.1/24
MTU = 1400
[Peer]
PublicKey = $PB
PresharedKeyFile = ab.psk
Endpoint = 192.168.250.2:51821
AllowedIPs = 10.77.0.2/32, 10.78.0.0/16
PersistentKeepalive = 25
[Peer]
PublicKey = $PC
Endpoint = 192.168.250.3:51822
AllowedIPs = 10.77.0.3/32
EOF
sed -e 's#^Endpoint = 192.168.250.3:51822#Endpoint = 192.168.250.3:51899#' \
	-e 's#^AllowedIPs = 10.77.0.3/32#AllowedIPs = 10.77.0.3/32, 10.79.0.0/16#' \
	$I/etc/wg/wga.conf > $I/etc/wg/sync/wga.conf
cp $I/etc/wg/a.key $I/etc/wg/ab.psk $I/etc/wg/sync/
cat > $I/etc/wg/wgb.conf <<EOF
[Interface]
PrivateKey = $(cat $I/etc/wg/b.key)
ListenPort = 51821
Address = 10.77.0.2/24
[Peer]
PublicKey = $PA
PresharedKeyFile = ab.psk
Endpoint = 192.168.250.1:51820
AllowedIPs = 10.77.0.1/32
EOF
# 400 peers x 3 prefixes: more than one netlink message can carry.
python3 - "$I/etc/wg/wgc.conf" "$(cat $I/etc/wg/c.key)" <<'EOF'
import base64, os, sys
with open(sys.argv[1], "w") as f:
    f.write("[Interface]\nPrivateKey = %s\nListenPort = 51900\nTable = off\n" % sys.argv[2])
    for i in range(400):
        f.write("[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.0/24, 10.%d.%d.0/24, fd00:%x::/64\n"
                % (base64.b64encode(os.urandom(32)).decode(),
                   100 + i // 256, i % 256, 150 + i // 256, i % 256, i))
EOF
cat > $I/etc/wg/expect <<EOF
PA=$PA
PB=$PB
PC=$PC
PSK=$(cat $I/etc/wg/ab.psk)
AKEY=$(cat $I/etc/wg/a.key)
EOF

cat > $I/init <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin WG_COLOR_MODE=never
mount -t proc proc /proc; mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null; mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp; ln -s /run /var/run
IP=/usr/sbin/ip
. /etc/wg/expect
FAILS=0
say() { echo "KTEST $*"; }
ok() { say "ok   $*"; }
bad() { say "FAIL $*"; FAILS=$((FAILS + 1)); }
check() { w=$1; shift; if "$@"; then ok "$w"; else bad "$w"; fi; }
ms() { read -r up _ < /proc/uptime; echo "$up"; }

for m in $(cat /etc/modules.order); do
	insmod /lib/modules/$m || bad "insmod $m"
done
check "no wireguard UAPI socket: netlink backend" [ ! -e /run/wireguard ]
$IP link set lo up
$IP netns add A; $IP netns add B
$IP link add vA netns A type veth peer name vB netns B
$IP -n A addr add 192.168.250.1/24 dev vA; $IP -n B addr add 192.168.250.2/24 dev vB
$IP -n A link set vA up; $IP -n B link set vB up
$IP -n A link set lo up; $IP -n B link set lo up

cd /etc/wg
out=$($IP netns exec B gatewayctl tunnel up /etc/wg/wgb.conf 2>&1); rc=$?
say "$out"; check "tunnel up wgb (kernel)" [ $rc = 0 ]
out=$($IP netns exec A gatewayctl tunnel up /etc/wg/wga.conf 2>&1); rc=$?
say "$out"; check "tunnel up wga (kernel)" [ $rc = 0 ]
say "figure up_ms=$(echo "$out" | sed -n 's/.* in \([0-9.]*\) ms$/\1/p')"
check "wga created as a kernel link" sh -c "$IP -n A -d link show wga | grep -q wireguard"

dA=$($IP netns exec A wg show wga dump)
say "wg show wga dump (keys cut):"; echo "$dA" | cut -f3- | sed 's/^/KTEST   | /'
i1=$(echo "$dA" | head -1)
check "wg: wga private key = a.key" [ "$(echo "$i1" | cut -f1)" = "$AKEY" ]
check "wg: wga public key" [ "$(echo "$i1" | cut -f2)" = "$PA" ]
check "wg: wga listen port" [ "$(echo "$i1" | cut -f3)" = 51820 ]
pB=$(echo "$dA" | grep "^$PB")
check "wg: peer B psk" [ "$(echo "$pB" | cut -f2)" = "$PSK" ]
check "wg: peer B endpoint" [ "$(echo "$pB" | cut -f3)" = 192.168.250.2:51821 ]
check "wg: peer B allowed ips" [ "$(echo "$pB" | cut -f4)" = "10.77.0.2/32,10.78.0.0/16" ]
check "wg: peer B keepalive" [ "$(echo "$pB" | cut -f8)" = 25 ]
pC=$(echo "$dA" | grep "^$PC")
check "wg: peer C endpoint + ips" [ "$(echo "$pC" | cut -f3,4)" = "192.168.250.3:51822	10.77.0.3/32" ]
check "link: addr, mtu 1400, up" sh -c "$IP -n A addr show wga | grep -q 'inet 10.77.0.1/24' && $IP -n A link show wga | grep -q 'mtu 1400' && $IP -n A link show wga | grep -q ',UP'"
check "routes for allowed ips" sh -c "$IP -n A route show dev wga | grep -q '^10.78.0.0/16 proto static'"

p=$($IP netns exec A ping -c 1 -W 5 10.77.0.2 2>&1); rc=$?
check "first ping A -> B" [ $rc = 0 ]
say "figure first_ping=$(echo "$p" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p')"
p=$($IP netns exec A ping -c 20 -i 0.1 -q 10.77.0.2 2>&1)
check "ping A -> B 20/20" sh -c "echo '$p' | grep -q ' 0% packet loss'"
say "figure rtt=$(echo "$p" | sed -n 's#.*min/avg/max = \([^ ]*\) ms#\1#p')"
p=$($IP netns exec B ping -c 5 -i 0.1 -q 10.77.0.1 2>&1)
check "ping B -> A 5/5" sh -c "echo '$p' | grep -q ' 0% packet loss'"
p=$($IP netns exec A ping -c 20 -i 0.1 -q 192.168.250.2 2>&1)
say "figure rtt_veth=$(echo "$p" | sed -n 's#.*min/avg/max = \([^ ]*\) ms#\1#p')"

hs1=$($IP netns exec A wg show wga latest-handshakes | grep "^$PB" | cut -f2)
check "peer B has a handshake" [ "${hs1:-0}" -gt 0 ]
sleep 1
out=$($IP netns exec A gatewayctl tunnel sync /etc/wg/sync/wga.conf 2>&1); rc=$?
say "$out"; check "tunnel sync wga (one peer changed)" [ $rc = 0 ]
check "sync sent one change" sh -c "echo '$out' | grep -q ', 1 WireGuard change(s)'"
pC=$($IP netns exec A wg show wga dump | grep "^$PC")
check "wg: peer C after sync" [ "$(echo "$pC" | cut -f3,4)" = "192.168.250.3:51899	10.77.0.3/32,10.79.0.0/16" ]
check "ping after sync" $IP netns exec A ping -c 2 -i 0.1 -q 10.77.0.2
hs2=$($IP netns exec A wg show wga latest-handshakes | grep "^$PB" | cut -f2)
check "peer B session undisturbed by sync ($hs1 = $hs2)" [ "$hs1" = "$hs2" ]

out=$($IP netns exec A gatewayctl -v tunnel up /etc/wg/wgc.conf 2>&1); rc=$?
say "$out" | grep -v 'level=debug'; check "tunnel up wgc, 400 peers" [ $rc = 0 ]
nmsg=$(echo "$out" | sed -n 's/.*set wgc in \([0-9]*\) message.*/\1/p')
say "figure nmsg=$nmsg"
check "400-peer set took several netlink messages ($nmsg)" [ "${nmsg:-0}" -gt 1 ]
say "figure up400_ms=$(echo "$out" | sed -n 's/.* in \([0-9.]*\) ms$/\1/p')"
check "wg: wgc has 400 peers" [ "$($IP netns exec A wg show wgc peers | wc -l)" = 400 ]
check "wg: wgc has 1200 allowed ips" [ "$($IP netns exec A wg show wgc allowed-ips | cut -f2 | tr ' ' '\n' | grep -c /)" = 1200 ]
last=$(grep -A2 '^\[Peer\]' /etc/wg/wgc.conf | tail -2 | sed 's/^[^=]*= //' | tr '\n' ' ')
set -- $last
check "wg: last peer's prefixes" sh -c "$IP netns exec A wg show wgc allowed-ips | grep -q '^$1	10.101.143.0/24 10.151.143.0/24 fd00:18f::/64'"
out=$($IP netns exec A gatewayctl tunnel show wgc --json 2>/dev/null | head -c 200)
check "tunnel show --json (kernel)" sh -c "echo '$out' | grep -q '\"backend\":\"kernel\"'"
out=$($IP netns exec A gatewayctl tunnel up /etc/wg/wgc.conf 2>&1); rc=$?
check "second tunnel up of wgc refused (exists)" sh -c "[ $rc != 0 ] && echo '$out' | grep -q 'already exists'"

out=$($IP netns exec A gatewayctl tunnel down wgc 2>&1); rc=$?
say "$out"; check "tunnel down wgc" sh -c "[ $rc = 0 ] && ! $IP -n A link show wgc >/dev/null 2>&1"

if [ $FAILS = 0 ]; then say "RESULT PASS"; else say "RESULT FAIL ($FAILS)"; fi
poweroff -f
EOF
chmod 755 $I/init
(cd $I && find . | cpio -o -H newc --quiet | gzip -1) > $STAGE/initrd.gz || fail "cpio"
T2=$(date +%s%N)
echo "== test-kernel-wg: $PKG under qemu (TCG), initramfs $(($(stat -c %s $STAGE/initrd.gz) / 1024)) KiB"

# --- boot ---------------------------------------------------------------------
timeout 300 qemu-system-x86_64 -accel tcg -cpu max -m 512 -nographic -no-reboot \
	-kernel "$VMLINUZ" -initrd $STAGE/initrd.gz \
	-append "console=ttyS0 panic=-1 quiet" > $STAGE/console.log 2>&1
qrc=$?
T3=$(date +%s%N)
tr -d '\r' < $STAGE/console.log | grep '^KTEST' | sed 's/^KTEST /  /'
fig() { tr -d '\r' < $STAGE/console.log | sed -n "s/^KTEST figure $1=//p"; }
echo "-- figures (kernel WireGuard, Debian $VER under qemu TCG: slow CPU emulation)"
echo "   tunnel up wga (gatewayctl netlink apply): $(fig up_ms) ms"
echo "   tunnel up of 400 peers x 3 prefixes: $(fig up400_ms) ms in $(fig nmsg) netlink messages"
echo "   first ping through the tunnel: $(fig first_ping) ms; ping RTT min/avg/max: $(fig rtt) ms (veth alone: $(fig rtt_veth) ms)"
echo "   kernel fetch/extract $(((T1 - T0) / 1000000)) ms, initramfs $(((T2 - T1) / 1000000)) ms, qemu boot-to-poweroff $(((T3 - T2) / 1000000)) ms"
if tr -d '\r' < $STAGE/console.log | grep -q '^KTEST RESULT PASS'; then
	echo "PASS test-kernel-wg"
	exit 0
fi
echo "--- console tail (qemu rc $qrc)"
tr -d '\r' < $STAGE/console.log | tail -30
fail "see KTEST lines above"
