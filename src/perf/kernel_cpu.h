/*
 * CPU kernels (integer, float, sha256) and the SHA-256 helper they use;
 * their multi-core figures come from the runner of parallel.h.
 */
#ifndef PAGLETS_PERF_KERNEL_CPU_H
#define PAGLETS_PERF_KERNEL_CPU_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "bench.h"
#include "parallel.h"

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

struct paglets__perf_cpu_kernel {
    const char *name;       /* single-core metric name */
    const char *multi_name; /* multi-core metric name */
    paglets__perf_kernel_fn run;
};

#define PAGLETS_PERF_CPU_KERNELS 3
extern const struct paglets__perf_cpu_kernel
    paglets__perf_cpu_kernels[PAGLETS_PERF_CPU_KERNELS];

/*
 * The CPU part of a host run: counts, then single-core and multi-core
 * metrics. Kernel failures land in out->errors; returns 0, -ECANCELED when
 * stop ended it early (the kernel it cut has no metric), or -ENOMEM.
 */
int paglets__perf_cpu_run(const struct paglets_perf_request *request,
                          const struct paglets__perf_stop *stop,
                          struct paglets_perf_cpu_result *out);

#endif
