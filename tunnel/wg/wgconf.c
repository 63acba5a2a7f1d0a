/*
 * wgconf.c — wg-quick style file parser and validator.
 *
 * Rules follow wg(8)/wg-quick(8): '#' starts a comment, keys and section
 * names are case-insensitive, whitespace around keys and values is
 * ignored, AllowedIPs and Address may repeat and take comma lists.
 * Stricter than wg where silence would make `wg show` disagree with the
 * file: host bits in AllowedIPs, a key given twice, duplicate peers or
 * prefixes, unknown keys, and wg-quick's shell hooks are all errors.
 */
#include <sys/stat.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "tunnel/wg/key.h"
#include "base/keyfile.h"
#include "tunnel/wg/wgconf.h"

#define CONF_MAX_SIZE	(4U << 20)	/* far above any real peer list */

enum section { SEC_NONE, SEC_IFACE, SEC_PEER };

/* Keys that may be given once per section; bit per key. */
enum {
	K_PRIVKEY = 1 << 0, K_LISTENPORT = 1 << 1, K_FWMARK = 1 << 2,
	K_MTU = 1 << 3, K_TABLE = 1 << 4,
	K_PUBKEY = 1 << 8, K_PSK = 1 << 9, K_ENDPOINT = 1 << 10,
	K_KEEPALIVE = 1 << 11,
};

struct parser {
	struct wg_config	*cfg;
	const char		*name, *basedir;
	unsigned int		 mode;
	char			*err;
	size_t			 errlen;
	size_t			 line;
	enum section		 sec;
	int			 niface;
	unsigned int		 seen_iface, seen_peer;
	size_t			 iface_line;
	size_t			*peer_line;	/* [Peer] header line per peer */
	size_t			 peer_line_cap;
	int			 has_default_route;
	size_t			 default_route_line;
};

