/*
 * Inside the mesh: the member table, probes in flight, the queue of
 * updates to piggyback, and the pieces the protocol files share. Not for
 * other modules (the simulation in tests/sim reads it too).
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
#define PAGLETS__MESH_ERROR_MAX 160
#define PAGLETS__MESH_MAX_TAGS 64
#define PAGLETS__MESH_MAX_PROPERTIES 64
#define PAGLETS__MESH_MAX_TEXT 1024
#define PAGLETS__MESH_MAX_REFUSED 256
#define PAGLETS__MESH_DEFAULT_MAX_MEMBERS 16384
/* Tags and properties of one member, as compact JSON, at most this. */
#define PAGLETS__MESH_META_MAX 1024

/*
 * SWIM and Lifeguard's constants (docs/MESH.md, "Failure detection"):
 * k members asked to probe for us; alpha and beta of the suspicion
 * timeout; lambda of the retransmissions; the ceiling of local health.
 */
#define PAGLETS__MESH_INDIRECT 3
#define PAGLETS__MESH_SUSPICION_ALPHA 4.0
#define PAGLETS__MESH_SUSPICION_BETA 6.0
#define PAGLETS__MESH_RETRANSMIT_MULT 4
#define PAGLETS__MESH_HEALTH_MAX 8

/*
 * Admission: members unknown to us that one message may introduce (K),
 * and how many one source may introduce in any minute (K as well). Seeds
 * we were configured with are exempt.
 */
#define PAGLETS__MESH_UNKNOWN_K 8
#define PAGLETS__MESH_MAX_PENDING 256
/* Names of turned-away members a seed is asked about, per request. */
#define PAGLETS__MESH_MAX_WANTED 256

/*
 * Message sizes: updates piggybacked on one ping, ack or ping-req stay
 * under this many bytes whatever the mesh size, and a receiver reads at
 * most PIGGYBACK_MAX of them. A push-pull carries at most SYNC_BYTES of
 * entries (a rotating window when the table is larger).
 */
#define PAGLETS__MESH_PIGGYBACK_BYTES 2048
#define PAGLETS__MESH_PIGGYBACK_MAX 64
#define PAGLETS__MESH_SYNC_BYTES (1024 * 1024)

/* Lifeguard's "expected confirmations" for the dynamic suspicion timeout. */
#define PAGLETS__MESH_CONFIRMATIONS 2

/* What we know of a member beyond its identity; allocated on demand. */
struct paglets__mesh_extra {
    json_t *tags;       /* array of strings, or NULL */
    json_t *properties; /* object of strings, or NULL */
    int64_t active_count;
    int64_t inactive_count;
    uint32_t meta_hash;  /* of tags, properties and counts; 0: none known */
    uint32_t meta_bytes; /* their size in a sync entry */
    char error[PAGLETS__MESH_ERROR_MAX]; /* last failed contact, or "" */
    /* As a source: when its last K introductions were taken (mono). */
    double introduced[PAGLETS__MESH_UNKNOWN_K];
    unsigned introduced_next;
};

enum paglets__mesh_member_flags {
    PAGLETS__MESH_LEFT = 1u << 0,    /* offline because it said goodbye */
    PAGLETS__MESH_PROBING = 1u << 1, /* a verification probe is out */
    PAGLETS__MESH_TRUSTED = 1u << 2, /* pending on a seed's word */
};

/*
 * One other host. Kept small (the simulation holds 10^8 of them): the name
 * and URL live in the mesh's string arena, the rest on demand in extra.
 */
struct paglets__mesh_member {
    uint32_t name; /* offsets into mesh->arena */
    uint32_t url;
    uint64_t incarnation;
    double changed; /* mono: when it entered its state */
    double seen;    /* mono: last evidence that it lives */
    double due;     /* pending: verify at; offline: reconnect probe at */
    struct paglets__mesh_extra *extra;
    uint32_t bcast; /* its queued update: slot + 1, or 0 */
    uint32_t seq;   /* mesh->seq when it was added or changed state */
    uint8_t state;  /* enum paglets__mesh_state */
    uint8_t flags;  /* enum paglets__mesh_member_flags */
    uint8_t tries;  /* verification or reconnect attempts */
};

