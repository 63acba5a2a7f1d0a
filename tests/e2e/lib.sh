# lib.sh — shared by tests/e2e/test-*.sh: temp dir, free ports, keys,
# starting gatewayd and the simulators, cleanup, PASS/FAIL.
# Sourced; expects $TEST (the test's name) set first.

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${GW_BIN:-$ROOT/build/bin}
# DAEMON_SESSION=1: hsmd and gatewayd each in a session of their own, as
# systemd starts a service (the scheduler's autogroups follow sessions).
SESSION=""
ZPKLINE=""	# start_hsm: the links' ZPKFile line
[ -n "${DAEMON_SESSION:-}" ] && SESSION=setsid
# The tests' LMKs are unsealed: hsmctl (and what runs it, scheme-sim's
# portfolio generator) makes and reads them only when told so.
export HSM_INSECURE_TEST_LMK=1
T=$(mktemp -d /tmp/gw-e2e-${TEST}.XXXXXX)
PIDS=()
FAILED=0

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	release_ports
	if [ "$FAILED" = 0 ] && [ -z "${KEEP:-}" ]; then
		rm -rf "$T"
	else
		echo "   (logs kept in $T)"
	fi
}
trap cleanup EXIT
# A hung test must not hang make: every test is bounded.
(
	trap 'kill $sp 2>/dev/null; exit 0' TERM
	sleep "${TEST_TIMEOUT:-120}" </dev/null >/dev/null 2>&1 & sp=$!
	wait $sp
	echo "FAIL $TEST: timed out after ${TEST_TIMEOUT:-120}s"
	kill -TERM $$
) &
PIDS+=($!)

fail() {
	echo "FAIL $TEST: $*"
	FAILED=1
	exit 1
}

pass() {
	echo "PASS $TEST${1:+: $1}"
	exit 0
}

# free_port [udp]: a port nobody listens on now (TCP nor UDP), for a
# daemon to bind.
# Drawn below the kernel's ephemeral range (ip_local_port_range): a port
# that bind(0) hands out is free only until some connect() anywhere on
# the machine takes it as its source port, which happened between this
# and gatewayd's bind (metrics_bind: Address already in use).  Reserved
# in $PORTS_DIR (a file a port holding the test shell's pid; a dead
# owner's are taken back) so tests run at once never draw the same one;
# cleanup releases this test's.
PORTS_DIR=/tmp/gw-e2e-ports
free_port() {
	python3 - "$PORTS_DIR" "$$" <<'PY'
import os, random, socket, sys
pdir, owner = sys.argv[1], sys.argv[2]
lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
first, last = (10000, lo - 1) if lo > 12000 else (1024, lo - 1)
os.makedirs(pdir, exist_ok=True)

def alive(path):
    try:
        os.kill(int(open(path).read()), 0)
        return True
    except (ValueError, OSError) as e:
        return isinstance(e, PermissionError)

def reserve(port):
    path = "%s/%d" % (pdir, port)
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if alive(path):
                return False
            os.unlink(path)     # its test is gone
            continue
        os.write(fd, owner.encode())
        os.close(fd)
        return True
    return False

def bindable(port):
    for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, t)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        finally:
            s.close()
    return True

for _ in range(1000):
    port = random.randint(first, last)
    if not reserve(port):
        continue
    if bindable(port):
        print(port)
        sys.exit(0)
    os.unlink("%s/%d" % (pdir, port))
sys.exit("free_port: no free port in %d-%d" % (first, last))
PY
}
# release_ports: this test's reservations (cleanup).
release_ports() {
	grep -lx "$$" "$PORTS_DIR"/* 2>/dev/null | xargs -r rm -f
}

genkey() {
	python3 -c 'import os,base64;print(base64.b64encode(os.urandom(32)).decode())' > "$1"
	chmod 600 "$1"
}

# start_hsm NCARDS [generate options]: a fresh LMK, hsmd on $T/hsm.sock
# (pid in HSMPID; HSM_LISTEN_OPTS, e.g. ",allow=verify,A6", added to the
# listener), and a test portfolio of NCARDS cards whose keys are formed
# through hsmctl ($T/portfolio; one card a line in $T/cards).
start_hsm() {
	local n=$1
	shift
	genkey "$T/core.key"
	genkey "$T/state.key"
	"$BIN/hsmctl" lmk init --out "$T/lmk" >/dev/null || fail "lmk init"
	$SESSION "$BIN/hsmd" --insecure-test-lmk --lmk "$T/lmk" -l "unix:$T/hsm.sock${HSM_LISTEN_OPTS:-}" >"$T/hsmd.log" 2>&1 &
	HSMPID=$!
	PIDS+=($HSMPID)
	"$BIN/scheme-sim" cards generate "$n" "$@" --lmk "$T/lmk" \
	    --out "$T/portfolio" || fail "cards generate"
	"$BIN/scheme-sim" cards list "$T/portfolio" >"$T/cards"
	# The portfolio's ZPK block is the links' first zone PIN key
	# ($ZPKLINE in a [Link] section: ZPKFile); the snapshot carries none.
	(umask 077; sed -n 's/^blocks .*ZPK=\([^;]*\).*/\1/p' "$T/portfolio" \
	    >"$T/zpk")
	[ -s "$T/zpk" ] || fail "no ZPK block in the portfolio"
	ZPKLINE="ZPKFile = $T/zpk"
}

