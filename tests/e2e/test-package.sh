#!/bin/bash
# The Debian packages, end to end, as root (CI); skipped otherwise:
#   1. dpkg-buildpackage -us -uc -b in a copy of the tree (the worktree is
#      not touched); the packages hold exactly what make install installs;
#   2. lintian on them: no tag left but the overridden ones;
#   3. installed with dpkg --root into a scratch root (maintainer scripts
#      chrootless, libraries from this host): users, groups, directory
#      modes, nothing enabled; the installed gatewayd -n on the installed
#      config (keys made with the installed gatewayctl), hsmd -n, each
#      program's --help, man -l on each page;
#   4. --remove leaves only the configs and the state directory, --purge
#      nothing; purge keeps a state directory that holds data, and the
#      operator's keys.
TEST=package
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
. "$(dirname "$0")/lib.sh"
set -e

# debian/control's Build-Depends are the Makefile's DEB_BUILD (and
# debhelper's own), whoever runs this.
deb_build=$(awk '/^DEB_BUILD :=/ { on = 1; sub(/^DEB_BUILD :=/, "") }
    on { c = sub(/\\$/, ""); print; if (!c) exit }' "$ROOT/Makefile" | tr -s ' \t' '\n' | grep . | sort)
build_deps=$(awk '/^Build-Depends:/ { on = 1; sub(/^Build-Depends:/, ""); print; next }
    on && /^[ \t]/ { print; next } { on = 0 }' "$ROOT/debian/control" |
    tr ',' '\n' | sed 's/(.*)//; s/[ \t]//g' | grep . |
    grep -vE '^(debhelper-compat|dh-sequence-.*)$' | sort)
[ "$deb_build" = "$build_deps" ] || fail "debian/control Build-Depends differ from DEB_BUILD: $(diff <(echo "$deb_build") <(echo "$build_deps") | grep '^[<>]' | tr '\n' ' ')"

if [ "$(id -u)" != 0 ] || ! command -v dpkg-buildpackage >/dev/null; then
	echo "SKIP package: needs root and dpkg-buildpackage (make deps-test as root)"
	exit 0
fi
for c in lintian mandoc man systemd-sysusers systemd-tmpfiles; do
	command -v $c >/dev/null || fail "$c not installed (make deps-test)"
done
PKGS="gatewayd gatewayd-hsm gatewayd-tools"

# 1. Build in a copy.
mkdir "$T/b" "$T/b/src"
tar -C "$ROOT" --exclude=./build --exclude=./.git --exclude='./debian/tmp' -cf - . |
    tar -C "$T/b/src" -xf -
t0=$SECONDS
(cd "$T/b/src" && DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b) \
    >"$T/build.log" 2>&1 || fail "dpkg-buildpackage: $(tail -5 "$T/build.log")"
tbuild=$((SECONDS - t0))
debs=""
for p in $PKGS; do
	d=$(echo "$T"/b/${p}_*.deb)
	[ -f "$d" ] || fail "no package $p"
	debs="$debs $d"
done
# Every file make install wrote (debian/tmp) is in a package, and every
# package file came from it, but for Debian's own: copyright, changelog,
# README.Debian, lintian overrides; man pages and long docs are gzipped.
(cd "$T/b/src/debian/tmp" && find . -type f | sed 's|^\.||' | sort) >"$T/installed"
for d in $debs; do dpkg-deb -c "$d"; done | awk '$1 !~ /^d/ { print $6 }' |
    sed 's|^\.||; s|\.gz$||' |
    grep -vE '^/usr/share/doc/[^/]+/(copyright|changelog|README\.Debian)$|^/usr/share/lintian/' |
    sort >"$T/packaged"
diff -u "$T/installed" "$T/packaged" >"$T/install.diff" ||
    fail "make install and the packages differ: $(cat "$T/install.diff")"

# 2. lintian.
lintian -I --pedantic --show-overrides "$T"/b/gatewayd_*.changes >"$T/lintian.log" 2>&1 || true
grep -vE '^O: |^N: |running with root privileges' "$T/lintian.log" >"$T/lintian.tags" || true
[ ! -s "$T/lintian.tags" ] || fail "lintian: $(cat "$T/lintian.tags")"
noverride=$(grep -c '^O: ' "$T/lintian.log" || true)

# 3. A scratch root: what dpkg and a systemd host have before anything.
R=$T/root
mkdir -p "$R/etc" "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/systemd"
touch "$R/var/lib/dpkg/status"
skeleton=$(cd "$R" && find . | sort)
DPKG=(dpkg --root="$R" --force-script-chrootless --force-depends)
"${DPKG[@]}" -i $debs >"$T/dpkg-install.log" 2>&1 ||
    fail "dpkg -i: $(tail -5 "$T/dpkg-install.log")"
uid() { awk -F: -v n="$1" '$1 == n { print $3 }' "$R/etc/$2"; }
gw=$(uid gatewayd passwd); hs=$(uid hsmd passwd); ctl=$(uid gatewayd-ctl group)
[ -n "$gw" ] && [ -n "$hs" ] && [ -n "$ctl" ] || fail "users: $(cat "$R/etc/passwd" "$R/etc/group")"
grep -q "^hsmd:x:$hs:gatewayd$" "$R/etc/group" || fail "gatewayd not in group hsmd: $(cat "$R/etc/group")"
modes() { stat -c '%a %u:%g' "$R$1"; }
[ "$(modes /etc/gatewayd)" = "750 0:$gw" ] || fail "/etc/gatewayd: $(modes /etc/gatewayd)"
[ "$(modes /etc/hsmd)" = "700 0:0" ] || fail "/etc/hsmd: $(modes /etc/hsmd)"
[ "$(modes /var/lib/gatewayd)" = "700 $gw:$gw" ] || fail "/var/lib/gatewayd: $(modes /var/lib/gatewayd)"
[ -z "$(find "$R/etc" -path '*/systemd/system/*' 2>/dev/null)" ] ||
    fail "a unit was enabled: $(find "$R/etc" -path '*/systemd/system/*')"
for c in gatewayd/gatewayd.conf hsmd/hsmd.conf; do
	grep -qx "/etc/$c" "$R"/var/lib/dpkg/info/*.conffiles || fail "/etc/$c is not a conffile"
done

B=$R/usr/bin
mkdir -m 0700 "$T/keys"
(umask 077 && "$B/gatewayctl" genkey >"$T/keys/core.key" &&
    "$B/gatewayctl" genkey >"$T/keys/state.key") || fail "installed gatewayctl genkey"
sed "s|/etc/gatewayd/|$T/keys/|" "$R/etc/gatewayd/gatewayd.conf" >"$T/gatewayd.conf"
"$B/gatewayd" -n -f "$T/gatewayd.conf" >"$T/n.out" 2>&1 || fail "installed gatewayd -n: $(cat "$T/n.out")"
nlinks=$(grep -c '^\[Link ' "$T/n.out")
"$B/hsmd" -n --config "$R/etc/hsmd/hsmd.conf" >"$T/hsmd.out" 2>&1 ||
    fail "installed hsmd -n: $(cat "$T/hsmd.out")"
for p in gatewayd gatewayctl hsmd hsmctl scheme-sim iso8583; do
	"$B/$p" --help >/dev/null 2>&1 || fail "installed $p --help"
done
npages=0
for m in "$R"/usr/share/man/man?/*; do
	out=$(man -l "$m" 2>&1 >/dev/null) || fail "man -l $m: $out"
	[ -z "$out" ] || fail "man -l $m: $out"
	[ "$(man -l "$m" 2>/dev/null | wc -l)" -gt 20 ] || fail "man -l $m: short page"
	npages=$((npages + 1))
done
[ "$npages" = 8 ] || fail "$npages man pages installed, want 8"
inventory() {
	local p
	for p in $PKGS; do
		printf '  %s:' "$p"
		"${DPKG[@]}" -L "$p" 2>/dev/null | while read -r f; do
			[ -d "$R$f" ] || printf ' %s' "$f"
		done
		echo
	done
}
inventory >"$T/inventory"

# 4. Remove, purge.
"${DPKG[@]}" --remove $PKGS >"$T/dpkg-remove.log" 2>&1 || fail "dpkg --remove: $(tail -5 "$T/dpkg-remove.log")"
# dpkg's database and the accounts sysusers made (Debian keeps system
# users after a purge) are not the packages' leftovers
accounts='^\./var/lib/dpkg/|^\./etc/(passwd|group|shadow|gshadow)-?$|^\./etc/\.pwd\.lock$'
left() { (cd "$R" && find . | sort) | comm -23 - <(echo "$skeleton") | grep -vE "$accounts" || true; }
# deb-systemd-helper's records of the units, dropped at purge
kept=$(left | grep -v '^\./var/lib/systemd/deb-systemd-helper-enabled' | tr '\n' ' ')
want="./etc/gatewayd ./etc/gatewayd/gatewayd.conf ./etc/hsmd ./etc/hsmd/hsmd.conf ./var/lib/gatewayd "
[ "$kept" = "$want" ] || fail "after --remove: '$kept', want '$want'"
"${DPKG[@]}" --purge $PKGS >"$T/dpkg-purge.log" 2>&1 || fail "dpkg --purge: $(tail -5 "$T/dpkg-purge.log")"
[ -z "$(left)" ] || fail "after --purge: $(left | tr '\n' ' ')"
# Purge keeps card state and the operator's keys.
"${DPKG[@]}" -i "$T"/b/gatewayd_*.deb >>"$T/dpkg-install.log" 2>&1 || fail "dpkg -i again"
echo data >"$R/var/lib/gatewayd/data.mdb"
cp "$T/keys/state.key" "$R/etc/gatewayd/state.key"
"${DPKG[@]}" --purge gatewayd >"$T/dpkg-purge2.log" 2>&1 || fail "dpkg --purge: $(tail -5 "$T/dpkg-purge2.log")"
[ -f "$R/var/lib/gatewayd/data.mdb" ] && [ -f "$R/etc/gatewayd/state.key" ] ||
    fail "purge deleted card state or a key: $(left | tr '\n' ' ')"
[ ! -e "$R/etc/gatewayd/gatewayd.conf" ] || fail "purge left gatewayd.conf"
grep -q 'kept' "$T/dpkg-purge2.log" || fail "purge kept the state silently"

echo "packages and their files:"
cat "$T/inventory"
echo "lintian: clean ($noverride tags overridden, debian/*.lintian-overrides)"
pass "built in ${tbuild}s; make install = packages ($(wc -l <"$T/installed") files); installed gatewayd -n (links: $nlinks), hsmd -n, 6 --help, $npages man pages; remove keeps the 2 configs and /var/lib/gatewayd, purge leaves nothing (but card state and keys when present)"
