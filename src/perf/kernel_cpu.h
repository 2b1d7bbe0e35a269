/*
 * CPU kernels (integer, float, sha256), the SHA-256 helper they use and
 * the thread-per-worker runner the multi-core figures come from.
 */
#ifndef PAGLETS_PERF_KERNEL_CPU_H
#define PAGLETS_PERF_KERNEL_CPU_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "bench.h"

/* SHA-256 through OpenSSL's EVP interface, one context reused per digest. */
struct paglets__perf_sha256 {
    EVP_MD_CTX *ctx;
    EVP_MD *md;
};

/* 0, or -ENOMEM / -ENOSYS (no SHA-256 in the OpenSSL providers). */
int paglets__perf_sha256_init(struct paglets__perf_sha256 *h);
void paglets__perf_sha256_release(struct paglets__perf_sha256 *h);

/* out = SHA-256(head || tail); tail may be empty. 0 or -EIO. */
int paglets__perf_sha256_digest(struct paglets__perf_sha256 *h,
                                const void *head, size_t head_len,
                                const void *tail, size_t tail_len,
                                unsigned char out[32]);

/* What one kernel did in one thread. */
struct paglets__perf_sample {
    double elapsed;
    uint64_t operations;
    uint64_t bytes;
};

/* Run for at least `seconds`; 0 or a negative errno. Any thread. */
typedef int (*paglets__perf_kernel_fn)(double seconds,
                                       struct paglets__perf_sample *sample);

struct paglets__perf_cpu_kernel {
    const char *name;       /* single-core metric name */
    const char *multi_name; /* multi-core metric name */
    paglets__perf_kernel_fn run;
};

#define PAGLETS_PERF_CPU_KERNELS 3
extern const struct paglets__perf_cpu_kernel
    paglets__perf_cpu_kernels[PAGLETS_PERF_CPU_KERNELS];

/*
 * Run fn in `workers` threads started together. total gets the summed
 * operations and bytes and the slowest worker's elapsed time. Returns 0 or
 * a negative errno with a message in err (no thread is left running).
 */
int paglets__perf_run_parallel(paglets__perf_kernel_fn fn, unsigned workers,
                               double seconds,
                               struct paglets__perf_sample *total,
                               struct paglets_err *err);

/*
 * The CPU part of a host run: counts, then single-core and multi-core
 * metrics. Kernel failures land in out->errors; returns 0 or -ENOMEM.
 */
int paglets__perf_cpu_run(const struct paglets_perf_request *request,
                          struct paglets_perf_cpu_result *out);

#endif
