/* check_pair.c — the pair link's own side (gateway/pair.c) with a real
 * store and no peer answering: after a restart our queue is walked into
 * the mirror; a queue longer than the mirror holds is walked up to where
 * the mirror is full, and the rest once there is room again (here the
 * core acknowledging advices, which takes them out of the mirror).
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/dlq.h"
#include "tunnel/tlv.h"
#include "gateway/config.h"
#include "gateway/core.h"
#include "gateway/pair.h"
#include "gateway/standin/standin.h"
#include "tests/unit/sistate.h"
#include "tests/unit/checkrun.h"

static struct event_base *base;
static char dir[64];
static size_t stored, store_failed;

static void
on_stored(uint64_t tag, int ok)
{
	(void)tag;
	if (ok)
		stored++;
	else
		store_failed++;
}

/* n of our own advices in the store, as decisions leave them. */
static void
fill(size_t n)
{
	uint8_t body[64];
	struct tlv_w w;
	size_t i;

	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, TLV_MTI, "0120");
	tlv_put_str(&w, TLV_GATEWAY, "test-gw");
	ck_assert_int_eq(w.err, 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(standin_queue_durable(body, w.len, on_stored,
		    i), 0);
	for (i = 0; i < 600000 && stored + store_failed < n; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		if (stored + store_failed < n)
			usleep(100);
	}
	ck_assert_uint_eq(store_failed, 0);
	ck_assert_uint_eq(stored, n);
}

/* Our queue's ids, as the store has them (they go on from a base). */
static uint64_t *ids;
static size_t nids;
static int walked;

static void
walk_each(void *arg, uint64_t id, const uint8_t *b, size_t len)
{
	(void)arg;
	(void)b;
	(void)len;
	ids[nids++] = id;
}

static void
walk_end(void *arg, uint64_t next, int more)
{
	(void)arg;
	if (!more || standin_saf_walk(next, walk_each, walk_end, NULL) != 0)
		walked = 1;
}

static void
queue_ids(size_t n)
{
	int i;

	ck_assert_ptr_nonnull(ids = calloc(n + 256, sizeof *ids));
	nids = 0;
	walked = 0;
	ck_assert_int_eq(standin_saf_walk(1, walk_each, walk_end, NULL), 0);
	for (i = 0; i < 40000 && !walked; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		if (!walked)
			usleep(500);
	}
	ck_assert_uint_eq(nids, n);
}

static int
udp_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof sa;
	int fd, port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd = socket(AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void
frame_none(struct core *k, const struct corefr_hdr *h, const uint8_t *b,
    size_t len)
{
	(void)k;
	(void)h;
	(void)b;
	(void)len;
}

static void
gone_none(struct core *k)
{
	(void)k;
}

static const struct core_handlers no_cores = { frame_none, gone_none };

/* [Pair] to a peer that never answers. */
static struct config *
pair_config(const char *keyfile)
{
	struct config *c;
	char text[1024], err[256];

	snprintf(text, sizeof text,
	    "[Gateway]\nName = test-gw\nStateDirectory = %s/state\n"
	    "StateKeyFile = %s\n\n"
	    "[Pair]\nPeer = peer-gw\nAddress = 127.0.0.1:%d\n"
	    "Bind = 127.0.0.1:%d\nKeyFile = %s\nPeerTakeover = 600s\n",
	    dir, keyfile, udp_port(), udp_port(), keyfile);
	c = config_parse_string(text, "pair.conf", 0, err, sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	return c;
}

static size_t
mirror_queued(void)
{
	json_t *o = pair_json();
	size_t n;

	n = (size_t)json_integer_value(json_object_get(json_object_get(o,
	    "mirror"), "queued"));
	json_decref(o);
	return n;
}

/* The loop until the mirror holds want, or 20 s. */
static size_t
run_until_queued(size_t want)
{
	int i;

	for (i = 0; i < 40000 && mirror_queued() != want; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		if (mirror_queued() != want)
			usleep(500);
	}
	return mirror_queued();
}

START_TEST(remirror_resumes)
{
	struct standin_conf sc;
	struct config *c;
	char keyfile[96], err[256];
	size_t n = PAIR_MIRROR_MAX + 1000, full = PAIR_MIRROR_MAX - 256;
	size_t acked = PAIR_MIRROR_MAX / 2 + 8000;
	size_t i;

	fix_state_dir(dir, sizeof dir, "pair");
	fix_state_key(dir, keyfile, sizeof keyfile, 0600);
	base = event_base_new();
	ck_assert_int_eq(dlq_init(base), 0);
	fix_state_conf(&sc, dir, keyfile, 1);
	sc.paired = 1;
	sc.share = 50;
	ck_assert_msg(standin_init(base, &sc, &fix_quiet_ops, err,
	    sizeof err) == 0, "%s", err);
	fill(n);
	queue_ids(n);
	/* the start: the queue walked into the mirror until it is full */
	ck_assert_int_eq(core_init(base, &no_cores, wall_us() / 1000), 0);
	c = pair_config(keyfile);
	ck_assert_int_eq(pair_start(c), 0);
	ck_assert_uint_eq(run_until_queued(full), full);
	/* the core acknowledges the oldest: out of the mirror, room made */
	for (i = 0; i < acked; i++)
		pair_released(ids[i]);
	ck_assert_uint_eq(mirror_queued(), full - acked);
	/* the tick goes on with the walk: the rest of the queue mirrored */
	pair_tick(now_us());
	ck_assert_uint_eq(run_until_queued(n - acked), n - acked);
	pair_stop();
	core_shutdown();
	config_free(c);
	free(ids);
	fix_state_end(base, dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pair");
	TCase *tc = tcase_create("remirror");

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, remirror_resumes);
	suite_add_tcase(s, tc);
	return check_run(s);
}
