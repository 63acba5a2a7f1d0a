/*
 * cfgkeys.c — every configuration key in one table per section: its
 * name, its type, where it goes, its range, the words of its error, and
 * how `gatewayd -n` prints it.  The table order is the printed order.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/cpuslice.h"
#include "iso8583/frame.h"
#include "iso8583/iso8583.h"
#include "tunnel/corefr.h"
#include "gateway/cfg-int.h"

enum cfg_type { T_NAME, T_PATH, T_DURATION, T_AGE, T_U32, T_INT, T_U64,
	T_SIZE, T_FUNC };

struct cfg_key {
	const char	*name;
	enum cfg_type	 type;
	size_t		 off;		/* of the value in its section */
	size_t		 size;		/* of a string's room */
	uint64_t	 min, max;
	const char	*want;		/* the error: "NAME: want" */
	int		 optional;	/* an empty string is not printed */
	/* T_FUNC: its own parser (1, or 0 after cfg_error) and printer */
	int		(*set)(struct pctx *, void *, const char *);
	void		(*print)(FILE *, const void *);
	/* printed only when this says so (NULL: always) */
	int		(*shown)(const void *);
};

/* --- [Gateway] --------------------------------------------------------------- */

static int
set_metrics(struct pctx *px, void *s, const char *v)
{
	struct config *c = s;

	if (config_hostport(v, &c->metrics, NULL) == -1)
		return FAILED(px, "Metrics: want ADDRESS:PORT");
	c->has_metrics = 1;
	return 1;
}

static void
print_metrics(FILE *f, const void *s)
{
	const struct config *c = s;

	if (c->has_metrics)
		fprintf(f, "Metrics = %s\n", c->metrics.text);
}

static int
set_hsm(struct pctx *px, void *s, const char *v)
{
	struct config *c = s;

	if (cfg_copy_str(c->hsm, sizeof c->hsm, v) == -1 ||
	    (strncmp(v, "unix:", 5) != 0 && strncmp(v, "tcp:", 4) != 0))
		return FAILED(px, "HSM: want unix:PATH or tcp:HOST:PORT");
	return 1;
}

static void
print_hsm(FILE *f, const void *s)
{
	const struct config *c = s;

	if (c->hsm[0])
		fprintf(f, "HSM = %s\n", c->hsm);
}

#define GW(field)	offsetof(struct config, field)
static const char *const durabilities[] = {
	[DURABILITY_FULL] = "full", [DURABILITY_NONE] = "none",
};

static int
set_durability(struct pctx *px, void *s, const char *v)
{
	struct config *c = s;
	size_t i;

	for (i = 0; i < sizeof durabilities / sizeof durabilities[0]; i++)
		if (strcmp(v, durabilities[i]) == 0) {
			c->durability = (int)i;
			return 1;
		}
	return FAILED(px, "Durability: want full or none");
}

static void
print_durability(FILE *f, const void *s)
{
	fprintf(f, "Durability = %s\n",
	    durabilities[((const struct config *)s)->durability]);
}

/* ControlGroup: members may use gatewayctl (the socket is made 0660
 * with this group, and each command's peer is checked against it).  The
 * name is looked up at start (config_control_gid), not here: a reload
 * runs confined, without /etc/group, and the group needs a restart like
 * the socket itself. */
static int
set_control_group(struct pctx *px, void *s, const char *v)
{
	struct config *c = s;

	if (!cfg_valid_name(v) ||
	    cfg_copy_str(c->control_group, sizeof c->control_group, v) == -1)
		return FAILED(px, "ControlGroup: not a group name");
	return 1;
}

static void
print_control_group(FILE *f, const void *s)
{
	const struct config *c = s;

	if (c->control_group[0] != '\0')
		fprintf(f, "ControlGroup = %s\n", c->control_group);
}

/* Confine = no is for debugging a new system call under strace: it is
 * printed by -n and said at start, never the default. */
static int
set_confine(struct pctx *px, void *s, const char *v)
{
	struct config *c = s;

	if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
		c->no_confine = v[0] == 'n';
		return 1;
	}
	return FAILED(px, "Confine: want yes or no");
}

static void
print_confine(FILE *f, const void *s)
{
	if (((const struct config *)s)->no_confine)
		fprintf(f, "Confine = no\n");
}

