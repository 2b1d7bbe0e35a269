/*
 * The mesh protocol of main before issue 12 (full-table gossip with
 * heartbeats and an offline window), frozen for the simulation's
 * before/after table: bench/mesh-sim.sh runs it in the same harness as
 * the SWIM mesh. Copied from src/runtime/mesh*.{c,h} at commit 58395c2
 * with the prefix legacy__ and without threads, multicast and real I/O.
 * Do not edit: it is the baseline, not code in use.
 */
#ifndef PAGLETS_TESTS_SIM_LEGACY_MESH_H
#define PAGLETS_TESTS_SIM_LEGACY_MESH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <paglets/agent.h>
#include <paglets/host.h>

struct legacy__mesh;

struct legacy__mesh_config {
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
};

/* Stop threads and free. NULL is a no-op. */
void legacy__mesh_free(struct legacy__mesh *mesh);

/* GET /hosts reply: {"hosts": [HostRef, ...]}, new reference. */
json_t *legacy__mesh_hosts_json(struct legacy__mesh *mesh);

/*
 * POST /hosts/join: body is the caller's HostRef (plus any gossip payload);
 * *reply: new reference, {"hosts": [...]}. -EINVAL on a malformed body.
 */
int legacy__mesh_handle_join(struct legacy__mesh *mesh, const json_t *body,
                             json_t **reply, struct paglets_err *err);

/* Same-version members, self included; *hosts freed with free(). */
int legacy__mesh_members(struct legacy__mesh *mesh,
                         struct paglets_host_info **hosts, size_t *n_hosts,
                         struct paglets_err *err);

/* URL of an online member by name. 0, or -ENOENT. */
int legacy__mesh_resolve(struct legacy__mesh *mesh, const char *name, char *url,
                         size_t url_size);

/*
 * The mesh's I/O, replaceable so unit tests can run many meshes in one
 * process on a fake clock without network or sleeps. Every hook gets the
 * ops_arg given to legacy__mesh_new_with_ops().
 */
struct legacy__mesh_ops {
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
 * As legacy__mesh_new() with injected I/O (ops and ops_arg borrowed; must
 * outlive the mesh). Tests drive it with legacy__mesh_round() instead of
 * legacy__mesh_start().
 */
struct legacy__mesh *
legacy__mesh_new_with_ops(const struct legacy__mesh_config *config,
                          const struct legacy__mesh_ops *ops, void *ops_arg,
                          struct paglets_err *err);

/*
 * Run one gossip round now on the calling thread: bump our heartbeat,
 * expire silent members, exchange lists with a few peers. Returns the
 * number of exchanges attempted. Not concurrently with itself.
 */
int legacy__mesh_round(struct legacy__mesh *mesh);

/* Counters since creation, for tests, benchmarks and GET /hosts. */
struct legacy__mesh_stats {
    uint64_t rounds;
    uint64_t exchanges_sent;   /* POST /hosts/join made by this host */
    uint64_t exchanges_failed; /* of those, the ones that failed */
    uint64_t joins_received;   /* POST /hosts/join answered */
    uint64_t beacons_received; /* valid multicast beacons */
};

void legacy__mesh_get_stats(struct legacy__mesh *mesh,
                            struct legacy__mesh_stats *stats);

/*
 * Members any legacy mesh of this process marked offline so far (the
 * simulation's count of the old protocol's offline verdicts).
 */
extern uint64_t legacy__mesh_went_offline;

/* Hostile peers cannot grow us past these. */
#define LEGACY__MESH_NAME_MAX 128
#define LEGACY__MESH_VERSION_MAX 128
#define LEGACY__MESH_ERROR_MAX PAGLETS_ERR_MESSAGE_MAX
#define LEGACY__MESH_MAX_MEMBERS 1024
#define LEGACY__MESH_MAX_TAGS 64
#define LEGACY__MESH_MAX_PROPERTIES 64
#define LEGACY__MESH_MAX_TEXT 1024
#define LEGACY__MESH_MAX_REFUSED 256

/*
 * Peers contacted per round besides due seeds and one offline probe. Two
 * push-pull exchanges out (and about two in) per round already spread news
 * to every host in O(log N) rounds.
 */
#define LEGACY__MESH_FANOUT 2

/* A HostRef read off the wire and validated; tags/properties borrowed. */
struct legacy__mesh_ref {
    char name[LEGACY__MESH_NAME_MAX];
    char url[PAGLETS_URL_MAX];
    char version[LEGACY__MESH_VERSION_MAX];
    bool online;
    int64_t active_count;
    int64_t inactive_count;
    const json_t *tags;       /* array of strings or NULL */
    const json_t *properties; /* object of strings or NULL */
    bool has_heartbeat;       /* heartbeat and incarnation present */
    uint64_t incarnation;
    uint64_t heartbeat;
    double age_s; /* seconds since the sender saw the heartbeat rise */
};

/*
 * Validate one HostRef: name and url required, every other field optional
 * but of the right type and size. 0, or -EINVAL with the reason in err.
 */
int legacy__mesh_ref_parse(const json_t *json, struct legacy__mesh_ref *ref,
                           struct paglets_err *err);

/* One other host as we know it. */
struct legacy__mesh_member {
    char name[LEGACY__MESH_NAME_MAX];
    char url[PAGLETS_URL_MAX];
    char version[LEGACY__MESH_VERSION_MAX];
    char error[LEGACY__MESH_ERROR_MAX]; /* last failed contact, or "" */
    uint64_t incarnation;
    uint64_t heartbeat;
    double fresh_mono;      /* when the heartbeat last rose, by our clock */
    double next_probe_mono; /* earliest retry while offline */
    double probe_backoff_s;
    int64_t active_count;
    int64_t inactive_count;
    json_t *tags;       /* owned */
    json_t *properties; /* owned */
    bool online;
    /*
     * Scratch for one join: false once the caller's list showed it knows
     * this member at least as recently as we do.
     */
    bool news_for_peer;
};

/* A seed URL from the config and when to try it next. */
struct legacy__mesh_seed {
    char url[PAGLETS_URL_MAX];
    char name[LEGACY__MESH_NAME_MAX]; /* who answered there, or "" */
    double next_try_mono;
    double backoff_s;
};

struct legacy__mesh {
    /* Immutable after creation. */
    char self_name[LEGACY__MESH_NAME_MAX];
    char self_url[PAGLETS_URL_MAX];
    char version[LEGACY__MESH_VERSION_MAX];
    json_t *tags;
    json_t *properties;
    double offline_after_seconds;
    double interval_s;
    bool multicast;
    void (*self_counts)(void *arg, size_t *active, size_t *inactive);
    void *self_counts_arg;
    const struct legacy__mesh_ops *ops;
    void *ops_arg;
    uint64_t incarnation;