# gw_head: the [Gateway] keys every test config starts with: control
# socket in $T, metrics on $METRICS; GW_CPU_SLICE=100us (environment)
# adds CpuSlice.
gw_head() {
	cat <<CONF
[Gateway]
Name = e2e-gw
ControlSocket = $T/ctl.sock
Metrics = 127.0.0.1:$METRICS
CONF
	if [ -n "${GW_CPU_SLICE:-}" ]; then echo "CpuSlice = $GW_CPU_SLICE"; fi
}

# gw_base: a gateway without a stand-in store (the lab mode, said so).
gw_base() {
	gw_head
	echo "Durability = none"
}

# gw_section: gw_head plus what stand-in needs: state, state key, and the
# hsmd that start_hsm runs.
gw_section() {
	gw_head
	cat <<CONF
StateDirectory = $T/state
StateKeyFile = $T/state.key
HSM = unix:$T/hsm.sock
CONF
}

# plain_conf: one iso87 link "plain" listening on $LP, one core "a" on $CP.
plain_conf() {
	gw_base
	cat <<CONF

[Link plain]
Profile = iso87
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
}

# standin_conf: gw_section, one iso87 link "mc" on $LP (Deadline 40ms,
# StandInReserve 15ms: room for an HSM call and a commit), core "a" on $CP.
standin_conf() {
	gw_section
	cat <<CONF

[Link mc]
Profile = iso87
$ZPKLINE
Listen = 127.0.0.1:$LP
AllowFrom = 127.0.0.1
Deadline = 40ms
StandInReserve = 15ms

[Core a]
Address = 127.0.0.1:$CP
KeyFile = $T/core.key
CONF
}

# start_gw CONF: runs gatewayd in the foreground, waits for its control
# socket to answer.
start_gw() {
	# GATEWAYD=... runs another build (e.g. ASan) under the same test.
	$SESSION "${GATEWAYD:-$BIN/gatewayd}" -d -f "$1" >>"$T/gatewayd.log" 2>&1 &
	GWPID=$!
	PIDS+=($GWPID)
	local i
	for i in $(seq 1 100); do
		if [ -S "$T/ctl.sock" ] && "$BIN/gatewayctl" -s "$T/ctl.sock" status >/dev/null 2>&1; then
			return 0
		fi
		kill -0 $GWPID 2>/dev/null || { tail -5 "$T/gatewayd.log"; fail "gatewayd exited"; }
		sleep 0.05
	done
	fail "gatewayd did not come up"
}

ctl() {
	"$BIN/gatewayctl" -s "$T/ctl.sock" "$@"
}

# start_named NAME CONF SOCK LOG: another gatewayd (a pair, two colos),
# waited for on its own control socket; its pid in GW_<NAME>.
start_named() {
	local i pid
	$SESSION "${GATEWAYD:-$BIN/gatewayd}" -d -f "$2" >>"$4" 2>&1 &
	pid=$!
	PIDS+=($pid)
	eval "GW_$1=$pid"
	for i in $(seq 1 100); do
		"$BIN/gatewayctl" -s "$3" status >/dev/null 2>&1 && return 0
		kill -0 $pid 2>/dev/null || { tail -5 "$4"; fail "gatewayd $1 exited"; }
		sleep 0.05
	done
	fail "gatewayd $1 did not come up"
}

# start_core NAME PORT KEY [options...]
start_core() {
	local name=$1 port=$2 key=$3
	shift 3
	"$BIN/scheme-sim" core --listen 127.0.0.1:$port --key "$key" "$@" \
	    >"$T/core-$name.out" 2>&1 &
	PIDS+=($!)
	eval "CORE_${name//-/_}_PID=$!"
}

# core_ctl SOCKET COMMAND: one line to a core's --control socket
# (scheme-sim core, corectl.c); prints its answer line.
core_ctl() {
	python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode()); print(s.makefile().readline().strip())
PY
}

# blackhole_core NAME: black-holes the core (SIGUSR1) and waits until
# stand-in is active; fails if it never is.
blackhole_core() {
	local i pid
	eval "pid=\$CORE_${1//-/_}_PID"
	kill -USR1 "$pid"
	for i in $(seq 1 100); do
		ctl standin | grep -q "standin: active" && return 0
		sleep 0.05
	done
	fail "stand-in not active after core $1 was black-holed"
}

# wait_core_up NAME: until gatewayctl says the core is up.
wait_core_up() {
	local i
	for i in $(seq 1 100); do
		ctl cores --json | python3 -c "
import json,sys
d=json.load(sys.stdin)
sys.exit(0 if any(c['name']=='$1' and c['state']=='up' for c in d['cores']) else 1)" && return 0
		sleep 0.05
	done
	fail "core $1 never came up"
}

