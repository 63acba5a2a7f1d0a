/*
 * dissector.h — a Wireshark Lua dissector made from a profile, so a
 * network engineer sees a link's messages as the gateway reads them.
 */
#ifndef ISO8583_DISSECTOR_H
#define ISO8583_DISSECTOR_H

#include <stddef.h>
#include <stdio.h>

struct iso_profile;

/* Writes the script: framing is an enum frame_kind; clear shows card data
 * unmasked (the default masks it as the logs do).  -1 on a write error. */
int	dissector_write(const struct iso_profile *, int framing, int clear,
	    FILE *out);

/* The script's Wireshark protocol name, e.g. "iso8583_mastercard_cp037":
 * what tshark's -d tcp.port==PORT,NAME and display filters use. */
void	dissector_proto_name(const struct iso_profile *, char *out, size_t cap);

#endif
