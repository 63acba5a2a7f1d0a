/*
 * lmk.c — LMK generation, sealing with Argon2id + XChaCha20-Poly1305,
 * loading, check value.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/secretfile.h"
#include "hsm/aes.h"
#include "base/hex.h"
#include "base/replace.h"
#include "hsm/lmk.h"
#include "base/log.h"

#define LMK_MAGIC	"hsm-lmk-v1"
#define LMK_FILE_MAX	1024
#define SALT_LEN	crypto_pwhash_SALTBYTES
#define NONCE_LEN	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define CT_LEN		(LMK_LEN + crypto_aead_xchacha20poly1305_ietf_ABYTES)

struct lmk *
lmk_generate(void)
{
	struct lmk *l;

	if (sodium_init() < 0 || (l = sodium_malloc(sizeof *l)) == NULL)
		return NULL;
	randombytes_buf(l->key, LMK_LEN);
	return l;
}

void
lmk_free(struct lmk *l)
{
	if (l != NULL)
		sodium_free(l);	/* zeroes before unmapping */
}

int
lmk_save(const struct lmk *l, const char *path, const char *pp, size_t pplen)
{
	char *line;
	uint8_t salt[SALT_LEN], nonce[NONCE_LEN], ct[CT_LEN], *k;
	char salth[2 * SALT_LEN + 1], nonceh[2 * NONCE_LEN + 1];
	char cth[2 * CT_LEN + 1];
	unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE;
	size_t mem = crypto_pwhash_MEMLIMIT_MODERATE;
	int n, rc = -1;

	if ((line = sodium_malloc(LMK_FILE_MAX)) == NULL)
		return -1;
	if (pp == NULL) {
		memcpy(line, LMK_MAGIC " unsealed ", 20);
		hex_encode(l->key, LMK_LEN, line + 20);
		line[20 + 2 * LMK_LEN] = '\n';
		rc = file_replace(path, line, 21 + 2 * LMK_LEN);
		sodium_free(line);
		return rc;
	}
	if ((k = sodium_malloc(32)) == NULL) {
		sodium_free(line);
		return -1;
	}
	randombytes_buf(salt, sizeof salt);
	randombytes_buf(nonce, sizeof nonce);
	hex_encode(salt, sizeof salt, salth);
	salth[2 * SALT_LEN] = '\0';
	hex_encode(nonce, sizeof nonce, nonceh);
	nonceh[2 * NONCE_LEN] = '\0';
	if (crypto_pwhash(k, 32, pp, pplen, salt, ops, mem,
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		log_warnx("lmk=%s msg=\"argon2id failed (out of memory?)\"",
		    path);
		goto out;
	}
	/* AD = everything up to and including the salt. */
	n = snprintf(line, LMK_FILE_MAX, LMK_MAGIC " sealed argon2id13 %llu "
	    "%zu %s", ops, mem, salth);
	if (n < 0 || n >= LMK_FILE_MAX)
		goto out;
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, l->key, LMK_LEN,
	    (const uint8_t *)line, (size_t)n, NULL, nonce, k);
	hex_encode(ct, sizeof ct, cth);
	cth[2 * CT_LEN] = '\0';
	n = snprintf(line + n, LMK_FILE_MAX - (size_t)n, " %s %s\n", nonceh,
	    cth) + n;
	if (n >= LMK_FILE_MAX)
		goto out;
	rc = file_replace(path, line, (size_t)n);
out:
	sodium_free(k);
	sodium_free(line);
	return rc;
}

