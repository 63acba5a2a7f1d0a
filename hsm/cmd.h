/*
 * cmd.h — payShield host-command processing: one request body in, one
 * reply body out. No I/O here, so the fuzzer and the tests drive exactly
 * what hsmd runs.
 *
 * A request body is: header (hdrlen bytes, echoed), 2-character command,
 * fields, optional "%" LMK id, optional 0x19 + trailer (echoed). Fields
 * are parsed by their lengths (KQ carries raw bytes).
 */
#ifndef HSM_CMD_H
#define HSM_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "hsm/lmk.h"

#define HSM_FRAME_MAX	65535		/* the 2-byte length prefix */
#define HSM_REPLY_MAX	(HSM_FRAME_MAX + 64)
#define HSM_FIRMWARE	"0001-HSMD"	/* 9A, returned by NC */

struct hsm_cmd_ctx;

/* hdrlen: message header length (payShield default 4). */
struct hsm_cmd_ctx	*hsm_cmd_new(const struct lmk *, size_t hdrlen);
void			 hsm_cmd_free(struct hsm_cmd_ctx *);
/*
 * Process one request body. Returns the reply length written to out
 * (outsz >= HSM_REPLY_MAX), or 0 when the body is too short to carry a
 * header and a command code, so there is nothing to answer.
 */
size_t			 hsm_cmd_process(struct hsm_cmd_ctx *,
			    const uint8_t *req, size_t len, uint8_t *out,
			    size_t outsz);
/* Processed commands, replies with error != 00. */
void			 hsm_cmd_stats(const struct hsm_cmd_ctx *,
			    uint64_t *ok, uint64_t *errors);

#endif
