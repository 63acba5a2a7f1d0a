/*
 * secretfile.h — the one check for files that hold keys (WireGuard and
 * core keys, the state key, the LMK and its passphrase).
 */
#ifndef BASE_SECRETFILE_H
#define BASE_SECRETFILE_H

#include <stddef.h>

/*
 * A secret file must be a regular file that neither group nor others can
 * read or write.  Checks an open descriptor (no race with a rename) and
 * writes a one-line reason into err.  0 fine, -1 refused.
 */
int	secret_fd_ok(int fd, const char *path, char *err, size_t errlen);

#endif
