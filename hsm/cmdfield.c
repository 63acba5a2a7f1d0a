/*
 * cmdfield.c — reading a host command's fields and writing its reply.
 *
 * Fields are taken by their lengths, never by scanning for delimiters
 * inside data: KQ and B2 carry raw bytes that may hold ';', '%' or 0x19.
 */
#include <string.h>

#include "base/hex.h"
#include "hsm/cmd-int.h"
#include "hsm/keyblock.h"

void
cmd_put(struct wr *w, const void *d, size_t n)
{
	if (w->overflow || w->cap - w->n < n) {
		w->overflow = 1;
		return;
	}
	memcpy(w->p + w->n, d, n);
	w->n += n;
}

void
cmd_puthex(struct wr *w, const uint8_t *d, size_t n)
{
	if (w->overflow || w->cap - w->n < 2 * n) {
		w->overflow = 1;
		return;
	}
	hex_encode(d, n, (char *)w->p + w->n);
	w->n += 2 * n;
}

int
cmd_take(struct rd *r, size_t n, const char **out)
{
	if (r->n < n)
		return -1;
	*out = (const char *)r->p;
	r->p += n;
	r->n -= n;
	return 0;
}

int
cmd_take_digits(struct rd *r, size_t n, const char **out)
{
	return cmd_take(r, n, out) == -1 || !dec_valid(*out, n) ? -1 : 0;
}

int
cmd_take_hex(struct rd *r, size_t n, const char **out)
{
	return cmd_take(r, n, out) == -1 || !hex_valid(*out, n, 0) ? -1 : 0;
}

int
cmd_take_num(struct rd *r, size_t n, int base, long *v)
{
	const char *s;

	if (cmd_take(r, n, &s) == -1 || (*v = num_parse(s, n, base)) < 0)
		return -1;
	return 0;
}

int
cmd_take_char(struct rd *r, char c)
{
	if (r->n < 1 || r->p[0] != (uint8_t)c)
		return -1;
	r->p++;
	r->n--;
	return 0;
}

/* Up to max digits ended by delim (consumed); the PAN fields. */
int
cmd_take_until(struct rd *r, char delim, size_t min, size_t max,
    const char **out, size_t *len)
{
	size_t i;

	for (i = 0; i < r->n && i <= max; i++)
		if (r->p[i] == (uint8_t)delim)
			break;
	if (i >= r->n || i > max || i < min || !dec_valid(
	    (const char *)r->p, i))
		return -1;
	*out = (const char *)r->p;
	*len = i;
	r->p += i + 1;
	r->n -= i + 1;
	return 0;
}

/* The 4-digit length after the block's version says how much to take. */
const char *
cmd_take_key(struct rd *r, const char **blk, size_t *len)
{
	long v;

	if (r->n < 1)
		return E_INPUT;
	if (r->p[0] != 'S')
		return E_KEYSCHEME;	/* only key blocks travel */
	if (r->n < 6)
		return E_INPUT;
	if ((v = num_parse((const char *)r->p + 2, 4, 10)) < KB_HDR_LEN)
		return E_KBFORMAT;
	if (r->n < 1 + (size_t)v)
		return E_INPUT;
	*blk = (const char *)r->p + 1;
	*len = (size_t)v;
	r->p += 1 + (size_t)v;
	r->n -= 1 + (size_t)v;
	return NULL;
}

const char *
cmd_take_lmk_id(struct rd *r)
{
	const char *id;

	if (cmd_take_char(r, '%') == -1)
		return NULL;
	if (cmd_take_digits(r, 2, &id) == -1)
		return E_INPUT;
	if (memcmp(id, LMK_ID, 2) != 0)
		return E_LMKID;
	return NULL;
}

const char *
cmd_take_tail(struct hsm_cmd_ctx *ctx, struct rd *r)
{
	const char *e;

	if ((e = cmd_take_lmk_id(r)) != NULL)
		return e;
	if (r->n >= 1 && r->p[0] == 0x19) {
		if (r->n > 33)
			return E_INPUT;
		ctx->trailer = r->p;
		ctx->trailerlen = r->n;
		r->n = 0;
	}
	return r->n == 0 ? NULL : E_INPUT;
}
