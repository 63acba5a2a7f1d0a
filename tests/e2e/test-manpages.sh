#!/bin/bash
# The manual pages (man/) against the programs:
#   1. every page passes mandoc -T lint -W warning;
#   2. the options each program prints with --help (its subcommands' too)
#      are the options its page lists (.It Fl), and the page names no
#      option (.Fl anywhere) the program does not print;
#   3. gatewayd.conf(5) and hsmd.conf(5) list, section by section, the
#      keys the parsers know (their key tables in the source), and the
#      "Default:" each gives is what `gatewayd -n` / `hsmd -n` print for a
#      key left out.
TEST=manpages
TEST_TIMEOUT=60
. "$(dirname "$0")/lib.sh"
set -e

command -v mandoc >/dev/null || fail "mandoc not installed"
MAN=$ROOT/man

# 1. Lint.
npages=0
for p in "$MAN"/*.[158]; do
	out=$(mandoc -T lint -W warning "$p" 2>&1) || fail "$(basename "$p"): $out"
	[ -z "$out" ] || fail "$(basename "$p"): $out"
	npages=$((npages + 1))
done

# 2. Options.  A word starting with - or -- after a blank or a bracket; a
# bundle such as -dnv stands for -d -n -v.
help_opts() {
	grep -oE '(^|[^A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*' |
	    sed -E 's/^[^-]*//' | split_bundles
}
split_bundles() {
	local o
	while read -r o; do
		if [[ $o =~ ^-[A-Za-z]{2,}$ ]]; then
			sed 's/./-&\n/g' <<<"${o#-}" | grep .
		else
			printf '%s\n' "$o"
		fi
	done | sort -u
}
# page_opts PAGE [It]: the arguments of Fl, on .It lines only with "It".
page_opts() {
	local lines
	if [ "${2:-}" = It ]; then
		lines=$(grep -E '^\.It ' "$1" || true)
	else
		lines=$(grep -E '^\.' "$1" || true)
	fi
	grep -oE '(^\.|[ 	])Fl +[^ 	]+' <<<"$lines" |
	    sed -E 's/^[. 	]*Fl +/-/; s/[,.;:)|]+$//' | split_bundles
}

# program, page, then the help commands (arguments after the program)
check_prog() {
	local prog=$1 page=$2 h said listed named missing extra
	shift 2
	said=$(for h in "$@"; do
		# shellcheck disable=SC2086
		"$BIN/$prog" $h 2>&1 || true
	done | help_opts)
	listed=$(page_opts "$MAN/$page" It)
	named=$(page_opts "$MAN/$page")
	missing=$(comm -23 <(printf '%s\n' "$said") <(printf '%s\n' "$listed") | tr '\n' ' ')
	extra=$(comm -13 <(printf '%s\n' "$said") <(printf '%s\n' "$named") | tr '\n' ' ')
	[ -z "$missing" ] || fail "$page: options in '$prog --help' not listed (.It Fl): $missing"
	[ -z "$extra" ] || fail "$page: options named that '$prog --help' does not print: $extra"
	[ -n "$said" ] || fail "$prog --help printed no options"
	figs="$figs $prog=$(printf '%s\n' "$said" | wc -l)"
}
figs=""
check_prog gatewayd gatewayd.8 --help
check_prog gatewayctl gatewayctl.8 --help
check_prog hsmd hsmd.8 --help
check_prog hsmctl hsmctl.8 --help
check_prog iso8583 iso8583.1 --help
check_prog scheme-sim scheme-sim.1 --help "scheme --help" "core --help" "run --help" \
    "cards generate --help" "cards request --help" "cards list --help" \
    "cards tables --help"

