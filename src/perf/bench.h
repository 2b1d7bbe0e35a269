/*
 * Internal interface of the one-host benchmark: the result structs the
 * kernels fill, their JSON codec, and the entry point the agent calls.
 */
#ifndef PAGLETS_PERF_BENCH_H
#define PAGLETS_PERF_BENCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <paglets/common.h>
#include <paglets/perf.h>

/*
 * Run the whole host benchmark (holds the host lock for the run). Returns a
 * new reference to a HostBenchmarkResult JSON object; never NULL except on
 * allocation failure; all failures are reported inside the result's errors
 * arrays. Any thread; runs take turns through the host lock.
 */
json_t *paglets__perf_run_host(const struct paglets_perf_request *request,
                               const char *host_name, const char *host_url);

/* The debug category of the benchmark's log lines (--debug=bench). */
#define PAGLETS__PERF_LOG "bench"

/* Limits the request decoder enforces (and the kernels rely on). */
#define PAGLETS_PERF_MAX_DURATION_SECONDS 3600.0
#define PAGLETS_PERF_MIN_DURATION_SECONDS 0.01
#define PAGLETS_PERF_MAX_LOCK_TIMEOUT_SECONDS 86400.0
#define PAGLETS_PERF_MAX_DISK_SIZE_BYTES (1ull << 50)
#define PAGLETS_PERF_MAX_WORKERS 4096u

/* A growable list of owned strings (errors[], notes[]). */
struct paglets__perf_strv {
    char **items;
    size_t n;
};

/* Append a formatted string. 0 or -ENOMEM. */
int paglets__perf_strv_add(struct paglets__perf_strv *v, const char *fmt, ...)
    PAGLETS_PRINTF(2, 3);
void paglets__perf_strv_release(struct paglets__perf_strv *v);

/*
 * A growable array of structs of one type; items is cast to the element
 * type by the owner, which knows it. Elements are zeroed when pushed.
 */
struct paglets__perf_vec {
    void *items;
    size_t n;
};

/* Append a zeroed element of elem_size bytes; NULL on -ENOMEM. */
void *paglets__perf_vec_push(struct paglets__perf_vec *v, size_t elem_size);

/* One kernel's figures (the reference's metric record). */
struct paglets__perf_metric {
    char *name;
    double duration_seconds;
    uint64_t operations;
    double operations_per_second;
    uint64_t bytes_processed;
    double bytes_per_second;
};

/* CpuBenchmarkResult. physical_cpus is -1 when unknown (JSON null). */
struct paglets__perf_cpu_result {
    int64_t workers;
    int64_t logical_cpus;
    int64_t physical_cpus;
    struct paglets__perf_vec single_core; /* of struct paglets__perf_metric */
    struct paglets__perf_vec multi_core;  /* of struct paglets__perf_metric */
    struct paglets__perf_strv errors;
};

/* MemoryBenchmarkResult. */
struct paglets__perf_memory_result {
    struct paglets__perf_vec metrics; /* of struct paglets__perf_metric */
    struct paglets__perf_strv errors;
};

/* DiskSkip. device and filesystem are "" when no mount matched. */
struct paglets__perf_disk_skip {
    char *path;
    char *reason;
    char *device;
    char *filesystem;
};

/*
 * DiskVolumeBenchmark. write_bytes_per_second counts write + fsync (data
 * on the device); read_cache_bypassed says whether the read came from the
 * device rather than the page cache, notes say why not and what was done.
 */
struct paglets__perf_disk_volume {
    char *path;
    char *device;
    char *filesystem;
    uint64_t total_bytes;
    uint64_t free_bytes_before;
    uint64_t benchmark_size_bytes;
    double write_seconds;
    double write_bytes_per_second;
    double fsync_seconds;
    double read_seconds;
    double read_bytes_per_second;
    double metadata_files_per_second;
    bool read_cache_bypassed;
    struct paglets__perf_strv notes;
};

/* DiskBenchmarkResult. */
struct paglets__perf_disk_result {
    struct paglets__perf_vec volumes; /* of struct paglets__perf_disk_volume */
    struct paglets__perf_vec skipped; /* of struct paglets__perf_disk_skip */
    struct paglets__perf_strv errors;
};

/* The parts of `platform_details` (see docs/KERNELS.md). */
struct paglets__perf_platform {
    char *os;             /* uname sysname: "Linux" */
    char *kernel_release; /* uname release */
    char *architecture;   /* uname machine: "x86_64" */
    char *cpu_model;      /* /proc/cpuinfo model name, "unknown" if none */
};

/* HostBenchmarkResult; cpu, memory and disk are NULL when not run. */
struct paglets__perf_host_result {
    char *host_name;
    char *host_url;
    char *platform; /* Python platform.platform() shaped string */
    struct paglets__perf_platform platform_details;
    char *runtime_version;
    double lock_wait_seconds;
    uint64_t memory_total_bytes;
    struct paglets__perf_cpu_result *cpu;
    struct paglets__perf_memory_result *memory;
    struct paglets__perf_disk_result *disk;
    struct paglets__perf_strv errors;
};

/* JSON of a host result (new reference), NULL on allocation failure. */
json_t *
paglets__perf_host_result_to_json(const struct paglets__perf_host_result *r);

/*
 * Fill a zeroed host result from JSON. Wrong types are -EINVAL naming the
 * field; on failure r holds what was decoded and must still be released.
 */
int paglets__perf_host_result_from_json(struct paglets__perf_host_result *r,
                                        const json_t *json,
                                        struct paglets_err *err);

/* Free everything the result owns (cpu/memory/disk included). */
void paglets__perf_host_result_release(struct paglets__perf_host_result *r);
void paglets__perf_cpu_result_release(struct paglets__perf_cpu_result *r);
void paglets__perf_memory_result_release(struct paglets__perf_memory_result *r);
void paglets__perf_disk_result_release(struct paglets__perf_disk_result *r);
void paglets__perf_disk_volume_release(struct paglets__perf_disk_volume *v);

/* Fill a metric from measured totals; rates are 0 when elapsed is 0. */
int paglets__perf_metric_set(struct paglets__perf_metric *m, const char *name,
                             double elapsed, uint64_t operations,
                             uint64_t bytes);

#endif
