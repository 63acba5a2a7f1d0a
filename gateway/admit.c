/*
 * admit.c — admission by the deadline.  A request's budget counts from
 * its arrival at the host (the kernel's receive time, linkio.c), so a
 * request that waited in the socket while the loop was busy or off the
 * CPU knows it.  Before it goes to stand-in:
 *
 *   old   it waited in the socket more than a quarter of its Deadline
 *         (the loop is behind, and every request behind it is older
 *         still: deciding this one takes the time the others need to be
 *         answered at all), or its remaining budget (Deadline - age) is
 *         less than one decision through an empty pipeline plus
 *         ADMIT_MARGIN_US (it cannot be decided in time whatever else
 *         happens);
 *   queued  it came in a read after which the socket still held
 *         LINK_QUEUED_BEHIND (link-t.h): the loop reads slower than the
 *         scheme sends, and what waits for it in the scheme's own send
 *         queue has no receive time to be counted old by;
 *   busy  less than twice what a decision entering now is expected to
 *         take (the pipeline's work times the time between its
 *         completions: Little's law, base/little.h), plus the same.
 *
 * An empty pipeline is given one request every PROBE_US whatever the
 * estimates say (they learn only from completions).  Either is answered 91 at once by the router, as stand-in off would
 * be: remembered for duplicates, and an advice tells the core.  Without this the stand-in's deadline
 * guard still answers 91, but only at the deadline, after the work that
 * was bound to miss it has taken the place of work that was not; and a
 * guard that fires while the loop is off the CPU is late.  Shedding at
 * the door keeps the queue to what can be answered within the deadline,
 * so what is admitted is decided, and what is not is told so early.
 *
 * The core path needs nothing here: its budget already leaves
 * StandInReserve for stand-in, and a request with no budget left goes to
 * stand-in, through admit_standin.
 */
#include <stdint.h>

#include "base/log.h"
#include "iso8583/iso8583.h"
#include "gateway/admit.h"
#include "gateway/link.h"
#include "gateway/standin/standin.h"

/*
 * What an answer needs beyond the estimate: the stand-in guard answers
 * 8 ms before the deadline, and on a loaded machine the loop can be
 * off the CPU for a scheduler slice (a few ms) just when an answer is
 * due.
 */
#define ADMIT_MARGIN_US	8000
/* A request older than Deadline / BEHIND_DIV when read: the loop is
 * behind.  Shedding costs a fraction of a decision, so it catches up. */
#define BEHIND_DIV	4
/* The estimate is an average: single waits spread around it, and a
 * commit or an HSM call may take twice as long in the moment.  Room for
 * twice the estimate keeps the queue short enough that they still end
 * in time; throughput is the same, as long as the pipeline stays full. */
#define WAIT_FACTOR	2

/* How often an empty pipeline is given a request whatever the estimates
 * say. */
#define PROBE_US	100000

static uint64_t shed_total, last_probe;

/* One line, then one per thousand: under overload this is every other
 * request, and the counters say the rest. */
static void
shed_log(const struct link *l, const struct iso_msg *m, uint64_t age,
    const char *why, int64_t left, uint64_t need)
{
	if (shed_total++ % 1000 == 0)
		log_warnx("event=shed link=%s mti=%s why=%s age_us=%llu "
		    "left_us=%lld need_us=%llu queued=%zu shed=%llu rc=91",
		    l->cf.name, m->mti, why, (unsigned long long)age,
		    (long long)left, (unsigned long long)need, l->rx_queued,
		    (unsigned long long)shed_total);
}

const char *
admit_standin(struct link *l, const struct iso_msg *m, uint64_t t0,
    uint64_t now)
{
	uint64_t age = now > t0 ? now - t0 : 0, need;
	int64_t left;

	/* Stand-in off answers 91 at once by itself. */
	if (!standin_enabled())
		return NULL;
	left = (int64_t)l->cf.deadline_us - (int64_t)age;
	if (age > l->cf.deadline_us / BEHIND_DIV) {
		l->shed_old++;
		shed_log(l, m, age, "behind", left, 0);
		return "shed-old";
	}
	if (l->rx_queued >= LINK_QUEUED_BEHIND) {
		l->shed_old++;
		shed_log(l, m, age, "queued", left, 0);
		return "shed-old";
	}
	/* An empty pipeline takes one now and then (a probe, at most every
	 * PROBE_US): the estimates only learn from completions, and a spell
	 * of shedding everything (a stall, a hog) would otherwise leave them
	 * high and the door shut for good.  The deadline guard still
	 * answers a probe in time if it cannot be decided. */
	if (standin_inflight() == 0 && now - last_probe >= PROBE_US) {
		last_probe = now;
		return NULL;
	}
	need = standin_base_us() + ADMIT_MARGIN_US;
	if (left < (int64_t)need) {
		l->shed_old++;
		shed_log(l, m, age, "old", left, need);
		return "shed-old";
	}
	need = standin_wait_us() * WAIT_FACTOR + ADMIT_MARGIN_US;
	if (left < (int64_t)need) {
		l->shed_busy++;
		shed_log(l, m, age, "busy", left, need);
		return "shed-busy";
	}
	return NULL;
}
