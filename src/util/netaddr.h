/*
 * Local addresses: the LAN address for --bind-public auto and for the
 * client's entry candidates, and loopback tests.
 */
#ifndef PAGLETS_UTIL_NETADDR_H
#define PAGLETS_UTIL_NETADDR_H

#include <stddef.h>

#include <paglets/common.h>

/*
 * The IPv4 address of the interface that carries the default route (from
 * /proc/net/route), as text into out. -ENOENT when there is no default
 * route or it has no address.
 */
int paglets__default_route_address(char *out, size_t size,
                                   struct paglets_err *err);

/* True for 127.0.0.0/8, ::1 and "localhost". */
bool paglets__is_loopback(const char *host);

#endif
