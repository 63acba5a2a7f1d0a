/*
 * frame.h — length framing of ISO 8583 messages on a TCP link.
 * A frame is: length prefix | optional fixed header | message.
 * The length counts the header and the message, not itself.
 */
#ifndef ISO8583_FRAME_H
#define ISO8583_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum frame_kind { FRAME_LEN2, FRAME_LEN4ASCII };

struct framer {
	uint8_t		kind;		/* enum frame_kind */
	uint16_t	hdrlen;		/* fixed header bytes after the prefix */
	uint32_t	max;		/* largest message accepted or sent */
	const uint8_t	*hdr;		/* the header sent (hdrlen bytes);
					 * NULL: zeros */
};

/* "len2" / "len4ascii" -> kind; -1 if unknown. */
int	frame_kind_parse(const char *);
const char *frame_kind_name(int);
size_t	frame_prefix_len(const struct framer *);

/*
 * Looks at the bytes buffered so far.  Returns 1 and sets *msg_off (where
 * the message starts) and *total (bytes the whole frame takes) when one
 * frame is complete; 0 when more bytes are needed; -1 when the prefix is
 * bad or announces more than max (decided from the prefix alone, before
 * anything more is buffered), with a reason in err.
 */
int	frame_parse(const struct framer *, const uint8_t *buf, size_t avail,
	    size_t *msg_off, size_t *total, char *err, size_t errsz);

/* Writes the prefix (and the header: f->hdr, or zeros) for a message of
 * msglen bytes into out; returns the bytes written, -1 if msglen is over
 * max. */
int	frame_header(const struct framer *, size_t msglen, uint8_t *out,
	    size_t cap);

#endif
