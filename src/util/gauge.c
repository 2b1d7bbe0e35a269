/*
 * Counts with a wait-for-zero (util/gauge.h).
 */
#include "compat.h"

#include <errno.h>

#include "util/clock.h"
#include "util/gauge.h"

int paglets__gauge_init(struct paglets__gauge *gauge)
{
    int rc = paglets__cond_init_monotonic(&gauge->drop);
    if (rc != 0)
        return rc;
    rc = -pthread_mutex_init(&gauge->lock, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&gauge->drop);
        return rc;
    }
    gauge->n = 0;
    return 0;
}

void paglets__gauge_release(struct paglets__gauge *gauge)
{
    pthread_mutex_destroy(&gauge->lock);
    pthread_cond_destroy(&gauge->drop);
}

void paglets__gauge_add(struct paglets__gauge *gauge)
{
    pthread_mutex_lock(&gauge->lock);
    gauge->n++;
    pthread_mutex_unlock(&gauge->lock);
}

void paglets__gauge_sub(struct paglets__gauge *gauge)
{
    pthread_mutex_lock(&gauge->lock);
    gauge->n--;
    pthread_cond_broadcast(&gauge->drop);
    pthread_mutex_unlock(&gauge->lock);
}

size_t paglets__gauge_value(struct paglets__gauge *gauge)
{
    pthread_mutex_lock(&gauge->lock);
    size_t n = gauge->n;
    pthread_mutex_unlock(&gauge->lock);
    return n;
}

size_t paglets__gauge_wait_zero(struct paglets__gauge *gauge,
                                double deadline_mono)
{
    struct timespec ts =
        paglets__deadline_after(deadline_mono - paglets__mono_now());
    pthread_mutex_lock(&gauge->lock);
    while (gauge->n > 0 &&
           pthread_cond_timedwait(&gauge->drop, &gauge->lock, &ts) != ETIMEDOUT)
        ;
    size_t n = gauge->n;
    pthread_mutex_unlock(&gauge->lock);
    return n;
}
