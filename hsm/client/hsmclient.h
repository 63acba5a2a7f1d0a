/*
 * hsmclient.h — the HSM client gatewayd uses, for hsmd and for a real
 * payShield alike (same host commands, same framing).
 *
 * Non-blocking, on the caller's libevent base, no threads. Requests are
 * pipelined over one or more connections to one address ("unix:PATH" or
 * "tcp:HOST:PORT"); each connection answers in order, and every reply is
 * matched to its request by the message header (a per-connection 4-digit
 * trace number) and the response code.
 *
 * How gatewayd uses it (stand-in authoriser):
 *
 *	struct hsm_client_opts o;
 *	hsm_client_opts_default(&o);
 *	o.timeout_ms = 8;			// within the stand-in budget
 *	hsm = hsm_client_new(base, cfg->hsm_addr, &o);	// connects in the
 *						// background, reconnects
 *						// with backoff forever
 *	...
 *	if (hsm_client_health(hsm) == HSM_HEALTH_DOWN ||
 *	    hsm_verify_cvv(hsm, card->cvk, pan, exp, "101", cvc1,
 *	    on_cvv, txn) == -1)
 *		decline(txn, "91");		// HSM unavailable: decline,
 *						// never wait
 *	...
 *	static void on_cvv(const struct hsm_result *r, void *arg) {
 *		if (r->status == HSM_OK)       continue_checks(arg);
 *		else if (r->status == HSM_FAIL) decline(arg, "82");
 *		else                            decline(arg, "91"); // timeout,
 *						// link down, HSM error
 *	}
 *
 * Rules:
 * - A call returns 0 when queued: its callback then runs exactly once,
 *   later, from the event loop (reply, HSM error, timeout or connection
 *   loss). It returns -1 when it cannot be queued (bad arguments, no
 *   connection up or connecting, every queue full): no callback then.
 *   Calls made while a connection is still connecting are sent as soon
 *   as it is up (or fail with HSM_DOWN if the connect fails).
 * - The calls of one loop pass leave together at its end (flush_priority,
 *   hsm_client_flush); replies_done runs after each read's replies.
 * - A call that times out gets HSM_TIMEOUT; its late reply is dropped.
 * - A connection on which nothing arrives for a whole call timeout while
 *   requests are outstanding is closed and re-opened (backoff doubling
 *   from backoff_min_ms to backoff_max_ms).
 * - Key arguments are key blocks under the LMK ("S..." strings); clear
 *   keys never pass through this API. The result struct is only valid
 *   during the callback. Card data is never logged.
 * - hsm_client_free() fails all outstanding calls with HSM_DOWN; never
 *   call it from inside a callback.
 * - Not thread-safe: use a client from its event loop's thread only.
 */
#ifndef HSM_HSMCLIENT_H
#define HSM_HSMCLIENT_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct hsm_client;

/* The longest key block a reply may carry ('S' excluded from the count:
 * a TDES key under hsmd's AES LMK is 112 characters). */
#define HSM_KEYBLOCK_MAX	256

enum hsm_status {
	HSM_OK = 0,		/* error code 00 (or an accepted warning) */
	HSM_FAIL,		/* 01: verification failed (CVV, PIN, ARQC, MAC) */
	HSM_ERROR,		/* any other error code; see error[] */
	HSM_TIMEOUT,		/* no reply within the call's timeout */
	HSM_DOWN,		/* the connection was lost before the reply */
	HSM_PROTO,		/* unparseable or mismatched reply */
};

enum hsm_health {
	HSM_HEALTH_DOWN = 0,	/* no connection up */
	HSM_HEALTH_DEGRADED,	/* some connections up */
	HSM_HEALTH_UP,		/* all connections up */
};

struct hsm_result {
	enum hsm_status	status;
	char		error[3];	/* payShield error code, "" if none */
	union {
		struct {
			uint8_t	arpc[8];	/* hsm_verify_arqc with ARC */
			int	has_arpc;
		} arqc;
		struct {
			char	mac[17];	/* 8 or 16 hex digits */
		} mac;
		struct {
			char	pinblock[17];	/* under the destination key */
			int	pinlen;
			char	format[3];
		} pin;
		struct {
			char	lmk_check[17];
			char	firmware[10];
		} diag;
		struct {
			char	block[HSM_KEYBLOCK_MAX + 1];	/* 'S' + block */
			char	kcv[7];
		} key;
	} u;
};

typedef void hsm_cb(const struct hsm_result *, void *arg);

struct hsm_client_opts {
	unsigned	connections;	/* default 2 */
	unsigned	timeout_ms;	/* per call, default 1000 */
	unsigned	header_len;	/* payShield message header, default 4 */
	unsigned	max_inflight;	/* per connection, default 512 */
	unsigned	backoff_min_ms;	/* default 50 */
	unsigned	backoff_max_ms;	/* default 5000 */
	const char	*lmk_id;	/* "%NN" appended when set (payShield
					    with several LMKs) */
	/* The calls made in a loop pass leave together at its end, from
	 * an event of this priority (default -1: the base's default), or
	 * earlier from hsm_client_flush.  A caller whose own events are
	 * more urgent sets theirs, so its calls leave in the same pass. */
	int		 flush_priority;
	/* Run after the replies of one read went to their callbacks: a
	 * caller that queued work of its own from them sends it there,
	 * in this pass, instead of from an event of its own in the next. */
	void		(*replies_done)(void *);
	void		*replies_arg;
};

