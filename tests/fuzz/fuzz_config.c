/*
 * fuzz_config.c — the config parser (libinih plus our handlers) on
 * arbitrary text; key files are not read.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c;
	char err[512], *text;
	FILE *f;

	if (size > 65536 || (text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if ((c = config_parse_string(text, "fuzz.conf", 1, err, sizeof err))
	    != NULL) {
		/* Whatever parses must print. */
		if ((f = fopen("/dev/null", "w")) != NULL) {
			config_print(c, f);
			fclose(f);
		}
		config_free(c);
	}
	free(text);
	return 0;
}
