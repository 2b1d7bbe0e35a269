/*
 * What a kernel loop is given (its duration, the stop request, which
 * worker it is) and the thread-per-worker runner the multi-core figures
 * come from.
 */
#ifndef PAGLETS_PERF_PARALLEL_H
#define PAGLETS_PERF_PARALLEL_H

#include <stdint.h>

#include "bench.h"

/* What one kernel did in one thread. */
struct paglets__perf_sample {
    double elapsed;
    uint64_t operations;
    uint64_t bytes;
};

/* One kernel run as one worker sees it. */
struct paglets__perf_job {
    double seconds;                        /* run at least this long */
    const struct paglets__perf_stop *stop; /* NULL: never stopped */
    unsigned worker;                       /* 0 .. workers - 1 */
    unsigned workers;                      /* 1 for a single-core run */
    void *arg; /* data the workers share (buffers), or NULL */
};

/*
 * Run for at least job->seconds, checking job->stop between batches of
 * work; 0, -ECANCELED when stopped (sample then holds what was done), or
 * another negative errno. Any thread.
 */
typedef int (*paglets__perf_kernel_fn)(const struct paglets__perf_job *job,
                                       struct paglets__perf_sample *sample);

/* A single-core job: worker 0 of 1. */
static inline struct paglets__perf_job
paglets__perf_job_single(double seconds, const struct paglets__perf_stop *stop,
                         void *arg)
{
    return (struct paglets__perf_job){seconds, stop, 0, 1, arg};
}

/*
 * Run fn in `workers` threads started together, each with a copy of job
 * whose worker and workers fields say which it is. total gets the summed
 * operations and bytes and the slowest worker's elapsed time. Returns 0 or
 * a negative errno with a message in err (-ECANCELED when a worker was
 * stopped); no thread is left running.
 */
int paglets__perf_run_parallel(paglets__perf_kernel_fn fn,
                               const struct paglets__perf_job *job,
                               unsigned workers,
                               struct paglets__perf_sample *total,
                               struct paglets_err *err);

/* The request's workers, or the online logical CPUs when it says 0. */
unsigned paglets__perf_workers(const struct paglets_perf_request *request);

#endif