/* CpuSlice = 100us asks the kernel for a CPU slice of that length for
 * every thread (base/cpuslice.h); unset, the kernel's own.  Printed by -n
 * only when set. */
static int
set_cpu_slice(struct pctx *px, void *s, const char *v)
{
	struct config *c = s;
	uint32_t us;

	if (config_duration(v, &us) == -1 || us < CPUSLICE_MIN_US ||
	    us > CPUSLICE_MAX_US)
		return FAILED(px, "CpuSlice: want a duration of 100us..100ms "
		    "(the kernel's bounds)");
	c->cpu_slice_us = us;
	return 1;
}

static void
print_cpu_slice(FILE *f, const void *s)
{
	const struct config *c = s;
	char d[32];

	if (c->cpu_slice_us == 0)
		return;
	config_fmt_duration(c->cpu_slice_us, d, sizeof d);
	fprintf(f, "CpuSlice = %s\n", d);
}

static const struct cfg_key gateway_keys[] = {
	{ "Name", T_NAME, GW(name), CFG_NAME_MAX, 0, 0, "not a valid name",
	    0, NULL, NULL, NULL },
	{ "StateDirectory", T_PATH, GW(state_dir), CFG_PATH_MAX, 0, 0,
	    "bad path", 0, NULL, NULL, NULL },
	{ "StateKeyFile", T_PATH, GW(state_key), CFG_PATH_MAX, 0, 0,
	    "bad path", 1, NULL, NULL, NULL },
	/* sun_path holds 108 bytes; leave room */
	{ "ControlGroup", T_FUNC, 0, 0, 0, 0, NULL, 0, set_control_group,
	    print_control_group, NULL },
	{ "ControlSocket", T_PATH, GW(control), 100, 0, 0,
	    "bad path (at most 99 bytes)", 0, NULL, NULL, NULL },
	{ "Metrics", T_FUNC, 0, 0, 0, 0, NULL, 0, set_metrics, print_metrics,
	    NULL },
	{ "HSM", T_FUNC, 0, 0, 0, 0, NULL, 0, set_hsm, print_hsm, NULL },
	{ "Durability", T_FUNC, 0, 0, 0, 0, NULL, 0, set_durability,
	    print_durability, NULL },
	{ "DedupTime", T_DURATION, GW(dedup_us), 0, 0, UINT32_MAX,
	    "want a duration (e.g. 60s)", 0, NULL, NULL, NULL },
	{ "DedupEntries", T_U32, GW(dedup_max), 0, 1, 10000000,
	    "want 1..10000000", 0, NULL, NULL, NULL },
	/* A flood of one event (0800s, bad frames) costs a line a few
	 * times a second, not one per message. */
	{ "LogRateLimit", T_U32, GW(log_rate), 0, 0, 1000000,
	    "want 0..1000000 lines per event per second (0: no limit)", 0,
	    NULL, NULL, NULL },
	{ "Confine", T_FUNC, 0, 0, 0, 0, NULL, 0, set_confine, print_confine,
	    NULL },
	{ "CpuSlice", T_FUNC, 0, 0, 0, 0, NULL, 0, set_cpu_slice,
	    print_cpu_slice, NULL },
};

/* --- [Link NAME] --------------------------------------------------------------- */

static int
set_profile(struct pctx *px, void *s, const char *v)
{
	struct cfg_link *l = s;

	if (l->profile_file[0] != '\0')
		return FAILED(px, "Profile: only one of Profile and "
		    "ProfileFile");
	if (iso_profile_find(v) == NULL)
		return FAILED(px, "Profile: unknown profile %s (one of: %s)", v,
		    iso_profile_names());
	snprintf(l->profile, sizeof l->profile, "%s", v);
	return 1;
}

static void
print_profile(FILE *f, const void *s)
{
	const struct cfg_link *l = s;

	if (l->profile_file[0] != '\0')
		fprintf(f, "ProfileFile = %s\n", l->profile_file);
	else
		fprintf(f, "Profile = %s\n", l->profile);
}

static int
set_mode(struct pctx *px, struct cfg_link *l, const char *k, int mode,
    const char *v)
{
	if (l->mode != -1)
		return FAILED(px, "%s: only one of Listen and Connect", k);
	if (config_hostport(v, &l->addr, NULL) == -1)
		return FAILED(px, "%s: want ADDRESS:PORT", k);
	l->mode = mode;
	return 1;
}

