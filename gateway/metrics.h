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

/* path: "core", "standin", "local" (netmgmt, format errors, advice acks),
 * "dup" (answered again from the duplicate table). */
void	metrics_request(const char *link, const char *mti, const char *outcome,
	    const char *path, uint64_t us);
void	metrics_count(const char *name);	/* simple named counters */
int	metrics_start(void);			/* evhttp on conf->metrics */
void	metrics_stop(void);
void	metrics_render(struct evbuffer *);

#endif
