/*
 * LAN discovery by UDP multicast beacons (placeholder until the beacon
 * thread lands: starting reports that beacons are not available yet).
 */
#include "compat.h"

#include "runtime/mesh_int.h"
#include "util/log.h"

int paglets__mesh_multicast_start(struct paglets__mesh *mesh,
                                  struct paglets_err *err)
{
    (void)mesh;
    (void)err;
    paglets_log_warn("mesh: multicast discovery is not available yet");
    return 0;
}

void paglets__mesh_multicast_stop(struct paglets__mesh *mesh)
{
    (void)mesh;
}
