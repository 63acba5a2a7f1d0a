/*
 * sistate.h — the state directory the store-backed stand-in suites share
 * (check_standin.c, check_standin_hsm.c, check_sipeer.c): a fresh
 * directory with a state key in it, and the stand-in's configuration
 * over it, so a test says only what it changes.
 * Static functions (marked unused: a suite may need only some).
 */
#ifndef TESTS_SISTATE_H
#define TESTS_SISTATE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <event2/event.h>

#include "base/dlq.h"
#include "gateway/standin/standin.h"

/* A fresh directory /tmp/check-TAG.XXXXXX into dir. */
static void __attribute__((unused))
fix_state_dir(char *dir, size_t n, const char *tag)
{
	snprintf(dir, n, "/tmp/check-%s.XXXXXX", tag);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* DIR/state.key (a fixed test key) with mode, its path into keyfile. */
static void __attribute__((unused))
fix_state_key(const char *dir, char *keyfile, size_t n, mode_t mode)
{
	FILE *f;

	snprintf(keyfile, n, "%s/state.key", dir);
	ck_assert_ptr_nonnull(f = fopen(keyfile, "w"));
	fprintf(f, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	fclose(f);
	ck_assert_int_eq(chmod(keyfile, mode), 0);
}

/* Stand-in on DIR/state, automatic, named test-gw; keyfile NULL: none. */
static void __attribute__((unused))
fix_state_conf(struct standin_conf *c, const char *dir, const char *keyfile,
    int durable)
{
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "test-gw");
	snprintf(c->state_dir, sizeof c->state_dir, "%s/state", dir);
	if (keyfile != NULL)
		snprintf(c->state_key, sizeof c->state_key, "%s", keyfile);
	c->mode = STANDIN_AUTO;
	c->durable = durable;
	c->max_age_s = 3600;
}

/* The stand-in stopped, the loop freed and the directory removed. */
static void __attribute__((unused))
fix_state_end(struct event_base *base, const char *dir)
{
	char cmd[128];

	standin_shutdown();
	dlq_shutdown();
	event_base_free(base);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

#endif