static int
set_listen(struct pctx *px, void *s, const char *v)
{
	return set_mode(px, s, "Listen", LINK_LISTEN, v);
}

static int
set_connect(struct pctx *px, void *s, const char *v)
{
	return set_mode(px, s, "Connect", LINK_CONNECT, v);
}

static void
print_mode(FILE *f, const void *s)
{
	const struct cfg_link *l = s;

	fprintf(f, "%s = %s\n", l->mode == LINK_LISTEN ? "Listen" :
	    "Connect", l->addr.text);
}

static int
is_listen(const void *s)
{
	return ((const struct cfg_link *)s)->mode == LINK_LISTEN;
}

static int
is_connect(const void *s)
{
	return ((const struct cfg_link *)s)->mode == LINK_CONNECT;
}

static int
set_allow(struct pctx *px, void *s, const char *v)
{
	struct cfg_link *l = s;
	char buf[1024], *p, *tok, *save = NULL;

	/* Everyone is a choice written down, never the silent default. */
	if (strcmp(v, "any") == 0) {
		if (l->nallow > 0)
			return FAILED(px, "AllowFrom: any stands alone");
		l->allow_any = 1;
		return 1;
	}
	if (l->allow_any)
		return FAILED(px, "AllowFrom: any stands alone");
	if (strlen(v) >= sizeof buf)
		return FAILED(px, "AllowFrom: too long");
	strcpy(buf, v);
	for (p = buf; (tok = strtok_r(p, ", \t", &save)) != NULL; p = NULL) {
		if (l->nallow >= CFG_ALLOW_MAX)
			return FAILED(px, "AllowFrom: more than %d entries",
			    CFG_ALLOW_MAX);
		if (net_prefix_parse(tok, &l->allow[l->nallow]) == -1)
			return FAILED(px, "AllowFrom: %s is not an address or "
			    "prefix", tok);
		l->nallow++;
	}
	return 1;
}

static void
print_allow(FILE *f, const void *s)
{
	const struct cfg_link *l = s;
	char n[64];
	int i;

	if (l->allow_any)
		fprintf(f, "AllowFrom = any\n");
	if (l->nallow == 0)
		return;
	fprintf(f, "AllowFrom = ");
	for (i = 0; i < l->nallow; i++) {
		net_prefix_fmt(&l->allow[i], n, sizeof n);
		fprintf(f, "%s%s", i ? ", " : "", n);
	}
	fprintf(f, "\n");
}

static int
set_framing(struct pctx *px, void *s, const char *v)
{
	struct cfg_link *l = s;
	int fk;

	if ((fk = frame_kind_parse(v)) == -1)
		return FAILED(px, "Framing: want len2 or len4ascii");
	l->framing = fk;
	return 1;
}

static void
print_framing(FILE *f, const void *s)
{
	fprintf(f, "Framing = %s\n",
	    frame_kind_name(((const struct cfg_link *)s)->framing));
}

