/*
 * What the benchmark needs to know about the machine it runs on: CPU
 * counts, cache and memory sizes, OS identity and the temp directory.
 */
#ifndef PAGLETS_PERF_PLATFORM_H
#define PAGLETS_PERF_PLATFORM_H

#include <stdint.h>

#include "bench.h"

/* Online logical CPUs (at least 1). */
int paglets__perf_logical_cpus(void);

/*
 * Distinct (package, core) pairs under sysfs_root (normally
 * "/sys/devices/system/cpu"), or -1 when the topology is not readable.
 */
int64_t paglets__perf_physical_cpus(const char *sysfs_root);

/* Where Linux describes the CPUs: topology and caches. */
#define PAGLETS__PERF_SYSFS_CPU "/sys/devices/system/cpu"

/*
 * The sum of all last-level cache instances under sysfs_root (normally
 * PAGLETS__PERF_SYSFS_CPU): the highest cache level any CPU reports,
 * instruction caches left out, each instance counted once however many
 * CPUs share it (by shared_cpu_list; one per CPU where that is missing).
 * An EPYC's cpu0 sees one CCD's L3; this is all of them. 0 when unknown.
 */
uint64_t paglets__perf_llc_bytes(const char *sysfs_root);

/* Physical RAM, and RAM available without swapping (0 when unknown). */
uint64_t paglets__perf_memory_total_bytes(void);
uint64_t paglets__perf_memory_available_bytes(void);

/* $TMPDIR when it is an absolute path, else "/tmp" (borrowed). */
const char *paglets__perf_tmpdir(void);

/*
 * Fill the platform parts of a result: platform (the Python-shaped
 * string), platform_details and runtime_version. 0 or -ENOMEM.
 */
int paglets__perf_platform_fill(struct paglets_perf_host_result *r);

#endif
