/*
 * elems.h — a field made of tagged elements (DE48 sub-elements, DE55 EMV
 * data objects), edited one element at a time: replaced, appended or
 * removed, every other element kept byte for byte.
 */
#ifndef ISO8583_ELEMS_H
#define ISO8583_ELEMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct iso_msg;

#define ELEMS_MAX	1024	/* the largest cap of a format */

struct elem_format {
	size_t	head;	/* bytes before the first element, kept as they are */
	size_t	cap;	/* the most the rebuilt field may hold, <= ELEMS_MAX */
	/* Steps *pos past one element: 1 with its tag, 0 at the end, -1 if
	 * malformed. */
	int	(*next)(const uint8_t *, size_t len, size_t *pos,
		    uint32_t *tag);
	/* Writes one element: its length, or -1 if it does not fit in cap. */
	ssize_t	(*put)(uint8_t *, size_t cap, uint32_t tag, const void *val,
		    size_t len);
};

/* Rebuilds the field with the first element of tag holding val (appended
 * when there is none) or, val NULL, with none; later elements of the same
 * tag are dropped.  0, or -1 when the field is malformed or would exceed
 * cap (the message is then unchanged). */
int	elems_edit(struct iso_msg *, int field, const struct elem_format *,
	    uint32_t tag, const void *val, size_t len);

#endif
