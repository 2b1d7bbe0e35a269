/*
 * Typed results of the mesh-wide benchmark (libpaglets_perf): what one
 * host measured (HostBenchmarkResult and its parts, with the reference's
 * field names), the JSON codec of it, and read access to a collection's
 * summary: hosts in name order with their results, hosts that failed,
 * cleanup failures and hosts still pending. The text table, the JSON
 * printer and programs (a results database, an HTML report) all read
 * these structs; the field names and types live in one table in the
 * library (src/perf/result_json.c), which encodes, decodes and frees them.
 *
 * The structs are plain data. The library only adds fields at the end of
 * a struct, never removes or reorders one. Units are in the names:
 * *_seconds in seconds, *_bytes in bytes, *_per_second per second.
 */
#ifndef PAGLETS_PERF_RESULT_H
#define PAGLETS_PERF_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <paglets/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A list of owned strings (errors[], notes[]). */
struct paglets_perf_strings {
    char **items;
    size_t n;
};

/*
 * One kernel's figures: operations and bytes over its duration.
 * setup_seconds is the time spent preparing before the clock started
 * (mapping and faulting in the memory kernels' buffers): overhead of the
 * run, never part of duration_seconds or the rates; 0 where there is none.
 */
struct paglets_perf_metric {
    char *name; /* "integer", "sha256-multi", "memory-copy", ... */
    double duration_seconds;
    uint64_t operations;
    double operations_per_second;
    uint64_t bytes_processed;
    double bytes_per_second;
    double setup_seconds;
};

struct paglets_perf_metrics {
    struct paglets_perf_metric *items;
    size_t n;
};

/*
 * CpuBenchmarkResult. workers, logical_cpus and physical_cpus are -1 when
 * unknown (JSON null).
 */
struct paglets_perf_cpu_result {
    int64_t workers;
    int64_t logical_cpus;
    int64_t physical_cpus;
    struct paglets_perf_metrics single_core; /* integer, float, sha256 */
    struct paglets_perf_metrics multi_core;  /* integer-multi, ... */
    struct paglets_perf_strings errors;
};

/* MemoryBenchmarkResult. */
struct paglets_perf_memory_result {
    struct paglets_perf_metrics metrics; /* memory-copy, memory-scan, ... */
    struct paglets_perf_strings errors;
};

/*
 * DiskSkip: a target that was not tested. device, filesystem may be "".
 * requested: the path was one the request named (--path), not one
 * discovery came across: its skip is an error of the run.
 */
struct paglets_perf_disk_skip {
    char *path;
    char *reason;
    char *device;
    char *filesystem;
    bool requested;
};

struct paglets_perf_disk_skips {
    struct paglets_perf_disk_skip *items;
    size_t n;
};

/*
 * DiskVolumeBenchmark: one tested volume. write_bytes_per_second counts
 * write + fsync (data on the device); read_cache_bypassed says whether the
 * read came from the device rather than the page cache; notes say why not
 * and what else was done.
 */
struct paglets_perf_disk_volume {
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
    struct paglets_perf_strings notes;
};

struct paglets_perf_disk_volumes {
    struct paglets_perf_disk_volume *items;
    size_t n;
};

/* DiskBenchmarkResult. */
struct paglets_perf_disk_result {
    struct paglets_perf_disk_volumes volumes;
    struct paglets_perf_disk_skips skipped;
    struct paglets_perf_strings errors;
};

/* platform_details: the parts of `platform` (see docs/KERNELS.md). */
struct paglets_perf_platform {
    char *os;             /* uname sysname: "Linux" */
    char *kernel_release; /* uname release */
    char *architecture;   /* uname machine: "x86_64" */
    char *cpu_model;      /* /proc/cpuinfo model name, "unknown" if none */
};

/*
 * HostBenchmarkResult: what one host measured. cpu, memory and disk are
 * NULL when that part was not requested (JSON null). A string the host
 * did not send is NULL and encodes as "".
 */
struct paglets_perf_host_result {
    char *host_name;
    char *host_url;
    char *platform; /* "Linux-6.1.0-x86_64-with-glibc2.36" */
    struct paglets_perf_platform platform_details;
    char *runtime_version; /* the paglets build: "c-0.1.0+<sha>" */
    double lock_wait_seconds;
    uint64_t memory_total_bytes;
    struct paglets_perf_cpu_result *cpu;
    struct paglets_perf_memory_result *memory;
    struct paglets_perf_disk_result *disk;
    struct paglets_perf_strings errors;
};

/*
 * A HostBenchmarkResult as JSON, every field of the schema present (new
 * reference; NULL when out of memory). Strings that are not valid UTF-8
 * (paths are bytes) have '?' for each byte outside ASCII. Any thread.
 */
