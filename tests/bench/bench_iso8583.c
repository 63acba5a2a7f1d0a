/*
 * bench_iso8583 — unpack, pack and pack+unpack of the real-format
 * Mastercard 0100 (EBCDIC, DE55), best of several timed rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "iso8583/iso8583.h"

#ifndef ROUNDS
#define ROUNDS	7
#endif
#ifndef ITERS
#define ITERS	200000
#endif

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int
main(void)
{
	static uint8_t wire[4096], out[4096];
	static struct iso_msg m;
	const struct iso_profile *p = iso_profile_find("mastercard");
	struct iso_err e;
	double t0, best_u = 1e30, best_p = 1e30, best_pu = 1e30, ns;
	volatile size_t sink = 0;
	FILE *f;
	size_t n;
	int r, i;

	if ((f = fopen("tests/data/mastercard-0100-a.bin", "rb")) == NULL) {
		perror("tests/data/mastercard-0100-a.bin");
		return 1;
	}
	n = fread(wire, 1, sizeof wire, f);
	fclose(f);
	if (iso_unpack(p, &m, wire, n, &e) == -1) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	for (r = 0; r < ROUNDS; r++) {
		t0 = now_ns();
		for (i = 0; i < ITERS; i++)
			sink += (size_t)iso_unpack(p, &m, wire, n, &e);
		ns = (now_ns() - t0) / ITERS;
		if (ns < best_u)
			best_u = ns;
		t0 = now_ns();
		for (i = 0; i < ITERS; i++)
			sink += (size_t)iso_pack(p, &m, out, sizeof out, &e);
		ns = (now_ns() - t0) / ITERS;
		if (ns < best_p)
			best_p = ns;
		t0 = now_ns();
		for (i = 0; i < ITERS; i++) {
			sink += (size_t)iso_pack(p, &m, out, sizeof out, &e);
			sink += (size_t)iso_unpack(p, &m, out, n, &e);
		}
		ns = (now_ns() - t0) / ITERS;
		if (ns < best_pu)
			best_pu = ns;
	}
	printf("iso8583 unpack mastercard-0100-a: %.0f ns/op\n", best_u);
	printf("iso8583 pack mastercard-0100-a: %.0f ns/op\n", best_p);
	printf("iso8583 pack+unpack mastercard-0100-a: %.0f ns/op\n", best_pu);
	return sink == 0 ? 0 : 0;
}
