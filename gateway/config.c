/*
 * config.c — reading, checking and printing gatewayd's configuration.
 *
 * libinih calls handler() once per key; it does not tell us the line, but
 * ini_parse() returns the line of the first key the handler refused, so
 * the handler keeps the first message and the caller adds file and line.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "iso8583/frame.h"
#include "iso8583/iso8583.h"
#include "gateway/config.h"
#include "tunnel/corefr.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

struct pctx {
	struct config	*c;
	int		 nokeys;
	int		 sectno;		/* count of section changes */
	struct cfg_link	*link;
	struct cfg_core	*core;
	int		 seen_sect[64];
	char		 err[256];
	int		 failed;
	int		 line;			/* of the line being parsed */
	int		 sect_line;		/* of the last [section] */
	int		 partial;		/* last read ended mid-line */
	int		 fail_line;
	int		 sect_seen;		/* [headers] read so far */
	/* input: a FILE or a string */
	FILE		*fp;
	const char	*str;
};

/* --- value parsers -------------------------------------------------------- */

int
config_duration(const char *s, uint32_t *us)
{
	char *end;
	unsigned long long v, mul;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (strcmp(end, "us") == 0)
		mul = 1;
	else if (strcmp(end, "ms") == 0)
		mul = 1000;
	else if (strcmp(end, "s") == 0)
		mul = 1000000;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		mul = 60000000;
	else
		return -1;
	if (v > UINT32_MAX / mul)
		return -1;
	*us = (uint32_t)(v * mul);
	return 0;
}

void
config_fmt_duration(uint32_t us, char *out, size_t cap)
{
	if (us != 0 && us % 60000000 == 0)
		snprintf(out, cap, "%um", us / 60000000);
	else if (us != 0 && us % 1000000 == 0)
		snprintf(out, cap, "%us", us / 1000000);
	else if (us % 1000 == 0)
		snprintf(out, cap, "%ums", us / 1000);
	else
		snprintf(out, cap, "%uus", us);
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return -1;
	*v = x;
	return 0;
}

/* "1.2.3.4:80", "[::1]:80", "host:80" (resolved numerically only: a
 * daemon that parses hostile input should not wait on DNS at start). */
int
config_hostport(const char *s, struct cfg_addr *a, const char *dflt_port)
{
	char host[CFG_ADDR_MAX], *p;
	const char *port = NULL;
	uint64_t pv;
	struct addrinfo hints, *res;
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof host)
		return -1;
	memcpy(host, s, n + 1);
	if (host[0] == '[') {
		if ((p = strchr(host, ']')) == NULL)
			return -1;
		*p = '\0';
		if (p[1] == ':')
			port = p + 2;
		else if (p[1] != '\0')
			return -1;
		memmove(host, host + 1, strlen(host + 1) + 1);
		/* port points past the moved part: it did not move */
	} else if ((p = strrchr(host, ':')) != NULL && strchr(host, ':') == p) {
		*p = '\0';
		port = p + 1;
	}
	if (port == NULL && (port = dflt_port) == NULL)
		return -1;
	if (parse_u64(port, 65535, &pv) == -1)
		return -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	/* Normalise through the numeric form: "127.000.0.1" is not IPv4
	 * for getaddrinfo anyway, but "::0001" becomes "::1". */
	{
		char h[INET6_ADDRSTRLEN];
		uint16_t pt;
		if (a->ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
			inet_ntop(AF_INET6, &s6->sin6_addr, h, sizeof h);
			pt = ntohs(s6->sin6_port);
			snprintf(a->text, sizeof a->text, "[%s]:%u", h, pt);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
			inet_ntop(AF_INET, &s4->sin_addr, h, sizeof h);
			pt = ntohs(s4->sin_port);
			snprintf(a->text, sizeof a->text, "%s:%u", h, pt);
		}
	}
	return 0;
}

static int
parse_net(const char *s, struct cfg_net *n)
{
	char buf[CFG_ADDR_MAX], *slash;
	uint64_t plen;
	int max;

	if (strlen(s) >= sizeof buf)
		return -1;
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	memset(n, 0, sizeof *n);
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->af = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->af = AF_INET6;
		max = 128;
	} else
		return -1;
	n->plen = max;
	if (slash != NULL) {
		if (parse_u64(slash, (uint64_t)max, &plen) == -1)
			return -1;
		n->plen = (int)plen;
	}
	return 0;
}

