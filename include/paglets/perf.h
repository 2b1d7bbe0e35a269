/*
 * The mesh-wide benchmark: its request, the operation names of the
 * PerformanceBenchmarkAgent, and a call that runs one collection from a
 * program. Results travel as JSON with the field names of the reference
 * (HostBenchmarkResult and friends; see docs/).
 */
#ifndef PAGLETS_PERF_H
#define PAGLETS_PERF_H

#include <stdio.h>

#include <jansson.h>

#include <paglets/agent.h>
#include <paglets/common.h>
#include <paglets/perf_result.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PAGLETS_PERF_AGENT "PerformanceBenchmarkAgent"
#define PAGLETS_PERF_COLLECT "collect"
#define PAGLETS_PERF_DRAIN "drain"
#define PAGLETS_PERF_CHILD_RESULT "child_result"
#define PAGLETS_PERF_SUMMARY "summary"
#define PAGLETS_PERF_CLEANUP "cleanup"

/*
 * Every default and limit of the benchmark, in this one place: the
 * request's defaults (paglets_perf_request_init), the ranges its decoder
 * accepts, the collection's defaults (paglets_perf_collect_options_init)
 * and the bounds of the agent's operations. The defaults a command line
 * shows are written as a user would type them (60, not 60.0), so they can
 * be stringified into help texts.
 */
#define PAGLETS_PERF_DEFAULT_DURATION_SECONDS 1.0
/* Kernels run at least this long; a shorter duration_seconds is raised. */
#define PAGLETS_PERF_MIN_DURATION_SECONDS 0.01
#define PAGLETS_PERF_MAX_DURATION_SECONDS 3600.0
#define PAGLETS_PERF_DEFAULT_DISK_SIZE_MIB 128
#define PAGLETS_PERF_DEFAULT_DISK_SIZE_BYTES                                   \
    ((uint64_t)PAGLETS_PERF_DEFAULT_DISK_SIZE_MIB << 20)
#define PAGLETS_PERF_MAX_DISK_SIZE_BYTES (1ull << 50)
/* workers: 0 (one per logical CPU of each host) up to this. */
#define PAGLETS_PERF_MAX_WORKERS 4096u
#define PAGLETS_PERF_DEFAULT_LOCK_TIMEOUT_SECONDS 60
#define PAGLETS_PERF_MAX_LOCK_TIMEOUT_SECONDS 86400.0
/* How long a collection waits for the hosts' results (`timeout`). */
#define PAGLETS_PERF_DEFAULT_TIMEOUT_SECONDS 120
#define PAGLETS_PERF_MAX_TIMEOUT_SECONDS 86400.0
/*
 * The bounds of one collection (paglets_perf_collect_with()): the calls
 * up to the results end by the results deadline, but get this long at
 * least whatever the timeout; cleanup and the parent's dispose end at most
 * PAGLETS_PERF_CLEANUP_SECONDS after it.
 */
#define PAGLETS_PERF_MIN_CALL_SECONDS 1.0
#define PAGLETS_PERF_CLEANUP_SECONDS 2.0
/* How long one `drain` waits for answers (`wait_timeout`), and its cap. */
#define PAGLETS_PERF_DRAIN_WAIT_SECONDS 0.5
#define PAGLETS_PERF_MAX_DRAIN_WAIT_SECONDS 30.0
/*
 * A request names at most this many paths, each shorter than
 * PAGLETS_PERF_MAX_PATH_BYTES; a child's result over
 * PAGLETS_PERF_MAX_RESULT_BYTES (as compact JSON) is replaced by an error
 * before it is sent, so one request cannot make a parent hold megabytes
 * per host.
 */
#define PAGLETS_PERF_MAX_PATHS 64
#define PAGLETS_PERF_MAX_PATH_BYTES 4096
#define PAGLETS_PERF_MAX_RESULT_BYTES (1u << 20)

/*
 * BenchmarkRequest; the defaults are PAGLETS_PERF_DEFAULT_* above. Fill
 * with paglets_perf_request_init() first: fields are only ever added at
 * the end, and _init gives them their defaults.
 */
struct paglets_perf_request {
    bool include_cpu;         /* default true */
    bool include_memory;      /* default true */
    bool include_disk;        /* default true */
    double duration_seconds;  /* per CPU/memory kernel */
    uint64_t disk_size_bytes; /* per volume */
    unsigned workers;         /* multi-core workers, 0 = logical CPUs */
    char **paths;             /* explicit disk targets, owned */
    size_t n_paths;
    double lock_timeout_seconds;
};

/* Fill with the defaults (no paths). */
PAGLETS_EXTERN void
paglets_perf_request_init(struct paglets_perf_request *request);

/* Free the paths; the struct can be initialised again. */
PAGLETS_EXTERN void
paglets_perf_request_release(struct paglets_perf_request *request);

/*
 * Append a copy of path to request->paths. 0, -E2BIG when the request has
 * PAGLETS_PERF_MAX_PATHS already or path is PAGLETS_PERF_MAX_PATH_BYTES or
 * longer, -ENOMEM.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD int
paglets_perf_request_add_path(struct paglets_perf_request *request,
                              const char *path);

/* BenchmarkRequest as JSON (new reference), NULL on allocation failure. */
PAGLETS_EXTERN json_t *
paglets_perf_request_to_json(const struct paglets_perf_request *request);

