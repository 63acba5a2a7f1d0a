/*
 * delay.c — latency distributions.  The programs do not link libm, so
 * the normal draw is Irwin-Hall (12 uniforms) and the log is computed
 * here; both are plenty for test traffic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheme-sim/delay.h"
#include "scheme-sim/parse.h"

void
sim_rng_seed(uint64_t *rng, uint64_t seed)
{
	*rng = seed ? seed : 0x2545F4914F6CDD1Dull;
}

uint64_t
sim_rng_next(uint64_t *rng)
{
	/* xorshift64* */
	uint64_t x = *rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

double
sim_rng_unit(uint64_t *rng)
{
	return (double)(sim_rng_next(rng) >> 11) / 9007199254740992.0;
}

double
sim_ln(double x)
{
	union { double d; uint64_t u; } v = { .d = x };
	int e;
	double m, t, t2, sum, term;
	int k;

	if (!(x > 0))
		return -1e308;
	e = (int)((v.u >> 52) & 0x7ff) - 1023;
	v.u = (v.u & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
	m = v.d;			/* [1, 2) */
	if (m > 1.41421356237) {	/* keep t small: m in [0.707, 1.414) */
		m /= 2;
		e++;
	}
	t = (m - 1) / (m + 1);
	t2 = t * t;
	sum = 0;
	term = t;
	for (k = 1; k < 30; k += 2) {
		sum += term / k;
		term *= t2;
	}
	return 2 * sum + e * 0.69314718055994530942;
}

static int
parse_parts(const char *s, uint64_t *v, int n)
{
	char buf[128], *tok, *save;
	int i = 0;

	if (strlen(s) >= sizeof buf)
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ":", &save); tok;
	    tok = strtok_r(NULL, ":", &save)) {
		if (i >= n || sim_parse_duration(tok, &v[i]) == -1)
			return -1;
		i++;
	}
	return i == n ? 0 : -1;
}

int
sim_delay_parse(struct sim_delay *d, const char *s)
{
	uint64_t v[2];

	memset(d, 0, sizeof *d);
	if (strncmp(s, "uniform:", 8) == 0) {
		if (parse_parts(s + 8, v, 2) == -1 || v[1] < v[0])
			return -1;
		d->kind = SIM_D_UNIFORM;
	} else if (strncmp(s, "normal:", 7) == 0) {
		if (parse_parts(s + 7, v, 2) == -1)
			return -1;
		d->kind = SIM_D_NORMAL;
	} else if (strncmp(s, "exp:", 4) == 0) {
		if (parse_parts(s + 4, v, 1) == -1)
			return -1;
		v[1] = 0;
		d->kind = SIM_D_EXP;
	} else {
		if (strncmp(s, "fixed:", 6) == 0)
			s += 6;
		if (sim_parse_duration(s, &v[0]) == -1)
			return -1;
		v[1] = 0;
		d->kind = v[0] ? SIM_D_FIXED : SIM_D_NONE;
	}
	d->a = v[0];
	d->b = v[1];
	return 0;
}

uint64_t
sim_delay_draw(const struct sim_delay *d, uint64_t *rng)
{
	double z;
	int i;

	switch (d->kind) {
	case SIM_D_FIXED:
		return d->a;
	case SIM_D_UNIFORM:
		return d->a +
		    (uint64_t)(sim_rng_unit(rng) * (double)(d->b - d->a));
	case SIM_D_NORMAL:
		z = -6;
		for (i = 0; i < 12; i++)
			z += sim_rng_unit(rng);
		z = (double)d->a + z * (double)d->b;
		return z > 0 ? (uint64_t)z : 0;
	case SIM_D_EXP:
		return (uint64_t)(-sim_ln(1.0 - sim_rng_unit(rng)) *
		    (double)d->a);
	}
	return 0;
}