/* A suspicion we hold: who raised it and when it runs out. */
struct paglets__mesh_suspicion {
    char name[PAGLETS__MESH_NAME_MAX];
    uint64_t incarnation;
    double started;
    double min_s, max_s;
    uint64_t accusers[PAGLETS__MESH_CONFIRMATIONS + 1]; /* name hashes */
    unsigned n_accusers;
    double deadline;
    bool last_probe; /* out of time: one last probe of our own is out */
    bool ours;       /* we raised it: probe again soon (refute sooner) */
};

/* One update waiting to ride on outgoing messages. */
struct paglets__mesh_bcast {
    json_t *update; /* ["a", name, url, inc] etc.; owned */
    uint32_t bytes; /* its compact encoding */
    uint16_t transmits;
    uint16_t bucket_pos;
    bool self; /* about us (not a member) */
};

/* A probe of one member: direct ping, then k indirect ones. */
struct paglets__mesh_probe {
    char target[PAGLETS__MESH_NAME_MAX];
    uint64_t incarnation; /* the target's, when the probe began */
    double started;
    double indirect_at; /* no ack by then: ask k others, ping again */
    double retry_at;    /* no ack by then: one last direct ping */
    double ends_at;     /* no ack by then: suspect */
    unsigned relays;    /* ping-reqs sent */
    unsigned nacks;     /* relays that answered without an ack */
    unsigned calls;     /* sends outstanding */
    bool acked;
    bool indirect_sent;
    bool retry_sent;
    bool concluded;
    bool last; /* the last probe before a verdict: failing it is one */
};

/* A seed URL from the config and when to try it next. */
struct paglets__mesh_seed {
    char url[PAGLETS_URL_MAX];
    char name[PAGLETS__MESH_NAME_MAX]; /* who answered there, or "" */
    double next_try;
    double backoff_s;
    uint64_t seq; /* its change counter when it last answered us */
};

#define PAGLETS__MESH_MAX_PROBES 16
#define PAGLETS__MESH_BUCKETS 64

struct paglets__mesh_multicast;
struct paglets__mesh_io;

struct paglets__mesh {
    /* Immutable after creation. */
    char self_name[PAGLETS__MESH_NAME_MAX];
    char self_url[PAGLETS_URL_MAX];
    char version[PAGLETS__MESH_VERSION_MAX];
    json_t *tags;
    json_t *properties;
    double offline_after_seconds;
    double interval_s;
    size_t max_members;
    bool multicast;
    void (*self_counts)(void *arg, size_t *active, size_t *inactive);
    void *self_counts_arg;
    const struct paglets__mesh_ops *ops;
    void *ops_arg;
    struct paglets__mesh_io *io; /* the real ops' state, or NULL */
    uint64_t self_hash;

    /* The lock guards everything below. */
    pthread_mutex_t lock;
    uint64_t incarnation;
    bool left;
    bool stopping;
    int64_t self_active; /* our counts as last read */
    int64_t self_inactive;

    /* Member table: dense array, hash index, string arena. */
    struct paglets__mesh_member *members;
    size_t n_members;
    size_t cap_members;
    uint32_t *index; /* open addressing: member index + 1, 0 empty */
    size_t index_mask;
    char *arena;
    size_t arena_len;
    size_t arena_cap;
    size_t arena_garbage;
    size_t count[4]; /* members per enum paglets__mesh_state */
    uint32_t seq;    /* counts additions and state changes */