#define LK(field)	offsetof(struct cfg_link, field)
static const struct cfg_key link_keys[] = {
	{ "Profile", T_FUNC, 0, 0, 0, 0, NULL, 0, set_profile, print_profile,
	    NULL },
	{ "ProfileFile", T_FUNC, 0, 0, 0, 0, NULL, 0, cfg_set_profile_file,
	    NULL, NULL },
	{ "Listen", T_FUNC, 0, 0, 0, 0, NULL, 0, set_listen, print_mode,
	    NULL },
	{ "Connect", T_FUNC, 0, 0, 0, 0, NULL, 0, set_connect, NULL, NULL },
	{ "AllowFrom", T_FUNC, 0, 0, 0, 0, NULL, 0, set_allow, print_allow,
	    NULL },
	{ "Framing", T_FUNC, 0, 0, 0, 0, NULL, 0, set_framing, print_framing,
	    NULL },
	{ "FrameHeader", T_FUNC, 0, 0, 0, 0, NULL, 0, cfg_set_frame_header,
	    cfg_print_frame_header, NULL },
	{ "MaxFrame", T_U32, LK(maxframe), 0, 64, 65535, "want 64..65535",
	    0, NULL, NULL, NULL },
	{ "Deadline", T_DURATION, LK(deadline_us), 0, 1000, 60000000,
	    "want a duration from 1ms to 60s", 0, NULL, NULL, NULL },
	{ "StandInReserve", T_DURATION, LK(reserve_us), 0, 0, UINT32_MAX,
	    "want a duration", 0, NULL, NULL, NULL },
	{ "SignOn", T_FUNC, 0, 0, 0, 0, NULL, 0, cfg_set_sign_on, cfg_print_sign_on,
	    NULL },
	{ "MAC", T_FUNC, 0, 0, 0, 0, NULL, 0, cfg_set_mac, cfg_print_mac, NULL },
	{ "ZMKFile", T_FUNC, 0, 0, 0, 0, NULL, 0, cfg_set_zmk_file,
	    cfg_print_zmk_file, NULL },
	{ "ZPKFile", T_FUNC, 0, 0, 0, 0, NULL, 0, cfg_set_zpk_file,
	    cfg_print_zpk_file, NULL },
	{ "EchoInterval", T_DURATION, LK(echo_us), 0, 0, UINT32_MAX,
	    "want a duration (0s: never)", 0, NULL, NULL, NULL },
	{ "EchoMisses", T_INT, LK(echo_misses), 0, 1, 100,
	    "want 1..100 unanswered echoes", 0, NULL, NULL, NULL },
	{ "OutTimeout", T_DURATION, LK(out_timeout_us), 0, 1, UINT32_MAX,
	    "want a duration", 0, NULL, NULL, NULL },
	{ "OutRepeats", T_INT, LK(out_repeats), 0, 0, 9,
	    "want 0..9 repeats before the reversal", 0, NULL, NULL, NULL },
	{ "Connections", T_INT, LK(connections), 0, 1, 64, "want 1..64", 0,
	    NULL, NULL, is_connect },
	{ "MaxConnections", T_INT, LK(max_conns), 0, 1, 1024,
	    "want 1..1024", 0, NULL, NULL, is_listen },
	/* The limits below keep one peer from holding a connection slot,
	 * memory or the router (doc/architecture.md section 9). */
	{ "FirstFrameTimeout", T_DURATION, LK(first_frame_us), 0, 100000,
	    600000000, "want 100ms..10m", 0, NULL, NULL, is_listen },
	{ "FrameTimeout", T_DURATION, LK(frame_us), 0, 100000, 600000000,
	    "want 100ms..10m", 0, NULL, NULL, NULL },
	{ "OutputCap", T_U32, LK(output_cap), 0, 65536, 1073741824,
	    "want 65536..1073741824 bytes", 0, NULL, NULL, NULL },
	{ "StallTimeout", T_DURATION, LK(stall_us), 0, 100000, 600000000,
	    "want 100ms..10m", 0, NULL, NULL, NULL },
	{ "MaxInFlight", T_INT, LK(max_inflight), 0, 1, 1000000,
	    "want 1..1000000", 0, NULL, NULL, NULL },
};

/* --- [Core NAME] ------------------------------------------------------------------ */

#define CK(field)	offsetof(struct cfg_core, field)

/* The pair link is never picked as a core: no Priority. */
static int
not_pair(const void *s)
{
	return !((const struct cfg_core *)s)->pair;
}

static const struct cfg_key core_keys[] = {
	{ "Address", T_FUNC, 0, 0, 0, 0, NULL, 0, cfg_set_address, cfg_print_address,
	    NULL },
	{ "Bind", T_FUNC, 0, 0, 0, 0, NULL, 0, cfg_set_bind, cfg_print_bind, NULL },
	{ "KeyFile", T_FUNC, 0, 0, 0, 0, NULL, 0, cfg_set_keyfile, cfg_print_keyfiles,
	    NULL },
	{ "Priority", T_INT, CK(priority), 0, 0, 65535, "want 0..65535", 0,
	    NULL, NULL, not_pair },
	/* Beats run on libevent's coarse clock (4 ms steps): a shorter
	 * interval would count misses of answers in time. */
	{ "HeartbeatInterval", T_DURATION, CK(hb_us), 0, 10000, 60000000,
	    "want 10ms..60s", 0, NULL, NULL, NULL },
	{ "DownAfter", T_INT, CK(misses), 0, 1, 100,
	    "want 1..100 missed heartbeats", 0, NULL, NULL, NULL },
	{ "UpAfter", T_INT, CK(recover), 0, 1, 100,
	    "want 1..100 good heartbeats", 0, NULL, NULL, NULL },
	/* How old (or how far ahead) a frame's sent_ms may be. */
	{ "FreshWindow", T_DURATION, CK(fresh_us), 0, 1000000, 600000000,
	    "want 1s..10m", 0, NULL, NULL, NULL },
};

