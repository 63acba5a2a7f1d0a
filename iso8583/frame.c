/*
 * frame.c — length prefixes on a scheme link.  The announced length is
 * checked against the configured maximum as soon as the prefix is in, so
 * a hostile peer cannot make the link buffer more than one frame.
 */
#include <stdio.h>
#include <string.h>

#include "iso8583/frame.h"

int
frame_kind_parse(const char *s)
{
	if (strcmp(s, "len2") == 0)
		return FRAME_LEN2;
	if (strcmp(s, "len4ascii") == 0)
		return FRAME_LEN4ASCII;
	return -1;
}

const char *
frame_kind_name(int kind)
{
	return kind == FRAME_LEN2 ? "len2" : kind == FRAME_LEN4ASCII ?
	    "len4ascii" : "?";
}

size_t
frame_prefix_len(const struct framer *f)
{
	return f->kind == FRAME_LEN2 ? 2 : 4;
}

int
frame_parse(const struct framer *f, const uint8_t *buf, size_t avail,
    size_t *msg_off, size_t *total, char *err, size_t errsz)
{
	size_t pl = frame_prefix_len(f), n = 0, i;

	if (avail < pl)
		return 0;
	if (f->kind == FRAME_LEN2)
		n = (size_t)buf[0] << 8 | buf[1];
	else
		for (i = 0; i < 4; i++) {
			if (buf[i] < '0' || buf[i] > '9') {
				snprintf(err, errsz, "frame: length prefix "
				    "byte %zu is 0x%02X, not a digit", i, buf[i]);
				return -1;
			}
			n = n * 10 + (size_t)(buf[i] - '0');
		}
	if (n < f->hdrlen || n - f->hdrlen > f->max) {
		snprintf(err, errsz, "frame: length %zu outside %u..%u",
		    n, (unsigned)f->hdrlen, (unsigned)(f->hdrlen + f->max));
		return -1;
	}
	if (n == f->hdrlen) {
		snprintf(err, errsz, "frame: empty message");
		return -1;
	}
	if (avail < pl + n)
		return 0;
	*msg_off = pl + f->hdrlen;
	*total = pl + n;
	return 1;
}

int
frame_header(const struct framer *f, size_t msglen, uint8_t *out, size_t cap)
{
	size_t pl = frame_prefix_len(f), n = msglen + f->hdrlen;
	int i;

	if (msglen > f->max || cap < pl + f->hdrlen ||
	    (f->kind == FRAME_LEN2 && n > 0xffff) ||
	    (f->kind == FRAME_LEN4ASCII && n > 9999))
		return -1;
	if (f->kind == FRAME_LEN2) {
		out[0] = (uint8_t)(n >> 8);
		out[1] = (uint8_t)n;
	} else
		for (i = 3; i >= 0; i--) {
			out[i] = (uint8_t)('0' + n % 10);
			n /= 10;
		}
	if (f->hdr != NULL)
		memcpy(out + pl, f->hdr, f->hdrlen);
	else
		memset(out + pl, 0, f->hdrlen);
	return (int)(pl + f->hdrlen);
}