/*
 * Fill an initialised request from JSON; unknown fields are ignored,
 * missing ones keep their defaults, wrong types or out-of-range values
 * (negative or NaN durations, zero size) are -EINVAL naming the field;
 * -ENOMEM.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD int
paglets_perf_request_from_json(struct paglets_perf_request *request,
                               const json_t *json, struct paglets_err *err);

/*
 * The PerformanceBenchmarkAgent type, to register with a host
 * (paglets_host_register_type) that should run benchmark children.
 */
PAGLETS_EXTERN extern const struct paglets_agent_type paglets_perf_agent_type;

/*
 * The outcome of one collection: which hosts answered with which
 * HostBenchmarkResult, which failed and why, cleanup failures, and hosts
 * still pending. Opaque; each host's result is decoded once, when the
 * summary is made, into the structs of <paglets/perf_result.h>, which its
 * accessors return and both renderers below read.
 */
struct paglets_perf_summary;

/*
 * A summary from its JSON ({results, errors, cleanup_errors,
 * pending_hosts}, as the agent's operations reply; json borrowed, nothing
 * of it kept). Missing members count as empty. A member of the wrong
 * shape (results not an object of {host_url, result: object}, messages
 * that are not strings, pending_hosts not an array of strings) is -EINVAL
 * in err. A host whose result does not decode with the typed schema
 * becomes a host error "invalid result: ..." instead, so one bad host does
 * not lose the others. Fields the schema does not know are dropped. Caller
 * frees with paglets_perf_summary_free(). NULL on error.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD struct paglets_perf_summary *
paglets_perf_summary_from_json(const json_t *json, struct paglets_err *err);

/* NULL is a no-op. */
PAGLETS_EXTERN void
paglets_perf_summary_free(struct paglets_perf_summary *summary);

/*
 * The summary as JSON, rendered from its typed results (new reference;
 * NULL when out of memory): what paglets_perf_summary_write_json() prints.
 */
PAGLETS_EXTERN json_t *
paglets_perf_summary_to_json(const struct paglets_perf_summary *summary);

/*
 * Every error anywhere in the summary: per-host errors, cleanup errors,
 * hosts still pending, ignored hosts, refused results, and the errors
 * inside each result (its own and those of its cpu, memory and disk
 * parts). 0 means a clean run.
 */
PAGLETS_EXTERN size_t
paglets_perf_summary_error_count(const struct paglets_perf_summary *summary);

enum paglets_perf_text_flags {
    /* Also list skipped disk targets under notes:. */
    PAGLETS_PERF_TEXT_VERBOSE = 1u << 0,
};

/*
 * The table `paglets examples perf` prints: host rows, disks:, notes:.
 * Returns 0, or -EIO when writing to out failed.
 */
PAGLETS_EXTERN int
paglets_perf_summary_write_text(const struct paglets_perf_summary *summary,
                                unsigned flags, FILE *out);

/* <paglets/perf_answers.h> */
struct paglets_perf_outliers;
struct paglets_perf_change;

/*
 * What the table shows besides the figures. Fill with
 * paglets_perf_text_options_init() first: fields are only ever added at
 * the end, and _init gives them their defaults (nothing but the figures).
 */
struct paglets_perf_text_options {
    unsigned flags; /* enum paglets_perf_text_flags */
    /*
     * Figures to flag (borrowed; NULL: none): the cell of each gets a '!'
     * inside its column width, and a notes: line names host, figure,
     * value, median and ratio. With nothing flagged the table is the
     * reference layout, character for character.
     */
    const struct paglets_perf_outliers *outliers;
    /*
     * A comparison with an earlier run (`--compare`), shown when
     * compare_label is not NULL: under each host row and volume row a
     * line "  vs LABEL" with each figure's change
     * (paglets_perf_ratio_format(), a '!' inside the cell for a
     * regression, "-" where either run has no figure), and a notes: line
     * per regression. changes[0 .. n_changes - 1] is borrowed and sorted
     * as paglets_perf_changes_lookup() wants; the label ("run 3") too.
     */
    const struct paglets_perf_change *changes;
    size_t n_changes;
    const char *compare_label;
};

PAGLETS_EXTERN void
paglets_perf_text_options_init(struct paglets_perf_text_options *options);

/*
 * The table with what options adds (NULL: as
 * paglets_perf_summary_write_text(summary, 0, out)). Host names, paths
 * and messages are escaped (paglets_escape()). Returns 0, or -EIO when
 * writing to out failed.
 */
PAGLETS_EXTERN int paglets_perf_summary_write_text_with(
    const struct paglets_perf_summary *summary,
    const struct paglets_perf_text_options *options, FILE *out);

/*
 * The summary as JSON (paglets_perf_summary_to_json), laid out as Python's
 * json.dumps(indent=2, sort_keys=True). 0, -ENOMEM or -EIO.
 */
