/*
 * safimport.c — `gatewayctl saf import NAME` in the daemon: the export
 * file StateDirectory/import/NAME (gateway/standin/safxfer.h) read whole
 * and queued for the core, then renamed NAME.done.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/log.h"
#include "gateway/config.h"
#include "gateway/safimport.h"
#include "gateway/standin/standin.h"

#define IMPORT_MAX	(256u << 20)

static int
import_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n < 128 && name[0] != '.' && strspn(name,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") == n;
}

/* The whole of path into a new buffer (*len), or NULL with msg. */
static uint8_t *
slurp(const char *path, size_t *len, char *msg, size_t cap)
{
	struct stat sb;
	uint8_t *buf = NULL;
	ssize_t r;
	size_t off = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1 ||
	    fstat(fd, &sb) == -1) {
		snprintf(msg, cap, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > IMPORT_MAX) {
		snprintf(msg, cap, "%s: not a regular file of at most %u "
		    "bytes", path, IMPORT_MAX);
		goto fail;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		snprintf(msg, cap, "out of memory");
		goto fail;
	}
	while (off < (size_t)sb.st_size &&
	    (r = read(fd, buf + off, (size_t)sb.st_size - off)) > 0)
		off += (size_t)r;
	if (off != (size_t)sb.st_size) {
		snprintf(msg, cap, "%s: short read", path);
		goto fail;
	}
	close(fd);
	*len = off;
	return buf;
fail:
	if (fd != -1)
		close(fd);
	free(buf);
	return NULL;
}

int
saf_import_file(const char *state_dir, const struct seal_keyring *ring,
    const char *name, char *msg, size_t cap)
{
	char path[CFG_PATH_MAX + 160], done[CFG_PATH_MAX + 170], err[200];
	uint8_t *buf;
	size_t len;
	long n;

	if (!import_name_ok(name)) {
		snprintf(msg, cap, "want a file name in %s/import/", state_dir);
		return -1;
	}
	snprintf(path, sizeof path, "%s/import/%s", state_dir, name);
	if ((buf = slurp(path, &len, msg, cap)) == NULL)
		return -1;
	n = standin_saf_import(buf, len, ring, err, sizeof err);
	sodium_memzero(buf, len);
	free(buf);
	if (n < 0) {
		snprintf(msg, cap, "%s: %s (nothing imported)", path, err);
		return -1;
	}
	/* Once queued it is not imported twice by mistake; the core's
	 * deduplication would take a second import all the same. */
	snprintf(done, sizeof done, "%s.done", path);
	if (rename(path, done) == -1)
		log_warn("event=saf_import_rename path=%s", path);
	snprintf(msg, cap, "%s: %ld advices queued for the core (durable "
	    "when logged: event=saf_imported)", path, n);
	return 0;
}