static void
fmt_net(const struct cfg_net *n, char *out, size_t cap)
{
	char h[INET6_ADDRSTRLEN];

	inet_ntop(n->af, n->addr, h, sizeof h);
	if (n->plen == (n->af == AF_INET ? 32 : 128))
		snprintf(out, cap, "%s", h);
	else
		snprintf(out, cap, "%s/%d", h, n->plen);
}

static int
net_match(const struct cfg_net *n, int af, const uint8_t *a)
{
	int full = n->plen / 8, rest = n->plen % 8;

	if (af != n->af)
		return 0;
	if (memcmp(a, n->addr, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ n->addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

int
config_allowed(const struct cfg_link *l, const struct sockaddr *sa)
{
	const uint8_t *a;
	int af = sa->sa_family, i;
	uint8_t v4[4];

	if (l->nallow == 0)
		return 1;
	if (af == AF_INET)
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	else if (af == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		a = (const uint8_t *)&s6->sin6_addr;
		/* v4-mapped peers on a dual-stack listener */
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			memcpy(v4, a + 12, 4);
			a = v4;
			af = AF_INET;
		}
	} else
		return 0;
	for (i = 0; i < l->nallow; i++)
		if (net_match(&l->allow[i], af, a))
			return 1;
	return 0;
}

static int
valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= CFG_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

static int
copy_str(char *dst, size_t cap, const char *v)
{
	if (strlen(v) >= cap || *v == '\0')
		return -1;
	strcpy(dst, v);
	return 0;
}

/* --- the handler ---------------------------------------------------------- */

static void
link_defaults(struct cfg_link *l)
{
	l->framing = FRAME_LEN2;
	l->maxframe = 8192;
	l->deadline_us = 40000;
	l->reserve_us = 5000;
	l->echo_us = 30000000;
	l->out_timeout_us = 10000000;
	l->connections = 1;
	l->max_conns = 16;
	l->mode = -1;
	strcpy(l->profile, "");
}

static void
core_defaults(struct cfg_core *c)
{
	c->priority = 100;
	c->hb_us = 100000;
	c->misses = 3;
	c->recover = 3;
	seal_keyring_init(&c->keys);
}

static void seterr(struct pctx *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* The first error wins; messages may be truncated to fit. */
static void
seterr(struct pctx *px, const char *fmt, ...)
{
	va_list ap;

	if (px->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(px->err, sizeof px->err, fmt, ap);
	va_end(ap);
	px->fail_line = px->line;
	px->failed = 1;
}

#define FAIL(...) do {							\
	seterr(px, __VA_ARGS__);					\
	return 0;							\
} while (0)

static int
gw_key(struct pctx *px, const char *k, const char *v)
{
	struct config *c = px->c;
	uint64_t n;

	if (strcasecmp(k, "Name") == 0) {
		if (!valid_name(v))
			FAIL("Name: not a valid name");
		strcpy(c->name, v);
	} else if (strcasecmp(k, "StateDirectory") == 0) {
		if (copy_str(c->state_dir, sizeof c->state_dir, v) == -1)
			FAIL("StateDirectory: bad path");
	} else if (strcasecmp(k, "StateKeyFile") == 0) {
		if (copy_str(c->state_key, sizeof c->state_key, v) == -1)
			FAIL("StateKeyFile: bad path");
	} else if (strcasecmp(k, "ControlSocket") == 0) {
		if (copy_str(c->control, sizeof c->control, v) == -1 ||
		    strlen(v) >= 100)
			FAIL("ControlSocket: bad path (at most 99 bytes)");
	} else if (strcasecmp(k, "Metrics") == 0) {
		if (config_hostport(v, &c->metrics, NULL) == -1)
			FAIL("Metrics: want ADDRESS:PORT");
		c->has_metrics = 1;
	} else if (strcasecmp(k, "HSM") == 0) {
		if (copy_str(c->hsm, sizeof c->hsm, v) == -1 ||
		    (strncmp(v, "unix:", 5) != 0 && strncmp(v, "tcp:", 4) != 0))
			FAIL("HSM: want unix:PATH or tcp:HOST:PORT");
	} else if (strcasecmp(k, "DedupTime") == 0) {
		if (config_duration(v, &c->dedup_us) == -1)
			FAIL("DedupTime: want a duration (e.g. 60s)");
	} else if (strcasecmp(k, "DedupEntries") == 0) {
		if (parse_u64(v, 10000000, &n) == -1 || n < 1)
			FAIL("DedupEntries: want 1..10000000");
		c->dedup_max = (uint32_t)n;
	} else
		FAIL("unknown key %s in [Gateway]", k);
	return 1;
}

static int
link_key(struct pctx *px, const char *k, const char *v)
{
	struct cfg_link *l = px->link;
	uint64_t n;
	int fk;

	if (strcasecmp(k, "Profile") == 0) {
		if (iso_profile_find(v) == NULL)
			FAIL("Profile: unknown profile %s (one of: %s)", v,
			    iso_profile_names());
		strcpy(l->profile, v);
	} else if (strcasecmp(k, "Listen") == 0 ||
	    strcasecmp(k, "Connect") == 0) {
		if (l->mode != -1)
			FAIL("%s: only one of Listen and Connect", k);
		if (config_hostport(v, &l->addr, NULL) == -1)
			FAIL("%s: want ADDRESS:PORT", k);
		l->mode = strcasecmp(k, "Listen") == 0 ? LINK_LISTEN :
		    LINK_CONNECT;
	} else if (strcasecmp(k, "AllowFrom") == 0) {
		char buf[1024], *p, *tok, *save = NULL;
		if (strlen(v) >= sizeof buf)
			FAIL("AllowFrom: too long");
		strcpy(buf, v);
		for (p = buf; (tok = strtok_r(p, ", \t", &save)) != NULL;
		    p = NULL) {
			if (l->nallow >= CFG_ALLOW_MAX)
				FAIL("AllowFrom: more than %d entries",
				    CFG_ALLOW_MAX);
			if (parse_net(tok, &l->allow[l->nallow]) == -1)
				FAIL("AllowFrom: %s is not an address or "
				    "prefix", tok);
			l->nallow++;
		}
	} else if (strcasecmp(k, "Framing") == 0) {
		if ((fk = frame_kind_parse(v)) == -1)
			FAIL("Framing: want len2 or len4ascii");
		l->framing = fk;
	} else if (strcasecmp(k, "MaxFrame") == 0) {
		if (parse_u64(v, 65535, &n) == -1 || n < 64)
			FAIL("MaxFrame: want 64..65535");
		l->maxframe = (uint32_t)n;
	} else if (strcasecmp(k, "Deadline") == 0) {
		if (config_duration(v, &l->deadline_us) == -1 ||
		    l->deadline_us < 1000 || l->deadline_us > 60000000)
			FAIL("Deadline: want a duration from 1ms to 60s");
	} else if (strcasecmp(k, "StandInReserve") == 0) {
		if (config_duration(v, &l->reserve_us) == -1)
			FAIL("StandInReserve: want a duration");
	} else if (strcasecmp(k, "EchoInterval") == 0) {
		if (config_duration(v, &l->echo_us) == -1)
			FAIL("EchoInterval: want a duration (0s: never)");
	} else if (strcasecmp(k, "OutTimeout") == 0) {
		if (config_duration(v, &l->out_timeout_us) == -1 ||
		    l->out_timeout_us == 0)
			FAIL("OutTimeout: want a duration");
	} else if (strcasecmp(k, "Connections") == 0) {
		if (parse_u64(v, 64, &n) == -1 || n < 1)
			FAIL("Connections: want 1..64");
		l->connections = (int)n;
	} else if (strcasecmp(k, "MaxConnections") == 0) {
		if (parse_u64(v, 1024, &n) == -1 || n < 1)
			FAIL("MaxConnections: want 1..1024");
		l->max_conns = (int)n;
	} else
		FAIL("unknown key %s in [Link %s]", k, l->name);
	return 1;
}

static int
core_key(struct pctx *px, const char *k, const char *v)
{
	struct cfg_core *c = px->core;
	uint64_t n;
	char e[200];

	if (strcasecmp(k, "Address") == 0) {
		/* No port: the core link protocol's own. */
		if (config_hostport(v, &c->addr, STR(COREFR_PORT)) == -1 ||
		    strcmp(strrchr(c->addr.text, ':'), ":0") == 0)
			FAIL("Address: want ADDRESS[:PORT], PORT 1..65535");
	} else if (strcasecmp(k, "Bind") == 0) {
		if (config_hostport(v, &c->bind, "0") == -1)
			FAIL("Bind: want ADDRESS[:PORT]");
		c->has_bind = 1;
	} else if (strcasecmp(k, "KeyFile") == 0) {
		if (c->nkeyfiles >= SEAL_MAXKEYS)
			FAIL("KeyFile: at most %d", SEAL_MAXKEYS);
		if (copy_str(c->keyfile[c->nkeyfiles], CFG_PATH_MAX, v) == -1)
			FAIL("KeyFile: bad path");
		if (!px->nokeys && seal_keyring_add_file(&c->keys, v, e,
		    sizeof e) == -1)
			FAIL("KeyFile: %s", e);
		c->nkeyfiles++;
	} else if (strcasecmp(k, "Priority") == 0) {
		if (parse_u64(v, 65535, &n) == -1)
			FAIL("Priority: want 0..65535");
		c->priority = (int)n;
	} else if (strcasecmp(k, "HeartbeatInterval") == 0) {
		/* Beats run on libevent's coarse clock (4 ms steps): a
		 * shorter interval would count misses of answers in time. */
		if (config_duration(v, &c->hb_us) == -1 || c->hb_us < 10000 ||
		    c->hb_us > 60000000)
			FAIL("HeartbeatInterval: want 10ms..60s");
	} else if (strcasecmp(k, "DownAfter") == 0) {
		if (parse_u64(v, 100, &n) == -1 || n < 1)
			FAIL("DownAfter: want 1..100 missed heartbeats");
		c->misses = (int)n;
	} else if (strcasecmp(k, "UpAfter") == 0) {
		if (parse_u64(v, 100, &n) == -1 || n < 1)
			FAIL("UpAfter: want 1..100 good heartbeats");
		c->recover = (int)n;
	} else
		FAIL("unknown key %s in [Core %s]", k, c->name);
	return 1;
}

static int
standin_key(struct pctx *px, const char *k, const char *v)
{
	struct config *c = px->c;

	if (strcasecmp(k, "Mode") == 0) {
		if (strcmp(v, "auto") == 0)
			c->standin_mode = STANDIN_AUTO;
		else if (strcmp(v, "force") == 0)
			c->standin_mode = STANDIN_FORCE;
		else if (strcmp(v, "off") == 0)
			c->standin_mode = STANDIN_OFF;
		else
			FAIL("Mode: want auto, force or off");
	} else if (strcasecmp(k, "MaxAmount") == 0) {
		if (parse_u64(v, UINT64_MAX / 2, &c->standin_max_amount) == -1)
			FAIL("MaxAmount: want minor units");
	} else if (strcasecmp(k, "ExposureCap") == 0) {
		if (parse_u64(v, UINT64_MAX / 2, &c->standin_exposure_cap)
		    == -1)
			FAIL("ExposureCap: want minor units");
	} else if (strcasecmp(k, "BlockMCC") == 0) {
		const char *p;
		for (p = v; *p; p++)
			if (!isdigit((unsigned char)*p) && *p != ',' &&
			    *p != ' ')
				FAIL("BlockMCC: want 4-digit MCCs");
		if (copy_str(c->standin_block_mcc,
		    sizeof c->standin_block_mcc, v) == -1)
			FAIL("BlockMCC: too long");
	} else
		FAIL("unknown key %s in [StandIn]", k);
	return 1;
}

/* A new section begins: create its object (sections of one kind and name
 * appearing twice are an error, not a merge). */
static int
new_section(struct pctx *px, const char *section)
{
	struct config *c = px->c;
	const char *name;

	px->link = NULL;
	px->core = NULL;
	if (strncasecmp(section, "Link ", 5) == 0) {
		name = section + 5;
		while (*name == ' ')
			name++;
		if (!valid_name(name))
			FAIL("[%s]: bad link name", section);
		if (config_link(c, name) != NULL)
			FAIL("[%s]: link defined twice", section);
		if ((px->link = calloc(1, sizeof *px->link)) == NULL)
			FAIL("out of memory");
		link_defaults(px->link);
		strcpy(px->link->name, name);
		px->link->line = px->sect_line;
		TAILQ_INSERT_TAIL(&c->links, px->link, entry);
	} else if (strncasecmp(section, "Core ", 5) == 0) {
		name = section + 5;
		while (*name == ' ')
			name++;
		if (!valid_name(name))
			FAIL("[%s]: bad core name", section);
		if (config_core(c, name) != NULL)
			FAIL("[%s]: core defined twice", section);
		if ((px->core = calloc(1, sizeof *px->core)) == NULL)
			FAIL("out of memory");
		core_defaults(px->core);
		strcpy(px->core->name, name);
		px->core->line = px->sect_line;
		TAILQ_INSERT_TAIL(&c->cores, px->core, entry);
	} else if (strcasecmp(section, "Gateway") != 0 &&
	    strcasecmp(section, "StandIn") != 0)
		FAIL("[%s]: unknown section", section);
	return 1;
}

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct pctx *px = user;
	char v[1024], *p;
	size_t n;

	if (px->failed)
		return 0;
	/* '#' starts a comment at the end of a line too (systemd habit);
	 * inih only knows ';' there. */
	if (strlen(value) >= sizeof v)
		FAIL("%s: value too long", key);
	strcpy(v, value);
	for (p = v; (p = strchr(p, '#')) != NULL; p++)
		if (p == v || p[-1] == ' ' || p[-1] == '\t') {
			*p = '\0';
			break;
		}
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		v[--n] = '\0';
	/* A section starts at each [header] line the reader saw, even when
	 * it repeats the previous name (inih would merge those silently). */
	if (*section == '\0')
		FAIL("%s: key outside any section", key);
	if (px->sect_seen != px->sectno) {
		px->sectno = px->sect_seen;
		if (*section == '\0')
			FAIL("%s: key outside any section", key);
		if (!new_section(px, section))
			return 0;
	}
	if (v[0] == '\0')
		FAIL("%s: empty value", key);
	if (px->link != NULL)
		return link_key(px, key, v);
	if (px->core != NULL)
		return core_key(px, key, v);
	if (strcasecmp(section, "Gateway") == 0)
		return gw_key(px, key, v);
	return standin_key(px, key, v);
}

static void
config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	TAILQ_INIT(&c->links);
	TAILQ_INIT(&c->cores);
	strcpy(c->name, "gatewayd");
	strcpy(c->state_dir, "/var/lib/gatewayd");
	strcpy(c->control, "/run/gatewayd/control.sock");
	c->dedup_us = 60000000;
	c->dedup_max = 200000;
	c->standin_mode = STANDIN_AUTO;
}

/* Whole-config checks that no single key can make. */
static int
config_check(struct config *c, char *err, size_t errsz)
{
	struct cfg_link *l;
	struct cfg_core *k;

	TAILQ_FOREACH(l, &c->links, entry) {
		if (l->mode == -1) {
			snprintf(err, errsz, "%s:%d: [Link %s]: Listen or "
			    "Connect is required", c->file, l->line, l->name);
			return -1;
		}
		if (l->profile[0] == '\0') {
			snprintf(err, errsz, "%s:%d: [Link %s]: Profile is "
			    "required", c->file, l->line, l->name);
			return -1;
		}
		if (l->reserve_us >= l->deadline_us) {
			snprintf(err, errsz, "%s:%d: [Link %s]: StandInReserve "
			    "must be less than Deadline", c->file, l->line,
			    l->name);
			return -1;
		}
		if (l->nallow > 0 && l->mode == LINK_CONNECT) {
			snprintf(err, errsz, "%s:%d: [Link %s]: AllowFrom is "
			    "for Listen links", c->file, l->line, l->name);
			return -1;
		}
	}
	TAILQ_FOREACH(k, &c->cores, entry) {
		if (k->addr.len == 0) {
			snprintf(err, errsz, "%s:%d: [Core %s]: Address is "
			    "required", c->file, k->line, k->name);
			return -1;
		}
		if (k->nkeyfiles == 0) {
			snprintf(err, errsz, "%s:%d: [Core %s]: KeyFile is "
			    "required", c->file, k->line, k->name);
			return -1;
		}
	}
	return 0;
}

static struct config *
finish(struct config *c, struct pctx *px, int rv, char *err, size_t errsz)
{
	if (rv == -1) {
		snprintf(err, errsz, "%s: %s", c->file, strerror(errno));
		config_free(c);
		return NULL;
	}
	if (rv == -2) {
		snprintf(err, errsz, "%s: out of memory", c->file);
		config_free(c);
		return NULL;
	}
	if (rv > 0 || px->failed) {
		/* rv is the line of the first refused key; a syntax error
		 * (no '=' or unclosed '[') has no message of ours. */
		snprintf(err, errsz, "%s:%d: %s", c->file,
		    px->failed ? px->fail_line : rv,
		    px->failed ? px->err : "syntax error");
		config_free(c);
		return NULL;
	}
	if (config_check(c, err, errsz) == -1) {
		config_free(c);
		return NULL;
	}
	return c;
}

/*
 * Our own line reader, so the handler knows the exact line it is on:
 * inih only reports the line of the first error, not of each key.
 */
static char *
reader(char *buf, int size, void *stream)
{
	struct pctx *px = stream;
	const char *nl, *p;
	size_t n;

	if (px->fp != NULL) {
		if (fgets(buf, size, px->fp) == NULL)
			return NULL;
	} else {
		if (px->str == NULL || *px->str == '\0')
			return NULL;
		nl = strchr(px->str, '\n');
		n = nl ? (size_t)(nl - px->str) + 1 : strlen(px->str);
		if (n > (size_t)size - 1)
			n = (size_t)size - 1;
		memcpy(buf, px->str, n);
		buf[n] = '\0';
		px->str += n;
	}
	/* a line longer than the buffer continues on the next call */
	n = strlen(buf);
	if (!px->partial)
		px->line++;
	px->partial = n > 0 && buf[n - 1] != '\n';
	for (p = buf; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '[') {
		px->sect_line = px->line;
		px->sect_seen++;
	}
	return buf;
}

struct config *
config_load(const char *path, int nokeys, char *err, size_t errsz)
{
	struct config *c;
	struct pctx px;
	int rv;

	if ((c = malloc(sizeof *c)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	config_init(c);
	snprintf(c->file, sizeof c->file, "%s", path);
	memset(&px, 0, sizeof px);
	px.c = c;
	px.nokeys = nokeys;
	if ((px.fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		config_free(c);
		return NULL;
	}
	rv = ini_parse_stream(reader, &px, handler, &px);
	fclose(px.fp);
	return finish(c, &px, rv, err, errsz);
}

struct config *
config_parse_string(const char *text, const char *name, int nokeys,
    char *err, size_t errsz)
{
	struct config *c;
	struct pctx px;
	int rv;

	if ((c = malloc(sizeof *c)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	config_init(c);
	snprintf(c->file, sizeof c->file, "%s", name);
	memset(&px, 0, sizeof px);
	px.c = c;
	px.nokeys = nokeys;
	px.str = text;
	rv = ini_parse_stream(reader, &px, handler, &px);
	return finish(c, &px, rv, err, errsz);
}

void
config_free(struct config *c)
{
	struct cfg_link *l;
	struct cfg_core *k;

	if (c == NULL)
		return;
	while ((l = TAILQ_FIRST(&c->links)) != NULL) {
		TAILQ_REMOVE(&c->links, l, entry);
		free(l);
	}
	while ((k = TAILQ_FIRST(&c->cores)) != NULL) {
		TAILQ_REMOVE(&c->cores, k, entry);
		seal_keyring_clear(&k->keys);
		free(k);
	}
	free(c);
}

struct cfg_link *
config_link(const struct config *c, const char *name)
{
	struct cfg_link *l;

	TAILQ_FOREACH(l, &c->links, entry)
		if (strcmp(l->name, name) == 0)
			return l;
	return NULL;
}

struct cfg_core *
config_core(const struct config *c, const char *name)
{
	struct cfg_core *k;

	TAILQ_FOREACH(k, &c->cores, entry)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

int
config_link_same(const struct cfg_link *a, const struct cfg_link *b)
{
	return strcmp(a->name, b->name) == 0 &&
	    strcmp(a->profile, b->profile) == 0 && a->mode == b->mode &&
	    strcmp(a->addr.text, b->addr.text) == 0 &&
	    a->nallow == b->nallow &&
	    memcmp(a->allow, b->allow, sizeof a->allow[0] * (size_t)a->nallow)
	    == 0 && a->framing == b->framing && a->maxframe == b->maxframe &&
	    a->deadline_us == b->deadline_us && a->reserve_us == b->reserve_us &&
	    a->echo_us == b->echo_us && a->out_timeout_us == b->out_timeout_us &&
	    a->connections == b->connections && a->max_conns == b->max_conns;
}

int
config_core_same(const struct cfg_core *a, const struct cfg_core *b)
{
	int i;

	if (strcmp(a->name, b->name) != 0 ||
	    strcmp(a->addr.text, b->addr.text) != 0 ||
	    a->has_bind != b->has_bind ||
	    (a->has_bind && strcmp(a->bind.text, b->bind.text) != 0) ||
	    a->priority != b->priority || a->hb_us != b->hb_us ||
	    a->misses != b->misses || a->recover != b->recover ||
	    a->keys.n != b->keys.n)
		return 0;
	for (i = 0; i < a->keys.n; i++)
		if (a->keys.k[i].id != b->keys.k[i].id)
			return 0;
	return 1;
}

void
config_print(const struct config *c, FILE *f)
{
	const struct cfg_link *l;
	const struct cfg_core *k;
	char d[32], n[64];
	int i;

	fprintf(f, "[Gateway]\n");
	fprintf(f, "Name = %s\n", c->name);
	fprintf(f, "StateDirectory = %s\n", c->state_dir);
	if (c->state_key[0])
		fprintf(f, "StateKeyFile = %s\n", c->state_key);
	fprintf(f, "ControlSocket = %s\n", c->control);
	if (c->has_metrics)
		fprintf(f, "Metrics = %s\n", c->metrics.text);
	if (c->hsm[0])
		fprintf(f, "HSM = %s\n", c->hsm);
	config_fmt_duration(c->dedup_us, d, sizeof d);
	fprintf(f, "DedupTime = %s\n", d);
	fprintf(f, "DedupEntries = %u\n", c->dedup_max);

	TAILQ_FOREACH(l, &c->links, entry) {
		fprintf(f, "\n[Link %s]\n", l->name);
		fprintf(f, "Profile = %s\n", l->profile);
		fprintf(f, "%s = %s\n", l->mode == LINK_LISTEN ? "Listen" :
		    "Connect", l->addr.text);
		if (l->nallow > 0) {
			fprintf(f, "AllowFrom = ");
			for (i = 0; i < l->nallow; i++) {
				fmt_net(&l->allow[i], n, sizeof n);
				fprintf(f, "%s%s", i ? ", " : "", n);
			}
			fprintf(f, "\n");
		}
		fprintf(f, "Framing = %s\n", frame_kind_name(l->framing));
		fprintf(f, "MaxFrame = %u\n", l->maxframe);
		config_fmt_duration(l->deadline_us, d, sizeof d);
		fprintf(f, "Deadline = %s\n", d);
		config_fmt_duration(l->reserve_us, d, sizeof d);
		fprintf(f, "StandInReserve = %s\n", d);
		config_fmt_duration(l->echo_us, d, sizeof d);
		fprintf(f, "EchoInterval = %s\n", d);
		config_fmt_duration(l->out_timeout_us, d, sizeof d);
		fprintf(f, "OutTimeout = %s\n", d);
		if (l->mode == LINK_CONNECT)
			fprintf(f, "Connections = %d\n", l->connections);
		else
			fprintf(f, "MaxConnections = %d\n", l->max_conns);
	}
	TAILQ_FOREACH(k, &c->cores, entry) {
		fprintf(f, "\n[Core %s]\n", k->name);
		fprintf(f, "Address = %s\n", k->addr.text);
		if (k->has_bind)
			fprintf(f, "Bind = %s\n", k->bind.text);
		for (i = 0; i < k->nkeyfiles; i++)
			fprintf(f, "KeyFile = %s\n", k->keyfile[i]);
		fprintf(f, "Priority = %d\n", k->priority);
		config_fmt_duration(k->hb_us, d, sizeof d);
		fprintf(f, "HeartbeatInterval = %s\n", d);
		fprintf(f, "DownAfter = %d\n", k->misses);
		fprintf(f, "UpAfter = %d\n", k->recover);
	}
	fprintf(f, "\n[StandIn]\n");
	fprintf(f, "Mode = %s\n", c->standin_mode == STANDIN_AUTO ? "auto" :
	    c->standin_mode == STANDIN_FORCE ? "force" : "off");
	fprintf(f, "MaxAmount = %llu\n",
	    (unsigned long long)c->standin_max_amount);
	fprintf(f, "ExposureCap = %llu\n",
	    (unsigned long long)c->standin_exposure_cap);
	if (c->standin_block_mcc[0])
		fprintf(f, "BlockMCC = %s\n", c->standin_block_mcc);
}
