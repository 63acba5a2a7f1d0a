/*
 * hsmdconf.c — hsmd's listeners from a config file and from -l, checked
 * and printed; hsmdconf.h has the syntax.
 *
 * The file is read with libinih through our own line reader, so a
 * listener knows the line of its [Listener NAME] header for messages
 * about keys it lacks.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "base/cfgvalue.h"
#include "base/net.h"
#include "hsm/hsmdconf.h"

#define K_ADDRESS	0x1u
#define K_ALLOW		0x2u
#define K_MODE		0x4u
#define K_PEERS		0x8u

struct pctx {
	struct hsmd_conf	*c;
	FILE			*fp;
	int			 line, sect_line, partial;
	struct hsmd_listener	*cur;
	char			 cursect[64];
	char			 err[256];
	int			 failed;
};

void
hsmd_conf_init(struct hsmd_conf *c)
{
	memset(c, 0, sizeof *c);
}

static struct hsmd_listener *
find(struct hsmd_conf *c, const char *name)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->l[i].name, name) == 0)
			return &c->l[i];
	return NULL;
}

/* A new listener NAME, or NULL and err. */
static struct hsmd_listener *
add(struct hsmd_conf *c, const char *name, int line, char *err, size_t errsz)
{
	struct hsmd_listener *l;
	const char *p;

	if (*name == '\0' || strlen(name) >= HSMD_NAME_MAX) {
		snprintf(err, errsz, "listener name: 1-%d characters",
		    HSMD_NAME_MAX - 1);
		return NULL;
	}
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')) {
			snprintf(err, errsz, "listener %s: letters, digits, "
			    "'-' and '_' only", name);
			return NULL;
		}
	if (find(c, name) != NULL) {
		snprintf(err, errsz, "[Listener %s]: defined twice", name);
		return NULL;
	}
	if (c->n == HSMD_MAX_LISTEN) {
		snprintf(err, errsz, "more than %d listeners", HSMD_MAX_LISTEN);
		return NULL;
	}
	l = &c->l[c->n++];
	memset(l, 0, sizeof *l);
	snprintf(l->name, sizeof l->name, "%s", name);
	l->mode = -1;
	l->line = line;
	return l;
}

static int
set_peers(struct hsmd_listener *l, const char *v, char *err, size_t errsz)
{
	char tok[80];
	size_t n;

	for (;;) {
		v += strspn(v, " \t,");
		if (*v == '\0')
			break;
		n = strcspn(v, " \t,");
		if (n >= sizeof tok || (memcpy(tok, v, n), tok[n] = '\0',
		    net_prefix_parse(tok, &l->peers[l->npeers])) == -1) {
			snprintf(err, errsz, "Peers: %.*s: not ADDR or "
			    "ADDR/PREFIX", (int)n, v);
			return -1;
		}
		if (++l->npeers == HSMD_MAX_PEERS && v[n] != '\0') {
			snprintf(err, errsz, "Peers: at most %d",
			    HSMD_MAX_PEERS);
			return -1;
		}
		v += n;
	}
	return 0;
}

/* One key of a listener, from the file or from -l. */
static int
set_key(struct hsmd_listener *l, const char *key, const char *v, char *err,
    size_t errsz)
{
	unsigned bit;
	char *end, m[200];
	long mode;

	if (strcasecmp(key, "Address") == 0)
		bit = K_ADDRESS;
	else if (strcasecmp(key, "Allow") == 0)
		bit = K_ALLOW;
	else if (strcasecmp(key, "Mode") == 0)
		bit = K_MODE;
	else if (strcasecmp(key, "Peers") == 0)
		bit = K_PEERS;
	else {
		snprintf(err, errsz, "unknown key %s in [Listener %s]", key,
		    l->name);
		return -1;
	}
	if (l->seen & bit) {
		snprintf(err, errsz, "%s: given twice", key);
		return -1;
	}
	l->seen |= bit;
	if (*v == '\0') {
		snprintf(err, errsz, "%s: empty value", key);
		return -1;
	}
	switch (bit) {
	case K_ADDRESS:
		if (strlen(v) >= sizeof l->addr || ((strncmp(v, "unix:", 5) ||
		    v[5] == '\0') && (strncmp(v, "tcp:", 4) || v[4] == '\0'))) {
			snprintf(err, errsz, "Address: unix:PATH or "
			    "tcp:HOST:PORT");
			return -1;
		}
		snprintf(l->addr, sizeof l->addr, "%s", v);
		l->is_unix = strncmp(v, "unix:", 5) == 0;
		return 0;
	case K_ALLOW:
		if (hsm_allow_parse(v, &l->allow, m, sizeof m) == -1) {
			snprintf(err, errsz, "Allow: %s", m);
			return -1;
		}
		return 0;
	case K_MODE:
		errno = 0;
		mode = strtol(v, &end, 8);
		if (*end != '\0' || errno || mode < 0 || mode > 0777) {
			snprintf(err, errsz, "Mode: an octal file mode, 0600");
			return -1;
		}
		l->mode = (int)mode;
		return 0;
	default:
		return set_peers(l, v, err, errsz);
	}
}

