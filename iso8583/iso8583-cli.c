/*
 * iso8583 — decode, encode and describe one ISO 8583 message.
 * A contract other tools and tests rely on: see usage().
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hex.h"
#include "iso8583/iso8583.h"
#include "iso8583/dissector.h"
#include "iso8583/frame.h"
#include "iso8583/json.h"
#include "iso8583/mask.h"
#include "iso8583/profile-file.h"

#define IN_MAX	(64 * 1024)

static void
usage(FILE *f)
{
	fprintf(f,
"usage: iso8583 decode   --profile P [--hex] [--unmasked] [--codepage 500|037]\n"
"       iso8583 encode   --profile P [--hex] [--codepage 500|037]\n"
"       iso8583 describe --profile P [--hex] [--codepage 500|037]\n"
"       iso8583 dissector --profile P [--framing len2|len4ascii] [--unmasked]\n"
"       iso8583 profile export P\n"
"       iso8583 profile check FILE\n"
"\n"
"decode    reads one message (no length header) on stdin and prints\n"
"          {\"mti\":\"0100\",\"fields\":{\"2\":\"...\",...}}: text fields as\n"
"          decoded, b-type fields as upper-case hex, bitmaps implied.\n"
"          PAN, track data, PIN block and card secrets are masked unless\n"
"          --unmasked is given.\n"
"encode    reads that JSON on stdin and writes the packed message.\n"
"describe  prints a table: field, name, length, value (masked).\n"
"--hex     the message on stdin (decode, describe) or stdout (encode) is\n"
"          hex text; whitespace is ignored on input.\n"
"--codepage  EBCDIC code page for the mastercard profile (default 500).\n"
"--profile-file FILE  the profile from a JSON profile file instead of\n"
"          --profile (see 'profile export' for the form).\n"
"dissector writes a Wireshark Lua dissector for the profile (and\n"
"          --framing, default the profile's, len2 for the compiled-in\n"
"          ones) on stdout; card data masked in the display unless\n"
"          --unmasked.\n"
"--framing  len2 or len4ascii (dissector only).\n"
"profile export  writes a compiled-in profile as a profile file.\n"
"profile check   loads a profile file and reports the first error.\n"
"Profiles: %s\n"
"Exit status: 0 ok, 1 bad input (one line on stderr naming field and\n"
"offset), 2 usage.\n", iso_profile_names());
}

static int
read_all(uint8_t *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		if (n == cap) {
			fprintf(stderr, "iso8583: input larger than %zu bytes\n",
			    cap);
			return -1;
		}
		r = read(STDIN_FILENO, buf + n, cap - n);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("iso8583: read");
			return -1;
		}
		n += (size_t)r;
	}
	*len = n;
	return 0;
}

/* Hex text to bytes in place: whitespace dropped, the digits decoded. */
static int
from_hex(uint8_t *buf, size_t len, size_t *out)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' ||
		    buf[i] == '\r')
			continue;
		if (hex_nibble(buf[i]) < 0) {
			fprintf(stderr, "iso8583: input: byte 0x%02X is not hex "
			    "at offset %zu\n", buf[i], i);
			return -1;
		}
		buf[n++] = buf[i];
	}
	if (n % 2) {
		fprintf(stderr, "iso8583: input: odd number of hex digits\n");
		return -1;
	}
	/* Each byte lands at or before the digits it is read from. */
	hex_decode(buf, n, buf);
	*out = n / 2;
	return 0;
}

/* iso8583 profile export NAME | iso8583 profile check FILE */
static int
profile_cmd(int argc, char **argv)
{
	const struct iso_profile *p;
	struct iso_profile *l;
	char err[300];

	if (argc != 4) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[2], "export") == 0) {
		if ((p = iso_profile_find(argv[3])) == NULL) {
			fprintf(stderr, "iso8583: unknown profile '%s' (one of: "
			    "%s)\n", argv[3], iso_profile_names());
			return 2;
		}
		if (iso_profile_export(p, stdout) == -1 || fflush(stdout) != 0)
			return 1;
		return 0;
	}
	if (strcmp(argv[2], "check") == 0) {
		if ((l = iso_profile_load_file(argv[3], err,
		    sizeof err)) == NULL) {
			fprintf(stderr, "iso8583: %s\n", err);
			return 1;
		}
		printf("%s: profile %s ok\n", argv[3], l->name);
		iso_profile_free(l);
		return 0;
	}
	usage(stderr);
	return 2;
}

