/*
 * Finding the LAN address without sending a packet: the default route's
 * interface from /proc/net/route, then its IPv4 address from getifaddrs.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "util/netaddr.h"

static int default_interface(char *name, size_t size)
{
    FILE *f = fopen("/proc/net/route", "re");
    if (f == NULL)
        return -errno;
    char line[512];
    int rc = -ENOENT;
    while (fgets(line, sizeof(line), f) != NULL) {
        char iface[IF_NAMESIZE + 1];
        unsigned long dest, gateway, flags;
        if (sscanf(line, "%16s %lx %lx %lx", iface, &dest, &gateway, &flags) !=
            4)
            continue; /* the header line */
        /* Destination 0.0.0.0 with RTF_UP (1) is the default route. */
        if (dest == 0 && (flags & 1u) != 0) {
            snprintf(name, size, "%s", iface);
            rc = 0;
            break;
        }
    }
    fclose(f);
    return rc;
}

int paglets__default_route_address(char *out, size_t size,
                                   struct paglets_err *err)
{
    char iface[IF_NAMESIZE + 1];
    int rc = default_interface(iface, sizeof(iface));
    if (rc != 0)
        return paglets_err_set(err, rc, "cannot find the default route: %s",
                               paglets_strerror(rc));
    struct ifaddrs *list;
    if (getifaddrs(&list) != 0)
        return paglets_err_set(err, -errno, "cannot list interfaces: %s",
                               paglets_strerror(-errno));
    rc = -ENOENT;
    for (struct ifaddrs *a = list; a != NULL; a = a->ifa_next) {
        if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET ||
            strcmp(a->ifa_name, iface) != 0)
            continue;
        const struct sockaddr_in *in = (const void *)a->ifa_addr;
        if (inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)size) != NULL)
            rc = 0;
        break;
    }
    freeifaddrs(list);
    if (rc != 0)
        return paglets_err_set(err, rc, "interface '%s' has no IPv4 address",
                               iface);
    return 0;
}

bool paglets__is_loopback(const char *host)
{
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
           strcmp(host, "localhost") == 0;
}
