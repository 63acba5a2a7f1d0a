#!/bin/bash
# The control socket: its owner, root and members of ControlGroup only.
#   - a member of the group (another uid) runs gatewayctl; its
#     state-changing command is logged with its uid and pid;
#   - a uid outside the group cannot connect (mode 0660);
#   - with the mode opened by hand (0666) it connects, and is refused by
#     the SO_PEERCRED/SO_PEERGROUPS check, logged with its uid.
TEST=control-access
TEST_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

GROUP=staff				# in every Debian base system
gid=$(getent group $GROUP | cut -d: -f3)
[ -n "$gid" ] || fail "group $GROUP missing"
MEMBER=61010 OTHER=61011
chmod 0711 "$T"
genkey "$T/state.key"
LP=$(free_port)
cat >"$T/gw.conf" <<CONF
[Gateway]
Name = ctlaccess
StateDirectory = $T/state
StateKeyFile = $T/state.key
ControlSocket = $T/ctl.sock
ControlGroup = $GROUP
Durability = none

[Link mc]
Profile = iso87
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
CONF
"$BIN/gatewayd" -n -f "$T/gw.conf" | grep -q "^ControlGroup = $GROUP" || fail "-n does not print ControlGroup"
start_gw "$T/gw.conf"
[ "$(stat -c '%a %g' "$T/ctl.sock")" = "660 $gid" ] || fail "socket mode/group $(stat -c '%a %g' "$T/ctl.sock"), want 660 $gid"

as() {	# as UID [GROUPS] -- gatewayctl args
	local u=$1 g=$2
	shift 2
	local gopt=--clear-groups
	[ -n "$g" ] && gopt=--groups=$g
	setpriv --reuid=$u --regid=$u $gopt "$BIN/gatewayctl" -s "$T/ctl.sock" "$@"
}
as $MEMBER $gid status | grep -q '^gateway ctlaccess' || fail "member of $GROUP refused"
as $MEMBER $gid standin force on >/dev/null || fail "member: force on"
grep -q "event=standin_force value=on uid=$MEMBER pid=[0-9]" "$T/gatewayd.log" \
    || fail "force not logged with the member's uid"
as $MEMBER $gid standin force auto >/dev/null
if as $OTHER "" status >/dev/null 2>&1; then
	fail "uid $OTHER (not in $GROUP) connected"
fi
chmod 0666 "$T/ctl.sock"
out=$(as $OTHER "" status 2>&1)
echo "$out" | grep -q "permission denied" || fail "uid $OTHER with the mode opened: '$out'"
grep -q "event=control_refused uid=$OTHER" "$T/gatewayd.log" || fail "refusal not logged"
pass "member uid $MEMBER served and logged; uid $OTHER: no connect at 0660, refused by SO_PEERCRED at 0666"
