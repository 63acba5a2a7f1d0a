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

/* DE48 without SE92, written in place; an unparseable DE48 is left out. */
static void
put_de48_kept(struct tlv_w *w, const uint8_t *v, size_t len)
{
	struct de48_se se;
	size_t pos = 1, at = w->len;
	int r;

	if (len == 0 || w->len + 4 + len > w->cap) {
		w->err = 1;
		return;
	}
	w->len += 4;
	w->buf[w->len++] = v[0];		/* the transaction category code */
	while ((r = de48_next(v, len, &pos, &se)) == 1) {
		if (se.tag == 92)
			continue;
		memcpy(w->buf + w->len, v + se.off, 4 + se.len);
		w->len += 4 + se.len;
	}
	if (r == -1) {
		w->len = at;
		return;
	}
	w->buf[at] = 0;
	w->buf[at + 1] = 48;
	w->buf[at + 2] = (uint8_t)((w->len - at - 4) >> 8);
	w->buf[at + 3] = (uint8_t)(w->len - at - 4);
}

int
tlv_put_msg_kept(struct tlv_w *w, const struct iso_msg *m, int card)
{
	const uint8_t *v;
	size_t len;
	int f;

	tlv_put(w, TLV_MTI, m->mti, strlen(m->mti));
	for (f = iso_next(m, 0); f != 0; f = iso_next(m, f)) {
		if (f == 36 || f == 45 || f == 52 || f == 55 ||
		    (f == 35 && card))
			continue;
		if ((v = iso_get(m, f, &len)) == NULL)
			continue;
		if (f == 48 && card)
			put_de48_kept(w, v, len);
		else
			tlv_put(w, (uint16_t)f, v, len);
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
