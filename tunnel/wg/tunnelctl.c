/*
 * tunnelctl.c — gatewayctl tunnel up|down|sync|show, genkey, pubkey.
 */
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/log.h"
#include "base/keyfile.h"
#include "tunnel/wg/key.h"
#include "tunnel/wg/tunnelctl.h"
#include "tunnel/wg/wgapply.h"
#include "tunnel/wg/wgconf.h"
#include "tunnel/wg/wgshow.h"

#define MAX_DEVICES	256

void
tunnelctl_usage(FILE *f)
{
	fprintf(f,
	    "  tunnel up FILE          create/configure IFACE from FILE "
	    "(IFACE.conf)\n"
	    "  tunnel sync FILE        apply only what changed in FILE\n"
	    "  tunnel down IFACE       remove the tunnel\n"
	    "  tunnel show [IFACE] [--json]\n"
	    "  genkey                  new private key (base64) on stdout\n"
	    "  pubkey                  public key of the private key on "
	    "stdin\n");
}

static int
load(const char *path, struct wg_config *cfg)
{
	char err[1024];

	if (wg_config_load(cfg, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "gatewayctl: %s\n", err);
		return -1;
	}
	return 0;
}

static void
report(const char *verb, const struct wg_config *cfg,
    const struct tunnel_result *r)
{
	printf("%s: %s (%s%s): %zu peer(s), addresses +%u -%u, routes +%u "
	    "-%u", cfg->ifname, verb, wg_backend_name(r->backend),
	    r->created ? ", created" : "", cfg->dev.npeers, r->addrs_added,
	    r->addrs_removed, r->routes_added, r->routes_removed);
	if (strcmp(verb, "synced") == 0)
		printf(", %d WireGuard change(s)", r->wg_changes);
	printf(" in %.2f ms\n", r->ms);
}

static int
cmd_up_sync(const char *path, int sync)
{
	struct wg_config cfg;
	struct tunnel_result r;
	int rc;

	if (load(path, &cfg) == -1)
		return 1;
	rc = sync ? tunnel_sync(&cfg, &r) : tunnel_up(&cfg, &r);
	if (rc == 0)
		report(sync ? "synced" : "up", &cfg, &r);
	else
		fprintf(stderr, "gatewayctl: tunnel %s %s: failed, previous "
		    "state kept (see messages above)\n", sync ? "sync" : "up",
		    cfg.ifname);
	wg_config_free(&cfg);
	return rc == 0 ? 0 : 1;
}

static int
cmd_down(const char *ifname)
{
	struct tunnel_result r;

	if (!wg_ifname_valid(ifname)) {
		fprintf(stderr, "gatewayctl: '%s': not an interface name\n",
		    ifname);
		return 1;
	}
	if (tunnel_down(ifname, &r) == -1) {
		fprintf(stderr, "gatewayctl: tunnel down %s: failed\n", ifname);
		return 1;
	}
	printf("%s: down (%s) in %.2f ms\n", ifname,
	    wg_backend_name(r.backend), r.ms);
	return 0;
}

static int
cmd_show(const char *ifname, int json)
{
	char (*names)[IFNAMSIZ] = NULL;
	size_t n = 0, i, shown = 0;
	time_t now = time(NULL);
	int rc = 0;

	if (ifname != NULL) {
		if (!wg_ifname_valid(ifname)) {
			fprintf(stderr, "gatewayctl: '%s': not an interface "
			    "name\n", ifname);
			return 1;
		}
		n = 1;
	} else {
		if ((names = calloc(MAX_DEVICES, IFNAMSIZ)) == NULL ||
		    wg_list(names, MAX_DEVICES, &n) == -1) {
			log_warn("list devices");
			free(names);
			return 1;
		}
	}
	if (json)
		printf("{\"interfaces\":[");
	for (i = 0; i < n; i++) {
		const char *name = ifname ? ifname : names[i];
		struct wg_device dev;

		if (wg_get(name, &dev) == -1) {
			fprintf(stderr, "gatewayctl: %s: cannot read the "
			    "device\n", name);
			rc = 1;
			continue;
		}
		if (json) {
			if (shown)
				putchar(',');
			wg_show_json(stdout, &dev, wg_backend_of(name), now);
		} else {
			if (shown)
				putchar('\n');
			wg_show_text(stdout, &dev, wg_backend_of(name), now);
		}
		shown++;
		wg_device_clear(&dev);
	}
	if (json)
		printf("]}\n");
	free(names);
	return rc;
}

int
tunnelctl_main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "up") == 0 && argc == 3)
		return cmd_up_sync(argv[2], 0);
	if (argc >= 2 && strcmp(argv[1], "sync") == 0 && argc == 3)
		return cmd_up_sync(argv[2], 1);
	if (argc >= 2 && strcmp(argv[1], "down") == 0 && argc == 3)
		return cmd_down(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "show") == 0 && argc <= 4) {
		const char *ifname = NULL;
		int json = 0, i;

		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--json") == 0)
				json = 1;
			else if (ifname == NULL && argv[i][0] != '-')
				ifname = argv[i];
			else
				goto usage;
		}
		return cmd_show(ifname, json);
	}
usage:
	fprintf(stderr, "usage:\n");
	tunnelctl_usage(stderr);
	return 2;
}

int
tunnelctl_genkey(int argc, char **argv)
{
	uint8_t key[WG_KEY_LEN];
	char b64[WG_KEY_B64_LEN];
	struct stat st;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: gatewayctl genkey > FILE\n");
		return 2;
	}
	/* Same warning as wg genkey: a key should not land where others
	 * can read it. */
	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)))
		fprintf(stderr, "Warning: writing private key to a file "
		    "accessible by group or others (mode %04o); gatewayctl "
		    "tunnel up will refuse it\n",
		    (unsigned int)(st.st_mode & 07777));
	if (wg_key_generate(key) == -1) {
		fprintf(stderr, "gatewayctl: genkey: libsodium failed\n");
		return 1;
	}
	key_to_base64(b64, key);
	printf("%s\n", b64);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(b64, sizeof(b64));
	return fflush(stdout) == 0 ? 0 : 1;
}

int
tunnelctl_pubkey(int argc, char **argv)
{
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	char line[256], b64[WG_KEY_B64_LEN];
	size_t n;
	int rc = 1;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: gatewayctl pubkey < PRIVATE_KEY\n");
		return 2;
	}
	n = fread(line, 1, sizeof(line) - 1, stdin);
	line[n] = '\0';
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
	    line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = '\0';
	if (key_from_base64(priv, line, strlen(line)) == -1) {
		fprintf(stderr, "gatewayctl: pubkey: stdin is not a base64 "
		    "WireGuard key (44 characters ending in '=')\n");
		goto out;
	}
	if (wg_key_public(pub, priv) == -1) {
		fprintf(stderr, "gatewayctl: pubkey: libsodium failed\n");
		goto out;
	}
	key_to_base64(b64, pub);
	printf("%s\n", b64);
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	sodium_memzero(line, sizeof(line));
	sodium_memzero(priv, sizeof(priv));
	return rc;
}
