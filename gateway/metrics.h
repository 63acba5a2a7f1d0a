/*
 * metrics.h — Prometheus text exposition on the Metrics address (evhttp):
 * gatewayd_requests_total{link,mti,outcome,path}, response-time
 * histograms per path, core endpoint state, rejected core frames by
 * reason, late core answers, link state.
 */
#ifndef GATEWAY_METRICS_H
#define GATEWAY_METRICS_H

#include <stdint.h>

struct evbuffer;

/* Who answered: the core, stand-in, gatewayd itself (network management,
 * format errors, advice acks), the duplicate table, or the scheme (an
 * outbound request of the core's). */
enum metrics_path {
	PATH_CORE, PATH_STANDIN, PATH_LOCAL, PATH_DUP, PATH_OUT, NPATHS
};

void	metrics_request(const char *link, const char *mti, const char *outcome,
	    enum metrics_path, uint64_t us);
void	metrics_count(const char *name);	/* simple named counters */
int	metrics_start(void);			/* evhttp on conf->metrics */
void	metrics_stop(void);
void	metrics_render(struct evbuffer *);

#endif
