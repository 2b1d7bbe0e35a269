/*
 * Mesh membership of one host: SWIM failure detection with Lifeguard's
 * refinements, updates piggybacked on probes, push-pull syncs, admission
 * of new members, LAN multicast beacons. The host owns one (unless
 * --no-mesh) and routes GET /hosts and POST /hosts/{join,ping,ping-req,
 * sync} to it. docs/MESH.md describes the protocol.
 */
#ifndef PAGLETS_RUNTIME_MESH_H
#define PAGLETS_RUNTIME_MESH_H

#include <stdbool.h>
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
    size_t max_members; /* 0: PAGLETS__MESH_DEFAULT_MAX_MEMBERS */
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

/* Start the protocol thread (and multicast when configured). */
int paglets__mesh_start(struct paglets__mesh *mesh, struct paglets_err *err);

/*
 * Say goodbye to a few members, stop threads and free. NULL is a no-op.
 * No request may be inside paglets__mesh_handle() any more.
 */
void paglets__mesh_free(struct paglets__mesh *mesh);

/* GET /hosts reply: {"hosts": [HostRef, ...], "mesh": {...}}, new ref. */
json_t *paglets__mesh_hosts_json(struct paglets__mesh *mesh);

/*
 * The largest body of a mesh message other than push-pull (POST
 * /hosts/join, /hosts/ping, /hosts/ping-req): a join carries its caller's
 * entry (metadata <= 1 KiB) and, from main's old protocol, a table the
 * receiver never reads; pings are capped at a few KiB. A larger one is
 * refused with 413 before it is read or parsed.
 */
#define PAGLETS__MESH_SMALL_BODY_MAX (1u << 20)

/* The body limit for a request to path, of at most limit bytes. */
size_t paglets__mesh_body_max(const char *path, size_t limit);

/*
 * A mesh message arriving over HTTP: kind is "join", "ping", "ping-req"
 * or "sync" (POST /hosts/KIND). Blocks until the answer is ready (a
 * ping-req waits for its own probe, which its timeout bounds). *reply: new
 * reference. -EINVAL on a malformed body, -EMSGSIZE for metadata over
 * 1 KiB in a join, -EAGAIN when the table is full of live members.
 */
int paglets__mesh_handle(struct paglets__mesh *mesh, const char *kind,
                         const json_t *body, json_t **reply,
                         struct paglets_err *err);

/* Same-version members that are not pending, self included; *hosts freed
 * with free(). `online` means alive. */
int paglets__mesh_members(struct paglets__mesh *mesh,
                          struct paglets_host_info **hosts, size_t *n_hosts,
                          struct paglets_err *err);

/* URL of an alive member (or self) by name. 0, or -ENOENT. */
int paglets__mesh_resolve(struct paglets__mesh *mesh, const char *name,
                          char *url, size_t url_size);

/*
 * The mesh's I/O, replaceable so tests and the simulation can run many
 * meshes in one process on a fake clock, with delays, loss and late
 * answers, without network or sleeps. Every hook gets the ops_arg given to
 * paglets__mesh_new_with_ops().
 */

/*
 * The end of one send: rc 0 with the reply (borrowed for the call), or a
 * negative errno (-ETIMEDOUT, -ECONNREFUSED, an HTTP error, -ECANCELED
 * at shutdown) with reply NULL and why (may be NULL) saying what failed.
 */
typedef void (*paglets__mesh_done_fn)(void *arg, int rc, const json_t *reply,
                                      const char *why);

struct paglets__mesh_ops {
    /*
     * POST url + "/hosts/" + kind with body (borrowed: encoded before
     * return) and give up after timeout_seconds. Later, from any thread
     * but never from inside send(), calls done(done_arg, ...) exactly
     * once. May be called with the mesh lock held, so it must not call
     * into the mesh. A negative return (queue full, out of memory) means
     * done will not be called.
     */
    int (*send)(void *arg, const char *url, const char *kind,
                const json_t *body, double timeout_seconds,
                paglets__mesh_done_fn done, void *done_arg);
    double (*mono_now)(void *arg); /* seconds, for intervals */
    double (*wall_now)(void *arg); /* Unix time, for last_seen */
    uint64_t (*random)(void *arg); /* uniform 64 bits; under the lock */
    /*
     * Optional (NULL in hosts): a suspicion of ours ran out and `name` is
     * offline by our verdict. Under the lock; must not call the mesh. The
     * simulation counts false verdicts with it.
     */
    void (*verdict)(void *arg, const char *name);
};

