/*
 * nl.h — the little libmnl plumbing the generic netlink (WireGuard) and
 * rtnetlink code share: open, one request to its ACK or DONE, and the
 * generic netlink family lookup through "nlctrl".
 */
#ifndef TUNNEL_NL_H
#define TUNNEL_NL_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#define NL_BUF_SIZE	MNL_SOCKET_BUFFER_SIZE

struct nl {
	struct mnl_socket	*sock;
	uint32_t		 portid;
	uint32_t		 seq;
};

int	nl_open(struct nl *, int bus);
void	nl_close(struct nl *);
/*
 * Send req (its nlmsg_seq is filled in) and read replies until the ACK
 * or, for a dump, NLMSG_DONE, handing data messages to cb (may be NULL).
 * 0, or -1 with errno from the kernel's NLMSG_ERROR.
 */
int	nl_talk(struct nl *, struct nlmsghdr *req, mnl_cb_t cb, void *data);

/*
 * mnl_cb_run over a received buffer, after checking every nlmsg_len lies
 * inside it: libmnl 1.0.4's mnl_nlmsg_ok() compares the length as an int,
 * so a length above 2^31 passes and walks off the buffer.
 */
int	nl_run(const void *buf, size_t len, uint32_t seq, uint32_t portid,
	    mnl_cb_t cb, void *data);

/* Generic netlink family id by name.  0, or -1 (ENOENT: not loaded). */
int	nl_genl_family(struct nl *, const char *name, uint16_t *id);
/* The pieces, for tests: build the CTRL_CMD_GETFAMILY request; parse a
 * reply message for CTRL_ATTR_FAMILY_ID. */
struct nlmsghdr *nl_genl_family_req(void *buf, size_t len, const char *name);
int	nl_genl_family_cb(const struct nlmsghdr *, void *id16);

#endif
