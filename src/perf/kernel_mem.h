/*
 * Memory kernels: copy and scan on the reference's 8 MiB buffers (cache
 * sized on most machines) and a copy on a buffer past the last-level cache.
 */
#ifndef PAGLETS_PERF_KERNEL_MEM_H
#define PAGLETS_PERF_KERNEL_MEM_H

#include <stdint.h>

#include "bench.h"

#define PAGLETS_PERF_MEM_BUFFER_BYTES (8u << 20)

/*
 * Buffer size of memory-copy-dram: four times the last-level cache (256 MiB
 * when unknown), capped at 1 GiB and at a quarter of available RAM.
 */
uint64_t paglets__perf_dram_buffer_bytes(void);

/*
 * Run memory-copy, memory-scan and memory-copy-dram for `seconds` each
 * (dram_bytes 0 = paglets__perf_dram_buffer_bytes()). Kernel failures land
 * in out->errors; returns 0 or -ENOMEM.
 */
int paglets__perf_memory_run(double seconds, uint64_t dram_bytes,
                             struct paglets_perf_memory_result *out);

#endif
