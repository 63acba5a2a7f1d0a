/*
 * uapi.c — WireGuard cross-platform userspace API over a unix socket.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/log.h"
#include "tunnel/wg/key.h"
#include "tunnel/wg/uapi.h"

#define UAPI_MAX_REPLY	(64U << 20)	/* 64 MiB: ~300k peers */
#define UAPI_TIMEOUT_S	10

void
uapi_buf_free(struct uapi_buf *b)
{
	if (b->p != NULL) {
		sodium_memzero(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

/* Room for at least need more bytes, growing by copy-and-wipe, never
 * realloc: keys pass through these buffers. */
static int
buf_grow(struct uapi_buf *b, size_t need, size_t first, size_t max)
{
	size_t ncap = b->cap ? b->cap * 2 : first;
	char *np;

	while (ncap - b->len < need)
		ncap *= 2;
	if (ncap > max) {
		errno = EMSGSIZE;
		return -1;
	}
	if ((np = malloc(ncap)) == NULL)
		return -1;
	if (b->p != NULL) {
		memcpy(np, b->p, b->len);
		sodium_memzero(b->p, b->cap);
		free(b->p);
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

static int
buf_printf(struct uapi_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
buf_printf(struct uapi_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return 0;
		}
		if (buf_grow(b, (size_t)n + 1, 1024, SIZE_MAX / 4) == -1)
			return -1;
	}
}

static int
endpoint_str(const union wg_endpoint *e, char *buf, size_t len)
{
	return wg_endpoint_fmt(e, buf, len);
}

int
uapi_encode_set(const struct wg_device *dev, struct uapi_buf *b)
{
	char hex[WG_KEY_HEX_LEN], txt[INET6_ADDRSTRLEN + 32];
	size_t i, j;
	int rc = -1;

	if (buf_printf(b, "set=1\n") == -1)
		goto out;
	if (dev->flags & WG_DEV_HAS_PRIVATE_KEY) {
		wg_key_to_hex(hex, dev->private_key);
		if (buf_printf(b, "private_key=%s\n", hex) == -1)
			goto out;
	}
	if ((dev->flags & WG_DEV_HAS_LISTEN_PORT) &&
	    buf_printf(b, "listen_port=%u\n", dev->listen_port) == -1)
		goto out;
	if ((dev->flags & WG_DEV_HAS_FWMARK) &&
	    buf_printf(b, "fwmark=%" PRIu32 "\n", dev->fwmark) == -1)
		goto out;
	if ((dev->flags & WG_DEV_REPLACE_PEERS) &&
	    buf_printf(b, "replace_peers=true\n") == -1)
		goto out;
	for (i = 0; i < dev->npeers; i++) {
		const struct wg_peer *p = &dev->peers[i];

		wg_key_to_hex(hex, p->public_key);
		if (buf_printf(b, "public_key=%s\n", hex) == -1)
			goto out;
		if (p->flags & WG_PEER_REMOVE_ME) {
			if (buf_printf(b, "remove=true\n") == -1)
				goto out;
			continue;
		}
		/* Must follow public_key at once: it decides creation. */
		if ((p->flags & WG_PEER_UPDATE_ONLY) &&
		    buf_printf(b, "update_only=true\n") == -1)
			goto out;
		if (p->flags & WG_PEER_HAS_PSK) {
			wg_key_to_hex(hex, p->preshared_key);
			if (buf_printf(b, "preshared_key=%s\n", hex) == -1)
				goto out;
		}
		if (p->endpoint.sa.sa_family == AF_INET ||
		    p->endpoint.sa.sa_family == AF_INET6) {
			if (endpoint_str(&p->endpoint, txt, sizeof(txt)) == -1 ||
			    buf_printf(b, "endpoint=%s\n", txt) == -1)
				goto out;
		}
		if ((p->flags & WG_PEER_HAS_KEEPALIVE) &&
		    buf_printf(b, "persistent_keepalive_interval=%u\n",
		    p->keepalive) == -1)
			goto out;
		if ((p->flags & WG_PEER_REPLACE_ALLOWEDIPS) &&
		    buf_printf(b, "replace_allowed_ips=true\n") == -1)
			goto out;
		for (j = 0; j < p->naips; j++) {
			if (wg_aip_fmt(&p->aips[j], txt, sizeof(txt)) == -1 ||
			    buf_printf(b, "allowed_ip=%s\n", txt) == -1)
				goto out;
		}
	}
	rc = buf_printf(b, "\n");
out:
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_endpoint(const char *s, union wg_endpoint *e)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h = s;
	uint64_t port;
	size_t hl;

	memset(e, 0, sizeof(*e));
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= sizeof(host) ||
	    parse_u64(colon + 1, 65535, &port) == -1)
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, &e->sin.sin_addr) == 1) {
		e->sin.sin_family = AF_INET;
		e->sin.sin_port = htons((uint16_t)port);
		return 0;
	}
	{
		char *pct = strchr(host, '%');

		if (pct != NULL) {
			uint64_t scope;

			*pct = '\0';
			if (parse_u64(pct + 1, UINT32_MAX, &scope) == -1)
				return -1;
			e->sin6.sin6_scope_id = (uint32_t)scope;
		}
	}
	if (inet_pton(AF_INET6, host, &e->sin6.sin6_addr) != 1)
		return -1;
	e->sin6.sin6_family = AF_INET6;
	e->sin6.sin6_port = htons((uint16_t)port);
	return 0;
}

/* One "key=value" line of a get reply.  peer is NULL before the first
 * public_key. */
static int
get_line(struct wg_device *dev, struct wg_peer **peer, const char *key,
    const char *val, size_t vlen)
{
	struct wg_peer *p = *peer;
	uint64_t v;

	if (strcmp(key, "private_key") == 0 && p == NULL) {
		if (wg_key_from_hex(dev->private_key, val, vlen) == -1)
			return -1;
		if (!wg_key_is_zero(dev->private_key)) {
			dev->flags |= WG_DEV_HAS_PRIVATE_KEY;
			if (wg_key_public(dev->public_key,
			    dev->private_key) == 0)
				dev->flags |= WG_DEV_HAS_PUBLIC_KEY;
		}
	} else if (strcmp(key, "listen_port") == 0 && p == NULL) {
		if (parse_u64(val, 65535, &v) == -1)
			return -1;
		dev->listen_port = (uint16_t)v;
		dev->flags |= WG_DEV_HAS_LISTEN_PORT;
	} else if (strcmp(key, "fwmark") == 0 && p == NULL) {
		if (parse_u64(val, UINT32_MAX, &v) == -1)
			return -1;
		dev->fwmark = (uint32_t)v;
		dev->flags |= WG_DEV_HAS_FWMARK;
	} else if (strcmp(key, "public_key") == 0) {
		if ((p = wg_device_add_peer(dev)) == NULL)
			return -1;
		*peer = p;
		if (wg_key_from_hex(p->public_key, val, vlen) == -1)
			return -1;
	} else if (p == NULL) {
		/* A peer key before any public_key is malformed; anything
		 * else is a device key from a newer daemon. */
		static const char *peer_keys[] = { "preshared_key", "endpoint",
		    "persistent_keepalive_interval", "allowed_ip",
		    "last_handshake_time_sec", "last_handshake_time_nsec",
		    "rx_bytes", "tx_bytes", "protocol_version", NULL };
		size_t i;

		for (i = 0; peer_keys[i] != NULL; i++)
			if (strcmp(key, peer_keys[i]) == 0)
				return -1;
	} else if (strcmp(key, "preshared_key") == 0) {
		if (wg_key_from_hex(p->preshared_key, val, vlen) == -1)
			return -1;
		if (!wg_key_is_zero(p->preshared_key))
			p->flags |= WG_PEER_HAS_PSK;
	} else if (strcmp(key, "endpoint") == 0) {
		if (parse_endpoint(val, &p->endpoint) == -1)
			return -1;
		p->flags |= WG_PEER_HAS_ENDPOINT;
	} else if (strcmp(key, "persistent_keepalive_interval") == 0) {
		if (parse_u64(val, 65535, &v) == -1)
			return -1;
		p->keepalive = (uint16_t)v;
		p->flags |= WG_PEER_HAS_KEEPALIVE;
	} else if (strcmp(key, "allowed_ip") == 0) {
		struct wg_allowedip a;

		if (wg_aip_parse(val, &a) == -1 || wg_peer_add_aip(p, &a) == -1)
			return -1;
	} else if (strcmp(key, "last_handshake_time_sec") == 0) {
		if (parse_u64(val, INT64_MAX, &v) == -1)
			return -1;
		p->last_handshake_sec = (int64_t)v;
	} else if (strcmp(key, "last_handshake_time_nsec") == 0) {
		if (parse_u64(val, INT64_MAX, &v) == -1)
			return -1;
		p->last_handshake_nsec = (int64_t)v;
	} else if (strcmp(key, "rx_bytes") == 0) {
		if (parse_u64(val, UINT64_MAX, &v) == -1)
			return -1;
		p->rx_bytes = v;
	} else if (strcmp(key, "tx_bytes") == 0) {
		if (parse_u64(val, UINT64_MAX, &v) == -1)
			return -1;
		p->tx_bytes = v;
	}
	/* Anything else (protocol_version, future keys) is not ours. */
	return 0;
}

/*
 * Walk "key=value\n" lines up to the blank line.  The last line before
 * it must be errno=N.  dev is NULL for set replies (only errno allowed).
 */
static int
walk(const char *buf, size_t len, struct wg_device *dev, int *err_no)
{
	struct wg_peer *peer = NULL;
	char line[512];
	size_t off = 0;
	int have_errno = 0;

	*err_no = 0;
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t ll;
		char *eq;

		if (nl == NULL)
			return -1;		/* truncated */
		ll = (size_t)(nl - (buf + off));
		if (ll == 0)
			return have_errno ? 0 : -1;
		if (have_errno || ll >= sizeof(line))
			return -1;		/* errno must be last */
		memcpy(line, buf + off, ll);
		line[ll] = '\0';
		off += ll + 1;
		if (memchr(line, '\0', ll) != NULL ||
		    (eq = strchr(line, '=')) == NULL)
			goto bad;
		*eq = '\0';
		if (strcmp(line, "errno") == 0) {
			uint64_t v;

			if (parse_u64(eq + 1, INT32_MAX, &v) == -1)
				goto bad;
			*err_no = (int)v;
			have_errno = 1;
		} else if (dev == NULL ||
		    get_line(dev, &peer, line, eq + 1,
		    ll - (size_t)(eq + 1 - line)) == -1) {
			goto bad;
		}
		sodium_memzero(line, sizeof(line));
	}
	return -1;				/* no blank line */
bad:
	sodium_memzero(line, sizeof(line));
	return -1;
}