PAGLETS_EXTERN json_t *
paglets_perf_host_result_to_json(const struct paglets_perf_host_result *r);

/*
 * Fill a zeroed result from JSON (json borrowed; strings copied). Fields
 * the schema does not know are ignored; missing ones stay zero, NULL, or
 * -1 for the counts that may be null; a null number (how a number that is
 * not finite travels) is NAN, a null string NULL. A wrong type is -EINVAL
 * naming the
 * field by its path ("cpu.single_core[0].operations") in err, -ENOMEM when
 * out of memory; on failure r is released again (all zero). Caller
 * releases a filled r with paglets_perf_host_result_release().
 */
PAGLETS_NODISCARD PAGLETS_EXTERN int
paglets_perf_host_result_from_json(struct paglets_perf_host_result *r,
                                   const json_t *json, struct paglets_err *err);

/* Free everything r owns (parts included) and zero it. NULL: no-op. */
PAGLETS_EXTERN void
paglets_perf_host_result_release(struct paglets_perf_host_result *r);

/*
 * The errors a result carries: its own errors[], those of its cpu, memory
 * and disk parts, and each skip of a path the request named (`requested`)
 * (the `err` column of the table).
 */
PAGLETS_EXTERN size_t
paglets_perf_host_result_error_count(const struct paglets_perf_host_result *r);

/* One host that reported: an entry of the summary's results. */
struct paglets_perf_host_entry {
    char *host_name; /* the name the parent knows the host by */
    char *host_url;  /* where the parent cloned the child to */
    struct paglets_perf_host_result result;
};

/* A host and one message: an entry of errors or cleanup_errors. */
struct paglets_perf_host_message {
    char *host_name;
    char *message;
};

struct paglets_perf_summary; /* <paglets/perf.h> */

/*
 * Read access to a summary. Everything returned is borrowed from it and
 * valid until paglets_perf_summary_free(); an index at or past the count
 * gives NULL. Any thread, as long as none frees the summary meanwhile.
 */

/*
 * Hosts with a result, in host-name order (strcmp). A host whose result
 * did not decode is not among them: it is a host error ("invalid result:
 * field '...' must be ...").
 */
PAGLETS_EXTERN size_t
paglets_perf_summary_result_count(const struct paglets_perf_summary *summary);
PAGLETS_EXTERN const struct paglets_perf_host_entry *
paglets_perf_summary_result(const struct paglets_perf_summary *summary,
                            size_t i);

/* The result of the host named host_name, or NULL when it has none. */
PAGLETS_EXTERN const struct paglets_perf_host_entry *
paglets_perf_summary_find_result(const struct paglets_perf_summary *summary,
                                 const char *host_name);

/*
 * Hosts without a result (the summary's errors: a failed clone, an error
 * the child reported, a timeout, a result that did not decode), in
 * host-name order.
 */
PAGLETS_EXTERN size_t paglets_perf_summary_host_error_count(
    const struct paglets_perf_summary *summary);
PAGLETS_EXTERN const struct paglets_perf_host_message *
paglets_perf_summary_host_error(const struct paglets_perf_summary *summary,
                                size_t i);

/* Children that could not be disposed at cleanup, in host-name order. */
PAGLETS_EXTERN size_t paglets_perf_summary_cleanup_error_count(
    const struct paglets_perf_summary *summary);
PAGLETS_EXTERN const struct paglets_perf_host_message *
paglets_perf_summary_cleanup_error(const struct paglets_perf_summary *summary,
                                   size_t i);

/* Hosts still awaited (none once a run is finished), as the agent lists them.
 */
PAGLETS_EXTERN size_t
paglets_perf_summary_pending_count(const struct paglets_perf_summary *summary);
PAGLETS_EXTERN const char *
paglets_perf_summary_pending_host(const struct paglets_perf_summary *summary,
                                  size_t i);

/*
 * Hosts the collection left out because they were not online when it
 * started (message "not online when the run started"), in host-name order:
 * whatever the entry host said about them is dropped, never shown as
 * measured. Always none in a summary made by the agent itself.
 */
PAGLETS_EXTERN size_t paglets_perf_summary_ignored_host_count(
    const struct paglets_perf_summary *summary);
PAGLETS_EXTERN const struct paglets_perf_host_message *
paglets_perf_summary_ignored_host(const struct paglets_perf_summary *summary,
                                  size_t i);

/*
 * How many child_result messages the parent agent refused (HTTP 403): a
 * token that was not the one it gave that host's child, or one used
 * before. None of them is in the summary as a result.
 */
PAGLETS_EXTERN size_t paglets_perf_summary_refused_results(
    const struct paglets_perf_summary *summary);

#ifdef __cplusplus
}
#endif

#endif