static void
describe(const struct iso_profile *p, const struct iso_msg *m)
{
	static char val[2 * ISO_BUF_MAX + 1];
	size_t vl, i, len;
	int n;

	printf("%-4s %-40s %5s  %s\n", "DE", "NAME", "LEN", "VALUE");
	printf("%-4s %-40s %5s  %s\n", "MTI", "Message type indicator", "4",
	    m->mti);
	for (n = iso_next(m, 0); n != 0; n = iso_next(m, n)) {
		if (iso_get(m, n, &len) == NULL)
			continue;
		vl = mask_field(p, m, n, 0, val, sizeof val);
		for (i = 0; i < vl; i++)
			if ((uint8_t)val[i] < 0x20 || (uint8_t)val[i] == 0x7f)
				val[i] = '.';
		printf("%-4d %-40.40s %5zu  %.*s\n", n, iso_fdef(p, n)->name,
		    len, (int)vl, val);
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "profile-file", required_argument, NULL, 'f' },
		{ "hex", no_argument, NULL, 'x' },
		{ "unmasked", no_argument, NULL, 'u' },
		{ "codepage", required_argument, NULL, 'c' },
		{ "framing", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static uint8_t in[IN_MAX], out[IN_MAX];
	static char text[4 * IN_MAX];
	static struct iso_msg m;
	const struct iso_profile *p;
	struct iso_profile *loaded = NULL;
	const char *cmd, *pname = NULL, *pfile = NULL, *cp = "500";
	char pbuf[64], err[200];
	struct iso_err e;
	size_t len;
	ssize_t w;
	long jl;
	int c, hex = 0, clear = 0, framing = -1;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	if (strcmp(cmd, "profile") == 0)
		return profile_cmd(argc, argv);
	optind = 2;
	while ((c = getopt_long(argc, argv, "p:f:xuc:F:h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if ((framing = frame_kind_parse(optarg)) < 0) {
				fprintf(stderr, "iso8583: --framing must be len2 "
				    "or len4ascii\n");
				return 2;
			}
			break;
		case 'p': pname = optarg; break;
		case 'f': pfile = optarg; break;
		case 'x': hex = 1; break;
		case 'u': clear = 1; break;
		case 'c': cp = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if ((pname == NULL) == (pfile == NULL) || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (pfile != NULL) {
		if ((loaded = iso_profile_load_file(pfile, err,
		    sizeof err)) == NULL) {
			fprintf(stderr, "iso8583: %s\n", err);
			return 2;
		}
		pname = loaded->name;
	}
	if (loaded == NULL && strcmp(cp, "037") == 0 &&
	    strcmp(pname, "mastercard") == 0) {
		snprintf(pbuf, sizeof pbuf, "%s-cp037", pname);
		pname = pbuf;
	} else if (strcmp(cp, "500") != 0 && strcmp(cp, "037") != 0) {
		fprintf(stderr, "iso8583: --codepage must be 500 or 037\n");
		return 2;
	}
	if ((p = loaded) == NULL && (p = iso_profile_find(pname)) == NULL) {
		fprintf(stderr, "iso8583: unknown profile '%s' (one of: %s)\n",
		    pname, iso_profile_names());
		return 2;
	}
	if (strcmp(cmd, "dissector") == 0) {
		if (dissector_write(p, framing >= 0 ? framing : p->framing,
		    clear, stdout) == -1 || fflush(stdout) != 0)
			return 1;
		return 0;
	}
	if (strcmp(cmd, "decode") != 0 && strcmp(cmd, "encode") != 0 &&
	    strcmp(cmd, "describe") != 0) {
		usage(stderr);
		return 2;
	}
	if (read_all(in, sizeof in, &len) == -1)
		return 1;

	if (strcmp(cmd, "encode") == 0) {
		if (iso_json_read(p, (const char *)in, len, &m, err,
		    sizeof err) == -1) {
			fprintf(stderr, "iso8583: %s\n", err);
			return 1;
		}
		if ((w = iso_pack(p, &m, out, sizeof out, &e)) == -1) {
			fprintf(stderr, "iso8583: %s\n", e.msg);
			return 1;
		}
		if (hex) {
			hex_encode(out, (size_t)w, text);
			printf("%.*s\n", (int)(2 * w), text);
		} else if (fwrite(out, 1, (size_t)w, stdout) != (size_t)w)
			return 1;
		return fflush(stdout) == 0 ? 0 : 1;
	}

	if (hex && from_hex(in, len, &len) == -1)
		return 1;
	if (iso_unpack(p, &m, in, len, &e) == -1) {
		fprintf(stderr, "iso8583: %s\n", e.msg);
		return 1;
	}
	if (strcmp(cmd, "describe") == 0) {
		describe(p, &m);
		return 0;
	}
	if ((jl = iso_json_write(p, &m, clear, text, sizeof text)) < 0) {
		fprintf(stderr, "iso8583: output too large\n");
		return 1;
	}
	printf("%s\n", text);
	return 0;
}