    /* Failure detection. */
    size_t probe_next; /* round-robin cursor into members */
    double next_probe;
    struct paglets__mesh_probe *probes[PAGLETS__MESH_MAX_PROBES];
    struct paglets__mesh_suspicion *suspicions;
    size_t n_suspicions;
    size_t cap_suspicions;
    unsigned health; /* Lifeguard's local health multiplier */
    double last_tick;
    double next_reconnect;
    double next_purge;

    /* Dissemination. */
    struct paglets__mesh_bcast *bcasts;
    size_t n_bcasts; /* slots in use (free ones have update NULL) */
    size_t cap_bcasts;
    uint32_t *free_bcasts;
    size_t n_free_bcasts;
    uint32_t *buckets[PAGLETS__MESH_BUCKETS]; /* slots by transmits */
    size_t bucket_len[PAGLETS__MESH_BUCKETS];
    size_t bucket_cap[PAGLETS__MESH_BUCKETS];
    uint32_t self_bcast; /* slot + 1 of our own update, or 0 */

    /* Push-pull and seeds. */
    struct paglets__mesh_seed *seeds;
    size_t n_seeds;
    double next_sync;
    double next_resync; /* asking a seed for members we turned away */
    double resync_backoff;
    char (*wanted)[PAGLETS__MESH_NAME_MAX]; /* those members' names */
    size_t n_wanted;
    bool want_overflow;  /* more than fit: ask for all changes instead */
    unsigned since_asks; /* after a join: such asks still to make */
    size_t sync_offset;  /* start of the window when the table is large */

    /* Logs of state changes, rate-limited. */
    double log_window_start;
    unsigned log_lines;
    unsigned log_suppressed[4];
    char (*refused)[PAGLETS__MESH_NAME_MAX + PAGLETS_URL_MAX];
    size_t n_refused;

    struct paglets__mesh_stats stats;
    unsigned calls_out; /* sends whose done has not run */

    /* The protocol thread. */
    double next_wake;
    pthread_cond_t wake;
    pthread_cond_t calls_done;
    bool thread_running;
    pthread_t thread;
    struct paglets__mesh_multicast *mc;
};

/* ---- mesh_ref.c: validation and encodings ---- */

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
    bool has_incarnation;
    uint64_t incarnation;
    size_t meta_bytes; /* compact size of tags + properties */
};

/*
 * Validate one HostRef: name and url required, every other field optional
 * but of the right type and size. 0, or -EINVAL with the reason in err.
 */
int paglets__mesh_ref_parse(const json_t *json, struct paglets__mesh_ref *ref,
                            struct paglets_err *err);

/* An entry of a sync or an ack: [name, url, inc, state, meta_hash, meta]. */
struct paglets__mesh_entry {
    char name[PAGLETS__MESH_NAME_MAX];
    char url[PAGLETS_URL_MAX];
    uint64_t incarnation;
    int state;          /* PAGLETS__MESH_ALIVE.. OFFLINE */
    bool left;          /* state 4 on the wire */
    uint32_t meta_hash; /* 0 when absent */
    const json_t *meta; /* borrowed {"tags", "properties", ...} or NULL */
};

/*
 * Read [name, url, inc(, state(, hash(, meta)))] starting at index first
 * of the array (1 for an alive update, ["a", name, url, inc]). 0 or
 * -EINVAL. The URL is not made canonical here: the table does that when
 * it stores one, and compares with what it holds.
 */
int paglets__mesh_entry_parse(const json_t *json, size_t first,
                              struct paglets__mesh_entry *entry);

/* Check a meta object (tags, properties, counts); 0 or -EINVAL/-EMSGSIZE. */
int paglets__mesh_meta_check(const json_t *tags, const json_t *properties,
                             size_t *bytes, struct paglets_err *err);

/* Hash of meta for syncs; 0 when there is none (no tags, properties or
 * agents). */
uint32_t paglets__mesh_meta_hash(const json_t *tags, const json_t *properties,
                                 int64_t active, int64_t inactive);

/* FNV-1a of a string: the table's hash and accusers' identity. */
uint64_t paglets__mesh_hash(const char *text);

