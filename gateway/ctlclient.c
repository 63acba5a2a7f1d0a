/*
 * ctlclient.c — gatewayctl's control-socket commands: status, links,
 * cores, standin, standin force on|off|auto, reload; --json on all.
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


static void
ctl_usage(void)
{
	fprintf(stderr,
	    "usage: gatewayctl [-s socket] [--json] command\n"
	    "commands: status | links | cores | standin | saf | pair |\n"
	    "          standin force on|off|auto | reload |\n"
	    "          saf export -f CONF FILE | saf import FILE\n"
	    "          tunnel ... | genkey | pubkey (WireGuard, see tunnel)\n");
}

int
ctlclient_main(int argc, char **argv)
{
	const char *sock = getenv("GATEWAYCTL_SOCKET");
	char line[CTL_LINE_MAX + 2], buf[8192];
	size_t len = 0, n;
	ssize_t r;
	int i, fd, json = 0, rv = 0, ncmd = 0;

	if (sock == NULL)
		sock = CTL_DEFAULT_SOCK;
	line[0] = '\0';
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
			sock = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j")
		    == 0) {
			json = 1;
			continue;
		}
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			ctl_usage();
			return 0;
		}
		/* the two that move files: gateway/safctl.c */
		if (ncmd == 0 && i + 1 < argc && strcmp(argv[i], "saf") == 0 &&
		    strcmp(argv[i + 1], "export") == 0)
			return safctl_export(argc - i - 1, argv + i + 1);
		if (ncmd == 0 && i + 1 < argc && strcmp(argv[i], "saf") == 0 &&
		    strcmp(argv[i + 1], "import") == 0)
			return safctl_import(sock, argc - i - 1, argv + i + 1);
		n = strlen(argv[i]);
		if (len + n + 2 > CTL_LINE_MAX || strchr(argv[i], '\n')) {
			fprintf(stderr, "gatewayctl: command too long\n");
			return 2;
		}
		if (len > 0)
			line[len++] = ' ';
		memcpy(line + len, argv[i], n);
		len += n;
		line[len] = '\0';
		ncmd++;
	}
	if (ncmd == 0) {
		ctl_usage();
		return 2;
	}
	if (json) {
		if (len + 8 > CTL_LINE_MAX)
			return 2;
		memcpy(line + len, " --json", 7);
		len += 7;
	}
	line[len++] = '\n';

	if ((fd = ctl_dial(sock, line, len)) == -1)
		return 1;
	/* The daemon closes when done; bound what we accept anyway. */
	len = 0;
	while ((r = read(fd, buf, sizeof buf)) > 0) {
		if (len == 0 && (strncmp(buf, "error:", 6) == 0 ||
		    (r > 10 && strncmp(buf, "{\"ok\":false", 11) == 0)))
			rv = 1;
		fwrite(buf, 1, (size_t)r, stdout);
		len += (size_t)r;
		if (len > 16 * 1024 * 1024)
			break;
	}
	close(fd);
	if (r < 0) {
		fprintf(stderr, "gatewayctl: read: %s\n", strerror(errno));
		return 1;
	}
	return rv;
}
