/*
 * msgclass.h — where a message from a scheme goes, by its MTI's class
 * and function (ISO 8583:1987): one table for every class, so nothing a
 * scheme sends is dropped (doc/architecture.md, "Message classes").
 */
#ifndef GATEWAY_MSGCLASS_H
#define GATEWAY_MSGCLASS_H

enum msg_route {
	ROUTE_REQUEST,	/* the core, else stand-in: x100 x200 x400 */
	ROUTE_FORWARD,	/* the core only, its answer relayed, else 91:
			 * x300 (file update), x500, x600 */
	ROUTE_ADVICE,	/* durable, then acknowledged, then to the core as
			 * an ADVICE: x120 x220 x420 x520 x620 */
	ROUTE_NETMGMT,	/* x8xx: answered by the link itself */
	ROUTE_RESPONSE,	/* function 1 or 3: answers something we sent */
	ROUTE_UNKNOWN	/* answered 12 where it has a response MTI */
};

struct msg_class {
	char		 cls;		/* MTI digit 2 */
	char		 fn;		/* MTI digit 3 */
	enum msg_route	 route;
	const char	*what;
};

/* The route of mti (four digits, else ROUTE_UNKNOWN); *what names the
 * class for logs ("financial advice"), *repeat is set for origin
 * digits 1, 3 and 5. */
enum msg_route msgclass_route(const char *mti, const char **what,
	    int *repeat);
const char *msgclass_route_name(enum msg_route);
/* The table, for the documentation test and gatewayctl. */
const struct msg_class *msgclass_table(int *n);

#endif