/* [Pair]: the pair link is a core endpoint towards the peer appliance
 * (its own keys, no Priority): these keys, then a core's. */
static const struct cfg_key pair_keys[] = {
	{ "Peer", T_NAME, CK(peer), CFG_NAME_MAX, 0, 0,
	    "want the peer appliance's [Gateway] Name", 0, NULL, NULL, NULL },
	{ "Share", T_U32, CK(share), 0, 0, 100, "want 0..100 (percent)", 0,
	    NULL, NULL, NULL },
	{ "PeerTakeover", T_DURATION, CK(takeover_us), 0, 1000000, 3600000000u,
	    "want 1s..1h", 0, NULL, NULL, NULL },
};

/* --- [StandIn] ---------------------------------------------------------------- */

static const char *const modes[] = {
	[STANDIN_AUTO] = "auto", [STANDIN_FORCE] = "force",
	[STANDIN_OFF] = "off",
};

static int
set_standin_mode(struct pctx *px, void *s, const char *v)
{
	struct config *c = s;
	size_t i;

	for (i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(v, modes[i]) == 0) {
			c->standin_mode = (int)i;
			return 1;
		}
	return FAILED(px, "Mode: want auto, force or off");
}

static void
print_standin_mode(FILE *f, const void *s)
{
	fprintf(f, "Mode = %s\n", modes[((const struct config *)s)->
	    standin_mode]);
}

static int
set_block_mcc(struct pctx *px, void *s, const char *v)
{
	struct config *c = s;
	const char *p;

	for (p = v; *p; p++)
		if ((*p < '0' || *p > '9') && *p != ',' && *p != ' ')
			return FAILED(px, "BlockMCC: want 4-digit MCCs");
	if (cfg_copy_str(c->standin_block_mcc, sizeof c->standin_block_mcc,
	    v) == -1)
		return FAILED(px, "BlockMCC: too long");
	return 1;
}

static void
print_block_mcc(FILE *f, const void *s)
{
	const struct config *c = s;

	if (c->standin_block_mcc[0])
		fprintf(f, "BlockMCC = %s\n", c->standin_block_mcc);
}

static const struct cfg_key standin_keys[] = {
	{ "Mode", T_FUNC, 0, 0, 0, 0, NULL, 0, set_standin_mode,
	    print_standin_mode, NULL },
	{ "MaxAmount", T_U64, GW(standin_max_amount), 0, 0, UINT64_MAX / 2,
	    "want minor units", 0, NULL, NULL, NULL },
	{ "ExposureCap", T_U64, GW(standin_exposure_cap), 0, 0,
	    UINT64_MAX / 2, "want minor units", 0, NULL, NULL, NULL },
	{ "BlockMCC", T_FUNC, 0, 0, 0, 0, NULL, 0, set_block_mcc,
	    print_block_mcc, NULL },
	{ "MaxSnapshotAge", T_AGE, GW(standin_max_age_s), 0, 1, 366 * 86400,
	    "want 1s..366d (s, m, h or d)", 0, NULL, NULL, NULL },
	{ "KeepDecisions", T_AGE, GW(standin_keep_s), 0, 86400, 366 * 86400,
	    "want 1d..366d (s, m, h or d)", 0, NULL, NULL, NULL },
	{ "StoreSize", T_SIZE, GW(standin_store_size), 0, 64ull << 20,
	    16ull << 40, "want 64M..16T (K, M, G or T)", 0, NULL, NULL, NULL },
};

/* --- the generic part ------------------------------------------------------------- */

static const struct {
	const struct cfg_key	*keys;
	size_t			 n;
} sections[] = {
	[SECT_GATEWAY] = { gateway_keys, sizeof gateway_keys /
	    sizeof gateway_keys[0] },
	[SECT_LINK] = { link_keys, sizeof link_keys / sizeof link_keys[0] },
	[SECT_CORE] = { core_keys, sizeof core_keys / sizeof core_keys[0] },
	[SECT_STANDIN] = { standin_keys, sizeof standin_keys /
	    sizeof standin_keys[0] },
	[SECT_PAIR] = { pair_keys, sizeof pair_keys / sizeof pair_keys[0] },
};

