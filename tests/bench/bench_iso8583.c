/*
 * bench_iso8583 — the codec alone: unpack, pack and pack+unpack of
 *
 *   mastercard-0100-a  the real-format Mastercard 0100 (EBCDIC, DE55);
 *   iso87-0100-b       a plain ISO 8583:1987 ASCII 0100 of 21 fields
 *                      with DE52 and DE55, for comparing with other
 *                      libraries on a message any of them can take.
 *
 * Each line is measured RUNS times, the lines and the floor interleaved
 * within a run, and printed as its median and spread (tests/bench/runs.h).
 * The floor is the least any codec of that message does: every wire
 * byte read once through a 256-entry table and written once (unpack),
 * and the same back (pack).  The Mastercard pack+unpack has a goal
 * (issue 15: under 500 ns), printed as a ratio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iso8583/iso8583.h"
#include "tests/bench/runs.h"

#ifndef RUNS
#define RUNS	11
#endif
#ifndef ITERS
#define ITERS	100000
#endif
#define GOAL_NS	500

struct sample {
	const char	*name, *profile;
	uint8_t		 wire[2048], out[2048];
	size_t		 len;
	struct iso_msg	 m;
	const struct iso_profile *p;
	struct runs	 floor, unpack, pack, both;
};

static struct sample samples[] = {
	{ .name = "mastercard-0100-a", .profile = "mastercard" },
	{ .name = "iso87-0100-b", .profile = "iso87" },
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

static volatile size_t sink;

static void
load(struct sample *s)
{
	char path[256];
	struct iso_err e;
	FILE *f;

	snprintf(path, sizeof path, "tests/data/%s.bin", s->name);
	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(1);
	}
	s->len = fread(s->wire, 1, sizeof s->wire, f);
	fclose(f);
	if ((s->p = iso_profile_find(s->profile)) == NULL ||
	    iso_unpack(s->p, &s->m, s->wire, s->len, &e) == -1) {
		fprintf(stderr, "%s: %s\n", path, s->p ? e.msg : "profile");
		exit(1);
	}
}

/* The floor: a translate table both ways over the message's bytes. */
static double
time_floor(struct sample *s)
{
	static uint8_t tab[256], tmp[2048];
	const uint8_t *src = s->wire;
	uint8_t *dst = s->out;
	size_t k, len = s->len;
	double t0;
	int i;

	for (k = 0; k < 256; k++)
		tab[k] = (uint8_t)(k ^ 0x40);
	t0 = runs_now_ns();
	for (i = 0; i < ITERS; i++) {
		for (k = 0; k < len; k++)
			tmp[k] = tab[src[k]];
		for (k = 0; k < len; k++)
			dst[k] = tab[tmp[k]];
		/* Keeps the compiler from folding the passes away. */
		__asm__ volatile("" : : "r"(tmp), "r"(dst) : "memory");
	}
	return (runs_now_ns() - t0) / ITERS;
}

static void
run_once(struct sample *s)
{
	struct iso_err e;
	double t0;
	ssize_t w = 0;
	int i;

	runs_add(&s->floor, time_floor(s));
	t0 = runs_now_ns();
	for (i = 0; i < ITERS; i++)
		sink += (size_t)iso_unpack(s->p, &s->m, s->wire, s->len, &e);
	runs_add(&s->unpack, (runs_now_ns() - t0) / ITERS);
	t0 = runs_now_ns();
	for (i = 0; i < ITERS; i++)
		sink += (size_t)iso_pack(s->p, &s->m, s->out, sizeof s->out,
		    &e);
	runs_add(&s->pack, (runs_now_ns() - t0) / ITERS);
	t0 = runs_now_ns();
	for (i = 0; i < ITERS; i++) {
		w = iso_pack(s->p, &s->m, s->out, sizeof s->out, &e);
		sink += (size_t)iso_unpack(s->p, &s->m, s->out, (size_t)w, &e);
	}
	runs_add(&s->both, (runs_now_ns() - t0) / ITERS);
	if ((size_t)w != s->len || memcmp(s->out, s->wire, s->len) != 0) {
		fprintf(stderr, "bench_iso8583: %s does not pack back to the "
		    "same bytes\n", s->name);
		exit(1);
	}
}

static void
line(const char *what, const struct sample *s, const struct runs *r)
{
	printf("iso8583 %s %s: %.0f ns/op", what, s->name, runs_median(r));
	runs_print(stdout, r);
	printf("\n");
}

int
main(void)
{
	struct sample *s;
	double med;
	size_t k;
	int r;

	for (k = 0; k < NSAMPLES; k++)
		load(&samples[k]);
	for (r = 0; r < RUNS; r++)
		for (k = 0; k < NSAMPLES; k++)
			run_once(&samples[k]);
	for (k = 0; k < NSAMPLES; k++) {
		s = &samples[k];
		line("unpack", s, &s->unpack);
		line("pack", s, &s->pack);
		line("pack+unpack", s, &s->both);
		printf("iso8583 floor %s: %.0f ns/op", s->name,
		    runs_median(&s->floor));
		runs_print(stdout, &s->floor);
		printf(" pack+unpack_floor_ratio=%.1f\n",
		    runs_median(&s->both) / runs_median(&s->floor));
	}
	s = &samples[0];
	med = runs_median(&s->both);
	printf("codec mastercard_pack_unpack_ns");
	runs_print(stdout, &s->both);
	printf(" goal=%d ratio=%.2f\n", GOAL_NS, med / GOAL_NS);
	printf("codec iso87_pack_unpack_ns");
	runs_print(stdout, &samples[1].both);
	printf("\n");
	return sink == 0 ? 0 : 0;
}
