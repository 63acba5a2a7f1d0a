/*
 * coreinject.c — e2e helper: sends hostile datagrams to a gateway's core
 * socket, as an attacker on the core path would.  Built by
 * test-core-garbage.sh; the Makefile builds it into build/e2e/.
 *
 *   coreinject KEYFILE HOST PORT
 *
 * Sends, in order: garbage (short), a bad GUE header (flags), a C-bit
 * mismatch, a frame sealed under an unknown key, a frame with a flipped
 * ciphertext bit (auth), a valid AUTH_RESPONSE for a corr_id nobody asked
 * for (accepted, counted late), then the same datagram again (replay).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "tunnel/corefr.h"
#include "tunnel/tlv.h"

static int fd;
static struct sockaddr_in to;

static void
send_dg(const uint8_t *b, size_t n)
{
	if (sendto(fd, b, n, 0, (struct sockaddr *)&to, sizeof to) !=
	    (ssize_t)n)
		perror("sendto");
	usleep(2000);
}

int
main(int argc, char **argv)
{
	static struct seal_keyring good, bad;
	static struct corefr_end e, ebad;
	uint8_t dg[2048], body[64], k[32];
	struct tlv_w w;
	char err[256];
	ssize_t n;

	if (argc != 4 || sodium_init() < 0)
		return 2;
	seal_keyring_init(&good);
	if (seal_keyring_add_file(&good, argv[1], err, sizeof err) == -1) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	randombytes_buf(k, sizeof k);
	seal_keyring_init(&bad);
	seal_keyring_add(&bad, k);
	corefr_end_init(&e, &good);
	corefr_end_init(&ebad, &bad);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&to, 0, sizeof to);
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)atoi(argv[3]));
	inet_pton(AF_INET, argv[2], &to.sin_addr);

	tlv_w_init(&w, body, sizeof body);
	tlv_put_str(&w, TLV_MTI, "0110");
	tlv_put_str(&w, 39, "00");

	/* short garbage */
	randombytes_buf(dg, 20);
	send_dg(dg, 20);
	/* bad GUE flags on an otherwise valid frame */
	n = corefr_send(&e, COREFR_AUTH_RESPONSE, 1, 0, body, w.len, dg,
	    sizeof dg);
	dg[3] = 0x80;
	send_dg(dg, (size_t)n);
	/* data frame with C=1 and an unknown ctype */
	n = corefr_send(&e, COREFR_AUTH_RESPONSE, 2, 0, body, w.len, dg,
	    sizeof dg);
	dg[0] = 0x20;
	dg[1] = 9;
	send_dg(dg, (size_t)n);
	/* forged: unknown key */
	n = corefr_send(&ebad, COREFR_AUTH_RESPONSE, 3, 0, body, w.len, dg,
	    sizeof dg);
	send_dg(dg, (size_t)n);
	/* tampered ciphertext under the right key id */
	n = corefr_send(&e, COREFR_AUTH_RESPONSE, 4, 0, body, w.len, dg,
	    sizeof dg);
	dg[n - 5] ^= 1;
	send_dg(dg, (size_t)n);
	/* valid, then replayed */
	n = corefr_send(&e, COREFR_AUTH_RESPONSE, 5, 0, body, w.len, dg,
	    sizeof dg);
	send_dg(dg, (size_t)n);
	send_dg(dg, (size_t)n);
	close(fd);
	seal_keyring_clear(&good);
	return 0;
}