static int
set_number(struct pctx *px, const struct cfg_key *k, void *p, const char *v)
{
	uint64_t n;

	if (cfg_u64(v, k->max, &n) == -1 || n < k->min)
		return FAILED(px, "%s: %s", k->name, k->want);
	if (k->type == T_U32)
		*(uint32_t *)p = (uint32_t)n;
	else if (k->type == T_INT)
		*(int *)p = (int)n;
	else
		*(uint64_t *)p = n;
	return 1;
}

static int
set_value(struct pctx *px, const struct cfg_key *k, void *sect,
    const char *v)
{
	char *p = (char *)sect + k->off;
	uint32_t us;
	uint64_t n;

	switch (k->type) {
	case T_NAME:
		if (!cfg_valid_name(v))
			return FAILED(px, "%s: %s", k->name, k->want);
		snprintf(p, k->size, "%s", v);
		return 1;
	case T_PATH:
		if (cfg_copy_str(p, k->size, v) == -1)
			return FAILED(px, "%s: %s", k->name, k->want);
		return 1;
	case T_DURATION:
		if (config_duration(v, &us) == -1 || us < k->min ||
		    us > k->max)
			return FAILED(px, "%s: %s", k->name, k->want);
		*(uint32_t *)(void *)p = us;
		return 1;
	case T_AGE:
		if (config_age(v, &us) == -1 || us < k->min || us > k->max)
			return FAILED(px, "%s: %s", k->name, k->want);
		*(uint32_t *)(void *)p = us;
		return 1;
	case T_U32:
	case T_INT:
	case T_U64:
		return set_number(px, k, p, v);
	case T_SIZE:
		if (config_size(v, &n) == -1 || n < k->min || n > k->max)
			return FAILED(px, "%s: %s", k->name, k->want);
		*(uint64_t *)(void *)p = n;
		return 1;
	case T_FUNC:
		return k->set(px, sect, v);
	}
	return 0;
}

int
cfg_key_set(struct pctx *px, enum cfg_section s, void *sect, const char *key,
    const char *v)
{
	size_t i;

	for (i = 0; i < sections[s].n; i++)
		if (strcasecmp(sections[s].keys[i].name, key) == 0)
			return set_value(px, &sections[s].keys[i], sect, v);
	/* [Pair] also takes a core's keys, but for Priority */
	if (s == SECT_PAIR && strcasecmp(key, "Priority") != 0)
		return cfg_key_set(px, SECT_CORE, sect, key, v);
	return -1;
}

static void
print_key(FILE *f, const struct cfg_key *k, const void *sect)
{
	const char *p = (const char *)sect + k->off;
	char d[32];

	if (k->shown != NULL && !k->shown(sect))
		return;
	switch (k->type) {
	case T_NAME:
	case T_PATH:
		if (!k->optional || *p != '\0')
			fprintf(f, "%s = %s\n", k->name, p);
		break;
	case T_DURATION:
		config_fmt_duration(*(const uint32_t *)(const void *)p, d,
		    sizeof d);
		fprintf(f, "%s = %s\n", k->name, d);
		break;
	case T_AGE:
		config_fmt_age(*(const uint32_t *)(const void *)p, d, sizeof d);
		fprintf(f, "%s = %s\n", k->name, d);
		break;
	case T_U32:
		fprintf(f, "%s = %u\n", k->name,
		    *(const uint32_t *)(const void *)p);
		break;
	case T_INT:
		fprintf(f, "%s = %d\n", k->name, *(const int *)(const void *)p);
		break;
	case T_U64:
		fprintf(f, "%s = %llu\n", k->name, (unsigned long long)
		    *(const uint64_t *)(const void *)p);
		break;
	case T_SIZE:
		config_fmt_size(*(const uint64_t *)(const void *)p, d,
		    sizeof d);
		fprintf(f, "%s = %s\n", k->name, d);
		break;
	case T_FUNC:
		if (k->print != NULL)
			k->print(f, sect);
		break;
	}
}

void
cfg_keys_print(FILE *f, enum cfg_section s, const void *sect)
{
	size_t i;

	for (i = 0; i < sections[s].n; i++)
		print_key(f, &sections[s].keys[i], sect);
	if (s == SECT_PAIR)
		cfg_keys_print(f, SECT_CORE, sect);
}
