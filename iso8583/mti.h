/*
 * mti.h — what a message type indicator says (ISO 8583:1987): its class
 * and function, the MTI of its response, and the fields a response echoes.
 * gatewayd and scheme-sim both answer and check answers with these, so
 * the two can never disagree.
 *
 *   digit 2 class:    1 authorisation, 2 financial, 4 reversal,
 *                     8 network management
 *   digit 3 function: 0 request, 1 its response, 2 advice, 3 its response
 *   digit 4 origin:   0 acquirer, 1 acquirer repeat, 2 issuer, 3 issuer
 *                     repeat, 4 other, 5 other repeat
 */
#ifndef ISO8583_MTI_H
#define ISO8583_MTI_H

#include <stddef.h>

struct iso_msg;

enum iso_mti_kind {
	ISO_MTI_OTHER,		/* not four digits, or nothing we route */
	ISO_MTI_REQUEST,	/* x1x0 x2x0 x4x0 (and repeats): answer it */
	ISO_MTI_ADVICE,		/* x1x2 x4x2: store, then acknowledge */
	ISO_MTI_NETMGMT,	/* 08xx */
	ISO_MTI_RESPONSE	/* function 1 or 3: answers something sent */
};

/* The kind of a message, from class and function, for the origins a
 * gateway receives from a scheme (acquirer and its repeat). */
enum iso_mti_kind iso_mti_kind(const char *mti);

/*
 * The response MTI: the function digit goes from request to response (0
 * to 1, 2 to 3, ...) and the origin loses its repeat bit, so 0100 and
 * 0101 are both answered 0110, 0121 gets 0130 (ISO 8583:1987: the
 * response to a repeat is a response, not a repeat).  0, or -1 when the
 * MTI has no response (a response itself, or not four digits).
 */
int	iso_mti_response(const char *mti, char out[5]);

/* The fields a response echoes from its request, for the request's
 * class (network management has its own set); *n is set. */
const int *iso_echo_fields(const char *mti, size_t *n);

/*
 * r becomes the response to req: its MTI, the echoed fields req has that
 * come before field `below` (0: all of them; a partly read message has
 * only those), and DE39 = rc when rc is not NULL.  0, or -1 (no response
 * MTI, or a value that does not fit).
 */
int	iso_response_init(struct iso_msg *r, const struct iso_msg *req,
	    const char *rc, int below);
/* Puts req's echoed fields into r, replacing r's own. */
void	iso_echo(struct iso_msg *r, const struct iso_msg *req);

#endif