/* A canonical mono-to-wall conversion and other small helpers. */
bool paglets__mesh_is_clean_text(const char *text);

/* Our own HostRef (every field); new reference or NULL. Lock held. */
json_t *paglets__mesh_self_json(struct paglets__mesh *mesh, double wall);

/* Our [name, url, inc]; new reference or NULL. Lock held. */
json_t *paglets__mesh_self_entry(struct paglets__mesh *mesh);

/* A member's HostRef for GET /hosts; new reference or NULL. Lock held. */
json_t *paglets__mesh_member_json(struct paglets__mesh *mesh,
                                  const struct paglets__mesh_member *m,
                                  double mono, double wall);

/* A member's sync entry, with meta when with_meta; new reference. */
json_t *paglets__mesh_member_entry(struct paglets__mesh *mesh,
                                   const struct paglets__mesh_member *m,
                                   bool with_meta);

/* ---- mesh_table.c: the member table (lock held throughout) ---- */

static inline const char *
paglets__mesh_name(const struct paglets__mesh *mesh,
                   const struct paglets__mesh_member *m)
{
    return mesh->arena + m->name;
}

static inline const char *
paglets__mesh_url(const struct paglets__mesh *mesh,
                  const struct paglets__mesh_member *m)
{
    return mesh->arena + m->url;
}

/* The member called name, or NULL. */
struct paglets__mesh_member *paglets__mesh_find(struct paglets__mesh *mesh,
                                                const char *name);

/*
 * Add a member in state `state` (it must not exist) at url (made
 * canonical), making room by evicting pending, then offline, then suspect
 * members when the table is full. NULL when no room, out of memory, or the
 * URL is not a host URL.
 */
struct paglets__mesh_member *paglets__mesh_add(struct paglets__mesh *mesh,
                                               const char *name,
                                               const char *url, int state,
                                               double mono);

/* Remove members[i] (the last one moves into its place). */
void paglets__mesh_remove(struct paglets__mesh *mesh, size_t i);

/* Point m at a new URL (made canonical). 0, -EINVAL or -ENOMEM. */
int paglets__mesh_set_url(struct paglets__mesh *mesh,
                          struct paglets__mesh_member *m, const char *url);

/* Change state, keeping counts and logging (rate-limited). */
void paglets__mesh_set_state(struct paglets__mesh *mesh,
                             struct paglets__mesh_member *m, int state,
                             double mono);

/* Shuffle the probe order (Fisher-Yates) and rebuild the index. */
void paglets__mesh_shuffle(struct paglets__mesh *mesh);

/* Swap members[i] and members[j], keeping the index right. */
void paglets__mesh_swap(struct paglets__mesh *mesh, size_t i, size_t j);

/* The member's extra, allocated on first use; NULL on ENOMEM. */
struct paglets__mesh_extra *paglets__mesh_extra(struct paglets__mesh_member *m);

/* Record why a direct contact failed (for GET /hosts). */
void paglets__mesh_note_error(struct paglets__mesh_member *m, const char *what,
                              int rc);

/* Log the first refusal per (name, url) of another mesh version. */
/*
 * text, escaped into buf for a log line. Names and versions come from
 * peers: C0 controls are refused when they arrive, C1 controls and bidi
 * overrides are not (paglets_escape).
 */
#define PAGLETS__MESH_SHOWN_MAX (4 * PAGLETS__MESH_NAME_MAX)
const char *paglets__mesh_shown(char buf[PAGLETS__MESH_SHOWN_MAX],
                                const char *text);
void paglets__mesh_refuse(struct paglets__mesh *mesh, const char *name,
                          const char *url, const char *version);

/* Flush the summary of suppressed state-change lines when due. */
void paglets__mesh_log_flush(struct paglets__mesh *mesh, double mono,
                             bool force);

/* Forget members offline for long; due once per check interval. */
void paglets__mesh_purge(struct paglets__mesh *mesh, double mono);