struct hsm_client_stats {
	uint64_t	calls, ok, fail, errors, timeouts, down, proto;
	uint64_t	reconnects;
	unsigned	inflight;
};

void		 hsm_client_opts_default(struct hsm_client_opts *);
struct hsm_client *hsm_client_new(struct event_base *, const char *addr,
		    const struct hsm_client_opts *);
void		 hsm_client_free(struct hsm_client *);
enum hsm_health	 hsm_client_health(const struct hsm_client *);
/* Send the calls made so far now, not at the end of the pass: for a
 * caller that knows its batch of calls is complete. */
void		 hsm_client_flush(struct hsm_client *);
void		 hsm_client_stats(const struct hsm_client *,
		    struct hsm_client_stats *);
const char	*hsm_status_str(enum hsm_status);

/* CY: CVC1 (service code from track), CVC2 ("000"), iCVV ("999"). */
int	hsm_verify_cvv(struct hsm_client *, const char *cvk, const char *pan,
	    const char *expiry, const char *svc, const char *cvv, hsm_cb *,
	    void *);
/*
 * EC: PIN block under the ZPK (16 hex), format "01"/"05"/"47", account =
 * 12 rightmost PAN digits without the check digit.
 */
int	hsm_verify_pin_pvv(struct hsm_client *, const char *zpk,
	    const char *pvk, const char *pinblock, const char *format,
	    const char *account, char pvki, const char *pvv, hsm_cb *, void *);
/*
 * EA: IBM 3624 offset; valdata is the 12-character field with one 'N'.
 * hsmd serves only tables whose first ten digits are 0123456789 (25).
 */
int	hsm_verify_pin_ibm(struct hsm_client *, const char *zpk,
	    const char *pvk, const char *pinblock, const char *format,
	    int minlen, const char *account, const char *dectab,
	    const char *valdata, const char *offset, hsm_cb *, void *);
/* The option-A block for KQ: the 16 rightmost digits of PAN || PSN as
 * BCD.  0 or -1 (not digits). */
int	hsm_emv_option_a_y(const char *pan, size_t panlen, const char psn[2],
	    uint8_t y[8]);
/*
 * KQ: scheme 0 static, 1 MasterCard SKD (M/Chip CVN 16/17); panpsn = the
 * 8-byte option-A block. txdata must already be padded by the caller.
 * With arc != NULL (mode 1) the result carries the ARPC (method 1).
 */
int	hsm_verify_arqc(struct hsm_client *, const char *mkac, int scheme,
	    const uint8_t panpsn[8], const uint8_t atc[2], const uint8_t un[4],
	    const uint8_t *txdata, size_t txlen, const uint8_t arqc[8],
	    const uint8_t *arc, hsm_cb *, void *);
/*
 * M6 / M8, binary input, mode 0: alg 1 or 3, padding 0/1/2, mac_len 4 or
 * 8 bytes (MAC hex is 8 or 16 characters).
 */
int	hsm_mac_generate(struct hsm_client *, const char *key, int alg,
	    int pad, size_t mac_len, const uint8_t *data, size_t len, hsm_cb *,
	    void *);
int	hsm_mac_verify(struct hsm_client *, const char *key, int alg, int pad,
	    const uint8_t *data, size_t len, const char *mac_hex, hsm_cb *,
	    void *);
/* CA (from_tpk != 0) or CC: translate a PIN block between keys. */
int	hsm_translate_pin(struct hsm_client *, int from_tpk,
	    const char *src_key, const char *dst_key, const char *pinblock,
	    const char *src_format, const char *dst_format,
	    const char *account, hsm_cb *, void *);
/*
 * A6: a key received under a ZMK (zmk: its key block under the LMK),
 * key_x917: "X" + 32H (or "Y" + 48H), the key TDES-ECB-encrypted under
 * the ZMK; usage "P0" (ZPK), "M1"/"M3" (MAC keys), mode of use one
 * character.  The result: the key under the LMK and its KCV (6H), which
 * the caller compares with the one the sender gave.
 */
int	hsm_import_key(struct hsm_client *, const char *zmk,
	    const char *key_x917, const char *usage, char mode, hsm_cb *,
	    void *);
/* NC: LMK check value and firmware. */
int	hsm_diagnostics(struct hsm_client *, hsm_cb *, void *);

/*
 * The reply parser the client runs on every frame body (exposed for the
 * fuzzer and the tests): checks header and response code, maps the error
 * code, and decodes the fields of the command kind ('C'Y, 'K'Q, ...).
 * Returns 0 and fills r, or -1 when the reply does not belong to the
 * request (wrong header or response code): the connection is then reset.
 */
enum hsm_kind {
	HSM_K_NC, HSM_K_CY, HSM_K_EC, HSM_K_EA, HSM_K_KQ0, HSM_K_KQ1,
	HSM_K_M6_4, HSM_K_M6_8, HSM_K_M8, HSM_K_CA, HSM_K_CC, HSM_K_A6,
};
int	hsm_reply_parse(enum hsm_kind, const uint8_t *body, size_t len,
	    const char *hdr, size_t hdrlen, struct hsm_result *r);

#endif
