/*
 * replace.c — see replace.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/replace.h"

/* The directory holding path, synced: the rename in it is durable. */
static int
sync_dir(const char *path)
{
	char d[4096];
	int fd, rc;

	if (snprintf(d, sizeof d, "%s", path) >= (int)sizeof d) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
file_replace(const char *path, const void *buf, size_t len)
{
	char tmp[4096];
	int fd, e;

	if (snprintf(tmp, sizeof tmp, "%s.newXXXXXX", path) >=
	    (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)	/* mode 0600 */
		return -1;
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) == -1) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return sync_dir(path);
}
