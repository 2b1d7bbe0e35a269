/*
 * Deadline arithmetic for pthread_cond_timedwait on CLOCK_MONOTONIC, and
 * the monotonic clock of the public API.
 */
#include "compat.h"

#include <paglets/common.h>

#include "util/clock.h"

struct timespec paglets__deadline_after(double seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (!(seconds > 0)) /* NaN too: converting it is undefined */
        seconds = 0;
    if (seconds > 1e9)
        seconds = 1e9;
    long long whole = (long long)seconds;
    long nanos = (long)((seconds - (double)whole) * 1e9);
    ts.tv_sec += (time_t)whole;
    ts.tv_nsec += nanos;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

int paglets__cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc != 0)
        return -rc;
    rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
    return -rc;
}

double paglets_monotonic_seconds(void)
{
    return paglets__mono_now();
}
