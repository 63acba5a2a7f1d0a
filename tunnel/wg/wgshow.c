/*
 * wgshow.c — device printers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tunnel/wg/key.h"
#include "base/keyfile.h"
#include "tunnel/wg/wgshow.h"

static void
bytes_text(FILE *f, uint64_t b)
{
	static const char *unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	int u = -1;

	if (b < 1024) {
		fprintf(f, "%" PRIu64 " B", b);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	fprintf(f, "%.2f %s", v, unit[u]);
}

void
wg_show_text(FILE *f, const struct wg_device *dev, enum wg_backend be,
    time_t now)
{
	char b64[WG_KEY_B64_LEN], txt[96];
	size_t i, j;

	fprintf(f, "interface: %s\n", dev->ifname);
	fprintf(f, "  backend: %s\n", be == WG_BACKEND_UAPI ?
	    "userspace (UAPI socket)" : "kernel (netlink)");
	if (dev->flags & WG_DEV_HAS_PUBLIC_KEY) {
		key_to_base64(b64, dev->public_key);
		fprintf(f, "  public key: %s\n", b64);
	}
	if (dev->flags & WG_DEV_HAS_PRIVATE_KEY)
		fprintf(f, "  private key: (hidden)\n");
	if (dev->listen_port)
		fprintf(f, "  listening port: %u\n", dev->listen_port);
	if (dev->fwmark)
		fprintf(f, "  fwmark: 0x%" PRIx32 "\n", dev->fwmark);
	for (i = 0; i < dev->npeers; i++) {
		const struct wg_peer *p = &dev->peers[i];

		key_to_base64(b64, p->public_key);
		fprintf(f, "\npeer: %s\n", b64);
		if (p->flags & WG_PEER_HAS_PSK)
			fprintf(f, "  preshared key: (hidden)\n");
		if (p->endpoint.sa.sa_family != 0 &&
		    wg_endpoint_fmt(&p->endpoint, txt, sizeof(txt)) == 0)
			fprintf(f, "  endpoint: %s\n", txt);
		fprintf(f, "  allowed ips: ");
		if (p->naips == 0)
			fprintf(f, "(none)");
		for (j = 0; j < p->naips; j++)
			if (wg_aip_fmt(&p->aips[j], txt, sizeof(txt)) == 0)
				fprintf(f, "%s%s", j ? ", " : "", txt);
		fprintf(f, "\n");
		if (p->last_handshake_sec > 0)
			fprintf(f, "  latest handshake: %lld s ago\n",
			    (long long)(now - p->last_handshake_sec));
		else
			fprintf(f, "  latest handshake: never\n");
		fprintf(f, "  transfer: ");
		bytes_text(f, p->rx_bytes);
		fprintf(f, " received, ");
		bytes_text(f, p->tx_bytes);
		fprintf(f, " sent\n");
		if (p->keepalive)
			fprintf(f, "  persistent keepalive: every %u s\n",
			    p->keepalive);
		else
			fprintf(f, "  persistent keepalive: off\n");
	}
}

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

void
wg_show_json(FILE *f, const struct wg_device *dev, enum wg_backend be,
    time_t now)
{
	char b64[WG_KEY_B64_LEN], txt[96];
	size_t i, j;

	fprintf(f, "{\"name\":");
	json_str(f, dev->ifname);
	fprintf(f, ",\"backend\":\"%s\"", be == WG_BACKEND_UAPI ?
	    "userspace" : "kernel");
	if (dev->flags & WG_DEV_HAS_PUBLIC_KEY) {
		key_to_base64(b64, dev->public_key);
		fprintf(f, ",\"public_key\":\"%s\"", b64);
	} else {
		fprintf(f, ",\"public_key\":null");
	}
	fprintf(f, ",\"listen_port\":%u,\"fwmark\":%" PRIu32 ",\"peers\":[",
	    dev->listen_port, dev->fwmark);
	for (i = 0; i < dev->npeers; i++) {
		const struct wg_peer *p = &dev->peers[i];

		key_to_base64(b64, p->public_key);
		fprintf(f, "%s{\"public_key\":\"%s\",\"preshared_key\":%s,"
		    "\"endpoint\":", i ? "," : "", b64,
		    (p->flags & WG_PEER_HAS_PSK) ? "true" : "false");
		if (p->endpoint.sa.sa_family != 0 &&
		    wg_endpoint_fmt(&p->endpoint, txt, sizeof(txt)) == 0)
			json_str(f, txt);
		else
			fprintf(f, "null");
		fprintf(f, ",\"allowed_ips\":[");
		for (j = 0; j < p->naips; j++)
			if (wg_aip_fmt(&p->aips[j], txt, sizeof(txt)) == 0)
				fprintf(f, "%s\"%s\"", j ? "," : "", txt);
		fprintf(f, "],\"latest_handshake\":%lld,\"handshake_age_s\":",
		    (long long)p->last_handshake_sec);
		if (p->last_handshake_sec > 0)
			fprintf(f, "%lld",
			    (long long)(now - p->last_handshake_sec));
		else
			fprintf(f, "null");
		fprintf(f, ",\"rx_bytes\":%" PRIu64 ",\"tx_bytes\":%" PRIu64
		    ",\"persistent_keepalive\":%u}", p->rx_bytes, p->tx_bytes,
		    p->keepalive);
	}
	fprintf(f, "]}");
}
