/*
 * LAN discovery: UDP multicast beacons carrying our HostRef to
 * 239.42.74.53:48765 with TTL 1 (one link, never routed), and a listener
 * that folds other hosts' beacons into the member table as direct news.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/mesh_int.h"
#include "util/clock.h"
#include "util/log.h"

#define GROUP "239.42.74.53"
#define PORT 48765
#define KIND "paglets.remote.mesh.v1"
/* Beacons only announce; gossip carries the rest, so a few per minute do. */
#define BEACON_ROUNDS 5
#define MAX_DATAGRAM 65536

struct paglets__mesh_multicast {
    int recv_fd;
    int send_fd;
    int stop_pipe[2];
    struct in_addr iface;
    pthread_t thread;
};

/* The interface to use: the advertised address when it is IPv4. */
static struct in_addr pick_iface(const char *url)
{
    struct in_addr addr = {.s_addr = htonl(INADDR_ANY)};
    const char *host = strstr(url, "://");
    if (host == NULL)
        return addr;
    host += 3;
    char text[64];
    size_t len = strcspn(host, ":/");
    if (len >= sizeof(text))
        return addr;
    memcpy(text, host, len);
    text[len] = '\0';
    if (inet_pton(AF_INET, text, &addr) != 1)
        addr.s_addr = htonl(INADDR_ANY);
    return addr;
}

static int open_receiver(struct in_addr iface)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
    inet_pton(AF_INET, GROUP, &sa.sin_addr);
    struct ip_mreq mreq = {.imr_multiaddr = sa.sin_addr,
                           .imr_interface = iface};
    /* Every host on this machine listens on the same group and port. */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) <
            0) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

static int open_sender(struct in_addr iface)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    unsigned char ttl = 1;
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof(iface)) <
            0) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

static void send_beacon(struct paglets__mesh *mesh)
{
    size_t active = 0, inactive = 0;
    if (mesh->self_counts != NULL)
        mesh->self_counts(mesh->self_counts_arg, &active, &inactive);
    pthread_mutex_lock(&mesh->lock);
    mesh->self_active = (int64_t)active;
    mesh->self_inactive = (int64_t)inactive;
    json_t *self =
        paglets__mesh_self_json(mesh, mesh->ops->wall_now(mesh->ops_arg));
    pthread_mutex_unlock(&mesh->lock);
    json_t *beacon = json_pack("{s:s,s:o}", "kind", KIND, "host", self);
    char *text = beacon ? json_dumps(beacon, JSON_COMPACT) : NULL;
    json_decref(beacon);
    if (text == NULL)
        return;
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(PORT)};
    inet_pton(AF_INET, GROUP, &to.sin_addr);
    if (sendto(mesh->mc->send_fd, text, strlen(text), 0, (struct sockaddr *)&to,
               sizeof(to)) < 0)
        paglets_log_debug(PAGLETS_LOG_CAT_MESH, "mesh: cannot send beacon: %s",
                          paglets_strerror(-errno));
    free(text);
}

/*
 * A beacon is a host speaking for itself, like a join: of our version it
 * becomes a pending member, listed once it answers a probe.
 */
void paglets__mesh_take_beacon(struct paglets__mesh *mesh, const char *data,
                               size_t len)
{
    json_t *beacon = json_loadb(data, len, 0, NULL);
    const json_t *kind = json_object_get(beacon, "kind");
    struct paglets__mesh_ref ref;
    if (json_is_string(kind) && strcmp(json_string_value(kind), KIND) == 0 &&
        paglets__mesh_ref_parse(json_object_get(beacon, "host"), &ref, NULL) ==
            0) {
        pthread_mutex_lock(&mesh->lock);
        mesh->stats.beacons_received++;
        mesh->stats.beacon_bytes_received += len;
        if (strcmp(ref.version, mesh->version) != 0)
            paglets__mesh_refuse(mesh, ref.name, ref.url, ref.version);
        else if (!mesh->left)
            paglets__mesh_introduce(mesh, ref.name, ref.url, ref.incarnation,
                                    mesh->ops->mono_now(mesh->ops_arg));
        pthread_mutex_unlock(&mesh->lock);
    }
    json_decref(beacon);
}

static void *beacon_main(void *arg)
{
    struct paglets__mesh *mesh = arg;
    struct paglets__mesh_multicast *mc = mesh->mc;
    char *buf = malloc(MAX_DATAGRAM);
    if (buf == NULL)
        return NULL;
    double next = 0;
    for (;;) {
        double now = paglets__mono_now();
        if (now >= next) {
            send_beacon(mesh);
            next = now + BEACON_ROUNDS * mesh->interval_s;
        }
        struct pollfd fds[2] = {{.fd = mc->recv_fd, .events = POLLIN},
                                {.fd = mc->stop_pipe[0], .events = POLLIN}};
        int ms = (int)((next - now) * 1000) + 1;
        if (poll(fds, 2, ms) < 0 && errno != EINTR)
            break;
        if (fds[1].revents != 0)
            break;
        if (fds[0].revents & POLLIN) {
            ssize_t n = recv(mc->recv_fd, buf, MAX_DATAGRAM, MSG_DONTWAIT);
            if (n > 0)
                paglets__mesh_take_beacon(mesh, buf, (size_t)n);
        }
    }
    free(buf);
    return NULL;
}

static void close_all(struct paglets__mesh_multicast *mc)
{
    if (mc->recv_fd >= 0)
        close(mc->recv_fd);
    if (mc->send_fd >= 0)
        close(mc->send_fd);
    if (mc->stop_pipe[0] >= 0)
        close(mc->stop_pipe[0]);
    if (mc->stop_pipe[1] >= 0)
        close(mc->stop_pipe[1]);
    free(mc);
}

int paglets__mesh_multicast_start(struct paglets__mesh *mesh,
                                  struct paglets_err *err)
{
    struct paglets__mesh_multicast *mc = calloc(1, sizeof(*mc));
    if (mc == NULL)
        return paglets_err_set(err, -ENOMEM, "mesh: out of memory");
    mc->stop_pipe[0] = mc->stop_pipe[1] = -1;
    mc->iface = pick_iface(mesh->self_url);
    mc->recv_fd = open_receiver(mc->iface);
    mc->send_fd = open_sender(mc->iface);
    int rc = mc->recv_fd < 0 ? mc->recv_fd : mc->send_fd;
    if (rc >= 0 && pipe2(mc->stop_pipe, O_CLOEXEC) < 0)
        rc = -errno;
    mesh->mc = mc;
    if (rc >= 0)
        rc = -pthread_create(&mc->thread, NULL, beacon_main, mesh);
    if (rc < 0) {
        /* Discovery is a convenience: the mesh still works through seeds. */
        paglets_log_warn("mesh: multicast discovery off: %s",
                         paglets_strerror(rc));
        mesh->mc = NULL;
        close_all(mc);
        return 0;
    }
    paglets_log_info("mesh: multicast beacons on %s:%d", GROUP, PORT);
    return 0;
}

void paglets__mesh_multicast_stop(struct paglets__mesh *mesh)
{
    struct paglets__mesh_multicast *mc = mesh->mc;
    if (mc == NULL)
        return;
    char byte = 0;
    if (write(mc->stop_pipe[1], &byte, 1) < 0)
        paglets_log_warn("mesh: cannot stop the beacon thread: %s",
                         paglets_strerror(-errno));
    pthread_join(mc->thread, NULL);
    mesh->mc = NULL;
    close_all(mc);
}
