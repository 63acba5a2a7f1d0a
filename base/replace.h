/*
 * replace.h — a small file replaced whole and durably: written to a new
 * file beside it (mode 0600), synced, renamed over, and the directory
 * synced, so a power loss leaves the old content or the new, and never
 * brings the old back after the new was said to be kept.
 */
#ifndef BASE_REPLACE_H
#define BASE_REPLACE_H

#include <stddef.h>

/* 0, or -1 with errno (nothing replaced, no temporary file left). */
int	file_replace(const char *path, const void *buf, size_t len);

#endif
