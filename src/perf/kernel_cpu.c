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

static int run_integer(double seconds, struct paglets__perf_sample *s)
{
    uint32_t v = 0x12345678u;
    uint64_t ops = 0;
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
        elapsed = paglets_monotonic_seconds() - start;
    } while (elapsed < seconds);
    atomic_store_explicit(&integer_sink, v, memory_order_relaxed);
    s->elapsed = elapsed;
    s->operations = ops;
    s->bytes = 0;
    return 0;
}

static int run_float(double seconds, struct paglets__perf_sample *s)
{
    double v = 1.000001;
    uint64_t ops = 0;
    double start = paglets_monotonic_seconds(), elapsed;
    do {
        for (int i = 0; i < BATCH; i++) {
            v = sin(v) + v * 1.0000001 + 0.0000003;
            if (v > 1000.0)
                v = 1.000001;
        }
        ops += BATCH;
        elapsed = paglets_monotonic_seconds() - start;
    } while (elapsed < seconds);
    atomic_store_explicit(&float_sink, v, memory_order_relaxed);
    s->elapsed = elapsed;
    s->operations = ops;
    s->bytes = 0;
    return 0;
}

/*
 * Each digest covers the 69,632-byte block plus the first 8 bytes of the
 * previous digest (none before the first), chaining the operations.
 */
static int run_sha256(double seconds, struct paglets__perf_sample *s)
{
    const size_t unit = sizeof(SHA_BLOCK_TEXT) - 1;
    const size_t len = unit * SHA_BLOCK_REPEAT;
    unsigned char *block = malloc(len);
    struct paglets__perf_sha256 h;
    int rc = block == NULL ? -ENOMEM : paglets__perf_sha256_init(&h);
    if (rc != 0) {
        free(block);
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
        ops++;
        elapsed = paglets_monotonic_seconds() - start;
    } while (rc == 0 && elapsed < seconds);
    atomic_store_explicit(&sha_sink, digest[0], memory_order_relaxed);
    paglets__perf_sha256_release(&h);
    free(block);
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

int paglets__perf_cpu_run(const struct paglets_perf_request *request,
                          struct paglets_perf_cpu_result *out)
{
    double seconds = paglets__perf_kernel_seconds(request->duration_seconds);
    out->logical_cpus = paglets__perf_logical_cpus();
    out->physical_cpus = paglets__perf_physical_cpus("/sys/devices/system/cpu");
    out->workers =
        request->workers > 0 ? (int64_t)request->workers : out->logical_cpus;
    int rc = 0;
    for (int i = 0; rc == 0 && i < PAGLETS_PERF_CPU_KERNELS; i++) {
        const struct paglets__perf_cpu_kernel *k =
            &paglets__perf_cpu_kernels[i];
        struct paglets__perf_sample s = {0};
        int krc = k->run(seconds, &s);
        if (krc != 0)
            rc = paglets__perf_strv_add(&out->errors, "%s: %s", k->name,
                                        paglets_strerror(krc));
        else
            rc = add_metric(&out->single_core, k->name, &s);
    }
    for (int i = 0; rc == 0 && i < PAGLETS_PERF_CPU_KERNELS; i++) {
        const struct paglets__perf_cpu_kernel *k =
            &paglets__perf_cpu_kernels[i];
        struct paglets__perf_sample s = {0};
        struct paglets_err err = {0};
        if (paglets__perf_run_parallel(k->run, (unsigned)out->workers, seconds,
                                       &s, &err) != 0)
            rc = paglets__perf_strv_add(&out->errors, "%s: %s", k->multi_name,
                                        err.message);
        else
            rc = add_metric(&out->multi_core, k->multi_name, &s);
    }
    return rc;
}
