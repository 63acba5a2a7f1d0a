/*
 * ctlask.c — one command line to gatewayd's control socket: connecting
 * and sending it (ctl_dial), or that and reading the whole answer
 * (ctlclient_ask).  Shared by gatewayctl's command files.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway/ctl.h"
#include "gateway/ctlclient.h"

/* Connected to sock with line sent: the descriptor, or -1 (said). */
int
ctl_dial(const char *sock, const char *line, size_t len)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof sun.sun_path) {
		fprintf(stderr, "gatewayctl: socket path too long\n");
		return -1;
	}
	strcpy(sun.sun_path, sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		fprintf(stderr, "gatewayctl: %s: %s\n", sock, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (write(fd, line, len) != (ssize_t)len) {
		fprintf(stderr, "gatewayctl: write: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
ctlclient_ask(const char *sock, const char *cmd, char *out, size_t cap)
{
	char line[CTL_LINE_MAX + 2];
	size_t len = 0;
	ssize_t r;
	int fd, n;

	n = snprintf(line, sizeof line, "%s\n", cmd);
	if (n < 0 || (size_t)n > CTL_LINE_MAX + 1 || cap == 0)
		return -1;
	if (sock == NULL && (sock = getenv("GATEWAYCTL_SOCKET")) == NULL)
		sock = CTL_DEFAULT_SOCK;
	if ((fd = ctl_dial(sock, line, (size_t)n)) == -1)
		return -1;
	while (len + 1 < cap && (r = read(fd, out + len, cap - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	out[len] = '\0';
	return (int)len;
}