PAGLETS_EXTERN int
paglets_perf_summary_write_json(const struct paglets_perf_summary *summary,
                                FILE *out);

/*
 * Any JSON value (borrowed) laid out as paglets_perf_summary_write_json()
 * lays out a summary: Python's json.dumps(indent=2, sort_keys=True,
 * ensure_ascii=True), reals in their shortest round-trip form, then a
 * newline. For a summary with members added (`outliers`, `run_id`), a
 * diff, a list of runs. 0, -ENOMEM or -EIO.
 */
PAGLETS_EXTERN int paglets_perf_json_write(const json_t *json, FILE *out);

/*
 * What a collection reports while it waits, for progress displays. The
 * names are the entry host's, unescaped: escape them before showing them
 * (paglets_escape()).
 */
struct paglets_perf_progress {
    size_t done;  /* hosts with a result or an error */
    size_t total; /* done + pending */
    double elapsed_seconds;
    const json_t *pending_hosts; /* borrowed array of strings */
};

struct paglets_cancel; /* <paglets/client.h> */

/*
 * How a collection runs. Fill with paglets_perf_collect_options_init()
 * first: fields are only ever added at the end.
 */
struct paglets_perf_collect_options {
    /*
     * How long the hosts' results may take, from the call
     * (PAGLETS_PERF_DEFAULT_TIMEOUT_SECONDS); deadline_seconds below
     * overrides it. Every call up to the results ends by then (the calls
     * before the results get 1 s at least), cleanup and the parent's
     * dispose at most 2 s later.
     */
    double timeout_seconds;
    const char *api_key; /* bearer key for the entry host, or NULL */
    /* Called after each drain round, on the collecting thread; or NULL. */
    void (*progress)(void *arg, const struct paglets_perf_progress *progress);
    void *progress_arg;
    /*
     * Polled between drain rounds (at least every
     * PAGLETS_PERF_DRAIN_WAIT_SECONDS): once it
     * returns true the collection stops waiting, cleans up and returns
     * -ECANCELED. NULL: never. The cancel handle below also aborts the
     * request in flight.
     */
    bool (*cancelled)(void *arg);
    void *cancelled_arg;
    /*
     * A proxy for every request (paglets_client_set_proxy()); NULL: none,
     * whatever the environment's proxy variables say.
     */
    const char *proxy;
    /*
     * When the results are due, on the paglets_monotonic_seconds() clock
     * (a command line sets it when it starts, so finding the entry host
     * counts too); 0: timeout_seconds from the call.
     */
    double deadline_seconds;
    /*
     * Borrowed; NULL: none. Once tripped (paglets_cancel_trip(), which a
     * signal handler may call), the request in flight is aborted at once,
     * and the collection cleans up (within 2 s; those calls do not take
     * the handle) and returns -ECANCELED.
     */
    struct paglets_cancel *cancel;
};

/* Fill with the defaults (no key, no callbacks). */
PAGLETS_EXTERN void
paglets_perf_collect_options_init(struct paglets_perf_collect_options *options);

/*
 * Run one mesh-wide collection from the host at entry_url: note the hosts
 * its GET /hosts lists online, create a PerformanceBenchmarkAgent there,
 * `collect` with request, `drain` until every host answered or timed out,
 * then always `cleanup` and dispose the agent. Every call after the
 * creation goes to entry_url: only the agent id is taken from the
 * creation reply. The replies are merged, not taken one by one: a host's
 * first result and first error stand and no later reply drops them; hosts
 * that were not online at the start are dropped (ignored hosts); hosts
 * still pending at the end stay listed. On 0, *summary is the outcome
 * (which may still hold per-host errors; caller frees with
 * paglets_perf_summary_free). On failure (entry host unreachable, agent
 * type not registered, cancelled) returns a negative errno with a message
 * in err and leaves *summary unset: the client's errno values
 * (<paglets/client.h>; -EINVAL when the entry host has no
 * PerformanceBenchmarkAgent type or the proxy URL is wrong), -ECANCELED
 * when options' `cancelled` or `cancel` said so (err then says whether
 * the agents were cleaned up: "interrupted; benchmark agents cleaned up"
 * only when they were), -EPROTO when a reply is malformed (a member of
 * the wrong type, `done` not a boolean), -ETIMEDOUT when the entry host
 * does not answer or still says "not done" at the deadline, -ENOMEM. A
 * cleanup or dispose of the parent that fails is a cleanup error of the
 * entry host (under its /health name) in the summary. Blocking, but
 * bounded: the call returns at most 2 s after the results deadline
 * (options' timeout_seconds or deadline_seconds). Any thread.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD int paglets_perf_collect_with(
    const char *entry_url, const struct paglets_perf_request *request,
    const struct paglets_perf_collect_options *options,
    struct paglets_perf_summary **summary, struct paglets_err *err);

/* paglets_perf_collect_with() with default options and this timeout. */
PAGLETS_EXTERN PAGLETS_NODISCARD int paglets_perf_collect(
    const char *entry_url, const struct paglets_perf_request *request,
    double timeout_seconds, struct paglets_perf_summary **summary,
    struct paglets_err *err);

#ifdef __cplusplus
}
#endif

#endif