/* Members that count for timeouts and retransmissions: alive + suspect. */
size_t paglets__mesh_live_count(const struct paglets__mesh *mesh);

/* Uniform index below n from the mesh's random source. */
size_t paglets__mesh_random_below(struct paglets__mesh *mesh, size_t n);

/* Ask for a tick no later than t (wakes the protocol thread). */
void paglets__mesh_wake_at(struct paglets__mesh *mesh, double t);

/* ---- mesh_dissem.c: updates, piggybacking, admission ---- */

/* Who sent what we are reading, and what it may still introduce. */
struct paglets__mesh_source {
    char name[PAGLETS__MESH_NAME_MAX]; /* "" for none */
    bool trusted;                      /* a seed's answer to our own sync */
    bool bootstrap;                    /* a join's answer: no news to relay */
    unsigned unknown_taken;            /* unknown members taken from it */
};

/*
 * Queue an update about a member (or ourselves) for piggybacking; a
 * suspicion names accuser (NULL: us).
 */
void paglets__mesh_broadcast(struct paglets__mesh *mesh,
                             struct paglets__mesh_member *m);
void paglets__mesh_broadcast_as(struct paglets__mesh *mesh,
                                struct paglets__mesh_member *m,
                                const char *accuser);
void paglets__mesh_broadcast_self(struct paglets__mesh *mesh);

/*
 * Up to PIGGYBACK_BYTES of queued updates for a message to `to` (may be
 * NULL; an update about it goes first), as a new array, or NULL when none.
 */
json_t *paglets__mesh_piggyback(struct paglets__mesh *mesh, const char *to);

/* Apply an array of updates received from src. */
void paglets__mesh_apply_updates(struct paglets__mesh *mesh,
                                 const json_t *updates,
                                 struct paglets__mesh_source *src, double mono);

/* Apply one entry (of a sync, a join reply, an ack). */
void paglets__mesh_apply_entry(struct paglets__mesh *mesh,
                               const struct paglets__mesh_entry *e,
                               struct paglets__mesh_source *src, double mono);

/*
 * A member spoke for itself (join, sync, beacon): pending until it answers
 * a probe, unless it is alive already with this URL and incarnation.
 * -EAGAIN when there is no room.
 */
int paglets__mesh_introduce(struct paglets__mesh *mesh, const char *name,
                            const char *url, uint64_t incarnation, double mono);

/* Raise our incarnation above inc and tell the mesh (a refutation). */
void paglets__mesh_refute(struct paglets__mesh *mesh, uint64_t inc);

/* A member proved alive with this incarnation (an ack from it). */
void paglets__mesh_confirm_alive(struct paglets__mesh *mesh,
                                 struct paglets__mesh_member *m,
                                 const char *url, uint64_t inc, double mono);

/* Drop every queued update. */
void paglets__mesh_bcast_clear(struct paglets__mesh *mesh);

/* How many times each update is sent: lambda * ceil(log10(N + 1)). */
unsigned paglets__mesh_retransmit_limit(const struct paglets__mesh *mesh);

/* ---- mesh_probe.c: failure detection ---- */

/* Start probes that are due, end those that timed out. Lock held. */
void paglets__mesh_probe_tick(struct paglets__mesh *mesh, double mono);

/*
 * Suspect m at incarnation inc on accuser's word (we failed to reach it,
 * or a suspect update said so). 1 when that is news to relay (a new
 * suspicion, or a confirmation from a new accuser), else 0. Lock held.
 */
int paglets__mesh_suspect(struct paglets__mesh *mesh,
                          struct paglets__mesh_member *m, uint64_t inc,
                          const char *accuser, double mono);

/* Forget the suspicion of m (refuted, or it went offline). */
void paglets__mesh_unsuspect(struct paglets__mesh *mesh,
                             struct paglets__mesh_member *m);

