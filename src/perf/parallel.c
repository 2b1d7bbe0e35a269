/*
 * Multi-core runs: one POSIX thread per worker, all released together.
 *
 * The spec says worker processes; we use threads on purpose. The code runs
 * inside a multithreaded host (HTTP server, mesh gossip, agent threads), and
 * fork() there copies only the calling thread, so a child could inherit a
 * lock held by another thread (malloc, OpenSSL, our logger) and deadlock.
 * posix_spawn of our own binary would be safe but needs the binary's path,
 * a wire format and process cleanup for three kernels that share nothing.
 * Threads of one process scale the same way for these compute-bound loops:
 * each worker has its own state and writes only its own sample.
 */
#include "perf_compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "parallel.h"
#include "platform.h"

struct gate {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int state; /* 0 wait, 1 go, -1 abort */
};

struct worker {
    pthread_t thread;
    struct gate *gate;
    paglets__perf_kernel_fn fn;
    struct paglets__perf_job job;
    struct paglets__perf_sample sample;
    int rc;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    pthread_mutex_lock(&w->gate->mutex);
    while (w->gate->state == 0)
        pthread_cond_wait(&w->gate->cond, &w->gate->mutex);
    int state = w->gate->state;
    pthread_mutex_unlock(&w->gate->mutex);
    w->rc = state > 0 ? w->fn(&w->job, &w->sample) : -ECANCELED;
    return NULL;
}

static void open_gate(struct gate *gate, int state)
{
    pthread_mutex_lock(&gate->mutex);
    gate->state = state;
    pthread_cond_broadcast(&gate->cond);
    pthread_mutex_unlock(&gate->mutex);
}

int paglets__perf_run_parallel(paglets__perf_kernel_fn fn,
                               const struct paglets__perf_job *job,
                               unsigned workers,
                               struct paglets__perf_sample *total,
                               struct paglets_err *err)
{
    struct gate gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    struct worker *w = calloc(workers ? workers : 1, sizeof(*w));
    if (w == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    unsigned started = 0;
    int rc = 0;
    for (; started < workers; started++) {
        w[started] = (struct worker){.gate = &gate, .fn = fn, .job = *job};
        w[started].job.worker = started;
        w[started].job.workers = workers;
        rc =
            -pthread_create(&w[started].thread, NULL, worker_main, &w[started]);
        if (rc != 0) {
            paglets_err_set(err, rc, "cannot start worker %u: %s", started + 1,
                            paglets_strerror(rc));
            break;
        }
    }
    open_gate(&gate, rc == 0 ? 1 : -1);
    *total = (struct paglets__perf_sample){0};
    for (unsigned i = 0; i < started; i++) {
        pthread_join(w[i].thread, NULL);
        if (rc == 0 && w[i].rc == -ECANCELED)
            rc = paglets_err_set(err, -ECANCELED, "stopped");
        else if (rc == 0 && w[i].rc != 0)
            rc = paglets_err_set(err, w[i].rc, "worker %u failed: %s", i + 1,
                                 paglets_strerror(w[i].rc));
        total->operations += w[i].sample.operations;
        total->bytes += w[i].sample.bytes;
        if (w[i].sample.elapsed > total->elapsed)
            total->elapsed = w[i].sample.elapsed;
    }
    free(w);
    return rc;
}

unsigned paglets__perf_workers(const struct paglets_perf_request *request)
{
    return request->workers > 0 ? request->workers
                                : (unsigned)paglets__perf_logical_cpus();
}
