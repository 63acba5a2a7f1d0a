/*
 * elems.c — editing a field of tagged elements by rebuilding its value.
 */
#include <string.h>

#include "base/log.h"
#include "iso8583/elems.h"
#include "iso8583/iso8583.h"

static int
put_elem(const struct elem_format *f, uint8_t *out, size_t *o, uint32_t tag,
    const void *val, size_t len)
{
	ssize_t w;

	if ((w = f->put(out + *o, f->cap - *o, tag, val, len)) == -1)
		return -1;
	*o += (size_t)w;
	return 0;
}

int
elems_edit(struct iso_msg *m, int field, const struct elem_format *f,
    uint32_t tag, const void *val, size_t vlen)
{
	uint8_t out[ELEMS_MAX];
	const uint8_t *b;
	size_t len, pos, start, o;
	uint32_t t;
	int r, done = 0;

	if (f->cap > sizeof out)
		fatalx("elems: cap %zu exceeds %zu", f->cap, sizeof out);
	if ((b = iso_get(m, field, &len)) == NULL)
		len = 0;
	if (len < f->head)
		return -1;
	if (f->head > 0)
		memcpy(out, b, f->head);
	pos = o = f->head;
	for (start = pos; (r = f->next(b, len, &pos, &t)) == 1; start = pos) {
		if (t == tag) {
			if (val != NULL && !done &&
			    put_elem(f, out, &o, tag, val, vlen) == -1)
				return -1;
			done = 1;
			continue;
		}
		if (f->cap - o < pos - start)
			return -1;
		memcpy(out + o, b + start, pos - start);
		o += pos - start;
	}
	if (r == -1)
		return -1;
	if (val != NULL && !done && put_elem(f, out, &o, tag, val, vlen) == -1)
		return -1;
	return iso_set(m, field, out, o);
}
