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

/*
 * An allow-list: one bit per command hsmd implements, and one for KQ's
 * mode 2 (KQ2: an ARPC without an ARQC verified). A command outside it,
 * or KQ mode 2 without KQ2, is answered with error 68 (command
 * disabled), as an unknown command.
 */
typedef uint32_t hsm_allow;

/* Why hsm_cmd_process_allow refused a request (*refused). */
#define HSM_REFUSED_CMD		1	/* its command is not listed */
#define HSM_REFUSED_MODE	2	/* its mode (first character) is not */

hsm_allow	 hsm_allow_all(void);
/* The verification set: NC B2 CY EC EA KQ (modes 0, 1) M8 (cmd.c says
 * why). */
hsm_allow	 hsm_allow_verify(void);
/* "verify", "all", command codes and KQ2 (which brings KQ), separated by
 * blanks or commas. */
int		 hsm_allow_parse(const char *, hsm_allow *, char *err,
		    size_t errsz);
/* The normalised form hsm_allow_parse reads back. */
void		 hsm_allow_format(hsm_allow, char *buf, size_t bufsz);
int		 hsm_allow_has(hsm_allow, const char code[2]);

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
/*
 * The same, serving only the commands in allow; *refused (if not NULL)
 * is HSM_REFUSED_CMD or _MODE when a known command was refused for not
 * being in it, else 0 (always 0 when the return is 0).
 */
size_t			 hsm_cmd_process_allow(struct hsm_cmd_ctx *,
			    hsm_allow allow, const uint8_t *req, size_t len,
			    uint8_t *out, size_t outsz, int *refused);
/* Processed commands, replies with error != 00. */
void			 hsm_cmd_stats(const struct hsm_cmd_ctx *,
			    uint64_t *ok, uint64_t *errors);

#endif
