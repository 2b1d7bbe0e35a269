/*
 * Mesh membership of one host: seeds, gossip rounds with heartbeat
 * counters, the offline window, LAN multicast beacons. The host owns one
 * (unless --no-mesh) and routes GET /hosts and POST /hosts/join to it.
 */
#ifndef PAGLETS_RUNTIME_MESH_H
#define PAGLETS_RUNTIME_MESH_H

#include <stdint.h>

#include <jansson.h>

#include <paglets/host.h>

struct paglets__mesh;

struct paglets__mesh_config {
    const char *self_name;
    const char *self_url;
    const char *mesh_version;
    const char *const *seeds;
    size_t n_seeds;
    const char *api_key;      /* for outgoing requests; may be NULL */
    const json_t *tags;       /* borrowed array of strings */
    const json_t *properties; /* borrowed object of strings */
    double offline_after_seconds;
    double interval_s;
    bool multicast;
    /* Live agent counts for this host's own HostRef; called from any thread. */
    void (*self_counts)(void *arg, size_t *active, size_t *inactive);
    void *self_counts_arg;
    const char *tls_ca; /* CA file for https members; NULL: the default */
};

/* Copies the config. Caller frees with paglets__mesh_free(). */
struct paglets__mesh *
paglets__mesh_new(const struct paglets__mesh_config *config,
                  struct paglets_err *err);

/* Start the gossip thread (and multicast when configured). */
int paglets__mesh_start(struct paglets__mesh *mesh, struct paglets_err *err);

/* Stop threads and free. NULL is a no-op. */
void paglets__mesh_free(struct paglets__mesh *mesh);

/* GET /hosts reply: {"hosts": [HostRef, ...]}, new reference. */
json_t *paglets__mesh_hosts_json(struct paglets__mesh *mesh);

/*
 * POST /hosts/join: body is the caller's HostRef (plus any gossip payload);
 * *reply: new reference, {"hosts": [...]}. -EINVAL on a malformed body.
 */
int paglets__mesh_handle_join(struct paglets__mesh *mesh, const json_t *body,
                              json_t **reply, struct paglets_err *err);

/* Same-version members, self included; *hosts freed with free(). */
int paglets__mesh_members(struct paglets__mesh *mesh,
                          struct paglets_host_info **hosts, size_t *n_hosts,
                          struct paglets_err *err);

/* URL of an online member by name. 0, or -ENOENT. */
int paglets__mesh_resolve(struct paglets__mesh *mesh, const char *name,
                          char *url, size_t url_size);

/*
 * The mesh's I/O, replaceable so unit tests can run many meshes in one
 * process on a fake clock without network or sleeps. Every hook gets the
 * ops_arg given to paglets__mesh_new_with_ops().
 */
struct paglets__mesh_ops {
    /*
     * POST url + "/hosts/join" with request (borrowed) and wait up to
     * timeout_seconds; *reply: new reference on success. Negative errno on
     * failure. Called only by the thread running the rounds, never with
     * the mesh lock held.
     */
    int (*exchange)(void *arg, const char *url, const json_t *request,
                    double timeout_seconds, json_t **reply,
                    struct paglets_err *err);
    double (*mono_now)(void *arg); /* seconds, for intervals */
    double (*wall_now)(void *arg); /* Unix time, for last_seen */
    uint64_t (*random)(void *arg); /* uniform 64 bits; under the lock */
};

/*
 * As paglets__mesh_new() with injected I/O (ops and ops_arg borrowed; must
 * outlive the mesh). Tests drive it with paglets__mesh_round() instead of
 * paglets__mesh_start().
 */
struct paglets__mesh *
paglets__mesh_new_with_ops(const struct paglets__mesh_config *config,
                           const struct paglets__mesh_ops *ops, void *ops_arg,
                           struct paglets_err *err);

/*
 * Run one gossip round now on the calling thread: bump our heartbeat,
 * expire silent members, exchange lists with a few peers. Returns the
 * number of exchanges attempted. Not concurrently with itself.
 */
int paglets__mesh_round(struct paglets__mesh *mesh);

/* Counters since creation, for tests, benchmarks and GET /hosts. */
struct paglets__mesh_stats {
    uint64_t rounds;
    uint64_t exchanges_sent;   /* POST /hosts/join made by this host */
    uint64_t exchanges_failed; /* of those, the ones that failed */
    uint64_t joins_received;   /* POST /hosts/join answered */
    uint64_t beacons_received; /* valid multicast beacons */
    uint64_t bytes_sent;       /* JSON bodies of exchanges_sent */
    uint64_t beacon_bytes_received;
};

void paglets__mesh_get_stats(struct paglets__mesh *mesh,
                             struct paglets__mesh_stats *stats);

#endif
