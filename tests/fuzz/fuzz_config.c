/*
 * fuzz_config.c — the config parser (libinih plus our handlers) on
 * arbitrary text; key files are not read.  What parses is printed,
 * reparsed and printed again: the two prints must be equal.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The config as gatewayd -n prints it, in a malloc'd string. */
static char *
printed(const struct config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		abort();
	config_print(c, f);
	if (fclose(f) != 0)
		abort();
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c, *c2;
	char err[512], *text, *p1, *p2;

	if (size > 65536 || (text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if ((c = config_parse_string(text, "fuzz.conf", 1, err, sizeof err))
	    != NULL) {
		/* Whatever parses must print, and the printed form (what
		 * gatewayd -n shows an operator) must read back to itself:
		 * else -n would vouch for a file that means something else. */
		p1 = printed(c);
		if ((c2 = config_parse_string(p1, "printed.conf", 1, err,
		    sizeof err)) == NULL) {
			fprintf(stderr, "printed form refused: %s\n%s", err, p1);
			abort();
		}
		p2 = printed(c2);
		if (strcmp(p1, p2) != 0) {
			fprintf(stderr, "not a fixed point:\n%s---\n%s", p1,
			    p2);
			abort();
		}
		free(p1);
		free(p2);
		config_free(c2);
		config_free(c);
	}
	free(text);
	return 0;
}
