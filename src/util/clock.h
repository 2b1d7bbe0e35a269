/*
 * Clocks in seconds as doubles: monotonic for intervals and deadlines,
 * realtime for timestamps that leave the process.
 */
#ifndef PAGLETS_UTIL_CLOCK_H
#define PAGLETS_UTIL_CLOCK_H

#include <pthread.h>
#include <time.h>

static inline double paglets__mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline double paglets__wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Absolute CLOCK_MONOTONIC timespec `seconds` from now, for timed waits. */
struct timespec paglets__deadline_after(double seconds);

/*
 * Initialise cond to time its waits on CLOCK_MONOTONIC, the clock of
 * paglets__deadline_after(). Returns 0 or a negative errno.
 */
int paglets__cond_init_monotonic(pthread_cond_t *cond);

#endif
