/*
 * Memory kernels: copy and scan on the reference's 8 MiB buffers (cache
 * sized on most machines), and a copy on buffers past the last-level
 * caches, on one thread and on every worker at once.
 */
#ifndef PAGLETS_PERF_KERNEL_MEM_H
#define PAGLETS_PERF_KERNEL_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "bench.h"
#include "parallel.h"

#define PAGLETS_PERF_MEM_BUFFER_BYTES (8u << 20)

/* Each DRAM buffer where the machine reports no cache size. */
#define PAGLETS_PERF_DRAM_UNKNOWN_LLC_BYTES (256ull << 20)

/*
 * The most a copy does between two stop checks: 16 MiB take 16 ms at
 * 1 GB/s, far below PAGLETS__PERF_BATCH_SECONDS on any machine.
 */
#define PAGLETS_PERF_MEM_CHUNK_BYTES (16u << 20)

/*
 * Size of each memory-copy-dram buffer: 4 x llc_bytes (the sum of all
 * last-level cache instances: STREAM's rule), rounded up to 2 MiB; 256 MiB
 * when llc_bytes is 0 (unknown). Both buffers together stay within a
 * quarter of available_bytes (0: unknown, no bound): an unknown cache
 * shrinks the buffers to fit, a known one that does not fit is -ENOMEM
 * with the sizes in err, since a smaller buffer would measure the cache.
 */
int paglets__perf_dram_plan(uint64_t llc_bytes, uint64_t available_bytes,
                            uint64_t *buffer_bytes, struct paglets_err *err);

/*
 * Fault in the pages of [p, p + len) (a fresh mapping) before a kernel
 * times them: advise (madvise; a test's fake) with MADV_POPULATE_WRITE,
 * one write per 4 KiB page where it answers EINVAL (Linux before 5.14),
 * in batches of PAGLETS_PERF_MEM_CHUNK_BYTES with a stop check before
 * each. 0, -ECANCELED, or advise's other errno negated.
 */
int paglets__perf_populate(unsigned char *p, size_t len,
                           const struct paglets__perf_stop *stop,
                           int (*advise)(void *, size_t, int));

/*
 * Run memory-copy, memory-scan, memory-copy-dram and
 * memory-copy-dram-multi (request's workers) for the request's duration
 * each, on DRAM buffers of dram_bytes (0: paglets__perf_dram_plan() of
 * this machine). Kernel failures land in out->errors; returns 0,
 * -ECANCELED when stop ended the part (the kernel it cut has no metric),
 * or -ENOMEM.
 */
int paglets__perf_memory_run(const struct paglets_perf_request *request,
                             uint64_t dram_bytes,
                             const struct paglets__perf_stop *stop,
                             struct paglets_perf_memory_result *out);

#endif
