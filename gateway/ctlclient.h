/*
 * ctlclient.h — gatewayctl's control-socket client.
 */
#ifndef GATEWAY_CTLCLIENT_H
#define GATEWAY_CTLCLIENT_H

int	ctlclient_main(int argc, char **argv);

#endif
