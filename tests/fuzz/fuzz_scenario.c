/* fuzz_scenario — the scenario loader of `scheme-sim run` (jansson and
 * the checks that turn a document into cases and steps): whatever the
 * file holds, it loads or is refused with a reason, never crashes, and
 * a loaded file names a case and a step for each. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scheme-sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scen_file sf;
	char err[512];
	int i, j;

	if (scen_parse(&sf, (const char *)data, size, err, sizeof err) == -1) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	for (i = 0; i < sf.ncases; i++) {
		if (sf.cases[i].name == NULL || sf.cases[i].nsteps < 1)
			abort();
		for (j = 0; j < sf.cases[i].nsteps; j++)
			if (strcmp(scen_kind_name(sf.cases[i].steps[j].kind),
			    "?") == 0)
				abort();
	}
	scen_file_free(&sf);
	return 0;
}
