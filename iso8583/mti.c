/*
 * mti.c — message types, responses and echoed fields.
 */
#include <string.h>

#include "iso8583/iso8583.h"
#include "iso8583/mti.h"

/* DE90 (original data) only in the reversal class. */
static const int echo_fin[] = { 2, 3, 4, 7, 11, 12, 13, 15, 32, 33, 37, 41,
    42, 49, 63, 90 };
static const int echo_net[] = { 7, 11, 33, 37, 53, 70, 94, 96 };

static int
digits4(const char *mti)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (mti[i] < '0' || mti[i] > '9')
			return 0;
	return mti[4] == '\0';
}

enum iso_mti_kind
iso_mti_kind(const char *mti)
{
	static const struct {
		char	cls, fn;
		enum iso_mti_kind kind;
	} kinds[] = {
		{ '1', '0', ISO_MTI_REQUEST }, { '2', '0', ISO_MTI_REQUEST },
		{ '4', '0', ISO_MTI_REQUEST }, { '1', '2', ISO_MTI_ADVICE },
		{ '4', '2', ISO_MTI_ADVICE },
	};
	size_t i;

	if (!digits4(mti))
		return ISO_MTI_OTHER;
	if (mti[1] == '8')
		return ISO_MTI_NETMGMT;
	if (mti[2] == '1' || mti[2] == '3')
		return ISO_MTI_RESPONSE;
	if (mti[3] != '0' && mti[3] != '1')
		return ISO_MTI_OTHER;
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].cls == mti[1] && kinds[i].fn == mti[2])
			return kinds[i].kind;
	return ISO_MTI_OTHER;
}

int
iso_mti_response(const char *mti, char out[5])
{
	if (!digits4(mti) || (mti[2] - '0') % 2 != 0 || mti[2] == '9')
		return -1;
	memcpy(out, mti, 5);
	out[2] = (char)(mti[2] + 1);
	out[3] = (char)('0' + ((mti[3] - '0') & ~1));
	return 0;
}

const int *
iso_echo_fields(const char *mti, size_t *n)
{
	if (mti[0] != '\0' && mti[1] == '8') {
		*n = sizeof echo_net / sizeof echo_net[0];
		return echo_net;
	}
	*n = sizeof echo_fin / sizeof echo_fin[0];
	if (mti[0] == '\0' || mti[1] != '4')
		(*n)--;			/* no DE90 */
	return echo_fin;
}

static void
echo_below(struct iso_msg *r, const struct iso_msg *req, int below)
{
	const int *f;
	size_t i, n;

	f = iso_echo_fields(req->mti, &n);
	for (i = 0; i < n; i++) {
		if (below > 0 && f[i] >= below)
			break;
		if (iso_has(req, f[i])) {
			iso_unset(r, f[i]);
			iso_copy_field(r, req, f[i]);
		}
	}
}

void
iso_echo(struct iso_msg *r, const struct iso_msg *req)
{
	echo_below(r, req, 0);
}

int
iso_response_init(struct iso_msg *r, const struct iso_msg *req,
    const char *rc, int below)
{
	char mti[5];

	if (iso_mti_response(req->mti, mti) == -1)
		return -1;
	iso_msg_init(r, mti);
	echo_below(r, req, below);
	if (rc != NULL && iso_set_str(r, 39, rc) == -1)
		return -1;
	return 0;
}
