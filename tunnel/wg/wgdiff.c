/*
 * wgdiff.c — the smallest set request from one device state to another.
 * Used by tunnel sync (file -> running device) and by rollback
 * (half-applied device -> snapshot taken before).
 */
#include <string.h>

#include <sodium.h>

#include "tunnel/wg/wgctl.h"

/* Same allowed IPs, in any order?  (Each list has no duplicates.) */
static int
aips_same(const struct wg_peer *a, const struct wg_peer *b)
{
	size_t i, j;

	if (a->naips != b->naips)
		return 0;
	for (i = 0; i < a->naips; i++) {
		for (j = 0; j < b->naips; j++)
			if (wg_aip_equal(&a->aips[i], &b->aips[j]))
				break;
		if (j == b->naips)
			return 0;
	}
	return 1;
}

static int
add_full_peer(struct wg_device *out, const struct wg_peer *w)
{
	struct wg_peer *p = wg_device_add_peer(out);
	size_t i;

	if (p == NULL)
		return -1;
	memcpy(p->public_key, w->public_key, WG_KEY_LEN);
	p->flags = WG_PEER_REPLACE_ALLOWEDIPS | WG_PEER_HAS_KEEPALIVE |
	    (w->flags & (WG_PEER_HAS_PSK | WG_PEER_HAS_ENDPOINT));
	memcpy(p->preshared_key, w->preshared_key, WG_KEY_LEN);
	p->endpoint = w->endpoint;
	p->keepalive = w->keepalive;
	for (i = 0; i < w->naips; i++)
		if (wg_peer_add_aip(p, &w->aips[i]) == -1)
			return -1;
	return 0;
}

/* Changed fields of a peer both sides have; 1 if any, 0 none, -1. */
static int
diff_peer(struct wg_device *out, const struct wg_peer *c,
    const struct wg_peer *w)
{
	struct wg_peer d;
	const uint8_t *cpsk = (c->flags & WG_PEER_HAS_PSK) ? c->preshared_key :
	    NULL;
	const uint8_t *wpsk = (w->flags & WG_PEER_HAS_PSK) ? w->preshared_key :
	    NULL;
	struct wg_peer *p;
	size_t i;

	memset(&d, 0, sizeof(d));
	memcpy(d.public_key, w->public_key, WG_KEY_LEN);
	/* Never create a peer that vanished since we looked. */
	d.flags = WG_PEER_UPDATE_ONLY;
	if ((cpsk == NULL) != (wpsk == NULL) || (cpsk != NULL &&
	    sodium_memcmp(cpsk, wpsk, WG_KEY_LEN) != 0)) {
		d.flags |= WG_PEER_HAS_PSK;	/* zeros remove it */
		if (wpsk != NULL)
			memcpy(d.preshared_key, wpsk, WG_KEY_LEN);
	}
	/* An endpoint the file does not name is the peer's to roam. */
	if ((w->flags & WG_PEER_HAS_ENDPOINT) &&
	    !wg_endpoint_equal(&c->endpoint, &w->endpoint)) {
		d.flags |= WG_PEER_HAS_ENDPOINT;
		d.endpoint = w->endpoint;
	}
	if (c->keepalive != w->keepalive) {
		d.flags |= WG_PEER_HAS_KEEPALIVE;
		d.keepalive = w->keepalive;
	}
	if (!aips_same(c, w))
		d.flags |= WG_PEER_REPLACE_ALLOWEDIPS;
	if (d.flags == WG_PEER_UPDATE_ONLY) {
		sodium_memzero(&d, sizeof(d));
		return 0;
	}
	if ((p = wg_device_add_peer(out)) == NULL)
		return -1;
	*p = d;
	sodium_memzero(&d, sizeof(d));
	if (p->flags & WG_PEER_REPLACE_ALLOWEDIPS)
		for (i = 0; i < w->naips; i++)
			if (wg_peer_add_aip(p, &w->aips[i]) == -1)
				return -1;
	return 1;
}

int
wg_diff(const struct wg_device *cur, const struct wg_device *want,
    struct wg_device *out)
{
	int changes = 0, r;
	size_t i;

	memset(out, 0, sizeof(*out));
	memcpy(out->ifname, want->ifname[0] ? want->ifname : cur->ifname,
	    IFNAMSIZ);
	if (want->flags & WG_DEV_HAS_PRIVATE_KEY) {
		if (!(cur->flags & WG_DEV_HAS_PRIVATE_KEY) ||
		    sodium_memcmp(cur->private_key, want->private_key,
		    WG_KEY_LEN) != 0) {
			out->flags |= WG_DEV_HAS_PRIVATE_KEY;
			memcpy(out->private_key, want->private_key, WG_KEY_LEN);
			changes++;
		}
	} else if (cur->flags & WG_DEV_HAS_PRIVATE_KEY) {
		out->flags |= WG_DEV_HAS_PRIVATE_KEY;	/* zeros: remove */
		changes++;
	}
	/* No ListenPort in the file keeps the port the device has: a new
	 * random port would strand peers that know the old one. */
	if ((want->flags & WG_DEV_HAS_LISTEN_PORT) &&
	    cur->listen_port != want->listen_port) {
		out->flags |= WG_DEV_HAS_LISTEN_PORT;
		out->listen_port = want->listen_port;
		changes++;
	}
	if (cur->fwmark != want->fwmark) {
		out->flags |= WG_DEV_HAS_FWMARK;
		out->fwmark = want->fwmark;
		changes++;
	}
	for (i = 0; i < cur->npeers; i++) {
		struct wg_peer *p;

		if (wg_device_find_peer(want, cur->peers[i].public_key))
			continue;
		if ((p = wg_device_add_peer(out)) == NULL)
			goto fail;
		memcpy(p->public_key, cur->peers[i].public_key, WG_KEY_LEN);
		p->flags = WG_PEER_REMOVE_ME;
		changes++;
	}
	for (i = 0; i < want->npeers; i++) {
		const struct wg_peer *c = wg_device_find_peer(cur,
		    want->peers[i].public_key);

		if (c == NULL) {
			if (add_full_peer(out, &want->peers[i]) == -1)
				goto fail;
			changes++;
			continue;
		}
		if ((r = diff_peer(out, c, &want->peers[i])) == -1)
			goto fail;
		changes += r;
	}
	return changes;
fail:
	wg_device_clear(out);
	return -1;
}