static int
perr(struct parser *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
perr(struct parser *p, const char *key, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (key != NULL)
		snprintf(p->err, p->errlen, "%s:%zu: %s: %s", p->name, p->line,
		    key, msg);
	else
		snprintf(p->err, p->errlen, "%s:%zu: %s", p->name, p->line, msg);
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
parse_ulong(const char *s, unsigned long max, unsigned long *out, int base)
{
	char *end;
	unsigned long v;

	if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
once(struct parser *p, const char *key, unsigned int bit)
{
	unsigned int *seen = p->sec == SEC_IFACE ? &p->seen_iface :
	    &p->seen_peer;

	if (*seen & bit)
		return perr(p, key, "given twice in this section");
	*seen |= bit;
	return 0;
}

static int
inline_secret_ok(struct parser *p, const char *key)
{
	if (p->mode & 077)
		return perr(p, key, "%s holds a key but its mode %04o gives "
		    "group or others access; run chmod 600 %s", p->name,
		    p->mode & 07777, p->name);
	return 0;
}

static int
key_file(struct parser *p, const char *key, const char *val,
    uint8_t out[WG_KEY_LEN])
{
	char path[PATH_MAX], why[PATH_MAX + 160];
	int n;

	if (*val == '\0')
		return perr(p, key, "empty path");
#ifdef FUZZING
	return perr(p, key, "no key files while fuzzing");
#endif
	/* Relative to the config file: the file travels with its keys. */
	if (val[0] == '/' || p->basedir == NULL)
		n = snprintf(path, sizeof(path), "%s", val);
	else
		n = snprintf(path, sizeof(path), "%s/%s", p->basedir, val);
	if (n < 0 || (size_t)n >= sizeof(path))
		return perr(p, key, "path too long");
	if (keyfile_read(out, path, why, sizeof(why)) == -1)
		return perr(p, key, "%s", why);
	return 0;
}

static int
key_value(struct parser *p, const char *key, const char *val,
    uint8_t out[WG_KEY_LEN])
{
	if (key_from_base64(out, val, strlen(val)) == -1)
		return perr(p, key, "not a base64 WireGuard key (44 characters "
		    "ending in '=')");
	return 0;
}

/* A secret key: in a key file, or inline in a file only its owner reads. */
static int
secret_key(struct parser *p, const char *key, const char *val, int isfile,
    uint8_t out[WG_KEY_LEN])
{
	if (isfile)
		return key_file(p, key, val, out);
	if (inline_secret_ok(p, key) == -1)
		return -1;
	return key_value(p, key, val, out);
}

static int
parse_endpoint(struct parser *p, const char *key, const char *val,
    union wg_endpoint *ep)
{
	char host[256];
	const char *port, *close;
	struct addrinfo hints, *res;
	unsigned long pnum;
	size_t hl;
	int rc;

	if (val[0] == '[') {
		close = strchr(val, ']');
		if (close == NULL || close[1] != ':')
			return perr(p, key, "'%s': expected [IPv6]:PORT", val);
		hl = (size_t)(close - val - 1);
		port = close + 2;
		val++;
	} else {
		port = strrchr(val, ':');
		if (port == NULL)
			return perr(p, key, "'%s': expected HOST:PORT", val);
		if (memchr(val, ':', (size_t)(port - val)) != NULL)
			return perr(p, key, "'%s': put IPv6 addresses in "
			    "brackets: [ADDR]:PORT", val);
		hl = (size_t)(port - val);
		port++;
	}
	if (hl == 0 || hl >= sizeof(host))
		return perr(p, key, "'%s': bad host", val);
	memcpy(host, val, hl);
	host[hl] = '\0';
	if (parse_ulong(port, 65535, &pnum, 10) == -1 || pnum == 0)
		return perr(p, key, "'%s': bad port", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	hints.ai_flags = AI_NUMERICSERV;
#ifdef FUZZING
	hints.ai_flags |= AI_NUMERICHOST;	/* no DNS from the fuzzer */
#endif
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		return perr(p, key, "'%s': %s", host, gai_strerror(rc));
	memset(ep, 0, sizeof(*ep));
	if (res->ai_addrlen <= sizeof(*ep) &&
	    (res->ai_family == AF_INET || res->ai_family == AF_INET6))
		memcpy(ep, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (ep->sa.sa_family == 0)
		return perr(p, key, "'%s': no IPv4 or IPv6 address", host);
	return 0;
}

/* Is this prefix already some peer's?  Allowed IPs belong to one peer. */
static int
aip_taken(const struct wg_device *dev, const struct wg_allowedip *a)
{
	size_t i, j;

	for (i = 0; i < dev->npeers; i++)
		for (j = 0; j < dev->peers[i].naips; j++)
			if (wg_aip_equal(&dev->peers[i].aips[j], a))
				return 1;
	return 0;
}

static int
parse_list(struct parser *p, const char *key, char *val, int is_addr)
{
	struct wg_peer *peer = is_addr ? NULL :
	    &p->cfg->dev.peers[p->cfg->dev.npeers - 1];
	char *tok, *save = NULL;

	for (tok = strtok_r(val, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		struct wg_allowedip a;
		char *t = trim(tok);

		if (*t == '\0')
			return perr(p, key, "empty list element");
		if (wg_aip_parse(t, &a) == -1)
			return perr(p, key, "'%s': expected ADDRESS/CIDR", t);
		if (is_addr) {
			size_t need = p->cfg->naddrs + 1;

			if (need > p->cfg->addrs_cap) {
				size_t ncap = p->cfg->addrs_cap ?
				    p->cfg->addrs_cap * 2 : 4;
				void *np = realloc(p->cfg->addrs,
				    ncap * sizeof(a));
				if (np == NULL)
					return perr(p, key, "out of memory");
				p->cfg->addrs = np;
				p->cfg->addrs_cap = ncap;
			}
			p->cfg->addrs[p->cfg->naddrs++] = a;
			continue;
		}
		if (wg_aip_has_host_bits(&a))
			return perr(p, key, "'%s' has host bits set below "
			    "the /%u mask (wg would silently store the "
			    "network)", t, a.cidr);
		if (aip_taken(&p->cfg->dev, &a))
			return perr(p, key, "'%s' is given twice (allowed IPs "
			    "belong to exactly one peer)", t);
		if (a.cidr == 0 && !p->has_default_route) {
			p->has_default_route = 1;
			p->default_route_line = p->line;
		}
		if (wg_peer_add_aip(peer, &a) == -1)
			return perr(p, key, "out of memory");
	}
	return 0;
}

static int
iface_kv(struct parser *p, const char *key, char *val)
{
	struct wg_device *dev = &p->cfg->dev;
	unsigned long v;

	if (strcasecmp(key, "PrivateKey") == 0 ||
	    strcasecmp(key, "PrivateKeyFile") == 0) {
		int isfile = strcasecmp(key, "PrivateKeyFile") == 0;

		if (once(p, "PrivateKey/PrivateKeyFile", K_PRIVKEY) == -1 ||
		    secret_key(p, key, val, isfile, dev->private_key) == -1)
			return -1;
		dev->flags |= WG_DEV_HAS_PRIVATE_KEY;
	} else if (strcasecmp(key, "ListenPort") == 0) {
		if (once(p, key, K_LISTENPORT) == -1)
			return -1;
		if (parse_ulong(val, 65535, &v, 10) == -1)
			return perr(p, key, "'%s': expected 0-65535", val);
		dev->listen_port = (uint16_t)v;
		dev->flags |= WG_DEV_HAS_LISTEN_PORT;
	} else if (strcasecmp(key, "FwMark") == 0) {
		if (once(p, key, K_FWMARK) == -1)
			return -1;
		if (strcasecmp(val, "off") == 0)
			v = 0;
		else if (parse_ulong(val, UINT32_MAX, &v, 0) == -1)
			return perr(p, key, "'%s': expected a 32-bit number "
			    "or off", val);
		dev->fwmark = (uint32_t)v;
		dev->flags |= WG_DEV_HAS_FWMARK;
	} else if (strcasecmp(key, "MTU") == 0) {
		if (once(p, key, K_MTU) == -1)
			return -1;
		if (parse_ulong(val, 65535, &v, 10) == -1 || v < 576)
			return perr(p, key, "'%s': expected 576-65535", val);
		p->cfg->mtu = (uint32_t)v;
	} else if (strcasecmp(key, "Table") == 0) {
		if (once(p, key, K_TABLE) == -1)
			return -1;
		if (strcasecmp(val, "off") == 0)
			p->cfg->table = WG_TABLE_OFF;
		else if (strcasecmp(val, "auto") == 0 ||
		    strcasecmp(val, "main") == 0)
			p->cfg->table = WG_TABLE_AUTO;
		else if (parse_ulong(val, UINT32_MAX, &v, 10) == 0 && v > 0)
			p->cfg->table = (long)v;
		else
			return perr(p, key, "'%s': expected off, auto, main "
			    "or a table number", val);
	} else if (strcasecmp(key, "Address") == 0) {
		return parse_list(p, key, val, 1);
	} else if (strcasecmp(key, "PreUp") == 0 ||
	    strcasecmp(key, "PostUp") == 0 || strcasecmp(key, "PreDown") == 0 ||
	    strcasecmp(key, "PostDown") == 0 || strcasecmp(key, "DNS") == 0 ||
	    strcasecmp(key, "SaveConfig") == 0) {
		return perr(p, key, "wg-quick key not supported: gatewayctl "
		    "runs no hooks and manages no resolver or saved state");
	} else {
		return perr(p, key, "unknown key in [Interface]");
	}
	return 0;
}

static int
peer_kv(struct parser *p, const char *key, char *val)
{
	struct wg_peer *peer = &p->cfg->dev.peers[p->cfg->dev.npeers - 1];
	unsigned long v;

	if (strcasecmp(key, "PublicKey") == 0) {
		if (once(p, key, K_PUBKEY) == -1 ||
		    key_value(p, key, val, peer->public_key) == -1)
			return -1;
		/* Search all but this (last) peer. */
		p->cfg->dev.npeers--;
		if (wg_device_find_peer(&p->cfg->dev, peer->public_key)) {
			p->cfg->dev.npeers++;
			return perr(p, key, "peer %s is given twice", val);
		}
		p->cfg->dev.npeers++;
	} else if (strcasecmp(key, "PresharedKey") == 0 ||
	    strcasecmp(key, "PresharedKeyFile") == 0) {
		int isfile = strcasecmp(key, "PresharedKeyFile") == 0;

		if (once(p, "PresharedKey/PresharedKeyFile", K_PSK) == -1 ||
		    secret_key(p, key, val, isfile, peer->preshared_key) == -1)
			return -1;
		peer->flags |= WG_PEER_HAS_PSK;
	} else if (strcasecmp(key, "Endpoint") == 0) {
		if (once(p, key, K_ENDPOINT) == -1)
			return -1;
		if (parse_endpoint(p, key, val, &peer->endpoint) == -1)
			return -1;
		peer->flags |= WG_PEER_HAS_ENDPOINT;
	} else if (strcasecmp(key, "AllowedIPs") == 0) {
		return parse_list(p, key, val, 0);
	} else if (strcasecmp(key, "PersistentKeepalive") == 0) {
		if (once(p, key, K_KEEPALIVE) == -1)
			return -1;
		if (strcasecmp(val, "off") == 0)
			v = 0;
		else if (parse_ulong(val, 65535, &v, 10) == -1)
			return perr(p, key, "'%s': expected 0-65535 or off",
			    val);
		peer->keepalive = (uint16_t)v;
		peer->flags |= WG_PEER_HAS_KEEPALIVE;
	} else {
		return perr(p, key, "unknown key in [Peer]");
	}
	return 0;
}

static int
end_peer(struct parser *p)
{
	if (p->sec == SEC_PEER && !(p->seen_peer & K_PUBKEY)) {
		size_t save = p->line;

		p->line = p->peer_line[p->cfg->dev.npeers - 1];
		perr(p, NULL, "[Peer] has no PublicKey");
		p->line = save;
		return -1;
	}
	return 0;
}

static int
section(struct parser *p, char *s)
{
	char *e = strchr(s, ']');

	if (e == NULL || *trim(e + 1) != '\0')
		return perr(p, NULL, "malformed section header");
	*e = '\0';
	if (end_peer(p) == -1)
		return -1;
	s = trim(s + 1);
	if (strcasecmp(s, "Interface") == 0) {
		if (p->niface++ > 0)
			return perr(p, NULL, "[Interface] given twice");
		p->sec = SEC_IFACE;
		p->iface_line = p->line;
		p->seen_iface = 0;
	} else if (strcasecmp(s, "Peer") == 0) {
		struct wg_device *dev = &p->cfg->dev;

		if (dev->npeers + 1 > p->peer_line_cap) {
			size_t ncap = p->peer_line_cap ? p->peer_line_cap * 2 : 8;
			void *np = realloc(p->peer_line, ncap * sizeof(size_t));

			if (np == NULL)
				return perr(p, NULL, "out of memory");
			p->peer_line = np;
			p->peer_line_cap = ncap;
		}
		if (wg_device_add_peer(dev) == NULL)
			return perr(p, NULL, "out of memory");
		p->peer_line[dev->npeers - 1] = p->line;
		/* wg syncconf semantics: the file is the whole truth. */
		dev->peers[dev->npeers - 1].flags |= WG_PEER_REPLACE_ALLOWEDIPS;
		p->sec = SEC_PEER;
		p->seen_peer = 0;
	} else {
		return perr(p, NULL, "unknown section [%s]", s);
	}
	return 0;
}

static int
line(struct parser *p, char *s)
{
	char *hash, *eq, *key, *val;

	if ((hash = strchr(s, '#')) != NULL)
		*hash = '\0';
	s = trim(s);
	if (*s == '\0')
		return 0;
	if (*s == '[')
		return section(p, s);
	eq = strchr(s, '=');
	if (eq == NULL)
		return perr(p, NULL, "expected Key = Value");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (*key == '\0')
		return perr(p, NULL, "missing key before '='");
	switch (p->sec) {
	case SEC_IFACE:
		return iface_kv(p, key, val);
	case SEC_PEER:
		return peer_kv(p, key, val);
	default:
		return perr(p, key, "outside any [Interface] or [Peer] section");
	}
}

static int
validate(struct parser *p)
{
	struct wg_device *dev = &p->cfg->dev;
	char b64[WG_KEY_B64_LEN];
	size_t i;

	if (p->niface == 0) {
		snprintf(p->err, p->errlen, "%s: no [Interface] section",
		    p->name);
		return -1;
	}
	if (!(dev->flags & WG_DEV_HAS_PRIVATE_KEY)) {
		p->line = p->iface_line;
		return perr(p, NULL, "[Interface] has no PrivateKey or "
		    "PrivateKeyFile");
	}
	if (wg_key_public(dev->public_key, dev->private_key) == -1) {
		p->line = p->iface_line;
		return perr(p, "PrivateKey", "cannot derive a public key");
	}
	dev->flags |= WG_DEV_HAS_PUBLIC_KEY;
	for (i = 0; i < dev->npeers; i++) {
		if (sodium_memcmp(dev->peers[i].public_key, dev->public_key,
		    WG_KEY_LEN) == 0) {
			p->line = p->peer_line[i];
			key_to_base64(b64, dev->public_key);
			return perr(p, "PublicKey", "%s is this interface's "
			    "own public key", b64);
		}
	}
	if (p->has_default_route && p->cfg->table != WG_TABLE_OFF) {
		p->line = p->default_route_line;
		return perr(p, "AllowedIPs", "a /0 prefix needs Table = off: "
		    "gatewayctl does not install wg-quick's policy routing, "
		    "route it yourself");
	}
	return 0;
}

int
wg_config_parse(struct wg_config *cfg, const char *name, const char *buf,
    size_t len, const char *basedir, unsigned int file_mode, char *err,
    size_t errlen)
{
	struct parser p;
	char *copy, *s, *nl;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.name = name;
	p.basedir = basedir;
	p.mode = file_mode;
	p.err = err;
	p.errlen = errlen;
	if (len > CONF_MAX_SIZE) {
		snprintf(err, errlen, "%s: larger than %u bytes", name,
		    CONF_MAX_SIZE);
		return -1;
	}
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL byte", name);
		return -1;
	}
	if ((copy = malloc(len + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';
	/* Keep the caller's ifname; everything else starts clean. */
	cfg->dev.flags = WG_DEV_REPLACE_PEERS;
	for (s = copy; rc == 0 && s != NULL; s = nl) {
		if ((nl = strchr(s, '\n')) != NULL)
			*nl++ = '\0';
		p.line++;
		rc = line(&p, s);
	}
	if (rc == 0)
		rc = end_peer(&p);
	if (rc == 0)
		rc = validate(&p);
	sodium_memzero(copy, len);
	free(copy);
	free(p.peer_line);
	return rc;
}

int
wg_config_ifname(char out[IFNAMSIZ], const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n <= 5 || strcmp(base + n - 5, ".conf") != 0 ||
	    n - 5 >= IFNAMSIZ)
		return -1;
	memcpy(out, base, n - 5);
	out[n - 5] = '\0';
	return wg_ifname_valid(out) ? 0 : -1;
}

int
wg_config_load(struct wg_config *cfg, const char *path, char *err,
    size_t errlen)
{
	char dir[PATH_MAX], *slash, *buf = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, rc;

	memset(cfg, 0, sizeof(*cfg));
	if (wg_config_ifname(cfg->ifname, path) == -1) {
		snprintf(err, errlen, "%s: the file name must be IFACE.conf "
		    "with IFACE 1-15 of [a-zA-Z0-9_=+.-]", path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1 || fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)CONF_MAX_SIZE) {
		snprintf(err, errlen, "%s: not a regular file of at most %u "
		    "bytes", path, CONF_MAX_SIZE);
		close(fd);
		return -1;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	while (len < (size_t)st.st_size &&
	    (n = read(fd, buf + len, (size_t)st.st_size - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			sodium_memzero(buf, len);
			free(buf);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';		/* "/wg0.conf" lives in "/" */
	else
		*slash = '\0';
	memcpy(cfg->dev.ifname, cfg->ifname, sizeof(cfg->ifname));
	rc = wg_config_parse(cfg, path, buf, len, dir, st.st_mode, err, errlen);
	sodium_memzero(buf, len);
	free(buf);
	if (rc == -1)
		wg_config_free(cfg);
	return rc;
}

void
wg_config_free(struct wg_config *cfg)
{
	wg_device_clear(&cfg->dev);
	free(cfg->addrs);
	cfg->addrs = NULL;
	cfg->naddrs = cfg->addrs_cap = 0;
}
