/*
 * cfgcore.c — the values of a [Core NAME] section (and of [Pair], which
 * is a core endpoint towards the peer appliance) that need their own
 * parser: Address, Bind, KeyFile (T_FUNC parsers and printers of
 * cfgkeys.c's table).
 */
#include <stdio.h>
#include <string.h>

#include "tunnel/corefr.h"
#include "gateway/cfg-int.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

int
cfg_set_address(struct pctx *px, void *s, const char *v)
{
	struct cfg_core *c = s;

	/* No port: the core link protocol's own. */
	if (config_hostport(v, &c->addr, STR(COREFR_PORT)) == -1 ||
	    strcmp(strrchr(c->addr.text, ':'), ":0") == 0)
		return FAILED(px, "Address: want ADDRESS[:PORT], PORT "
		    "1..65535");
	return 1;
}

void
cfg_print_address(FILE *f, const void *s)
{
	fprintf(f, "Address = %s\n", ((const struct cfg_core *)s)->addr.text);
}

int
cfg_set_bind(struct pctx *px, void *s, const char *v)
{
	struct cfg_core *c = s;

	if (config_hostport(v, &c->bind, "0") == -1)
		return FAILED(px, "Bind: want ADDRESS[:PORT]");
	c->has_bind = 1;
	return 1;
}

void
cfg_print_bind(FILE *f, const void *s)
{
	const struct cfg_core *c = s;

	if (c->has_bind)
		fprintf(f, "Bind = %s\n", c->bind.text);
}

int
cfg_set_keyfile(struct pctx *px, void *s, const char *v)
{
	struct cfg_core *c = s;
	char e[200];

	if (c->nkeyfiles >= SEAL_MAXKEYS)
		return FAILED(px, "KeyFile: at most %d", SEAL_MAXKEYS);
	if (cfg_copy_str(c->keyfile[c->nkeyfiles], CFG_PATH_MAX, v) == -1)
		return FAILED(px, "KeyFile: bad path");
	if (!px->nokeys && seal_keyring_add_file(&c->keys, v, e, sizeof e) ==
	    -1)
		return FAILED(px, "KeyFile: %s", e);
	c->nkeyfiles++;
	return 1;
}

void
cfg_print_keyfiles(FILE *f, const void *s)
{
	const struct cfg_core *c = s;
	int i;

	for (i = 0; i < c->nkeyfiles; i++)
		fprintf(f, "KeyFile = %s\n", c->keyfile[i]);
}
