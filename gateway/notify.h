/*
 * notify.h — systemd readiness and watchdog over NOTIFY_SOCKET (one
 * datagram per message, '@' = abstract namespace), without libsystemd.
 */
#ifndef GATEWAY_NOTIFY_H
#define GATEWAY_NOTIFY_H

#include <stdint.h>

/* 0 sent, 1 no NOTIFY_SOCKET, -1 error. */
int	notify_send(const char *msg);
/* WATCHDOG_USEC / 2 when the watchdog is on for us, else 0. */
uint64_t notify_watchdog_us(void);

#endif
