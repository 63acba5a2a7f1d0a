/*
 * msgclass.c — the route of each message class (msgclass.h).  Function
 * digits 1 and 3 (responses) and class 8 (network management) are the
 * same in every class and decided before the table; what the table does
 * not name is unknown, and answered so.
 */
#include <stddef.h>

#include "gateway/msgclass.h"

static const struct msg_class table[] = {
	{ '1', '0', ROUTE_REQUEST, "authorisation request" },
	{ '1', '2', ROUTE_ADVICE, "authorisation advice" },
	{ '2', '0', ROUTE_REQUEST, "financial request" },
	{ '2', '2', ROUTE_ADVICE, "financial advice" },
	{ '3', '0', ROUTE_FORWARD, "file action request" },
	{ '4', '0', ROUTE_REQUEST, "reversal request" },
	{ '4', '2', ROUTE_ADVICE, "reversal advice" },
	{ '5', '0', ROUTE_FORWARD, "reconciliation request" },
	{ '5', '2', ROUTE_ADVICE, "reconciliation advice" },
	{ '6', '0', ROUTE_FORWARD, "administrative request" },
	{ '6', '2', ROUTE_ADVICE, "administrative advice" },
};

static const char *const route_names[] = {
	[ROUTE_REQUEST] = "request", [ROUTE_FORWARD] = "forward",
	[ROUTE_ADVICE] = "advice", [ROUTE_NETMGMT] = "netmgmt",
	[ROUTE_RESPONSE] = "response", [ROUTE_UNKNOWN] = "unknown",
};

enum msg_route
msgclass_route(const char *mti, const char **what, int *repeat)
{
	size_t i;

	*what = "unknown";
	*repeat = 0;
	for (i = 0; i < 4; i++)
		if (mti[i] < '0' || mti[i] > '9')
			return ROUTE_UNKNOWN;
	if (mti[4] != '\0' || mti[0] != '0')
		return ROUTE_UNKNOWN;
	/* Origin: acquirer, issuer, other, each with its repeat. */
	if (mti[3] > '5')
		return ROUTE_UNKNOWN;
	*repeat = (mti[3] - '0') % 2;
	if (mti[1] == '8') {
		*what = "network management";
		return ROUTE_NETMGMT;
	}
	if (mti[2] == '1' || mti[2] == '3') {
		*what = "response";
		return ROUTE_RESPONSE;
	}
	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].cls == mti[1] && table[i].fn == mti[2]) {
			*what = table[i].what;
			return table[i].route;
		}
	return ROUTE_UNKNOWN;
}

const char *
msgclass_route_name(enum msg_route r)
{
	return r <= ROUTE_UNKNOWN ? route_names[r] : "?";
}

const struct msg_class *
msgclass_table(int *n)
{
	*n = (int)(sizeof table / sizeof table[0]);
	return table;
}