/*
 * As paglets__mesh_new() with injected I/O (ops and ops_arg borrowed; must
 * outlive the mesh). Tests drive it with paglets__mesh_tick() and
 * paglets__mesh_receive() instead of paglets__mesh_start(); free it only
 * once no send is outstanding.
 */
struct paglets__mesh *
paglets__mesh_new_with_ops(const struct paglets__mesh_config *config,
                           const struct paglets__mesh_ops *ops, void *ops_arg,
                           struct paglets_err *err);

/*
 * Do whatever is due by the mesh's clock (probes, their timeouts,
 * suspicions running out, syncs, seed retries) and return the mono time
 * the mesh next wants to be called at. Not concurrently with itself.
 */
double paglets__mesh_tick(struct paglets__mesh *mesh);

/* The mono time the mesh next wants a tick at (it only moves earlier
 * between ticks, as messages arrive). */
double paglets__mesh_next_wake(struct paglets__mesh *mesh);

/*
 * The answer to one incoming message: rc 0 and reply (stolen), or a
 * negative errno with reply NULL and the reason in err.
 */
typedef void (*paglets__mesh_respond_fn)(void *arg, int rc, json_t *reply,
                                         const struct paglets_err *err);

/*
 * An incoming message, answered through respond exactly once: at once for
 * most kinds, later (from whichever thread completes its probe) for a
 * ping-req. paglets__mesh_handle() is this plus a wait.
 */
void paglets__mesh_receive(struct paglets__mesh *mesh, const char *kind,
                           const json_t *body, paglets__mesh_respond_fn respond,
                           void *respond_arg);

/*
 * Leave: mark ourselves left and tell up to PAGLETS__MESH_INDIRECT alive
 * members through ops->send. Returns how many were told. No tick after.
 */
int paglets__mesh_leave(struct paglets__mesh *mesh, double timeout_seconds);

/* How this mesh sees a member. */
enum paglets__mesh_state {
    PAGLETS__MESH_UNKNOWN = -1, /* not in the table */
    PAGLETS__MESH_PENDING = 0,  /* heard of, not yet answered a probe */
    PAGLETS__MESH_ALIVE = 1,
    PAGLETS__MESH_SUSPECT = 2,
    PAGLETS__MESH_OFFLINE = 3, /* failed, or left */
};

/* The state of the member called name ("self" reads ALIVE). */
enum paglets__mesh_state paglets__mesh_state_of(struct paglets__mesh *mesh,
                                                const char *name);

/* Counters since creation, for tests, benchmarks and GET /hosts. */
struct paglets__mesh_stats {
    uint64_t rounds;                /* probe rounds started */
    uint64_t exchanges_sent;        /* requests this host made */
    uint64_t exchanges_failed;      /* of those, the ones that failed */
    uint64_t joins_received;        /* POST /hosts/join answered */
    uint64_t beacons_received;      /* valid multicast beacons */
    uint64_t pings_received;        /* POST /hosts/ping and ping-req answered */
    uint64_t syncs_sent;            /* push-pulls and joins made */
    uint64_t syncs_received;        /* POST /hosts/sync answered */
    uint64_t suspicions;            /* members we suspected ourselves */
    uint64_t offline_verdicts;      /* suspicions that ran out here */
    uint64_t refutations;           /* times we raised our incarnation */
    uint64_t unknown_dropped;       /* unknown members not taken (budget, K) */
    uint64_t evictions;             /* members dropped to make room */
    uint64_t bytes_sent;            /* HTTP bytes of our exchanges, out, */
    uint64_t bytes_received;        /* and back; 0 unless the I/O counts */
    uint64_t beacon_bytes_received; /* multicast beacons' bytes */
    size_t alive;                   /* members alive now (self not counted) */
    size_t suspect;
    size_t offline;
    size_t pending;
    unsigned local_health; /* Lifeguard's multiplier, 0 = healthy */
};

void paglets__mesh_get_stats(struct paglets__mesh *mesh,
                             struct paglets__mesh_stats *stats);

#endif