# 3. Config keys: "section key" lines, lower case, sorted.
src_gw_keys() {
	awk '/^static const struct cfg_key [a-z]+_keys\[\]/ {
		s = $5; sub(/_keys\[\]/, "", s) }
	    s != "" && /^};/ { s = "" }
	    s != "" && match($0, /\{ "[A-Za-z]+"/) {
		print s, substr($0, RSTART + 3, RLENGTH - 4) }' \
	    "$ROOT/gateway/cfgkeys.c" |
	    # [Pair] takes a core's keys too, but for Priority (cfg_key_set)
	    awk '{ print } $1 == "core" && $2 != "Priority" { print "pair", $2 }'
	grep -oE '\{ "[A-Za-z]+", RK|strcasecmp\(key, "[A-Za-z]+"\)' \
	    "$ROOT/gateway/cfgrange.c" | grep -oE '"[A-Za-z]+"' |
	    tr -d '"' | sed 's/^/range /'
}
src_hsm_keys() {
	sed -n '/^set_key(/,/^}/p' "$ROOT/hsm/hsmdconf.c" |
	    grep -oE 'strcasecmp\(key, "[A-Za-z]+"\)' | grep -oE '"[A-Za-z]+"' |
	    tr -d '"' | sed 's/^/listener /'
}
# page_keys PAGE: "section key default" of each .It Cm entry under a
# ".Ss The [Section ...]" heading; default is the first word after
# "Default:" in the entry, or "-".
page_keys() {
	awk '/^\.Sh/ { flush(); sec = "" }
	    /^\.Ss/ { flush(); sec = ""
		if (match($0, /\[[A-Za-z]+/))
			sec = tolower(substr($0, RSTART + 1, RLENGTH - 1)) }
	    /^\.(It|El)/ { flush() }
	    sec != "" && /^\.It Cm / { key = $3; def = "-" }
	    key != "" && /^Default: / { def = $2; sub(/\.$/, "", def) }
	    function flush() { if (key != "") print sec, key, def; key = "" }
	    END { flush() }' "$1"
}
check_keys() {
	local page=$1 src=$2 doc missing extra
	doc=$(page_keys "$MAN/$page" | awk '{ print $1, tolower($2) }' | sort -u)
	src=$(tr 'A-Z' 'a-z' <<<"$src" | sort -u)
	missing=$(comm -23 <(printf '%s\n' "$src") <(printf '%s\n' "$doc") | tr '\n' ',')
	extra=$(comm -13 <(printf '%s\n' "$src") <(printf '%s\n' "$doc") | tr '\n' ',')
	[ -z "$missing" ] || fail "$page: keys the parser knows, not documented: $missing"
	[ -z "$extra" ] || fail "$page: keys documented that the parser does not know: $extra"
	nkeys=$((nkeys + $(printf '%s\n' "$src" | wc -l)))
}
nkeys=0
check_keys gatewayd.conf.5 "$(src_gw_keys)"
check_keys hsmd.conf.5 "$(src_hsm_keys)"

# The defaults: -n output of files that set only what is required.
# printed_keys: "section key value" from a normalised config.
printed_keys() {
	awk '/^\[/ { s = tolower($1); gsub(/[][]/, "", s) }
	    / = / { v = $0; sub(/^[^=]*= /, "", v); print s, tolower($1), v }'
}
check_defaults() {
	local page=$1 set=$2 sec key val want ndef=0
	while read -r sec key val; do
		[[ " $set " == *" $key "* ]] && continue
		want=$(page_keys "$MAN/$page" |
		    awk -v s="$sec" -v k="$key" 'tolower($2) == k && $1 == s { print $3 }')
		[ "$want" = "$val" ] ||
		    fail "$page: [$sec] $key: page says Default: '$want', -n prints '$val'"
		ndef=$((ndef + 1))
	done
	ndefs=$((ndefs + ndef))
}
genkey "$T/k"
cat >"$T/min.conf" <<CONF
[Gateway]
StateKeyFile = $T/k
[Link l]
Profile = iso87
Listen = 127.0.0.1:7001
AllowFrom = any
[Link c]
Profile = iso87
Connect = 127.0.0.1:7002
[Core a]
Address = 10.0.0.1
KeyFile = $T/k
[StandIn]
[Range r]
Prefix = 4
CONF
"$BIN/gatewayd" -n -f "$T/min.conf" >"$T/min.out" 2>&1 ||
    fail "gatewayd -n: $(cat "$T/min.out")"
ndefs=0
check_defaults gatewayd.conf.5 "statekeyfile profile listen allowfrom connect address keyfile prefix" \
    < <(printed_keys <"$T/min.out")
"$BIN/hsmd" -n -l "unix:$T/h.sock" >"$T/hsmd.out" 2>&1 || fail "hsmd -n: $(cat "$T/hsmd.out")"
check_defaults hsmd.conf.5 "address" < <(printed_keys <"$T/hsmd.out")
[ "$ndefs" -gt 30 ] || fail "only $ndefs defaults compared"

pass "$npages pages lint clean; options compared:$figs; $nkeys config keys match the parsers; $ndefs defaults match -n"
