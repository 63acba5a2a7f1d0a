/*
 * metrics.h — Prometheus text exposition on the Metrics address (evhttp):
 * gatewayd_requests_total{link,mti,outcome,path}, response-time
 * histograms per path and named counters kept here; link, core, router
 * and stand-in figures from the sources registered with metrics_source.
 */
#ifndef GATEWAY_METRICS_H
#define GATEWAY_METRICS_H

#include <stdint.h>

struct cfg_addr;
struct event_base;
struct evbuffer;

/* Appends its metrics, in the text exposition format. */
typedef void metrics_source_fn(struct evbuffer *);

/* Who answered: the core, stand-in, gatewayd itself (network management,
 * format errors, advice acks), the duplicate table, or the scheme (an
 * outbound request of the core's). */
enum metrics_path {
	PATH_CORE, PATH_STANDIN, PATH_LOCAL, PATH_DUP, PATH_OUT, NPATHS
};

void	metrics_request(const char *link, const char *mti, const char *outcome,
	    enum metrics_path, uint64_t us);
void	metrics_count(const char *name);	/* simple named counters */
void	metrics_source(metrics_source_fn *);
/* evhttp on addr (NULL: no endpoint): 0 or -1. */
int	metrics_start(struct event_base *, const struct cfg_addr *addr);
void	metrics_stop(void);
void	metrics_render(struct evbuffer *);
/* A label value, escaped for the exposition format. */
void	metrics_escape(char *dst, size_t cap, const char *s);

#endif
