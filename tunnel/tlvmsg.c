/*
 * tlvmsg.c — iso_msg <-> message TLV.
 */
#include <string.h>

#include "iso8583/de48.h"
#include "iso8583/iso8583.h"
#include "tunnel/tlvmsg.h"

int
tlv_put_msg(struct tlv_w *w, const struct iso_msg *m)
{
	const uint8_t *v;
	size_t len;
	int f;

	tlv_put(w, TLV_MTI, m->mti, strlen(m->mti));
	for (f = iso_next(m, 0); f != 0; f = iso_next(m, f))
		if ((v = iso_get(m, f, &len)) != NULL)
			tlv_put(w, (uint16_t)f, v, len);
	return w->err ? -1 : 0;
}

/* What the profile hides entirely in logs (track data, PIN block, chip
 * data) is not kept at all; DE48 is kept without its secret sub-elements
 * (an unparseable DE48 is left out); the rest as it is. */
int
tlv_put_msg_kept(struct tlv_w *w, const struct iso_profile *p,
    const struct iso_msg *m)
{
	const struct iso_fdef *d;
	const uint8_t *v;
	uint8_t de48[999];		/* LLL: the longest DE48 */
	size_t len;
	ssize_t n;
	int f;

	tlv_put(w, TLV_MTI, m->mti, strlen(m->mti));
	for (f = iso_next(m, 0); f != 0; f = iso_next(m, f)) {
		if ((d = iso_fdef(p, f)) == NULL ||
		    (v = iso_get(m, f, &len)) == NULL)
			continue;
		switch (d->mask) {
		case ISO_MASK_TRACK:
		case ISO_MASK_ALL:
		case ISO_MASK_DE55:
			break;
		case ISO_MASK_DE48:
			if ((n = de48_public(v, len, de48, sizeof de48)) >= 0)
				tlv_put(w, (uint16_t)f, de48, (size_t)n);
			break;
		default:
			tlv_put(w, (uint16_t)f, v, len);
			break;
		}
	}
	return w->err ? -1 : 0;
}

int
tlv_get_msg(const uint8_t *buf, size_t len, struct iso_msg *m)
{
	struct tlv_r r;
	const uint8_t *v, *mti;
	uint16_t t, l, mlen;
	char s[5];
	int rv, i;

	if (tlv_find(buf, len, TLV_MTI, &mti, &mlen) != 1 || mlen != 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if (mti[i] < '0' || mti[i] > '9')
			return -1;
		s[i] = (char)mti[i];
	}
	s[4] = '\0';
	iso_msg_init(m, s);
	tlv_r_init(&r, buf, len);
	while ((rv = tlv_next(&r, &t, &v, &l)) == 1) {
		if (t < 2 || t > ISO_NFIELDS || t == 65)
			continue;
		if (iso_set(m, t, v, l) == -1)
			return -1;
	}
	return rv;
}