/* Suspicions that ran out: offline. Lock held. */
void paglets__mesh_suspicion_tick(struct paglets__mesh *mesh, double mono);

/* The probe timeout and interval as local health stretches them. */
double paglets__mesh_probe_timeout(const struct paglets__mesh *mesh);
double paglets__mesh_probe_interval(const struct paglets__mesh *mesh);

/* Lifeguard: nudge local health by delta, within 0..HEALTH_MAX. */
void paglets__mesh_health(struct paglets__mesh *mesh, int delta);

/* Verify pending members and reconnect offline ones. Lock held. */
void paglets__mesh_verify_tick(struct paglets__mesh *mesh, double mono);

/* ---- mesh_msg.c: messages in and out ---- */

/*
 * Send body (stolen) through ops, the call counted; fn runs later with the
 * lock held and the reply (or rc < 0 and why). A negative return means fn
 * will not run.
 */
typedef void (*paglets__mesh_reply_fn)(struct paglets__mesh *mesh, void *ctx,
                                       int rc, const json_t *reply,
                                       const char *why, double mono);
int paglets__mesh_send(struct paglets__mesh *mesh, const char *url,
                       const char *kind, json_t *body, double timeout_s,
                       paglets__mesh_reply_fn fn, void *ctx);

/* A ping to url for member `to`, with piggybacked updates; new ref. */
json_t *paglets__mesh_ping_body(struct paglets__mesh *mesh, const char *to);

/*
 * Read an ack ({"ack": [name, url, inc], "updates": ...}) naming the
 * member we expected, applying its updates with `from` (who answered: the
 * member, or the relay) as their source. 0 with *inc and url (size
 * PAGLETS_URL_MAX) filled; -ENOENT for a nack, -EPROTO for anything else.
 */
int paglets__mesh_read_ack(struct paglets__mesh *mesh, const json_t *reply,
                           const char *expect_name, const char *from,
                           uint64_t *inc, char *url, double mono);

/* Receive handlers (mesh_sync.c): a join and a push-pull. */
int paglets__mesh_on_join(struct paglets__mesh *mesh, const json_t *body,
                          json_t **reply, struct paglets_err *err, double mono);
int paglets__mesh_on_sync(struct paglets__mesh *mesh, const json_t *body,
                          json_t **reply, struct paglets_err *err, double mono);

/* Push-pull with url: our state out, what we lack back. */
int paglets__mesh_sync_with(struct paglets__mesh *mesh, const char *url,
                            bool trusted, double mono);

/* Join a seed (POST /hosts/join); the answer is a sync reply. */
int paglets__mesh_join_seed(struct paglets__mesh *mesh, size_t seed,
                            double mono);

/* Periodic push-pulls, seed retries and resyncs. Lock held. */
void paglets__mesh_sync_tick(struct paglets__mesh *mesh, double mono);

/* Is one of our seeds alive (so unknown members are asked of it)? */
bool paglets__mesh_seed_reachable(struct paglets__mesh *mesh);

/* Interval between push-pulls with random members at this size. */
double paglets__mesh_sync_interval(const struct paglets__mesh *mesh);

/* ---- mesh_io.c: the real I/O ---- */

/* api_key and tls_ca (a CA file) may be NULL; both are copied. */
struct paglets__mesh_io *paglets__mesh_io_new(const char *api_key,
                                              const char *tls_ca,
                                              struct paglets_err *err);
/* Cancel what is in flight, wait for every done, join the workers. */
void paglets__mesh_io_stop(struct paglets__mesh_io *io);
void paglets__mesh_io_free(struct paglets__mesh_io *io);
/* HTTP bytes out and back of every exchange so far. */
void paglets__mesh_io_bytes(struct paglets__mesh_io *io, uint64_t *sent,
                            uint64_t *received);
extern const struct paglets__mesh_ops paglets__mesh_io_ops;

/* ---- mesh_multicast.c: LAN beacons ---- */

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
