/*
 * nl.c — netlink socket plumbing over libmnl.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include <sodium.h>

#include "tunnel/wg/nl.h"

int
nl_open(struct nl *nl, int bus)
{
	memset(nl, 0, sizeof(*nl));
	if ((nl->sock = mnl_socket_open2(bus, SOCK_CLOEXEC)) == NULL)
		return -1;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) == -1) {
		int e = errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		errno = e;
		return -1;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

void
nl_close(struct nl *nl)
{
	if (nl->sock != NULL)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

int
nl_run(const void *buf, size_t len, uint32_t seq, uint32_t portid,
    mnl_cb_t cb, void *data)
{
	const char *p = buf;
	size_t off = 0;

	if (len > INT32_MAX) {
		errno = EMSGSIZE;
		return MNL_CB_ERROR;
	}
	while (len - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)(p + off);

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - off) {
			errno = EBADMSG;
			return MNL_CB_ERROR;
		}
		if (MNL_ALIGN(nlh->nlmsg_len) >= len - off)
			break;
		off += MNL_ALIGN(nlh->nlmsg_len);
	}
	return mnl_cb_run(buf, len, seq, portid, cb, data);
}

int
nl_talk(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	/* Dumps of big peer lists arrive in full pages; 32 KiB as libmnl
	 * advises for dumps keeps the kernel from truncating. */
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	uint32_t seq = ++nl->seq;
	ssize_t n;
	int rc = MNL_CB_OK;

	req->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			rc = MNL_CB_ERROR;
			break;
		}
		rc = nl_run(buf, (size_t)n, seq, nl->portid, cb, data);
	} while (rc > MNL_CB_STOP);
	/* A device dump carries the private and preshared keys. */
	sodium_memzero(buf, sizeof(buf));
	return rc == MNL_CB_ERROR ? -1 : 0;
}

struct nlmsghdr *
nl_genl_family_req(void *buf, size_t len, const char *name)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*g)) + 64)
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	if (!mnl_attr_put_strz_check(nlh, len, CTRL_ATTR_FAMILY_NAME, name))
		return NULL;
	return nlh;
}

static int
family_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID) {
		if (mnl_attr_validate(a, MNL_TYPE_U16) == -1)
			return MNL_CB_ERROR;
		*(uint16_t *)data = mnl_attr_get_u16(a);
	}
	return MNL_CB_OK;
}

int
nl_genl_family_cb(const struct nlmsghdr *nlh, void *id16)
{
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr))
		return MNL_CB_ERROR;
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr,
	    id16);
}

int
nl_genl_family(struct nl *nl, const char *name, uint16_t *id)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;

	*id = 0;
	if ((nlh = nl_genl_family_req(buf, sizeof(buf), name)) == NULL) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (nl_talk(nl, nlh, nl_genl_family_cb, id) == -1)
		return -1;
	if (*id == 0) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}
