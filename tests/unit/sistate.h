/*
 * sistate.h — the state directory the store-backed stand-in suites share
 * (check_standin.c, check_standin_hsm.c, check_sipeer.c, check_pair.c,
 * check_outrec.c): a fresh
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
#include <unistd.h>

#include <event2/event.h>

#include "base/dlq.h"
#include "tunnel/corefr.h"
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
	c->keep_s = 35 * 86400;		/* KeepDecisions' default */
}

/* A core that takes every frame and says nothing. */
static int
fix_no_send(const char *core, int type, uint64_t corr, const uint8_t *b,
    size_t len)
{
	(void)core;
	(void)type;
	(void)corr;
	(void)b;
	(void)len;
	return 0;
}

static const struct standin_ops fix_quiet_ops __attribute__((unused)) = {
	fix_no_send, NULL
};

/* A core that counts the snapshot acknowledgements it is sent. */
static int fix_acks;

static int __attribute__((unused))
fix_ack_send(const char *core, int type, uint64_t corr, const uint8_t *b,
    size_t len)
{
	(void)core;
	(void)corr;
	(void)b;
	(void)len;
	if (type == COREFR_SNAPSHOT_ACK)
		fix_acks++;
	return 0;
}

/* The loop until *flag is set (the store's threads answer through it),
 * 10 s at most. */
static void __attribute__((unused))
fix_run_until(struct event_base *base, int *flag)
{
	int i;

	for (i = 0; i < 20000 && !*flag; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		if (!*flag)
			usleep(500);
	}
	ck_assert_int_ne(*flag, 0);
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
