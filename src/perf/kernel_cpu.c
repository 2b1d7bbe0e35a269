/*
 * The three CPU kernels of the reference (notes §1), single-core and in
 * parallel workers. Each loop keeps its dependency chain and stores its
 * final value in a sink, so the compiler can neither fold the
 * recurrence into a closed form nor drop the loop as dead code.
 */
#include "perf_compat.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel_cpu.h"
#include "platform.h"

#define BATCH 10000
#define SHA_BLOCK_TEXT "paglets-benchmark"
#define SHA_BLOCK_REPEAT 4096

/*
 * Written once per run, so the final values count as used. Atomic because
 * every worker of a multi-core run stores to them.
 */
static _Atomic uint32_t integer_sink;
static _Atomic double float_sink;
static _Atomic unsigned char sha_sink;

/*
 * Between batches: true while the job should go on. The batches (10,000
 * steps, one digest) take well under a millisecond, so the stop request is
 * seen at once.
 */
static bool go_on(const struct paglets__perf_job *job, double start,
                  double *elapsed, int *rc)
{
    *elapsed = paglets_monotonic_seconds() - start;
    if (paglets__perf_stopped(job->stop)) {
        *rc = -ECANCELED;
        return false;
    }
    return *elapsed < job->seconds;
}

static int run_integer(const struct paglets__perf_job *job,
                       struct paglets__perf_sample *s)
{
    uint32_t v = 0x12345678u;
    uint64_t ops = 0;
    int rc = 0;
    double start = paglets_monotonic_seconds(), elapsed;
    do {
        for (int i = 0; i < BATCH; i++) {
            v = v * 1664525u + 1013904223u;
            /*
             * An empty asm that "may change" v: one step per iteration,
             * no strength reduction across steps, zero instructions.
             */
            __asm__ volatile("" : "+r"(v));
        }
        ops += BATCH;
    } while (go_on(job, start, &elapsed, &rc));
    atomic_store_explicit(&integer_sink, v, memory_order_relaxed);
    s->elapsed = elapsed;
    s->operations = ops;
    s->bytes = 0;
    return rc;
}

static int run_float(const struct paglets__perf_job *job,
                     struct paglets__perf_sample *s)
{
    double v = 1.000001;
    uint64_t ops = 0;
    int rc = 0;
    double start = paglets_monotonic_seconds(), elapsed;
    do {
        for (int i = 0; i < BATCH; i++) {
            v = sin(v) + v * 1.0000001 + 0.0000003;
            if (v > 1000.0)
                v = 1.000001;
        }
        ops += BATCH;
    } while (go_on(job, start, &elapsed, &rc));
    atomic_store_explicit(&float_sink, v, memory_order_relaxed);
    s->elapsed = elapsed;
    s->operations = ops;
    s->bytes = 0;
    return rc;
}

/*
 * Each digest covers the 69,632-byte block plus the first 8 bytes of the
 * previous digest (none before the first), chaining the operations.
 */
static int run_sha256(const struct paglets__perf_job *job,
                      struct paglets__perf_sample *s)
{
    const size_t unit = sizeof(SHA_BLOCK_TEXT) - 1;
    const size_t len = unit * SHA_BLOCK_REPEAT;
    /*
     * mmap, not malloc: each worker thread would take the 68 KiB from an
     * arena of its own, and an arena keeps the pages of its top chunk
     * resident after the thread is gone (malloc_trim does not release a
     * thread arena's top): 64 workers left 4-5 MiB in a host for good.
     */
    unsigned char *block = mmap(NULL, len, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct paglets__perf_sha256 h;
    int rc = block == MAP_FAILED ? -ENOMEM : paglets__perf_sha256_init(&h);
    if (rc != 0) {
        if (block != MAP_FAILED)
            munmap(block, len);
        return rc;
    }
    for (size_t i = 0; i < SHA_BLOCK_REPEAT; i++)
        memcpy(block + i * unit, SHA_BLOCK_TEXT, unit);
    unsigned char digest[32];
    size_t tail = 0;
    uint64_t ops = 0;
    double start = paglets_monotonic_seconds(), elapsed;
    do {
        rc = paglets__perf_sha256_digest(&h, block, len, digest, tail, digest);
        tail = 8;
        ops += rc == 0;
    } while (rc == 0 && go_on(job, start, &elapsed, &rc));
    elapsed = paglets_monotonic_seconds() - start;
    atomic_store_explicit(&sha_sink, digest[0], memory_order_relaxed);
    paglets__perf_sha256_release(&h);
    munmap(block, len);
    s->elapsed = elapsed;
    s->operations = ops;
    s->bytes = ops * len;
    return rc;
}

const struct paglets__perf_cpu_kernel
    paglets__perf_cpu_kernels[PAGLETS_PERF_CPU_KERNELS] = {
        {"integer", "integer-multi", run_integer},
        {"float", "float-multi", run_float},
        {"sha256", "sha256-multi", run_sha256},
};

static int add_metric(struct paglets_perf_metrics *v, const char *name,
                      const struct paglets__perf_sample *s)
{
    struct paglets_perf_metric *m = PAGLETS__PERF_PUSH(v);
    if (m == NULL)
        return -ENOMEM;
    return paglets__perf_metric_set(m, name, s->elapsed, s->operations,
                                    s->bytes);
}

/* A kernel's failure as an error of the part; -ECANCELED ends the part. */
static int kernel_failed(struct paglets_perf_cpu_result *out, const char *name,
                         int krc, const char *message)
{
    if (krc == -ECANCELED)
        return krc;
    return paglets__perf_strv_add(&out->errors, "%s: %s", name, message);
}

int paglets__perf_cpu_run(const struct paglets_perf_request *request,
                          const struct paglets__perf_stop *stop,
                          struct paglets_perf_cpu_result *out)
{
    double seconds = paglets__perf_kernel_seconds(request->duration_seconds);
    struct paglets__perf_job job =
        paglets__perf_job_single(seconds, stop, NULL);
    out->logical_cpus = paglets__perf_logical_cpus();
    out->physical_cpus = paglets__perf_physical_cpus(PAGLETS__PERF_SYSFS_CPU);
    out->workers = paglets__perf_workers(request);
    int rc = 0;
    for (int i = 0; rc == 0 && i < PAGLETS_PERF_CPU_KERNELS; i++) {
        const struct paglets__perf_cpu_kernel *k =
            &paglets__perf_cpu_kernels[i];
        struct paglets__perf_sample s = {0};
        int krc = k->run(&job, &s);
        if (krc != 0)
            rc = kernel_failed(out, k->name, krc, paglets_strerror(krc));
        else
            rc = add_metric(&out->single_core, k->name, &s);
    }
    for (int i = 0; rc == 0 && i < PAGLETS_PERF_CPU_KERNELS; i++) {
        const struct paglets__perf_cpu_kernel *k =
            &paglets__perf_cpu_kernels[i];
        struct paglets__perf_sample s = {0};
        struct paglets_err err = {0};
        int krc = paglets__perf_run_parallel(k->run, &job,
                                             (unsigned)out->workers, &s, &err);
        if (krc != 0)
            rc = kernel_failed(out, k->multi_name, krc, err.message);
        else
            rc = add_metric(&out->multi_core, k->multi_name, &s);
    }
    return rc;
}
