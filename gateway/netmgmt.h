/*
 * netmgmt.h — network management (08xx) answered on the link itself:
 * sign-on/off and echo, both the Mastercard DE70 codes (061/062/270,
 * 065/066) and the 001/002/301 set; and the idle echo we send.
 */
#ifndef GATEWAY_NETMGMT_H
#define GATEWAY_NETMGMT_H

struct conn;
struct iso_msg;

void	netmgmt_handle(struct conn *, const struct iso_msg *);
void	netmgmt_echo(struct conn *);

#endif