/* --- the file ------------------------------------------------------------- */

static char *
reader(char *buf, int size, void *stream)
{
	struct pctx *px = stream;
	const char *p;
	size_t n;

	if (fgets(buf, size, px->fp) == NULL)
		return NULL;
	n = strlen(buf);
	if (!px->partial)
		px->line++;
	px->partial = n > 0 && buf[n - 1] != '\n';
	for (p = buf; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '[')
		px->sect_line = px->line;
	return buf;
}

static int
fail(struct pctx *px, const char *msg)
{
	snprintf(px->err, sizeof px->err, "%s", msg);
	px->failed = 1;
	return 0;
}

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct pctx *px = user;
	char v[1024], m[256];

	if (px->failed)
		return 0;
	if (strlen(value) >= sizeof v)
		return fail(px, "value too long");
	strcpy(v, value);
	cfgvalue_strip(v);
	if (strncasecmp(section, "Listener ", 9) != 0) {
		snprintf(m, sizeof m, "[%s]: unknown section (only "
		    "[Listener NAME])", section);
		return fail(px, m);
	}
	if (px->cur == NULL || strcmp(px->cursect, section) != 0) {
		snprintf(px->cursect, sizeof px->cursect, "%s", section);
		if ((px->cur = add(px->c, section + 9, px->sect_line, m,
		    sizeof m)) == NULL)
			return fail(px, m);
	}
	if (set_key(px->cur, key, v, m, sizeof m) == -1)
		return fail(px, m);
	return 1;
}