    /* Touched only by the thread running rounds. */
    struct legacy__mesh_seed *seeds;
    size_t n_seeds;

    /* The lock guards everything below. */
    pthread_mutex_t lock;
    uint64_t heartbeat;
    struct legacy__mesh_member *members;
    size_t n_members;
    size_t cap_members;
    char (*refused)[LEGACY__MESH_NAME_MAX + PAGLETS_URL_MAX];
    size_t n_refused;
    struct legacy__mesh_stats stats;
};

/* Our own HostRef with heartbeat fields; new reference or NULL. */
json_t *legacy__mesh_self_json(struct legacy__mesh *mesh, size_t active,
                               size_t inactive, double wall);

/*
 * A member's HostRef as of now, with every field when full, else only
 * what gossip needs; new reference or NULL.
 */
json_t *legacy__mesh_member_json(const struct legacy__mesh_member *m,
                                 double mono, double wall, bool full);

/* Refresh online flags and forget long-dead members. Lock held. */
void legacy__mesh_expire(struct legacy__mesh *mesh, double mono);

/*
 * Fold one received HostRef into the table (lock held). `direct` means the
 * host itself is talking to us, so it is alive now whatever its counters
 * say. Hosts of another mesh version are refused (logged once).
 */
void legacy__mesh_merge(struct legacy__mesh *mesh,
                        const struct legacy__mesh_ref *ref, bool direct,
                        double mono);

/*
 * Fold an array of HostRefs (lock held); bad entries are skipped and at
 * most LEGACY__MESH_MAX_MEMBERS are read. The entry for direct_url (the
 * host that sent the list; NULL for none) counts as direct, and its name
 * goes to direct_name (size LEGACY__MESH_NAME_MAX; may be NULL) when it
 * is of our version. -EPROTO when list is not an array.
 */
int legacy__mesh_merge_list(struct legacy__mesh *mesh, const json_t *list,
                            const char *direct_url, char *direct_name,
                            double mono);

/* The member called name, or NULL (lock held). */
struct legacy__mesh_member *legacy__mesh_find(struct legacy__mesh *mesh,
                                              const char *name);

/*
 * {"hosts": [self, members...]} (lock held); new reference or NULL. With
 * delta, only members flagged news_for_peer, as gossip entries.
 */
json_t *legacy__mesh_list_json(struct legacy__mesh *mesh, size_t active,
                               size_t inactive, bool delta);

/* Announce our departure to a few members (gossip thread stopped). */
void legacy__mesh_leave(struct legacy__mesh *mesh);

#endif
