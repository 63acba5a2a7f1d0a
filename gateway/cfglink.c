/*
 * cfglink.c — the [Link NAME] keys that are more than a value: the
 * session (SignOn), MACs (MAC), the zone key files (ZMKFile, ZPKFile,
 * read and checked like every key file) and a profile from a file
 * (ProfileFile).  Their rows are in cfgkeys.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/hex.h"
#include "base/secretfile.h"
#include "iso8583/iso8583.h"
#include "iso8583/profile-file.h"
#include "gateway/cfg-int.h"

/* SignOn = yes: the gateway signs its Connect slots on and every
 * signed-on connection off before a planned close, and a profile that
 * gates traffic refuses requests on connections not signed on. */
int
cfg_set_sign_on(struct pctx *px, void *s, const char *v)
{
	struct cfg_link *l = s;

	if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
		l->sign_on = v[0] == 'y';
		return 1;
	}
	return FAILED(px, "SignOn: want yes or no");
}

void
cfg_print_sign_on(FILE *f, const void *s)
{
	fprintf(f, "SignOn = %s\n", ((const struct cfg_link *)s)->sign_on ?
	    "yes" : "no");
}

/* MAC = yes: DE64/DE128 on every message but network management,
 * through the HSM under the link's MAC key (gateway/linkmac.c). */
int
cfg_set_mac(struct pctx *px, void *s, const char *v)
{
	struct cfg_link *l = s;

	if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
		l->mac = v[0] == 'y';
		return 1;
	}
	return FAILED(px, "MAC: want yes or no");
}

void
cfg_print_mac(FILE *f, const void *s)
{
	fprintf(f, "MAC = %s\n", ((const struct cfg_link *)s)->mac ? "yes" :
	    "no");
}

/* ZMKFile, ZPKFile: one line, the key's block ('S...') under the LMK; a
 * file group or others can read is refused, like every key file. */
static int
keyblock_file(struct pctx *px, const char *name, const char *v, char *path,
    size_t pathsz, char *blk, size_t blksz)
{
	char e[200], line[CFG_KEYBLOCK_MAX + 2];
	size_t n;
	FILE *f;
	int fd;

	if (cfg_copy_str(path, pathsz, v) == -1)
		return FAILED(px, "%s: bad path", name);
	if (px->nokeys)
		return 1;
	if ((fd = open(v, O_RDONLY | O_CLOEXEC)) == -1)
		return FAILED(px, "%s: %s: %s", name, v, strerror(errno));
	if (secret_fd_ok(fd, v, e, sizeof e) == -1) {
		close(fd);
		return FAILED(px, "%s: %s", name, e);
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return FAILED(px, "%s: %s: %s", name, v, strerror(errno));
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (n < 17 || n >= blksz || line[0] != 'S' ||
	    strspn(line + 1, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
	    n - 1) {
		explicit_bzero(line, sizeof line);
		return FAILED(px, "%s: %s: want one key block line (S...)",
		    name, v);
	}
	memcpy(blk, line, n + 1);
	explicit_bzero(line, sizeof line);
	return 1;
}

int
cfg_set_zmk_file(struct pctx *px, void *s, const char *v)
{
	struct cfg_link *l = s;

	return keyblock_file(px, "ZMKFile", v, l->zmk_file,
	    sizeof l->zmk_file, l->zmk, sizeof l->zmk);
}

int
cfg_set_zpk_file(struct pctx *px, void *s, const char *v)
{
	struct cfg_link *l = s;

	return keyblock_file(px, "ZPKFile", v, l->zpk_file,
	    sizeof l->zpk_file, l->zpk, sizeof l->zpk);
}

void
cfg_print_zpk_file(FILE *f, const void *s)
{
	const struct cfg_link *l = s;

	if (l->zpk_file[0] != '\0')
		fprintf(f, "ZPKFile = %s\n", l->zpk_file);
}

void
cfg_print_zmk_file(FILE *f, const void *s)
{
	const struct cfg_link *l = s;

	if (l->zmk_file[0] != '\0')
		fprintf(f, "ZMKFile = %s\n", l->zmk_file);
}

/* A profile file is data, not code: a few kB; this bounds a wrong path. */
#define PROFILE_FILE_MAX	(1024 * 1024)

struct iso_profile *
cfg_profile_file(const char *path, uint8_t digest[16], char *err,
    size_t errsz)
{
	struct iso_profile *p = NULL;
	char *text;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((text = malloc(PROFILE_FILE_MAX + 1)) == NULL) {
		fclose(f);
		snprintf(err, errsz, "%s: out of memory", path);
		return NULL;
	}
	n = fread(text, 1, PROFILE_FILE_MAX + 1, f);
	if (ferror(f))
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
	else if (n > PROFILE_FILE_MAX)
		snprintf(err, errsz, "%s: over %d bytes", path,
		    PROFILE_FILE_MAX);
	else {
		crypto_generichash(digest, 16, (const unsigned char *)text,
		    n, NULL, 0);
		p = iso_profile_load_text(path, text, n, err, errsz);
	}
	fclose(f);
	free(text);
	return p;
}

/* ProfileFile: one of it and Profile; the file's profile name stands in
 * Profile's place (its session codes, what the core is told). */
int
cfg_set_profile_file(struct pctx *px, void *s, const char *v)
{
	struct cfg_link *l = s;
	struct iso_profile *p;
	char e[300];

	if (l->profile[0] != '\0')
		return FAILED(px, "ProfileFile: only one of Profile and "
		    "ProfileFile");
	if (cfg_copy_str(l->profile_file, sizeof l->profile_file, v) == -1)
		return FAILED(px, "ProfileFile: bad path");
	if ((p = cfg_profile_file(v, l->profile_digest, e, sizeof e)) == NULL)
		return FAILED(px, "ProfileFile: %s", e);
	if (strlen(p->name) >= sizeof l->profile) {
		iso_profile_free(p);
		return FAILED(px, "ProfileFile: %s: profile name too long", v);
	}
	snprintf(l->profile, sizeof l->profile, "%s", p->name);
	iso_profile_free(p);
	return 1;
}

/* FrameHeader = HEX: the fixed header between the length prefix and the
 * message (sent as given, skipped on receipt); "none" for no header even
 * where the profile has one. */
int
cfg_set_frame_header(struct pctx *px, void *s, const char *v)
{
	struct cfg_link *l = s;
	size_t n = strlen(v);

	if (strcmp(v, "none") == 0) {
		l->frame_hdrlen = 0;
		return 1;
	}
	if (n == 0 || n % 2 != 0 || n / 2 > sizeof l->frame_hdr ||
	    hex_decode_exact(v, n, l->frame_hdr, n / 2) == -1)
		return FAILED(px, "FrameHeader: want 2 to %zu hex digits, or "
		    "none", sizeof l->frame_hdr * 2);
	l->frame_hdrlen = (int)(n / 2);
	return 1;
}

void
cfg_print_frame_header(FILE *f, const void *s)
{
	const struct cfg_link *l = s;
	int i;

	if (l->frame_hdrlen < 0)
		return;
	fprintf(f, "FrameHeader = ");
	if (l->frame_hdrlen == 0)
		fprintf(f, "none");
	for (i = 0; i < l->frame_hdrlen; i++)
		fprintf(f, "%02X", l->frame_hdr[i]);
	fprintf(f, "\n");
}
