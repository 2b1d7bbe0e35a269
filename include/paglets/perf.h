/*
 * The mesh-wide benchmark: its request, the operation names of the
 * PerformanceBenchmarkAgent, and a call that runs one collection from a
 * program. Results travel as JSON with the field names of the reference
 * (HostBenchmarkResult and friends; see docs/).
 */
#ifndef PAGLETS_PERF_H
#define PAGLETS_PERF_H

#include <jansson.h>

#include <paglets/agent.h>
#include <paglets/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PAGLETS_PERF_AGENT "PerformanceBenchmarkAgent"
#define PAGLETS_PERF_COLLECT "collect"
#define PAGLETS_PERF_DRAIN "drain"
#define PAGLETS_PERF_CHILD_RESULT "child_result"
#define PAGLETS_PERF_SUMMARY "summary"
#define PAGLETS_PERF_CLEANUP "cleanup"

/* BenchmarkRequest. */
struct paglets_perf_request {
    bool include_cpu;         /* default true */
    bool include_memory;      /* default true */
    bool include_disk;        /* default true */
    double duration_seconds;  /* per CPU/memory kernel, default 1.0 */
    uint64_t disk_size_bytes; /* per volume, default 128 MiB */
    unsigned workers;         /* multi-core workers, 0 = logical CPUs */
    char **paths;             /* explicit disk targets, owned */
    size_t n_paths;
    double lock_timeout_seconds; /* default 60 */
};

/* Fill with the defaults above (no paths). */
PAGLETS_EXTERN void
paglets_perf_request_init(struct paglets_perf_request *request);

/* Free the paths; the struct can be initialised again. */
PAGLETS_EXTERN void
paglets_perf_request_release(struct paglets_perf_request *request);

/* Append a copy of path to request->paths. 0 or -ENOMEM. */
PAGLETS_EXTERN int
paglets_perf_request_add_path(struct paglets_perf_request *request,
                              const char *path);

/* BenchmarkRequest as JSON (new reference), NULL on allocation failure. */
PAGLETS_EXTERN json_t *
paglets_perf_request_to_json(const struct paglets_perf_request *request);

/*
 * Fill an initialised request from JSON; unknown fields are ignored,
 * missing ones keep their defaults, wrong types or out-of-range values
 * (negative or NaN durations, zero size) are -EINVAL naming the field.
 */
PAGLETS_EXTERN int
paglets_perf_request_from_json(struct paglets_perf_request *request,
                               const json_t *json, struct paglets_err *err);

#ifdef __cplusplus
}
#endif

#endif
