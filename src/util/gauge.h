/*
 * A count of things in progress (agents alive, requests being served) that
 * another thread can wait to see drop to zero, with its own lock: a leaf
 * lock, never held while taking another.
 */
#ifndef PAGLETS_UTIL_GAUGE_H
#define PAGLETS_UTIL_GAUGE_H

#include <pthread.h>
#include <stddef.h>

struct paglets__gauge {
    pthread_mutex_t lock; /* guards n */
    pthread_cond_t drop;  /* CLOCK_MONOTONIC; broadcast when n drops */
    size_t n;
};

/* Returns 0 or the negative errno of pthread_*_init. */
int paglets__gauge_init(struct paglets__gauge *gauge);
void paglets__gauge_release(struct paglets__gauge *gauge);

void paglets__gauge_add(struct paglets__gauge *gauge);

/* One less; wakes the waiters. */
void paglets__gauge_sub(struct paglets__gauge *gauge);

size_t paglets__gauge_value(struct paglets__gauge *gauge);

/*
 * Wait until the count is 0 or the CLOCK_MONOTONIC time deadline_mono
 * (seconds, paglets__mono_now()) has passed. Returns the count then.
 */
size_t paglets__gauge_wait_zero(struct paglets__gauge *gauge,
                                double deadline_mono);

#endif