int
hsmd_conf_load(struct hsmd_conf *c, const char *path, char *err,
    size_t errsz)
{
	struct pctx px;
	int rv;

	memset(&px, 0, sizeof px);
	px.c = c;
	snprintf(c->file, sizeof c->file, "%s", path);
	if ((px.fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	rv = ini_parse_stream(reader, &px, handler, &px);
	fclose(px.fp);
	if (rv == 0 && !px.failed)
		return 0;
	if (rv < 0)
		snprintf(err, errsz, "%s: %s", path, rv == -2 ?
		    "out of memory" : strerror(errno));
	else
		snprintf(err, errsz, "%s:%d: %s", path, rv, px.failed ?
		    px.err : "syntax error");
	return -1;
}

/* --- -l ------------------------------------------------------------------- */

int
hsmd_conf_add_arg(struct hsmd_conf *c, const char *spec, char *err,
    size_t errsz)
{
	char buf[1024], name[HSMD_NAME_MAX], *tok, *save = NULL, *eq;
	char cur[16] = "", val[1024] = "", m[200];
	struct hsmd_listener *l;
	int first = 1;

	if (strlen(spec) >= sizeof buf) {
		snprintf(err, errsz, "-l %.40s...: too long", spec);
		return -1;
	}
	snprintf(name, sizeof name, "l%d", ++c->nargs);
	strcpy(buf, spec);
	/* A name= must be known before the listener is added. */
	if ((tok = strstr(buf, ",name=")) != NULL) {
		eq = tok + 6 + strcspn(tok + 6, ",");
		snprintf(name, sizeof name, "%.*s", (int)(eq - tok - 6),
		    tok + 6);
		memmove(tok, eq, strlen(eq) + 1);
	}
	if ((l = add(c, name, 0, m, sizeof m)) == NULL)
		goto bad;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (first) {
			first = 0;
			if (set_key(l, "Address", tok, m, sizeof m) == -1)
				goto bad;
			continue;
		}
		if ((eq = strchr(tok, '=')) == NULL && cur[0] != '\0') {
			/* continues the list before it: allow=CY,EC */
			if (strlen(val) + strlen(tok) + 2 >= sizeof val)
				goto toolong;
			strcat(val, " ");
			strcat(val, tok);
			continue;
		}
		if (cur[0] != '\0' && set_key(l, cur, val, m, sizeof m) == -1)
			goto bad;
		if (eq == NULL || (size_t)(eq - tok) >= sizeof cur) {
			snprintf(m, sizeof m, "%s: not KEY=VALUE", tok);
			goto bad;
		}
		snprintf(cur, sizeof cur, "%.*s", (int)(eq - tok), tok);
		if (strlen(eq + 1) >= sizeof val)
			goto toolong;
		strcpy(val, eq + 1);
	}
	if (cur[0] != '\0' && set_key(l, cur, val, m, sizeof m) == -1)
		goto bad;
	return 0;
toolong:
	snprintf(m, sizeof m, "value too long");
bad:
	snprintf(err, errsz, "-l %s: %s", spec, m);
	return -1;
}

/* --- whole-config rules, printing, peers ---------------------------------- */

int
hsmd_conf_check(struct hsmd_conf *c, char *err, size_t errsz)
{
	struct hsmd_listener *l;
	char where[HSMD_NAME_MAX + 300];
	const char *why = NULL;
	int i, j;

	if (c->n == 0) {
		snprintf(err, errsz, "no listener: give --config FILE or -l");
		return -1;
	}
	for (i = 0; i < c->n; i++) {
		l = &c->l[i];
		if (l->line > 0)
			snprintf(where, sizeof where, "%s:%d: [Listener %s]",
			    c->file, l->line, l->name);
		else
			snprintf(where, sizeof where, "-l %s", l->addr);
		if (l->addr[0] == '\0')
			why = "Address is required";
		else if (!l->is_unix && l->npeers == 0)
			why = "a tcp listener needs Peers (peers= with -l): "
			    "hsmd authenticates no one";
		else if (l->is_unix && l->npeers > 0)
			why = "Peers is for tcp listeners";
		else if (!l->is_unix && l->mode != -1)
			why = "Mode is for unix listeners";
		for (j = 0; j < i && why == NULL; j++)
			if (strcmp(c->l[j].addr, l->addr) == 0)
				why = "the same Address as another listener";
		if (why != NULL) {
			snprintf(err, errsz, "%s: %s", where, why);
			return -1;
		}
		if (l->allow == 0)
			l->allow = hsm_allow_verify();
		/* A socket that serves more than verification is root's. */
		if (l->is_unix && l->mode == -1)
			l->mode = (l->allow & ~hsm_allow_verify()) ? 0600 :
			    0660;
		/* ...and never open to every local user. */
		if (l->is_unix && (l->mode & 0007) &&
		    (l->allow & ~hsm_allow_verify())) {
			snprintf(err, errsz, "%s: Mode %04o lets every local "
			    "user use commands beyond verification: at most "
			    "0660", where, (unsigned)l->mode);
			return -1;
		}
	}
	return 0;
}

void
hsmd_conf_print(const struct hsmd_conf *c, FILE *f)
{
	const struct hsmd_listener *l;
	char a[200], ip[INET6_ADDRSTRLEN + 8];
	int i, j;

	for (i = 0; i < c->n; i++) {
		l = &c->l[i];
		hsm_allow_format(l->allow, a, sizeof a);
		fprintf(f, "%s[Listener %s]\nAddress = %s\nAllow = %s\n",
		    i ? "\n" : "", l->name, l->addr, a);
		if (l->is_unix)
			fprintf(f, "Mode = %04o\n", (unsigned)l->mode);
		if (l->npeers == 0)
			continue;
		fprintf(f, "Peers = ");
		for (j = 0; j < l->npeers; j++) {
			net_prefix_fmt(&l->peers[j], ip, sizeof ip);
			fprintf(f, "%s%s", j ? ", " : "", ip);
		}
		fprintf(f, "\n");
	}
}

int
hsmd_peer_ok(const struct hsmd_listener *l, const struct sockaddr *sa)
{
	return net_prefix_match(l->peers, (size_t)l->npeers, sa);
}
