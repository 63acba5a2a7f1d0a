/*
 * standin.c — placeholder decision: issuer unavailable.
 */
#include "iso8583/iso8583.h"
#include "gateway/standin.h"

void
standin_decide(const struct iso_msg *req, struct iso_msg *resp,
    const char *reason)
{
	(void)req;
	(void)reason;
	iso_set_str(resp, 39, "91");
}
