/*
 * profile.c — the wire profiles, as data.  Facts from
 * ../shared/reference/iso8583-fields.md: iso87 is the ISO 8583:1987 base,
 * the others are the base with a few overrides.  Fields 129..192 (behind
 * the tertiary bitmap, DE65) are generic LLLVAR ans ..999.
 */
#include <pthread.h>
#include <string.h>

#include "iso8583/iso8583.h"

static const struct iso_fdef iso87_fields[ISO_NFIELDS + 1] = {
	[2] = { "Primary account number", ISO_N, ISO_LL, ISO_MASK_PAN, 19 },
	[3] = { "Processing code", ISO_N, ISO_FIXED, ISO_MASK_NONE, 6 },
	[4] = { "Amount, transaction", ISO_N, ISO_FIXED, ISO_MASK_NONE, 12 },
	[5] = { "Amount, settlement", ISO_N, ISO_FIXED, ISO_MASK_NONE, 12 },
	[6] = { "Amount, cardholder billing", ISO_N, ISO_FIXED, ISO_MASK_NONE, 12 },
	[7] = { "Transmission date and time", ISO_N, ISO_FIXED, ISO_MASK_NONE, 10 },
	[8] = { "Amount, cardholder billing fee", ISO_N, ISO_FIXED, ISO_MASK_NONE, 8 },
	[9] = { "Conversion rate, settlement", ISO_N, ISO_FIXED, ISO_MASK_NONE, 8 },
	[10] = { "Conversion rate, cardholder billing", ISO_N, ISO_FIXED, ISO_MASK_NONE, 8 },
	[11] = { "System trace audit number", ISO_N, ISO_FIXED, ISO_MASK_NONE, 6 },
	[12] = { "Time, local transaction", ISO_N, ISO_FIXED, ISO_MASK_NONE, 6 },
	[13] = { "Date, local transaction", ISO_N, ISO_FIXED, ISO_MASK_NONE, 4 },
	[14] = { "Date, expiration", ISO_N, ISO_FIXED, ISO_MASK_NONE, 4 },
	[15] = { "Date, settlement", ISO_N, ISO_FIXED, ISO_MASK_NONE, 4 },
	[16] = { "Date, conversion", ISO_N, ISO_FIXED, ISO_MASK_NONE, 4 },
	[17] = { "Date, capture", ISO_N, ISO_FIXED, ISO_MASK_NONE, 4 },
	[18] = { "Merchant type", ISO_N, ISO_FIXED, ISO_MASK_NONE, 4 },
	[19] = { "Acquiring institution country code", ISO_N, ISO_FIXED, ISO_MASK_NONE, 3 },
	[20] = { "PAN extended country code", ISO_N, ISO_FIXED, ISO_MASK_NONE, 3 },
	[21] = { "Forwarding institution country code", ISO_N, ISO_FIXED, ISO_MASK_NONE, 3 },
	[22] = { "POS entry mode", ISO_N, ISO_FIXED, ISO_MASK_NONE, 3 },
	[23] = { "Card sequence number", ISO_N, ISO_FIXED, ISO_MASK_NONE, 3 },
	[24] = { "Network international identifier", ISO_N, ISO_FIXED, ISO_MASK_NONE, 3 },
	[25] = { "POS condition code", ISO_N, ISO_FIXED, ISO_MASK_NONE, 2 },
	[26] = { "POS PIN capture code", ISO_N, ISO_FIXED, ISO_MASK_NONE, 2 },
	[27] = { "Authorisation ID response length", ISO_N, ISO_FIXED, ISO_MASK_NONE, 1 },
	[28] = { "Amount, transaction fee", ISO_XN, ISO_FIXED, ISO_MASK_NONE, 9 },
	[29] = { "Amount, settlement fee", ISO_XN, ISO_FIXED, ISO_MASK_NONE, 9 },
	[30] = { "Amount, transaction processing fee", ISO_XN, ISO_FIXED, ISO_MASK_NONE, 9 },
	[31] = { "Amount, settlement processing fee", ISO_XN, ISO_FIXED, ISO_MASK_NONE, 9 },
	[32] = { "Acquiring institution ID code", ISO_N, ISO_LL, ISO_MASK_NONE, 11 },
	[33] = { "Forwarding institution ID code", ISO_N, ISO_LL, ISO_MASK_NONE, 11 },
	[34] = { "Primary account number, extended", ISO_NS, ISO_LL, ISO_MASK_PAN, 28 },
	[35] = { "Track 2 data", ISO_Z, ISO_LL, ISO_MASK_TRACK, 37 },
	[36] = { "Track 3 data", ISO_ANS, ISO_LLL, ISO_MASK_ALL, 104 },
	[37] = { "Retrieval reference number", ISO_AN, ISO_FIXED, ISO_MASK_NONE, 12 },
	[38] = { "Authorisation ID response", ISO_AN, ISO_FIXED, ISO_MASK_NONE, 6 },
	[39] = { "Response code", ISO_AN, ISO_FIXED, ISO_MASK_NONE, 2 },
	[40] = { "Service restriction code", ISO_AN, ISO_FIXED, ISO_MASK_NONE, 3 },
	[41] = { "Card acceptor terminal ID", ISO_ANS, ISO_FIXED, ISO_MASK_NONE, 8 },
	[42] = { "Card acceptor ID code", ISO_ANS, ISO_FIXED, ISO_MASK_NONE, 15 },
	[43] = { "Card acceptor name/location", ISO_ANS, ISO_FIXED, ISO_MASK_NONE, 40 },
	[44] = { "Additional response data", ISO_ANS, ISO_LL, ISO_MASK_NONE, 25 },
	[45] = { "Track 1 data", ISO_ANS, ISO_LL, ISO_MASK_ALL, 76 },
	[46] = { "Additional data, ISO", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[47] = { "Additional data, national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[48] = { "Additional data, private", ISO_ANY, ISO_LLL, ISO_MASK_DE48, 999 },
	[49] = { "Currency code, transaction", ISO_AN, ISO_FIXED, ISO_MASK_NONE, 3 },
	[50] = { "Currency code, settlement", ISO_AN, ISO_FIXED, ISO_MASK_NONE, 3 },
	[51] = { "Currency code, cardholder billing", ISO_AN, ISO_FIXED, ISO_MASK_NONE, 3 },
	[52] = { "PIN data", ISO_B, ISO_FIXED, ISO_MASK_ALL, 8 },
	[53] = { "Security related control information", ISO_N, ISO_FIXED, ISO_MASK_NONE, 16 },
	[54] = { "Additional amounts", ISO_AN, ISO_LLL, ISO_MASK_NONE, 240 },
	[55] = { "ICC data", ISO_B, ISO_LLL, ISO_MASK_DE55, 255 },
	[56] = { "Reserved ISO", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[57] = { "Reserved national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[58] = { "Reserved national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[59] = { "Reserved national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[60] = { "Reserved national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[61] = { "Reserved private", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[62] = { "Reserved private", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[63] = { "Reserved private", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[64] = { "Message authentication code", ISO_B, ISO_FIXED, ISO_MASK_NONE, 8 },
	[66] = { "Settlement code", ISO_N, ISO_FIXED, ISO_MASK_NONE, 1 },
	[67] = { "Extended payment code", ISO_N, ISO_FIXED, ISO_MASK_NONE, 2 },
	[68] = { "Receiving institution country code", ISO_N, ISO_FIXED, ISO_MASK_NONE, 3 },
	[69] = { "Settlement institution country code", ISO_N, ISO_FIXED, ISO_MASK_NONE, 3 },
	[70] = { "Network management information code", ISO_N, ISO_FIXED, ISO_MASK_NONE, 3 },
	[71] = { "Message number", ISO_N, ISO_FIXED, ISO_MASK_NONE, 4 },
	[72] = { "Message number, last", ISO_N, ISO_FIXED, ISO_MASK_NONE, 4 },
	[73] = { "Date, action", ISO_N, ISO_FIXED, ISO_MASK_NONE, 6 },
	[74] = { "Credits, number", ISO_N, ISO_FIXED, ISO_MASK_NONE, 10 },
	[75] = { "Credits, reversal number", ISO_N, ISO_FIXED, ISO_MASK_NONE, 10 },
	[76] = { "Debits, number", ISO_N, ISO_FIXED, ISO_MASK_NONE, 10 },
	[77] = { "Debits, reversal number", ISO_N, ISO_FIXED, ISO_MASK_NONE, 10 },
	[78] = { "Transfer, number", ISO_N, ISO_FIXED, ISO_MASK_NONE, 10 },
	[79] = { "Transfer, reversal number", ISO_N, ISO_FIXED, ISO_MASK_NONE, 10 },
	[80] = { "Inquiries, number", ISO_N, ISO_FIXED, ISO_MASK_NONE, 10 },
	[81] = { "Authorisations, number", ISO_N, ISO_FIXED, ISO_MASK_NONE, 10 },
	[82] = { "Credits, processing fee amount", ISO_N, ISO_FIXED, ISO_MASK_NONE, 12 },
	[83] = { "Credits, transaction fee amount", ISO_N, ISO_FIXED, ISO_MASK_NONE, 12 },
	[84] = { "Debits, processing fee amount", ISO_N, ISO_FIXED, ISO_MASK_NONE, 12 },
	[85] = { "Debits, transaction fee amount", ISO_N, ISO_FIXED, ISO_MASK_NONE, 12 },
	[86] = { "Credits, amount", ISO_N, ISO_FIXED, ISO_MASK_NONE, 16 },
	[87] = { "Credits, reversal amount", ISO_N, ISO_FIXED, ISO_MASK_NONE, 16 },
	[88] = { "Debits, amount", ISO_N, ISO_FIXED, ISO_MASK_NONE, 16 },
	[89] = { "Debits, reversal amount", ISO_N, ISO_FIXED, ISO_MASK_NONE, 16 },
	[90] = { "Original data elements", ISO_N, ISO_FIXED, ISO_MASK_NONE, 42 },
	[91] = { "File update code", ISO_AN, ISO_FIXED, ISO_MASK_NONE, 1 },
	[92] = { "File security code", ISO_AN, ISO_FIXED, ISO_MASK_NONE, 2 },
	[93] = { "Response indicator", ISO_AN, ISO_FIXED, ISO_MASK_NONE, 5 },
	[94] = { "Service indicator", ISO_AN, ISO_FIXED, ISO_MASK_NONE, 7 },
	[95] = { "Replacement amounts", ISO_AN, ISO_FIXED, ISO_MASK_NONE, 42 },
	[96] = { "Message security code", ISO_B, ISO_FIXED, ISO_MASK_NONE, 8 },
	[97] = { "Amount, net settlement", ISO_XN, ISO_FIXED, ISO_MASK_NONE, 17 },
	[98] = { "Payee", ISO_ANS, ISO_FIXED, ISO_MASK_NONE, 25 },
	[99] = { "Settlement institution ID code", ISO_N, ISO_LL, ISO_MASK_NONE, 11 },
	[100] = { "Receiving institution ID code", ISO_N, ISO_LL, ISO_MASK_NONE, 11 },
	[101] = { "File name", ISO_ANS, ISO_LL, ISO_MASK_NONE, 17 },
	[102] = { "Account identification 1", ISO_ANS, ISO_LL, ISO_MASK_NONE, 28 },
	[103] = { "Account identification 2", ISO_ANS, ISO_LL, ISO_MASK_NONE, 28 },
	[104] = { "Transaction description", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 100 },
	[105] = { "Reserved ISO", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[106] = { "Reserved ISO", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[107] = { "Reserved ISO", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[108] = { "Reserved ISO", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[109] = { "Reserved ISO", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[110] = { "Reserved ISO", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[111] = { "Reserved ISO", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[112] = { "Reserved national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[113] = { "Reserved national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[114] = { "Reserved national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[115] = { "Reserved national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[116] = { "Reserved national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[117] = { "Reserved national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[118] = { "Reserved national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[119] = { "Reserved national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[120] = { "Reserved private", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[121] = { "Reserved private", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[122] = { "Reserved private", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[123] = { "Reserved private", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[124] = { "Reserved private", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[125] = { "Reserved private", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[126] = { "Reserved private", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[127] = { "Reserved private", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 },
	[128] = { "Message authentication code, secondary", ISO_B, ISO_FIXED, ISO_MASK_NONE, 8 },
};

/* A change to one field of the base table. */
struct iso_override {
	int		field;
	struct iso_fdef	def;
};

static const struct iso_override mastercard_over[] = {
	/* Provisional maxima from mc_decode.py; confirm against the CIS. */
	{ 54, { "Additional amounts", ISO_AN, ISO_LLL, ISO_MASK_NONE, 120 } },
	{ 60, { "Advice reason code", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 60 } },
	{ 61, { "POS data", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 26 } },
	{ 62, { "Intermediate network facility data", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 100 } },
	{ 63, { "Network data", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 50 } },
	{ 112, { "Additional data, national", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 100 } },
	{ 121, { "Authorizing agent ID code", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 6 } },
	{ 124, { "Member-defined data", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 299 } },
	{ 127, { "Private data", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 100 } },
	{ 0, { 0 } }
};

/* FPS meanings and lengths from the public Open Banking mapping; to be
 * confirmed against the scheme's own spec.  Account numbers are masked
 * like accounts, not like PANs. */
static const struct iso_override fps_over[] = {
	{ 6, { "Payment amount", ISO_N, ISO_FIXED, ISO_MASK_NONE, 14 } },
	{ 35, { "Beneficiary account number", ISO_ANS, ISO_LL, ISO_MASK_ACCOUNT, 34 } },
	{ 42, { "Originating sort code", ISO_ANS, ISO_FIXED, ISO_MASK_NONE, 11 } },
	{ 43, { "Originating account number", ISO_ANS, ISO_FIXED, ISO_MASK_ACCOUNT, 34 } },
	{ 48, { "Additional data, private", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 } },
	{ 62, { "End-to-end reference", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 31 } },
	{ 95, { "Beneficiary sort code", ISO_ANS, ISO_FIXED, ISO_MASK_NONE, 11 } },
	{ 116, { "Account name", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 } },
	{ 118, { "Account name", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 } },
	{ 120, { "Payment reference", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 18 } },
	{ 121, { "Remittance information", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 140 } },
	{ 0, { 0 } }
};

static const struct iso_override no_over[] = { { 0, { 0 } } };

struct iso_profile_src {
	const char			*name;
	uint8_t				 charset, lenenc, binenc, empty_ok;
	uint8_t				 id_de63;
	const struct iso_override	*over;
};

static const struct iso_profile_src sources[] = {
	{ "iso87", ISO_CS_ASCII, ISO_LEN_CHARS, ISO_BIN_RAW, 1, 0, no_over },
	{ "iso87hex", ISO_CS_ASCII, ISO_LEN_CHARS, ISO_BIN_HEX, 1, 0,
	    no_over },
	/* Mastercard's Network Data (DE63) names a transaction too. */
	{ "mastercard", ISO_CS_EBCDIC500, ISO_LEN_CHARS, ISO_BIN_RAW, 0, 1,
	    mastercard_over },
	{ "mastercard-cp037", ISO_CS_EBCDIC037, ISO_LEN_CHARS, ISO_BIN_RAW, 0,
	    1, mastercard_over },
	{ "fps", ISO_CS_ASCII, ISO_LEN_CHARS, ISO_BIN_RAW, 1, 0, fps_over },
};
#define NPROFILES (sizeof sources / sizeof sources[0])

static struct iso_profile profiles[NPROFILES];
static pthread_once_t profiles_once = PTHREAD_ONCE_INIT;

static void
profiles_build(void)
{
	static const struct iso_fdef generic =
	    { "Reserved", ISO_ANS, ISO_LLL, ISO_MASK_NONE, 999 };
	size_t i;
	int n;

	for (i = 0; i < NPROFILES; i++) {
		struct iso_profile *p = &profiles[i];
		const struct iso_override *o;

		p->name = sources[i].name;
		p->charset = sources[i].charset;
		p->lenenc = sources[i].lenenc;
		p->binenc = sources[i].binenc;
		p->empty_ok = sources[i].empty_ok;
		p->id_de63 = sources[i].id_de63;
		memcpy(p->f, iso87_fields, sizeof p->f);
		for (n = 129; n <= ISO_NFIELDS; n++)
			p->f[n] = generic;
		for (o = sources[i].over; o->field; o++)
			p->f[o->field] = o->def;
	}
}

const struct iso_profile *
iso_profile_find(const char *name)
{
	size_t i;

	pthread_once(&profiles_once, profiles_build);
	for (i = 0; i < NPROFILES; i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

const char *
iso_profile_names(void)
{
	return "iso87 iso87hex mastercard mastercard-cp037 fps";
}

const struct iso_fdef *
iso_fdef(const struct iso_profile *p, int field)
{
	if (field < 2 || field > ISO_NFIELDS || field == 65 ||
	    p->f[field].name == NULL)
		return NULL;
	return &p->f[field];
}
