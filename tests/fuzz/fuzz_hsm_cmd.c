/*
 * fuzz_hsm_cmd.c — hsmd's command parser and processor (hsm/cmd*.c) on
 * arbitrary request bodies (header "0000" + command + fields), under a
 * fixed LMK so the seed corpus can carry valid key blocks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hsm/cmd.h"
#include "hsm/lmk.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct hsm_cmd_ctx *ctx;
static uint8_t *out;

static void
done(void)
{
	hsm_cmd_free(ctx);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct lmk lmk;
	size_t i, n;

	if (ctx == NULL) {
		/* The LMK of tests/fuzz/corpus/fuzz_hsm_cmd: bytes 00..1F. */
		for (i = 0; i < LMK_LEN; i++)
			lmk.key[i] = (uint8_t)i;
		if ((ctx = hsm_cmd_new(&lmk, 4)) == NULL ||
		    (out = malloc(HSM_REPLY_MAX)) == NULL)
			abort();
		atexit(done);
	}
	if (len > HSM_FRAME_MAX)
		return 0;
	n = hsm_cmd_process(ctx, data, len, out, HSM_REPLY_MAX);
	/* Invariants: header echoed, response code, 2-char error code. */
	if (n != 0) {
		if (n < 8 || n > HSM_FRAME_MAX || memcmp(out, data, 4) != 0 ||
		    out[4] != data[4] || out[5] != (uint8_t)(data[5] + 1))
			abort();
	} else if (len >= 6)
		abort();
	return 0;
}
