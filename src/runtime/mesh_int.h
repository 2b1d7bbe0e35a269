/*
 * Inside the mesh: the member table, the HostRef codec and the pieces the
 * gossip, lifecycle and multicast files share. Not for other modules.
 */
#ifndef PAGLETS_RUNTIME_MESH_INT_H
#define PAGLETS_RUNTIME_MESH_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <paglets/agent.h>

#include "runtime/mesh.h"

/* Hostile peers cannot grow us past these. */
#define PAGLETS__MESH_NAME_MAX 128
#define PAGLETS__MESH_VERSION_MAX 128
#define PAGLETS__MESH_ERROR_MAX PAGLETS_ERR_MESSAGE_MAX
#define PAGLETS__MESH_MAX_MEMBERS 1024
#define PAGLETS__MESH_MAX_TAGS 64
#define PAGLETS__MESH_MAX_PROPERTIES 64
#define PAGLETS__MESH_MAX_TEXT 1024
#define PAGLETS__MESH_MAX_REFUSED 256

/*
 * Peers contacted per round besides due seeds and one offline probe. Two
 * push-pull exchanges out (and about two in) per round already spread news
 * to every host in O(log N) rounds.
 */
#define PAGLETS__MESH_FANOUT 2

/* A HostRef read off the wire and validated; tags/properties borrowed. */
struct paglets__mesh_ref {
    char name[PAGLETS__MESH_NAME_MAX];
    char url[PAGLETS_URL_MAX];
    char version[PAGLETS__MESH_VERSION_MAX];
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
int paglets__mesh_ref_parse(const json_t *json, struct paglets__mesh_ref *ref,
                            struct paglets_err *err);

/* One other host as we know it. */
struct paglets__mesh_member {
    char name[PAGLETS__MESH_NAME_MAX];
    char url[PAGLETS_URL_MAX];
    char version[PAGLETS__MESH_VERSION_MAX];
    char error[PAGLETS__MESH_ERROR_MAX]; /* last failed contact, or "" */
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
struct paglets__mesh_seed {
    char url[PAGLETS_URL_MAX];
    char name[PAGLETS__MESH_NAME_MAX]; /* who answered there, or "" */
    double next_try_mono;
    double backoff_s;
};

struct paglets__mesh_multicast;

struct paglets__mesh {
    /* Immutable after creation. */
    char self_name[PAGLETS__MESH_NAME_MAX];
    char self_url[PAGLETS_URL_MAX];
    char version[PAGLETS__MESH_VERSION_MAX];
    json_t *tags;
    json_t *properties;
    double offline_after_seconds;
    double interval_s;
    bool multicast;
    void (*self_counts)(void *arg, size_t *active, size_t *inactive);
    void *self_counts_arg;
    const struct paglets__mesh_ops *ops;
    void *ops_arg;
    struct paglets__mesh_io *io; /* the real ops' state, or NULL */
    uint64_t incarnation;

    /* Touched only by the thread running rounds. */
    struct paglets__mesh_seed *seeds;
    size_t n_seeds;

    /* The lock guards everything below. */
    pthread_mutex_t lock;
    uint64_t heartbeat;
    struct paglets__mesh_member *members;
    size_t n_members;
    size_t cap_members;
    char (*refused)[PAGLETS__MESH_NAME_MAX + PAGLETS_URL_MAX];
    size_t n_refused;
    struct paglets__mesh_stats stats;

    /* The gossip thread. */
    pthread_cond_t wake;
    bool stopping;
    bool thread_running;
    pthread_t thread;
    struct paglets__mesh_multicast *mc;
};

/* Our own HostRef with heartbeat fields; new reference or NULL. */
json_t *paglets__mesh_self_json(struct paglets__mesh *mesh, size_t active,
                                size_t inactive, double wall);

/*
 * A member's HostRef as of now, with every field when full, else only
 * what gossip needs; new reference or NULL.
 */
json_t *paglets__mesh_member_json(const struct paglets__mesh_member *m,
                                  double mono, double wall, bool full);

/* Refresh online flags and forget long-dead members. Lock held. */
void paglets__mesh_expire(struct paglets__mesh *mesh, double mono);

/*
 * Fold one received HostRef into the table (lock held). `direct` means the
 * host itself is talking to us, so it is alive now whatever its counters
 * say. Hosts of another mesh version are refused (logged once).
 */
void paglets__mesh_merge(struct paglets__mesh *mesh,
                         const struct paglets__mesh_ref *ref, bool direct,
                         double mono);

/*
 * Fold an array of HostRefs (lock held); bad entries are skipped and at
 * most PAGLETS__MESH_MAX_MEMBERS are read. The entry for direct_url (the
 * host that sent the list; NULL for none) counts as direct, and its name
 * goes to direct_name (size PAGLETS__MESH_NAME_MAX; may be NULL) when it
 * is of our version. -EPROTO when list is not an array.
 */
int paglets__mesh_merge_list(struct paglets__mesh *mesh, const json_t *list,
                             const char *direct_url, char *direct_name,
                             double mono);

/* The member called name, or NULL (lock held). */
struct paglets__mesh_member *paglets__mesh_find(struct paglets__mesh *mesh,
                                                const char *name);

/*
 * {"hosts": [self, members...]} (lock held); new reference or NULL. With
 * delta, only members flagged news_for_peer, as gossip entries.
 */
json_t *paglets__mesh_list_json(struct paglets__mesh *mesh, size_t active,
                                size_t inactive, bool delta);

/* Announce our departure to a few members (gossip thread stopped). */
void paglets__mesh_leave(struct paglets__mesh *mesh);

/* The real I/O: libcurl exchanges, system clocks, a seeded PRNG. */
struct paglets__mesh_io;
/* api_key and tls_ca (a CA file) may be NULL; both are copied. */
struct paglets__mesh_io *paglets__mesh_io_new(const char *api_key,
                                              const char *tls_ca,
                                              struct paglets_err *err);
void paglets__mesh_io_free(struct paglets__mesh_io *io);
extern const struct paglets__mesh_ops paglets__mesh_io_ops;
/*
 * Stopping: on, an exchange in flight (the gossip thread's, to a peer
 * that accepts and never answers, say) ends at once, and so does every
 * later one; off again once that thread is joined, so the goodbye of
 * paglets__mesh_leave() can go out. NULL io does nothing.
 */
void paglets__mesh_io_interrupt(struct paglets__mesh_io *io, bool on);

/* LAN beacons (mesh_multicast.c). */
int paglets__mesh_multicast_start(struct paglets__mesh *mesh,
                                  struct paglets_err *err);
void paglets__mesh_multicast_stop(struct paglets__mesh *mesh);

/*
 * Fold one received datagram as a beacon from the host it names. Anything
 * else is dropped quietly: the port is open to the whole link.
 */
void paglets__mesh_take_beacon(struct paglets__mesh *mesh, const char *data,
                               size_t len);

#endif
