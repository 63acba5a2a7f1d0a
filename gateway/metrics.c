/*
 * metrics.c — counters, histograms and the Prometheus text endpoint.
 * What the other parts of gatewayd show is theirs to render: they are
 * registered as sources and asked for it on each scrape.
 *
 * Request counters are keyed by their label set in a small open-addressed
 * table: the label space is links x MTIs x DE39 x paths, a few hundred at
 * most, and the hot path costs one hash and a compare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "base/log.h"
#include "gateway/config.h"
#include "gateway/metrics.h"

#define NSLOTS		2048
#define NBUCKETS	14
#define NSOURCES	8

struct rcount {
	uint32_t	hash;
	char		link[CFG_NAME_MAX];
	char		mti[5];
	char		outcome[4];
	enum metrics_path path;
	uint64_t	n;
};

struct named {
	char		name[48];
	uint64_t	n;
};

static struct rcount	*slots;
static size_t		 nslots_used;
static struct named	 named[32];
static struct evhttp	*http;
static metrics_source_fn *sources[NSOURCES];
static size_t		 nsources;

static const char *const paths[NPATHS] = { "core", "standin", "local",
    "dup", "out" };
/* µs upper bounds; the deadline budget is tens of ms */
static const uint64_t bounds[NBUCKETS] = { 100, 250, 500, 1000, 2000, 5000,
    10000, 20000, 30000, 35000, 40000, 50000, 100000, 1000000 };
static uint64_t hist[NPATHS][NBUCKETS + 1];
static uint64_t hsum[NPATHS], hcount[NPATHS];

static uint32_t
fnv(uint32_t h, const char *s)
{
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return (h ^ 0xff) * 16777619u;
}

void
metrics_request(const char *link, const char *mti, const char *outcome,
    enum metrics_path path, uint64_t us)
{
	uint32_t h;
	size_t i;
	struct rcount *r;

	for (i = 0; i < NBUCKETS && us > bounds[i]; i++)
		;
	hist[path][i]++;
	hsum[path] += us;
	hcount[path]++;
	if (slots == NULL && (slots = calloc(NSLOTS, sizeof *slots)) == NULL)
		return;
	h = fnv(fnv(fnv(2166136261u ^ path, link), mti), outcome);
	for (i = h % NSLOTS;; i = (i + 1) % NSLOTS) {
		r = &slots[i];
		if (r->n == 0) {
			if (nslots_used >= NSLOTS * 3 / 4)
				return;	/* label explosion: stop adding */
			r->hash = h;
			snprintf(r->link, sizeof r->link, "%s", link);
			snprintf(r->mti, sizeof r->mti, "%s", mti);
			snprintf(r->outcome, sizeof r->outcome, "%s", outcome);
			r->path = path;
			nslots_used++;
			break;
		}
		if (r->hash == h && strcmp(r->link, link) == 0 &&
		    strcmp(r->mti, mti) == 0 && strcmp(r->outcome, outcome) == 0
		    && r->path == path)
			break;
	}
	r->n++;
}

void
metrics_count(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (named[i].name[0] == '\0')
			snprintf(named[i].name, sizeof named[i].name, "%s",
			    name);
		if (strcmp(named[i].name, name) == 0) {
			named[i].n++;
			return;
		}
	}
}

/* Label values come from config names and digits only, but escape
 * anyway: the exposition format breaks on a quote. */
void
metrics_escape(char *dst, size_t cap, const char *s)
{
	size_t o = 0;

	for (; *s && o + 2 < cap; s++) {
		if (*s == '"' || *s == '\\' || *s == '\n')
			dst[o++] = '\\';
		dst[o++] = *s == '\n' ? 'n' : *s;
	}
	dst[o] = '\0';
}

void
metrics_render(struct evbuffer *b)
{
	char e[CFG_NAME_MAX * 2];
	size_t i, p, j;
	uint64_t cum;

	evbuffer_add_printf(b, "# HELP gatewayd_requests_total Scheme "
	    "messages answered, by link, MTI, outcome (DE39) and path.\n"
	    "# TYPE gatewayd_requests_total counter\n");
	for (i = 0; slots != NULL && i < NSLOTS; i++) {
		if (slots[i].n == 0)
			continue;
		metrics_escape(e, sizeof e, slots[i].link);
		evbuffer_add_printf(b, "gatewayd_requests_total{link=\"%s\","
		    "mti=\"%s\",outcome=\"%s\",path=\"%s\"} %llu\n", e,
		    slots[i].mti, slots[i].outcome, paths[slots[i].path],
		    (unsigned long long)slots[i].n);
	}
	evbuffer_add_printf(b, "# HELP gatewayd_response_seconds Time from "
	    "receiving a request to sending its answer, by path.\n"
	    "# TYPE gatewayd_response_seconds histogram\n");
	for (p = 0; p < NPATHS; p++) {
		cum = 0;
		for (j = 0; j < NBUCKETS; j++) {
			cum += hist[p][j];
			evbuffer_add_printf(b, "gatewayd_response_seconds_bucket"
			    "{path=\"%s\",le=\"%g\"} %llu\n", paths[p],
			    (double)bounds[j] / 1e6, (unsigned long long)cum);
		}
		cum += hist[p][NBUCKETS];
		evbuffer_add_printf(b, "gatewayd_response_seconds_bucket{path="
		    "\"%s\",le=\"+Inf\"} %llu\n", paths[p],
		    (unsigned long long)cum);
		evbuffer_add_printf(b, "gatewayd_response_seconds_sum{path="
		    "\"%s\"} %.6f\n", paths[p], (double)hsum[p] / 1e6);
		evbuffer_add_printf(b, "gatewayd_response_seconds_count{path="
		    "\"%s\"} %llu\n", paths[p], (unsigned long long)hcount[p]);
	}
	for (i = 0; i < sizeof named / sizeof named[0] && named[i].name[0];
	    i++)
		evbuffer_add_printf(b, "gatewayd_%s_total %llu\n",
		    named[i].name, (unsigned long long)named[i].n);
	for (i = 0; i < nsources; i++)
		sources[i](b);
}

void
metrics_source(metrics_source_fn *fn)
{
	if (nsources < NSOURCES)
		sources[nsources++] = fn;
}

static void
http_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *b;

	(void)arg;
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET ||
	    strcmp(evhttp_request_get_uri(req), "/metrics") != 0) {
		evhttp_send_error(req, HTTP_NOTFOUND, NULL);
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	metrics_render(b);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4");
	evhttp_send_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

int
metrics_start(struct event_base *base, const struct cfg_addr *addr)
{
	char host[CFG_ADDR_MAX], *p;
	unsigned port;

	if (addr == NULL)
		return 0;
	snprintf(host, sizeof host, "%s", addr->text);
	if ((p = strrchr(host, ':')) == NULL)
		return -1;
	*p = '\0';
	port = (unsigned)atoi(p + 1);
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if ((http = evhttp_new(base)) == NULL)
		return -1;
	/* Only what a scraper needs: small requests, GET only. */
	evhttp_set_max_headers_size(http, 8192);
	evhttp_set_max_body_size(http, 0);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET);
	evhttp_set_timeout(http, 5);
	evhttp_set_gencb(http, http_cb, NULL);
	if (evhttp_bind_socket(http, host, (uint16_t)port) == -1) {
		log_warn("event=metrics_bind addr=%s", addr->text);
		evhttp_free(http);
		http = NULL;
		return -1;
	}
	log_info("event=metrics_listening addr=%s", addr->text);
	return 0;
}

void
metrics_stop(void)
{
	if (http != NULL)
		evhttp_free(http);
	http = NULL;
}