/* Read the whole (small) file into sodium memory, NUL-terminated. */
static char *
read_small(const char *path, size_t *len)
{
	char *buf;
	ssize_t r;
	size_t n = 0;
	int fd;
	char err[PATH_MAX + 128];

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	/* The LMK, or what unseals it: nobody else may read or replace it. */
	if (secret_fd_ok(fd, path, err, sizeof err) == -1) {
		log_warnx("msg=\"%s\"", err);
		close(fd);
		errno = EPERM;
		return NULL;
	}
	if ((buf = sodium_malloc(LMK_FILE_MAX + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (n < LMK_FILE_MAX &&
	    (r = read(fd, buf + n, LMK_FILE_MAX - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int
lmk_file_sealed(const char *path)
{
	char *buf;
	size_t len;
	int rc = -1;

	if ((buf = read_small(path, &len)) == NULL)
		return -1;
	if (strncmp(buf, LMK_MAGIC " sealed ", 18) == 0)
		rc = 1;
	else if (strncmp(buf, LMK_MAGIC " unsealed ", 20) == 0)
		rc = 0;
	sodium_free(buf);
	return rc;
}

struct lmk *
lmk_load(const char *path, const char *pp, size_t pplen)
{
	char *buf, *f[8], *save = NULL, *p;
	uint8_t salt[SALT_LEN], nonce[NONCE_LEN], ct[CT_LEN], *k = NULL;
	unsigned long long ops;
	size_t len, mem, adlen;
	struct lmk *l = NULL;
	int nf = 0;

	if (sodium_init() < 0)
		return NULL;
	if ((buf = read_small(path, &len)) == NULL) {
		log_warn("lmk=%s msg=\"cannot read LMK file\"", path);
		return NULL;
	}
	for (p = strtok_r(buf, " \n", &save); p != NULL && nf < 8;
	    p = strtok_r(NULL, " \n", &save))
		f[nf++] = p;
	if ((l = sodium_malloc(sizeof *l)) == NULL)
		goto fail;
	if (nf == 3 && strcmp(f[0], LMK_MAGIC) == 0 &&
	    strcmp(f[1], "unsealed") == 0) {
		if (hex_decode_exact(f[2], strlen(f[2]), l->key, LMK_LEN) == -1)
			goto bad;
		goto done;
	}
	if (nf != 8 || strcmp(f[0], LMK_MAGIC) != 0 ||
	    strcmp(f[1], "sealed") != 0 || strcmp(f[2], "argon2id13") != 0)
		goto bad;
	if (pp == NULL) {
		log_warnx("lmk=%s msg=\"LMK is sealed and no passphrase given\"",
		    path);
		goto fail;
	}
	ops = strtoull(f[3], NULL, 10);
	mem = strtoull(f[4], NULL, 10);
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > 64 ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > (size_t)4 << 30 ||
	    hex_decode_exact(f[5], strlen(f[5]), salt, SALT_LEN) == -1 ||
	    hex_decode_exact(f[6], strlen(f[6]), nonce, NONCE_LEN) == -1 ||
	    hex_decode_exact(f[7], strlen(f[7]), ct, CT_LEN) == -1)
		goto bad;
	if ((k = sodium_malloc(32)) == NULL)
		goto fail;
	if (crypto_pwhash(k, 32, pp, pplen, salt, ops, mem,
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		log_warnx("lmk=%s msg=\"argon2id failed (out of memory?)\"",
		    path);
		goto fail;
	}
	/* Rebuild the AD exactly as lmk_save wrote it. */
	adlen = (size_t)(f[5] - buf) + strlen(f[5]);
	for (p = buf; p < f[5]; p++)
		if (*p == '\0')
			*p = ' ';
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(l->key, NULL, NULL, ct,
	    CT_LEN, (const uint8_t *)buf, adlen, nonce, k) != 0) {
		log_warnx("lmk=%s msg=\"wrong passphrase or corrupted LMK "
		    "file\"", path);
		goto fail;
	}
	goto done;
bad:
	log_warnx("lmk=%s msg=\"not an LMK file\"", path);
fail:
	lmk_free(l);
	l = NULL;
done:
	if (k)
		sodium_free(k);
	sodium_free(buf);
	return l;
}

int
lmk_check_value(const struct lmk *l, char out[LMK_KCV_HEX + 1])
{
	uint8_t mac[16];

	if (hsm_aes_kcv(l->key, LMK_LEN, mac) == -1)
		return -1;
	hex_encode(mac, 8, out);
	out[LMK_KCV_HEX] = '\0';
	return 0;
}

char *
lmk_read_passphrase(const char *path, size_t *len)
{
	char *buf;
	size_t n;

	if ((buf = read_small(path, &n)) == NULL)
		return NULL;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n == 0) {
		sodium_free(buf);
		errno = EINVAL;
		return NULL;
	}
	*len = n;
	return buf;
}
