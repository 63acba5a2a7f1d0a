/*
 * safctl.c — `gatewayctl saf export|import` (ARCHITECTURE section 13): a
 * dead appliance's advice queue moved by hand to a live one, the last
 * resort when its peer could not take it over (the pair link was down
 * too, or the appliance had no peer).
 *
 *   export -f CONF FILE   reads the store of the stopped appliance CONF
 *                         describes (its StateDirectory, StateKeyFile)
 *                         and writes every advice the core has not
 *                         acknowledged into FILE, sealed under its
 *                         [Pair] KeyFile (gateway/standin/safxfer.h)
 *   import FILE           copies FILE into the running appliance's
 *                         StateDirectory/import/ and has it queue them
 *
 * The core deduplicates by (gateway, advice id): an advice delivered
 * before, or by both, still has one effect.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "gateway/config.h"
#include "gateway/ctlclient.h"
#include "gateway/standin/safxfer.h"

int
safctl_export(int argc, char **argv)
{
	struct config *c;
	char err[512];
	FILE *f;
	long n;
	int fd;

	if (argc != 4 || strcmp(argv[1], "-f") != 0) {
		fprintf(stderr, "usage: gatewayctl saf export -f CONF FILE\n"
		    "  CONF: the stopped appliance's gatewayd.conf\n");
		return 2;
	}
	if ((c = config_load(argv[2], 0, err, sizeof err)) == NULL) {
		fprintf(stderr, "gatewayctl: %s\n", err);
		return 1;
	}
	if (c->pair == NULL || c->state_key[0] == '\0') {
		fprintf(stderr, "gatewayctl: %s: an export needs [Pair] "
		    "KeyFile (to seal it) and StateKeyFile (to read the "
		    "store)\n", argv[2]);
		config_free(c);
		return 1;
	}
	/* A new file only, readable by its owner: it holds PANs, sealed. */
	if ((fd = open(argv[3], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "gatewayctl: %s: %s\n", argv[3],
		    strerror(errno));
		if (fd != -1)
			close(fd);
		config_free(c);
		return 1;
	}
	n = safx_export(c->state_dir, c->state_key, &c->pair->keys, f, err,
	    sizeof err);
	if (fclose(f) != 0 && n >= 0) {
		snprintf(err, sizeof err, "%s", strerror(errno));
		n = -1;
	}
	if (n < 0) {
		fprintf(stderr, "gatewayctl: export from %s: %s\n",
		    c->state_dir, err);
		unlink(argv[3]);
		config_free(c);
		return 1;
	}
	printf("exported %ld advices of %s from %s to %s\n", n, c->name,
	    c->state_dir, argv[3]);
	config_free(c);
	return 0;
}

/* The running appliance's StateDirectory, as `saf --json` says it. */
static int
state_dir(const char *sock, char *out, size_t cap)
{
	static char buf[16384];
	json_t *j, *d;
	int rv = -1;

	if (ctlclient_ask(sock, "saf --json", buf, sizeof buf) <= 0)
		return -1;
	if ((j = json_loads(buf, 0, NULL)) != NULL &&
	    (d = json_object_get(j, "state_dir")) != NULL &&
	    json_is_string(d) && json_string_length(d) > 0 &&
	    json_string_length(d) < cap) {
		snprintf(out, cap, "%s", json_string_value(d));
		rv = 0;
	} else
		fprintf(stderr, "gatewayctl: no state directory in the "
		    "daemon's answer (no store?)\n");
	json_decref(j);
	return rv;
}

/* src into dir/NAME (a new file, owned like dir): 0, or -1 (said). */
static int
copy_in(const char *src, const char *dir, const char *name)
{
	char dst[4096], buf[65536];
	struct stat sb;
	ssize_t r;
	int in, out = -1, rv = -1;

	if (stat(dir, &sb) == -1 ||
	    snprintf(dst, sizeof dst, "%s/%s", dir, name) >= (int)sizeof dst) {
		fprintf(stderr, "gatewayctl: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1) {
		fprintf(stderr, "gatewayctl: %s: %s\n", in == -1 ? src : dst,
		    strerror(errno));
		goto out;
	}
	while ((r = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)r) != r)
			break;
	if (r != 0 || fsync(out) == -1 ||
	    fchown(out, sb.st_uid, sb.st_gid) == -1) {
		fprintf(stderr, "gatewayctl: copying to %s: %s\n", dst,
		    strerror(errno));
		unlink(dst);
		goto out;
	}
	rv = 0;
out:
	if (in != -1)
		close(in);
	if (out != -1)
		close(out);
	return rv;
}

int
safctl_import(const char *sock, int argc, char **argv)
{
	char dir[3900], imp[4000], cmd[300], ans[1024];
	const char *name;
	struct stat sb;

	if (argc != 2) {
		fprintf(stderr, "usage: gatewayctl [-s SOCKET] saf import "
		    "FILE\n  FILE: from gatewayctl saf export\n");
		return 2;
	}
	name = strrchr(argv[1], '/') != NULL ? strrchr(argv[1], '/') + 1 :
	    argv[1];
	if (state_dir(sock, dir, sizeof dir) == -1)
		return 1;
	snprintf(imp, sizeof imp, "%s/import", dir);
	if (stat(dir, &sb) == -1 || (mkdir(imp, 0700) == -1 &&
	    errno != EEXIST) || chown(imp, sb.st_uid, sb.st_gid) == -1) {
		fprintf(stderr, "gatewayctl: %s: %s\n", imp, strerror(errno));
		return 1;
	}
	if (copy_in(argv[1], imp, name) == -1)
		return 1;
	if (snprintf(cmd, sizeof cmd, "saf import %s", name) >=
	    (int)sizeof cmd || ctlclient_ask(sock, cmd, ans, sizeof ans) < 0)
		return 1;
	fputs(ans, stdout);
	return strncmp(ans, "error:", 6) == 0 ? 1 : 0;
}
