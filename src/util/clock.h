/*
 * Clocks in seconds as doubles: monotonic for intervals and deadlines,
 * realtime for timestamps that leave the process.
 */
#ifndef PAGLETS_UTIL_CLOCK_H
#define PAGLETS_UTIL_CLOCK_H

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

#endif
