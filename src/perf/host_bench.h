/*
 * The host run with its environment spelled out, for tests and the bench
 * program: paglets__perf_run_host is this with every option at default.
 */
#ifndef PAGLETS_PERF_HOST_BENCH_H
#define PAGLETS_PERF_HOST_BENCH_H

#include "bench.h"
#include "kernel_disk.h"

/* The error of a run cut short by its stop request. */
#define PAGLETS__PERF_STOPPED "benchmark stopped: its agent is being disposed"

struct paglets__perf_host_options {
    const char *lock_dir; /* NULL = paglets__perf_lock_dir() */
    uint64_t dram_bytes;  /* 0 = paglets__perf_dram_buffer_bytes() */
    const struct paglets__perf_disk_env *disk_env; /* NULL = the system */
    const struct paglets__perf_disk_ops *disk_ops; /* NULL = real I/O */
    const struct paglets__perf_stop *stop;         /* NULL = run to the end */
};

/*
 * Fill a zeroed result (see paglets__perf_run_host for what it holds).
 * Returns 0 or -ENOMEM; r must be released either way. A run that
 * opts->stop ended early returns 0 with PAGLETS__PERF_STOPPED in r->errors,
 * the host lock already released.
 */
int paglets__perf_run_host_into(const struct paglets_perf_request *request,
                                const char *host_name, const char *host_url,
                                const struct paglets__perf_host_options *opts,
                                struct paglets_perf_host_result *r);

#endif
