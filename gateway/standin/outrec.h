/*
 * outrec.h — the OUT_REQUEST corr_ids gatewayd has acted on, kept in the
 * store (database "outseen") so that a restart does not forget them
 * (ARCHITECTURE section 4, idempotent effects: a corr_id seen within
 * FreshWindow is not sent to the scheme again).  gateway/outseen.c keeps
 * the same in memory for the loop; this is what survives it.
 *
 * A record is written, durably, before its request goes to the scheme
 * (outrec_begin: the request itself, in flight), replaced by the answer
 * the core was given (outrec_answered), and deleted when FreshWindow has
 * passed (outrec_forget, or at the next start).  Records are sealed with
 * the state key (they hold card or account data) and bound to their
 * corr_id.  Without a store (Durability = none) nothing is kept.
 */
#ifndef GATEWAY_OUTREC_H
#define GATEWAY_OUTREC_H

#include <stddef.h>
#include <stdint.h>

#define OUTREC_NAME_MAX	48		/* CFG_NAME_MAX */

struct outrec {
	uint64_t	 corr;
	uint64_t	 until_ms;	/* wall clock: kept until then */
	int		 answered;	/* body: the OUT_RESPONSE body; else
					   the request's message TLV */
	char		 link[OUTREC_NAME_MAX];
	char		 core[OUTREC_NAME_MAX];
	const uint8_t	*body;
	size_t		 len;
};

/* 1 when records are kept (a store is open). */
int	outrec_enabled(void);
/* Records r (in flight) durably, then calls done(corr, rc) on the loop:
 * rc 0 when it is in the store.  0, or -1 (not queued: done is not
 * called). */
int	outrec_begin(const struct outrec *r, void (*done)(uint64_t, int));
/* Replaces the record with the answer (r->answered set); not waited for:
 * a crash before it lands leaves the request in flight, which the next
 * start treats as unanswered (outsaf). */
void	outrec_answered(const struct outrec *r);
void	outrec_forget(uint64_t corr);
/* At start: fn for every record still within its time (and deleted
 * those past it).  The number kept, or -1 (the store could not be read,
 * logged). */
long	outrec_load(uint64_t now_ms, void (*fn)(const struct outrec *, void *),
	    void *arg);

/*
 * The outbound saf's entries (gateway/outsaf.c), under their corr_id in
 * "outsaf", sealed: written and deleted by the store's writer, in the
 * order asked (an entry put before its request's answer record is
 * durable no later than it); not waited for.  0, or -1 (not queued,
 * logged by the caller).  load: at start, fn for each entry (plaintext);
 * the number, or -1.
 */
int	outrec_saf_put(uint64_t corr, const uint8_t *pt, size_t len);
int	outrec_saf_del(uint64_t corr);
long	outrec_saf_load(int (*fn)(uint64_t corr, const uint8_t *pt, size_t len,
	    void *arg), void *arg);

#endif
