/* secretfile.c — see secretfile.h. */
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/secretfile.h"

int
secret_fd_ok(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	/* Write access for others matters as much as read: whoever can
	 * replace the key owns the tunnel. */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "%s: holds a key but mode %04o gives "
		    "group or others access; run chmod 600 %s", path,
		    (unsigned int)(st.st_mode & 07777), path);
		return -1;
	}
	return 0;
}
