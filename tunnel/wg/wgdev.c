/*
 * wgdev.c — helpers on the data model: growth, lookup, copy, text forms.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/wg/wg.h"

/* Grow an array by doubling; callers keep (ptr, n, cap). */
static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / elem) {
		errno = ENOMEM;
		return -1;
	}
	np = realloc(*p, ncap * elem);
	if (np == NULL)
		return -1;
	memset((char *)np + *cap * elem, 0, (ncap - *cap) * elem);
	*p = np;
	*cap = ncap;
	return 0;
}

struct wg_peer *
wg_device_add_peer(struct wg_device *dev)
{
	struct wg_peer *p;

	/* Peers hold key material: realloc may leave a copy behind, so grow
	 * by hand and wipe the old block. */
	if (dev->npeers + 1 > dev->peers_cap) {
		size_t ncap = dev->peers_cap ? dev->peers_cap * 2 : 4;
		struct wg_peer *np;

		if (ncap > SIZE_MAX / sizeof(*np))
			return NULL;
		np = calloc(ncap, sizeof(*np));
		if (np == NULL)
			return NULL;
		if (dev->peers != NULL) {
			memcpy(np, dev->peers, dev->npeers * sizeof(*np));
			sodium_memzero(dev->peers,
			    dev->peers_cap * sizeof(*np));
			free(dev->peers);
		}
		dev->peers = np;
		dev->peers_cap = ncap;
	}
	p = &dev->peers[dev->npeers++];
	memset(p, 0, sizeof(*p));
	return p;
}

int
wg_peer_add_aip(struct wg_peer *p, const struct wg_allowedip *a)
{
	if (grow((void **)&p->aips, &p->aips_cap, p->naips + 1,
	    sizeof(*p->aips)) == -1)
		return -1;
	p->aips[p->naips++] = *a;
	return 0;
}

struct wg_peer *
wg_device_find_peer(const struct wg_device *dev, const uint8_t key[WG_KEY_LEN])
{
	size_t i;

	for (i = 0; i < dev->npeers; i++)
		if (sodium_memcmp(dev->peers[i].public_key, key,
		    WG_KEY_LEN) == 0)
			return &dev->peers[i];
	return NULL;
}

void
wg_device_clear(struct wg_device *dev)
{
	size_t i;

	for (i = 0; i < dev->npeers; i++)
		free(dev->peers[i].aips);
	if (dev->peers != NULL) {
		sodium_memzero(dev->peers, dev->peers_cap * sizeof(*dev->peers));
		free(dev->peers);
	}
	sodium_memzero(dev, sizeof(*dev));
}

int
wg_device_copy(struct wg_device *dst, const struct wg_device *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	memcpy(dst->ifname, src->ifname, sizeof(dst->ifname));
	dst->ifindex = src->ifindex;
	dst->flags = src->flags;
	memcpy(dst->private_key, src->private_key, WG_KEY_LEN);
	memcpy(dst->public_key, src->public_key, WG_KEY_LEN);
	dst->listen_port = src->listen_port;
	dst->fwmark = src->fwmark;
	for (i = 0; i < src->npeers; i++) {
		struct wg_peer *p = wg_device_add_peer(dst);
		size_t j;

		if (p == NULL)
			goto fail;
		*p = src->peers[i];
		p->aips = NULL;
		p->naips = p->aips_cap = 0;
		for (j = 0; j < src->peers[i].naips; j++)
			if (wg_peer_add_aip(p, &src->peers[i].aips[j]) == -1)
				goto fail;
	}
	return 0;
fail:
	wg_device_clear(dst);
	return -1;
}

int
wg_aip_equal(const struct wg_allowedip *a, const struct wg_allowedip *b)
{
	if (a->family != b->family || a->cidr != b->cidr)
		return 0;
	if (a->family == AF_INET)
		return a->ip4.s_addr == b->ip4.s_addr;
	return memcmp(&a->ip6, &b->ip6, sizeof(a->ip6)) == 0;
}

int
wg_endpoint_equal(const union wg_endpoint *a, const union wg_endpoint *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return 0;
	switch (a->sa.sa_family) {
	case AF_INET:
		return a->sin.sin_port == b->sin.sin_port &&
		    a->sin.sin_addr.s_addr == b->sin.sin_addr.s_addr;
	case AF_INET6:
		return a->sin6.sin6_port == b->sin6.sin6_port &&
		    a->sin6.sin6_scope_id == b->sin6.sin6_scope_id &&
		    memcmp(&a->sin6.sin6_addr, &b->sin6.sin6_addr,
		    sizeof(a->sin6.sin6_addr)) == 0;
	default:
		return 1;	/* both unset */
	}
}

/* Same rule as wg-quick: what a file basename may name. */
int
wg_ifname_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= IFNAMSIZ || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("_=+.-", s[i])))
			return 0;
	return 1;
}

int
wg_aip_fmt(const struct wg_allowedip *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	int n;

	if (inet_ntop(a->family, &a->ip6, ip, sizeof(ip)) == NULL)
		return -1;
	n = snprintf(buf, len, "%s/%u", ip, a->cidr);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
wg_endpoint_fmt(const union wg_endpoint *e, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	int n;

	switch (e->sa.sa_family) {
	case AF_INET:
		if (inet_ntop(AF_INET, &e->sin.sin_addr, ip, sizeof(ip)) == NULL)
			return -1;
		n = snprintf(buf, len, "%s:%u", ip, ntohs(e->sin.sin_port));
		break;
	case AF_INET6:
		if (inet_ntop(AF_INET6, &e->sin6.sin6_addr, ip,
		    sizeof(ip)) == NULL)
			return -1;
		if (e->sin6.sin6_scope_id != 0)
			n = snprintf(buf, len, "[%s%%%u]:%u", ip,
			    e->sin6.sin6_scope_id, ntohs(e->sin6.sin6_port));
		else
			n = snprintf(buf, len, "[%s]:%u", ip,
			    ntohs(e->sin6.sin6_port));
		break;
	default:
		n = snprintf(buf, len, "(none)");
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
wg_aip_parse(const char *s, struct wg_allowedip *a)
{
	char ip[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t iplen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long cidr;
	char *end;

	memset(a, 0, sizeof(*a));
	if (iplen == 0 || iplen >= sizeof(ip))
		return -1;
	memcpy(ip, s, iplen);
	ip[iplen] = '\0';
	if (inet_pton(AF_INET, ip, &a->ip4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &a->ip6) == 1)
		a->family = AF_INET6;
	else
		return -1;
	if (slash == NULL) {
		a->cidr = a->family == AF_INET ? 32 : 128;
		return 0;
	}
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	errno = 0;
	cidr = strtoul(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' ||
	    cidr > (a->family == AF_INET ? 32UL : 128UL))
		return -1;
	a->cidr = (uint8_t)cidr;
	return 0;
}

int
wg_aip_has_host_bits(const struct wg_allowedip *a)
{
	const uint8_t *b = (const uint8_t *)&a->ip6;
	unsigned int bits = a->family == AF_INET ? 32 : 128, i;

	for (i = a->cidr; i < bits; i++)
		if (b[i / 8] & (0x80 >> (i % 8)))
			return 1;
	return 0;
}
