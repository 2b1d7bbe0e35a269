/*
 * A mesh-scale simulation: many meshes in one process joined by an
 * event-queue transport on a fake clock. Every message is encoded to text
 * and parsed again, as the wire would, and counted with its HTTP framing;
 * messages can be delayed, lost, or answered late by slow nodes, and nodes
 * crash, leave and restart. Runs the SWIM mesh of src/runtime through its
 * ops seam (struct paglets__mesh_ops), or main's old protocol
 * (tests/sim/legacy) for the before/after table. Used by
 * tests/unit/test_mesh*.c and bench/mesh_sim.c.
 */
#ifndef PAGLETS_TESTS_SIM_SIM_H
#define PAGLETS_TESTS_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/mesh_int.h"

enum sim_protocol {
    SIM_SWIM,   /* src/runtime/mesh*.c */
    SIM_LEGACY, /* tests/sim/legacy: main before issue 12 */
};

struct sim_config {
    size_t n; /* nodes (names n0..n{n-1}) */
    enum sim_protocol protocol;
    double interval_s;    /* --gossip-interval (default 1) */
    double offline_after; /* --offline-after (default 10) */
    double delay_min_s;   /* one-way delay, uniform in [min, max] */
    double delay_max_s;   /* (defaults 0.5 ms and 5 ms) */
    double loss;          /* chance each request or answer is lost */
    double slow_fraction; /* nodes whose answers come late */
    double slow_delay_s;  /* how late (added to the delay) */
    bool refuse_down;     /* a crashed node refuses at once (else silent) */
    size_t max_members;   /* 0: the mesh's default */
    size_t sig_bytes;     /* a keyed mesh's signature headers, per message */
    uint64_t seed;
};

/* Fill the defaults; then set what differs. */
void sim_config_init(struct sim_config *config);

struct sim;

/* All nodes exist but none runs until sim_boot(). NULL on ENOMEM. */
struct sim *sim_new(const struct sim_config *config);

/* Cancel what is in flight and free every mesh. NULL is a no-op. */
void sim_free(struct sim *sim);

/*
 * Start (or restart, with a new incarnation) node i at time `at` (>= now),
 * joining through the nodes listed in seeds (may be empty).
 */
void sim_boot(struct sim *sim, size_t i, double at, const size_t *seeds,
              size_t n_seeds);

/* Node i runs mesh version `version` (default "sim") from its next boot. */
void sim_set_version(struct sim *sim, size_t i, const char *version);

/* Answers to node i are lost (it sends but never hears back) while set. */
void sim_set_deaf(struct sim *sim, size_t i, bool deaf);

/* Every message to or from node i is lost while set; it keeps running. */
void sim_set_isolated(struct sim *sim, size_t i, bool isolated);

/* Change the loss rate, or which nodes answer late, from now on. */
void sim_set_loss(struct sim *sim, double loss);
void sim_set_slow(struct sim *sim, size_t i, bool slow);

/* Node i stops at once: silent (or refusing), its mesh frozen. */
void sim_crash(struct sim *sim, size_t i);

/* Node i leaves cleanly (says goodbye), then stops. */
void sim_leave(struct sim *sim, size_t i);

/* Run events until the clock reaches t. */
void sim_run_until(struct sim *sim, double t);

/*
 * Run until done(sim, arg) holds, checking every `every` simulated seconds,
 * or until the clock reaches deadline. Returns the time it first held, or
 * a negative number when it never did.
 */
double sim_run_until_true(struct sim *sim, double deadline, double every,
                          bool (*done)(struct sim *sim, void *arg), void *arg);

double sim_now(const struct sim *sim);
size_t sim_size(const struct sim *sim);
bool sim_is_up(const struct sim *sim, size_t i);
bool sim_is_slow(const struct sim *sim, size_t i);
const char *sim_name(const struct sim *sim, size_t i);

/* The SWIM mesh of node i (NULL for legacy nodes or nodes never booted). */
struct paglets__mesh *sim_mesh(struct sim *sim, size_t i);

/*
 * How node viewer sees node subject: PAGLETS__MESH_ALIVE, _SUSPECT,
 * _OFFLINE, _PENDING or _UNKNOWN (legacy nodes: alive or offline).
 */
int sim_view(struct sim *sim, size_t viewer, size_t subject);

/*
 * For sim_run_until_true(): sim_converged(); and every up node lists node
 * *(const size_t *)arg suspect or offline.
 */
bool sim_done_converged(struct sim *sim, void *arg);
bool sim_done_down_known(struct sim *sim, void *arg);

/* CPU seconds this process used so far. */
double sim_cpu_seconds(void);

/* Members node i lists alive (self not counted). */
size_t sim_alive_count(struct sim *sim, size_t i);

/* Every up node lists every other up node alive, and no down node alive. */
bool sim_converged(struct sim *sim);

/*
 * Offline verdicts (a node's own suspicion running out) about nodes that
 * were up at the time; each node's verdict counts once (SWIM only).
 */
uint64_t sim_false_offline(struct sim *sim);

/* Traffic by message kind since the last reset, at the sender. */
enum sim_kind {
    SIM_PING,    /* pings and their acks (probes, verification, leave) */
    SIM_PINGREQ, /* ping-reqs and their answers */
    SIM_SYNC,    /* push-pulls and joins */
    SIM_KINDS
};
struct sim_traffic {
    uint64_t messages[SIM_KINDS]; /* requests and answers sent */
    uint64_t bytes[SIM_KINDS];    /* HTTP request/status line, headers, body */
    uint64_t largest[SIM_KINDS];  /* the largest message, in bytes */
    uint64_t late;                /* answers that came after the timeout */
    double seconds;               /* since the reset */
};
void sim_traffic(struct sim *sim, struct sim_traffic *out);
void sim_traffic_reset(struct sim *sim);

/*
 * HTTP framing our client and server add to a body of body_len bytes, as
 * measured on loopback with curl and libmicrohttpd (docs/MESH.md).
 */
size_t sim_request_overhead(const char *url, const char *kind, size_t body_len);
size_t sim_response_overhead(size_t body_len);

#endif
