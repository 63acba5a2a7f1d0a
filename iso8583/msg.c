/*
 * msg.c — the message model: MTI, a presence bitmap numbered as on the
 * wire (bit n = field n, MSB first), and values appended to one buffer.
 */
#include <stdio.h>
#include <string.h>

#include "iso8583/iso8583.h"
#include "iso8583/msgbits.h"

void
iso_msg_init(struct iso_msg *m, const char *mti)
{
	memset(m->present, 0, sizeof m->present);
	memset(m->checked, 0, sizeof m->checked);
	m->checked_by = NULL;
	m->checked_serial = 0;
	m->used = 0;
	memset(m->mti, 0, sizeof m->mti);
	if (mti != NULL)
		strncpy(m->mti, mti, sizeof m->mti - 1);
}

static int
data_field(int field)
{
	return field >= 2 && field <= ISO_NFIELDS && field != 65;
}

int
iso_set(struct iso_msg *m, int field, const void *val, size_t len)
{
	if (!data_field(field) || len > (size_t)ISO_BUF_MAX - m->used)
		return -1;
	memmove(m->buf + m->used, val, len);
	m->f[field].off = m->used;
	m->f[field].len = (uint16_t)len;
	m->used += (uint16_t)len;
	bit_set(m->present, field);
	bit_clr(m->checked, field);
	return 0;
}

int
iso_set_str(struct iso_msg *m, int field, const char *s)
{
	return iso_set(m, field, s, strlen(s));
}

void
iso_unset(struct iso_msg *m, int field)
{
	if (data_field(field))
		bit_clr(m->present, field);
}

int
iso_has(const struct iso_msg *m, int field)
{
	return data_field(field) && bit_get(m->present, field);
}

int
iso_next(const struct iso_msg *m, int field)
{
	int n;

	for (n = field < 1 ? 2 : field + 1; n <= ISO_NFIELDS; n++) {
		/* A byte of the bitmap at a time while it is empty. */
		if ((n & 7) == 1 && m->present[(n - 1) >> 3] == 0) {
			n += 7;
			continue;
		}
		if (data_field(n) && bit_get(m->present, n))
			return n;
	}
	return 0;
}

const uint8_t *
iso_get(const struct iso_msg *m, int field, size_t *len)
{
	if (!iso_has(m, field))
		return NULL;
	*len = m->f[field].len;
	return m->buf + m->f[field].off;
}

int
iso_get_str(const struct iso_msg *m, int field, char *dst, size_t dstsz)
{
	const uint8_t *v;
	size_t len;

	if ((v = iso_get(m, field, &len)) == NULL || len >= dstsz)
		return -1;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

int
iso_copy_field(struct iso_msg *dst, const struct iso_msg *src, int field)
{
	const uint8_t *v;
	size_t len;

	if ((v = iso_get(src, field, &len)) == NULL)
		return 0;
	return iso_set(dst, field, v, len);
}

void
iso_msg_copy(struct iso_msg *dst, const struct iso_msg *src)
{
	memcpy(dst->mti, src->mti, sizeof dst->mti);
	memcpy(dst->present, src->present, sizeof dst->present);
	memcpy(dst->checked, src->checked, sizeof dst->checked);
	dst->checked_by = src->checked_by;
	dst->checked_serial = src->checked_serial;
	memcpy(dst->f, src->f, sizeof dst->f);
	dst->used = src->used;
	memcpy(dst->buf, src->buf, src->used);
}
