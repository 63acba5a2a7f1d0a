/*
 * views.h — what operators see of the gateway: the gatewayctl commands
 * status, links, cores, standin and saf (text, or one JSON object built
 * with jansson), and the link, core and router metrics.  Views only
 * read: they call down into the links, cores, router and stand-in, and
 * nothing calls up into them but the control socket and the metrics page.
 */
#ifndef GATEWAY_VIEWS_H
#define GATEWAY_VIEWS_H

#include <stdint.h>

struct config;
struct evbuffer;

/* The start time and the names the views show (again on reload). */
void	views_configure(const struct config *, uint64_t start_us);

void	view_status(struct evbuffer *, int json);
void	view_links(struct evbuffer *, int json);
void	view_cores(struct evbuffer *, int json);
void	view_standin(struct evbuffer *, int json);
void	view_saf(struct evbuffer *, int json);
void	view_pair(struct evbuffer *, int json);
/* A metrics source (metrics.h): links, cores, the router. */
void	views_metrics(struct evbuffer *);

#endif
