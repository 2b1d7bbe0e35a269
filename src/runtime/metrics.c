/*
 * GET /metrics: the host's gauges and counters in the Prometheus text
 * format, then what agents published (published.c). docs/METRICS.md lists
 * every family; a family is added there and here together.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>

#include "runtime/conns.h"
#include "runtime/expo.h"
#include "runtime/host_int.h"
#include "runtime/mesh.h"
#include "runtime/metrics.h"
#include "util/clock.h"

/* The most /metrics writes: far above 4096 published samples. */
#define METRICS_MAX_BYTES ((size_t)16 << 20)

void paglets__metrics_count_reply(struct paglets__metrics *m, unsigned status)
{
    unsigned class = status / 100;
    if (class >= PAGLETS__METRICS_CLASSES)
        class = 0;
    atomic_fetch_add_explicit(&m->replies[class], 1, memory_order_relaxed);
}

/*
 * Members by state, this host included. The states are those of the
 * membership's `state` field: alive, suspect, offline (members still
 * pending their first probe are not counted).
 */
struct member_states {
    size_t alive, suspect, offline;
};

static int member_states(struct paglets_host *host, struct member_states *out)
{
    struct paglets_host_info *hosts;
    size_t n;
    *out = (struct member_states){0};
    if (host->mesh != NULL) {
        struct paglets__mesh_stats st = {0};
        paglets__mesh_get_stats(host->mesh, &st);
        *out = (struct member_states){st.alive + 1, st.suspect, st.offline};
        return 0;
    }
    if (paglets_host_members(host, &hosts, &n, NULL) != 0)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (hosts[i].online)
            out->alive++;
        else
            out->offline++;
    }
    paglets_host_info_free(hosts);
    return 0;
}

/*
 * The mesh's counters: messages (POST /hosts/ping, ping-req, sync, join)
 * this host sent and received plus multicast beacons received; bytes of
 * those it sent (HTTP request line, headers and body) and of the bodies
 * it received; replies are not counted. All zero without a mesh.
 */
struct gossip_counts {
    uint64_t messages_sent, messages_received;
    uint64_t bytes_sent, bytes_received;
};

static void gossip_counts(struct paglets_host *host, struct gossip_counts *out)
{
    struct paglets__mesh_stats st = {0};
    if (host->mesh != NULL)
        paglets__mesh_get_stats(host->mesh, &st);
    out->messages_sent = st.exchanges_sent;
    out->messages_received = st.joins_received + st.pings_received +
                             st.syncs_received + st.beacons_received;
    out->bytes_sent = st.bytes_sent;
    out->bytes_received =
        st.beacon_bytes_received +
        atomic_load_explicit(&host->metrics.join_bytes_received,
                             memory_order_relaxed);
}

static void write_host(struct paglets_host *host, struct paglets__expo *e)
{
    const char *info[] = {"name",         host->config.name,
                          "version",      paglets_version(),
                          "mesh_version", host->config.mesh_version};
    paglets__expo_family(e, "paglets_host_info", "gauge",
                         "This host: its name, paglets version and mesh "
                         "version; always 1.");
    paglets__expo_sample(e, "paglets_host_info", info, 3, 1);
    paglets__expo_family(e, "paglets_host_uptime_seconds", "gauge",
                         "Seconds since the host started.");
    paglets__expo_sample(e, "paglets_host_uptime_seconds", NULL, 0,
                         paglets__mono_now() - host->metrics.started_mono);
    paglets__expo_family(e, "paglets_host_agents", "gauge",
                         "Agents on this host now.");
    paglets__expo_count(e, "paglets_host_agents", NULL, 0,
                        paglets__registry_count(&host->registry));
}

static void write_http(struct paglets_host *host, struct paglets__expo *e)
{
    static const char *const classes[] = {"2xx", "3xx", "4xx", "5xx"};
    paglets__expo_family(e, "paglets_http_requests_total", "counter",
                         "HTTP replies this host sent, by status class.");
    for (size_t i = 0; i < 4; i++) {
        const char *labels[] = {"code", classes[i]};
        paglets__expo_count(e, "paglets_http_requests_total", labels, 1,
                            atomic_load_explicit(&host->metrics.replies[i + 2],
                                                 memory_order_relaxed));
    }
    paglets__expo_family(e, "paglets_http_requests_in_flight", "gauge",
                         "HTTP requests being served now, this one included.");
    paglets__expo_count(e, "paglets_http_requests_in_flight", NULL, 0,
                        paglets__gauge_value(&host->requests));
    struct paglets__conns_stats st = {0};
    if (host->conns != NULL)
        paglets__conns_get_stats(host->conns, &st);
    paglets__expo_family(e, "paglets_http_connections_refused_total", "counter",
                         "Connections closed on arrival: their address held "
                         "--max-connections-per-address.");
    paglets__expo_count(e, "paglets_http_connections_refused_total", NULL, 0,
                        st.refused_per_address);
    paglets__expo_family(e, "paglets_http_connections_evicted_total", "counter",
                         "Idle connections closed to make room at "
                         "--max-connections.");
    paglets__expo_count(e, "paglets_http_connections_evicted_total", NULL, 0,
                        st.evicted);
    paglets__expo_family(e, "paglets_http_header_timeouts_total", "counter",
                         "Connections closed for not completing their "
                         "headers within --header-timeout.");
    paglets__expo_count(e, "paglets_http_header_timeouts_total", NULL, 0,
                        st.header_timeouts);
}

static void write_mesh(struct paglets_host *host, struct paglets__expo *e)
{
    struct member_states ms;
    if (member_states(host, &ms) != 0) {
        e->rc = -ENOMEM;
        return;
    }
    const struct {
        const char *state;
        size_t n;
    } states[] = {
        {"alive", ms.alive}, {"suspect", ms.suspect}, {"offline", ms.offline}};
    paglets__expo_family(e, "paglets_mesh_members", "gauge",
                         "Mesh members this host knows, itself included, by "
                         "state.");
    for (size_t i = 0; i < 3; i++) {
        const char *labels[] = {"state", states[i].state};
        paglets__expo_count(e, "paglets_mesh_members", labels, 1, states[i].n);
    }
    struct gossip_counts g;
    gossip_counts(host, &g);
    const char *sent[] = {"direction", "sent"};
    const char *received[] = {"direction", "received"};
    paglets__expo_family(e, "paglets_mesh_gossip_messages_total", "counter",
                         "Mesh messages sent and received (multicast "
                         "beacons received included).");
    paglets__expo_count(e, "paglets_mesh_gossip_messages_total", sent, 1,
                        g.messages_sent);
    paglets__expo_count(e, "paglets_mesh_gossip_messages_total", received, 1,
                        g.messages_received);
    paglets__expo_family(e, "paglets_mesh_gossip_bytes_total", "counter",
                         "Bytes of the mesh messages sent (with their HTTP "
                         "headers) and received (bodies).");
    paglets__expo_count(e, "paglets_mesh_gossip_bytes_total", sent, 1,
                        g.bytes_sent);
    paglets__expo_count(e, "paglets_mesh_gossip_bytes_total", received, 1,
                        g.bytes_received);
}

char *paglets__metrics_text(struct paglets_host *host)
{
    struct paglets__expo e;
    paglets__expo_init(&e, METRICS_MAX_BYTES);
    write_host(host, &e);
    write_http(host, &e);
    write_mesh(host, &e);
    paglets__published_write(&host->metrics, &e);
    return paglets__expo_detach(&e);
}
