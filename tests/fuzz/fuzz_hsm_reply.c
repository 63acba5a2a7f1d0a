/*
 * fuzz_hsm_reply.c — the HSM client's reply parser (hsm/reply.c): the
 * first input byte picks the command kind, the rest is a reply body
 * answering a request sent with header "0001".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hsm/client/hsmclient.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct hsm_result r;
	enum hsm_kind kind;
	int rc;

	if (len < 1)
		return 0;
	kind = (enum hsm_kind)(data[0] % (HSM_K_A6 + 1));
	rc = hsm_reply_parse(kind, data + 1, len - 1, "0001", 4, &r);
	if (rc == 0) {
		/* Fields are NUL-terminated strings the caller may print. */
		if (r.error[2] != '\0' || (kind != HSM_K_A6 &&
		    r.u.mac.mac[16] != '\0'))
			abort();
		if (r.status == HSM_OK && kind == HSM_K_A6 &&
		    (r.u.key.block[0] != 'S' || strlen(r.u.key.kcv) != 6 ||
		    r.u.key.block[HSM_KEYBLOCK_MAX] != '\0'))
			abort();
		if (r.status == HSM_OK && kind == HSM_K_NC &&
		    strlen(r.u.diag.lmk_check) != 16)
			abort();
	}
	return 0;
}
