/*
 * keyfile.c — base64 keys and the files that hold them.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/keyfile.h"
#include "base/secretfile.h"

int
key_from_base64(uint8_t key[KEY_LEN], const char *s, size_t len)
{
	uint8_t tmp[KEY_LEN + 4];
	const char *end;
	size_t n = 0;
	int rv = -1;

	/* The library refuses non-canonical trailing bits for us. */
	if (len != KEY_B64_LEN - 1 || s[len - 1] != '=' || sodium_init() < 0)
		return -1;
	if (sodium_base642bin(tmp, sizeof tmp, s, len, NULL, &n, &end,
	    sodium_base64_VARIANT_ORIGINAL) == 0 && n == KEY_LEN &&
	    end == s + len) {
		memcpy(key, tmp, KEY_LEN);
		rv = 0;
	}
	sodium_memzero(tmp, sizeof tmp);
	return rv;
}

void
key_to_base64(char out[KEY_B64_LEN], const uint8_t key[KEY_LEN])
{
	sodium_bin2base64(out, KEY_B64_LEN, key, KEY_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
}

int
keyfile_read(uint8_t key[KEY_LEN], const char *path, char *err,
    size_t errsz)
{
	char buf[128];
	size_t len = 0, off = 0;
	ssize_t n;
	int fd, rv = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (secret_fd_ok(fd, path, err, errsz) == -1) {
		close(fd);
		return -1;
	}
	while (len < sizeof buf - 1 &&
	    (n = read(fd, buf + len, sizeof buf - 1 - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	while (off < len && isspace((unsigned char)buf[off]))
		off++;
	while (len > off && isspace((unsigned char)buf[len - 1]))
		len--;
	if (key_from_base64(key, buf + off, len - off) == -1)
		snprintf(err, errsz, "%s: not a base64 32-byte key (44 "
		    "characters ending in '=')", path);
	else
		rv = 0;
out:
	close(fd);
	sodium_memzero(buf, sizeof buf);
	return rv;
}