# wait_snapshot NAME — the portfolio pushed by core NAME is applied
# (its SNAPSHOT_ACK seen), within 10 s.
wait_snapshot() {
	local i
	for i in $(seq 1 200); do
		grep -q snapshot_acked "$T/core-$1.out" && return 0
		sleep 0.05
	done
	fail "snapshot never acknowledged"
}

metric() {
	# metric NAME_WITH_LABELS: value, 0 when absent
	curl -s "http://127.0.0.1:$METRICS/metrics" | awk -v k="$1" '$1==k {print $2; f=1} END {if (!f) print 0}'
}

# wait_log FILE REGEX: until a line of FILE matches (within 15 s).
wait_log() {
	local i
	for i in $(seq 1 300); do
		grep -qE "$2" "$1" && return 0
		sleep 0.05
	done
	fail "never in $(basename "$1"): /$2/"
}

# scheme_listen NAME ARGS...: scheme-sim scheme listening on $SP for a
# Connect link, sending one request of its own (its output in
# $T/NAME.out), in the background; its pid in SIM.
scheme_listen() {
	local n=$1
	shift
	"$BIN/scheme-sim" scheme --listen 127.0.0.1:$SP --profile iso87 \
	    --no-progress --count 1 --rate 10 "$@" >"$T/$n.out" 2>&1 &
	SIM=$!
	PIDS+=($SIM)
}

# json_get FILE EXPR: python expression over d (the JSON in FILE)
json_get() {
	python3 -c "import json,sys; d=json.load(open('$1')); print($2)"
}

# start_tap KEY COREPORT PORT...: coretap at the core addresses PORT...,
# relaying to the core on COREPORT; its lines in $T/tap.out, commands
# through $T/tap.in (held open read-write by the tap, so writes never
# block and it never sees an end).
start_tap() {
	[ -x "$BIN/../e2e/coretap" ] || fail "build/e2e/coretap not built (make tests)"
	rm -f "$T/tap.in"
	mkfifo "$T/tap.in"
	"$BIN/../e2e/coretap" "$@" <>"$T/tap.in" >"$T/tap.out" 2>&1 &
	TAPPID=$!
	PIDS+=($TAPPID)
}

# tap_wait REGEX [LINE]: the first line of $T/tap.out after line LINE
# (default 0) that matches REGEX, within 10 s; fails if none.
tap_wait() {
	local i l
	for i in $(seq 1 200); do
		l=$(tail -n +$((${2:-0} + 1)) "$T/tap.out" | grep -m1 -E "$1") && {
			echo "$l"
			return 0
		}
		sleep 0.05
	done
	fail "coretap never printed /$1/"
}

# tap_lines: how many lines coretap has printed so far.
tap_lines() {
	grep -c '' "$T/tap.out"
}

# tap CMD...: one command to coretap; fails unless it answers ok.
tap() {
	local n l
	n=$(tap_lines)
	echo "$*" >"$T/tap.in"
	l=$(tap_wait "^(ok|err) " "$n")
	[ "$l" = "ok $*" ] || fail "coretap: '$*' answered '$l'"
}

# wait_metric NAME VALUE: until the metric has that value (within 10 s);
# prints what it has at the end either way.
wait_metric() {
	local i v
	for i in $(seq 1 200); do
		v=$(metric "$1")
		[ "$v" = "$2" ] && break
		sleep 0.05
	done
	echo "$v"
}

# stall_watch NAME SECONDS: a stallprobe on every CPU, at SCHED_FIFO so
# that nothing of ours delays it, for at most SECONDS or until
# stall_stop NAME; stall_max_us NAME then prints the longest time one CPU
# ran nothing (0 when the probes could not run at that priority: no
# excuse is made then).  A deadline guard cannot answer through a
# machine that stops: this tells such a stop from a late gatewayd.
stall_watch() {
	local c
	: >"$T/$1.stallpids"
	for c in $(seq 0 $(( $(nproc) - 1 ))); do
		chrt -f 1 taskset -c "$c" "$ROOT/build/bench/stallprobe" "$2" \
		    >"$T/$1.stall.$c" 2>/dev/null &
		echo $! >>"$T/$1.stallpids"
	done
}
stall_stop() {
	local p
	for p in $(cat "$T/$1.stallpids"); do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}
# stall_excused NAME LATE_BY_US [MARGIN_US]: true when a CPU stopped
# (stall_watch NAME) for longer than the margin the answer had (default
# the stand-in deadline guard's 8 ms; a relayed request's is its link's
# StandInReserve) and for about as long as the latest answer was late
# (within 2 ms): no process answers through that.  Says so.
stall_excused() {
	local s
	s=$(stall_max_us "$1")
	[ "$s" -gt "${3:-8000}" ] && [ "$2" -le $((s + 2000)) ] || return 1
	echo "   answers up to $2us late, excused: a CPU stopped for ${s}us"
}
stall_max_us() {
	cat "$T/$1".stall.* 2>/dev/null |
	    sed -n 's/.*max_us=\([0-9]*\).*/\1/p' | sort -n | tail -1 |
	    grep . || echo 0
}
