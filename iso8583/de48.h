/*
 * de48.h — Mastercard DE48: a transaction category code (one character)
 * then sub-elements of 2-digit tag, 2-digit length, value.
 */
#ifndef ISO8583_DE48_H
#define ISO8583_DE48_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct iso_msg;

struct de48_se {
	int		 tag;		/* 0..99 */
	const uint8_t	*val;
	size_t		 len;
	size_t		 off;		/* of the tag's first digit */
};

/* Sub-elements start after the TCC: iterate from *pos = 1.
 * Returns 1 with *se filled, 0 at the end, -1 malformed. */
int	de48_next(const uint8_t *buf, size_t len, size_t *pos, struct de48_se *);
int	de48_find(const uint8_t *buf, size_t len, int tag, struct de48_se *);

/* Sub-elements that carry card verification data, cryptograms or another
 * account number: 92 CVC 2, 43 UCAF (authentication cryptogram), 33 PAN
 * mapping information (the funding or token PAN, in full).  Hidden in
 * logs, left out of what is kept. */
int	de48_secret(int tag);
/* The TCC and every sub-element that is not secret, copied to out: the
 * length, or -1 when buf is malformed or out too small. */
ssize_t	de48_public(const uint8_t *buf, size_t len, uint8_t *out, size_t cap);

/* Replace or append a sub-element / remove one; others kept unchanged. */
int	iso_de48_set(struct iso_msg *, int tag, const void *val, size_t len);
int	iso_de48_del(struct iso_msg *, int tag);

#endif
