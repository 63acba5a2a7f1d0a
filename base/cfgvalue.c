/* cfgvalue.c — see cfgvalue.h. */
#include <string.h>

#include "base/cfgvalue.h"

void
cfgvalue_strip(char *v)
{
	char *p;
	size_t n;

	if (v[0] == ';')
		v[0] = '\0';
	for (p = v; (p = strchr(p, '#')) != NULL; p++)
		if (p == v || p[-1] == ' ' || p[-1] == '\t') {
			*p = '\0';
			break;
		}
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		v[--n] = '\0';
}