int
uapi_parse_get(const char *buf, size_t len, struct wg_device *dev,
    int *err_no)
{
	return walk(buf, len, dev, err_no);
}

int
uapi_parse_errno(const char *buf, size_t len, int *err_no)
{
	return walk(buf, len, NULL, err_no);
}

/* --- socket ------------------------------------------------------------ */

static int
sock_path(char *out, size_t len, const char *ifname)
{
	int n;

	if (!wg_ifname_valid(ifname))
		return -1;
	n = snprintf(out, len, "%s/%s.sock", UAPI_DIR, ifname);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
uapi_exists(const char *ifname)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;

	if (sock_path(path, sizeof(path), ifname) == -1)
		return 0;
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int
uapi_connect(const char *ifname)
{
	struct sockaddr_un sun;
	struct timeval tv = { .tv_sec = UAPI_TIMEOUT_S };
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (sock_path(sun.sun_path, sizeof(sun.sun_path), ifname) == -1) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* A wedged daemon must not hang a oneshot unit forever. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read until the reply's terminating "\n\n" (a reply is never empty). */
static int
read_reply(int fd, struct uapi_buf *b)
{
	for (;;) {
		ssize_t n;

		if (b->len >= 2 && b->p[b->len - 1] == '\n' &&
		    b->p[b->len - 2] == '\n')
			return 0;
		if (b->cap - b->len < 4096 &&
		    buf_grow(b, 4096, 8192, UAPI_MAX_REPLY) == -1)
			return -1;
		n = recv(fd, b->p + b->len, b->cap - b->len, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EPROTO;		/* closed mid-reply */
			return -1;
		}
		b->len += (size_t)n;
	}
}

int
uapi_get(const char *ifname, struct wg_device *dev)
{
	struct uapi_buf b = { 0 };
	int fd, err_no, rc = -1;

	memset(dev, 0, sizeof(*dev));
	if ((fd = uapi_connect(ifname)) == -1) {
		log_warn("uapi get %s: connect", ifname);
		return -1;
	}
	if (write_all(fd, "get=1\n\n", 7) == -1 || read_reply(fd, &b) == -1) {
		log_warn("uapi get %s", ifname);
		goto out;
	}
	if (uapi_parse_get(b.p, b.len, dev, &err_no) == -1) {
		log_warnx("uapi get %s: malformed reply", ifname);
		wg_device_clear(dev);
		goto out;
	}
	if (err_no != 0) {
		errno = err_no;
		log_warn("uapi get %s: daemon says errno=%d", ifname, err_no);
		wg_device_clear(dev);
		goto out;
	}
	snprintf(dev->ifname, sizeof(dev->ifname), "%s", ifname);
	rc = 0;
out:
	uapi_buf_free(&b);
	close(fd);
	return rc;
}

int
uapi_set(const struct wg_device *dev)
{
	struct uapi_buf req = { 0 }, rep = { 0 };
	int fd, err_no, rc = -1;

	if (uapi_encode_set(dev, &req) == -1) {
		log_warnx("uapi set %s: out of memory", dev->ifname);
		return -1;
	}
	if ((fd = uapi_connect(dev->ifname)) == -1) {
		log_warn("uapi set %s: connect", dev->ifname);
		uapi_buf_free(&req);
		return -1;
	}
	if (write_all(fd, req.p, req.len) == -1 ||
	    read_reply(fd, &rep) == -1) {
		log_warn("uapi set %s", dev->ifname);
		goto out;
	}
	if (uapi_parse_errno(rep.p, rep.len, &err_no) == -1) {
		log_warnx("uapi set %s: malformed reply", dev->ifname);
		goto out;
	}
	if (err_no != 0) {
		errno = err_no;
		log_warnx("uapi set %s: daemon refused the change, errno=%d",
		    dev->ifname, err_no);
		goto out;
	}
	rc = 0;
out:
	uapi_buf_free(&req);
	uapi_buf_free(&rep);
	close(fd);
	return rc;
}

int
uapi_list(char (*names)[IFNAMSIZ], size_t max, size_t *n)
{
	DIR *d;
	struct dirent *de;

	*n = 0;
	if ((d = opendir(UAPI_DIR)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char name[IFNAMSIZ];

		if (l <= 5 || strcmp(de->d_name + l - 5, ".sock") != 0 ||
		    l - 5 >= IFNAMSIZ)
			continue;
		memcpy(name, de->d_name, l - 5);
		name[l - 5] = '\0';
		if (!uapi_exists(name) || *n >= max)
			continue;
		memcpy(names[(*n)++], name, IFNAMSIZ);
	}
	closedir(d);
	return 0;
}
