/*
 * What GET /metrics reports (metrics.c) and the gauges agents publish for
 * it (published.c): the host's counters, kept from its creation, and the
 * text of the endpoint.
 */
#ifndef PAGLETS_RUNTIME_METRICS_H
#define PAGLETS_RUNTIME_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <paglets/host.h>

struct paglets_host;
struct paglets__published_group;

/* Status classes counted: 1xx to 5xx, and anything else. */
#define PAGLETS__METRICS_CLASSES 6

struct paglets__metrics {
    /* Set by _init and paglets_host_start, read-only once serving. */
    double started_mono;
    /* Replies sent by status class (index status / 100, 0: other). */
    atomic_uint_least64_t replies[PAGLETS__METRICS_CLASSES];
    /* Body bytes of gossip joins this host answered (server.c). */
    atomic_uint_least64_t join_bytes_received;

    /* Published gauges (published.c); the lock guards both fields. */
    pthread_mutex_t lock;
    struct paglets__published_group *groups[PAGLETS_METRICS_MAX_GROUPS];
    size_t n_groups;
};

/* Cannot fail: a default mutex and zeroed counters. */
void paglets__metrics_init(struct paglets__metrics *m);
void paglets__metrics_release(struct paglets__metrics *m);

/* Count one reply of status (any thread). */
void paglets__metrics_count_reply(struct paglets__metrics *m, unsigned status);

/*
 * The body of GET /metrics for host: malloc()ed text, NULL when out of
 * memory. Any request thread.
 */
char *paglets__metrics_text(struct paglets_host *host);

struct paglets__expo;
/* Write every published family to e (published.c; takes the lock). */
void paglets__published_write(struct paglets__metrics *m,
                              struct paglets__expo *e);

#endif
