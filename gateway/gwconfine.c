/*
 * gwconfine.c — what gatewayd may still do once it runs (ARCHITECTURE
 * section 2): the files Landlock leaves it, and the system calls seccomp
 * allows.
 *
 * Files, applied before the store and its threads start (Landlock binds
 * the thread that asks and the ones it starts later):
 *   - the state directory, read-write (LMDB);
 *   - the control socket's directory, read-write (made at start,
 *     removed at stop);
 *   - the config file's directory and every key file it names, read
 *     only: `gatewayctl reload` re-reads them.  A reload that names a
 *     file elsewhere fails with EACCES, named in its error; such a change
 *     needs a restart.
 * System calls, applied when start-up is done, on every thread.
 */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "base/confine.h"
#include "base/log.h"
#include "gateway/config.h"
#include "gateway/gwconfine.h"

#define NPATHS	(4 + 2 * 16 * SEAL_MAXKEYS + 2 * 64)

static struct gw_confinement C;

static void
add(struct confine_path *p, size_t *n, const char *path, int write)
{
	if (path[0] != '\0' && *n < NPATHS) {
		p[*n].path = path;
		p[(*n)++].write = write;
	}
}

int
gw_confine_files(const struct config *c, char *err, size_t errsz)
{
	static char confdir[CFG_PATH_MAX], ctldir[CFG_PATH_MAX];
	struct confine_path p[NPATHS];
	const struct cfg_core *k;
	const struct cfg_link *l;
	size_t n = 0;
	int i;

	snprintf(confdir, sizeof confdir, "%s", c->file);
	snprintf(ctldir, sizeof ctldir, "%s", c->control);
	add(p, &n, dirname(confdir), 0);
	add(p, &n, dirname(ctldir), 1);
	/* The store makes its directory the same way; it must exist for
	 * Landlock to name it. */
	if (c->durability == DURABILITY_FULL) {
		if (mkdir(c->state_dir, 0700) == -1 && errno != EEXIST) {
			snprintf(err, errsz, "%s: %s", c->state_dir,
			    strerror(errno));
			return -1;
		}
		add(p, &n, c->state_dir, 1);
	}
	add(p, &n, c->state_key, 0);
	TAILQ_FOREACH(k, &c->cores, entry)
		for (i = 0; i < k->nkeyfiles; i++)
			add(p, &n, k->keyfile[i], 0);
	/* a reload reads the ZMK and ZPK files again */
	TAILQ_FOREACH(l, &c->links, entry) {
		add(p, &n, l->zmk_file, 0);
		add(p, &n, l->zpk_file, 0);
		add(p, &n, l->profile_file, 0);
	}
	if (confine_files(p, n, &C.landlock_abi, err, errsz) == -1)
		return -1;
	if (C.landlock_abi == 0)
		log_warnx("event=confine_files_unavailable reason=\"this kernel "
		    "has no Landlock: files are NOT confined (seccomp still "
		    "is)\"");
	return 0;
}

int
gw_confine_syscalls(char *err, size_t errsz)
{
	/* a link's zone keys are replaced whole: written aside, renamed
	 * over (gateway/zonekey.c) */
	static const char *const sys_keys[] = { "rename", "renameat",
	    "renameat2", NULL };
	static const char *const *const sets[] = { confine_sys_base,
	    confine_sys_files, confine_sys_connect, sys_keys, NULL };

	if (confine_syscalls(sets, err, errsz) == -1)
		return -1;
	C.seccomp = 1;
	log_info("event=confined seccomp=on landlock_abi=%d",
	    C.landlock_abi);
	return 0;
}

const struct gw_confinement *
gw_confinement(void)
{
	return &C;
}
