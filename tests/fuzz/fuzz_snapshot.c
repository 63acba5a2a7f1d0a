/* fuzz_snapshot — the SNAPSHOT body parser (cards_parse): every record it
 * hands out is well formed (digits-only PAN of 12..19, NUL-terminated
 * strings inside their buffers, YYMM expiry), and a rejected body hands
 * out none. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/standin/cards.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
check(const struct cards_snaprec *r, void *arg)
{
	size_t n = strnlen(r->pan, sizeof r->pan), i;

	(*(int *)arg)++;
	if (n == sizeof r->pan)
		abort();
	if (n != 0 && (n < 12 || n > 19))
		abort();
	for (i = 0; i < n; i++)
		if (r->pan[i] < '0' || r->pan[i] > '9')
			abort();
	if (strnlen(r->rec.keys, sizeof r->rec.keys) == sizeof r->rec.keys ||
	    strnlen(r->rec.pinver, sizeof r->rec.pinver) ==
	    sizeof r->rec.pinver ||
	    strnlen(r->rec.account, sizeof r->rec.account) ==
	    sizeof r->rec.account ||
	    strnlen(r->rec.expiry, sizeof r->rec.expiry) ==
	    sizeof r->rec.expiry)
		abort();
	if (r->rec.status > CARD_CLOSED)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t ver;
	char err[128];
	int n = 0, rc;

	rc = cards_parse(data, size, &ver, check, &n, err, sizeof err);
	if (rc == -1 && n != 0)
		abort();
	return 0;
}
