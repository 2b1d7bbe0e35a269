/*
 * Internal interface of the one-host benchmark: the entry point the agent
 * calls and the helpers the kernels fill the result structs (public:
 * <paglets/perf_result.h>) with. Its limits are public: <paglets/perf.h>.
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
 * A request to stop a run early: the benchmark child's agent is being
 * disposed (Ctrl-C, --timeout or cleanup on the client). Every kernel asks
 * between batches of at most PAGLETS__PERF_BATCH_SECONDS of work (a running
 * fsync completes first), and so do the waits for the host lock, so a
 * stopped run frees its CPUs, memory and the lock that soon. requested()
 * is called from every worker thread and must be cheap (an atomic load).
 */
struct paglets__perf_stop {
    bool (*requested)(void *arg);
    void *arg;
};

/*
 * The largest batch of work between two stop checks, in seconds on a slow
 * machine: batches are sized in work (10,000 steps, 16 MiB of a copy, 1 MiB
 * of disk I/O), which stays well below this.
 */
#define PAGLETS__PERF_BATCH_SECONDS 0.05

/* True once stop (NULL: never) asks the run to end. Any thread. */
static inline bool paglets__perf_stopped(const struct paglets__perf_stop *stop)
{
    return stop != NULL && stop->requested != NULL &&
           stop->requested(stop->arg);
}

/*
 * Run the whole host benchmark (holds the host lock for the run). Returns a
 * new reference to a HostBenchmarkResult JSON object; never NULL except on
 * allocation failure; all failures are reported inside the result's errors
 * arrays. stop (borrowed, NULL: run to the end) cuts the run short: what
 * was measured is returned with an error saying so. Any thread; runs take
 * turns through the host lock.
 */
json_t *paglets__perf_run_host(const struct paglets_perf_request *request,
                               const char *host_name, const char *host_url,
                               const struct paglets__perf_stop *stop);

struct paglets_host;

/*
 * Publish result (a HostBenchmarkResult, borrowed) on host's GET /metrics
 * as the group "paglets_perf", replacing the previous run's (publish.c).
 * 0, or the errno of decoding or publishing with the reason in err.
 */
int paglets__perf_publish(struct paglets_host *host, const json_t *result,
                          struct paglets_err *err);

/*
 * A child's child_result body: host (the name its parent knows), url, its
 * token and result (stolen; NULL: out of memory running the benchmark). A
 * result over PAGLETS_PERF_MAX_RESULT_BYTES as compact JSON is dropped and
 * the body carries an error saying so. New reference, NULL when out of
 * memory.
 */
json_t *paglets__perf_answer_body(const char *host, const char *url,
                                  const char *token, json_t *result);

/* The debug category of the benchmark's log lines (--debug=bench). */
#define PAGLETS__PERF_LOG "bench"

/* Append a formatted string to a list. 0 or -ENOMEM. */
int paglets__perf_strv_add(struct paglets_perf_strings *v, const char *fmt, ...)
    PAGLETS_PRINTF(2, 3);
void paglets__perf_strv_release(struct paglets_perf_strings *v);

/* A list as a JSON array of strings (new reference), NULL on -ENOMEM. */
json_t *paglets__perf_strv_to_json(const struct paglets_perf_strings *v);

/*
 * Append a zeroed element to the array at *items_field (a T **, passed as
 * void * so one function serves every list type) of *n elements of
 * elem_size bytes. Returns the element, or NULL on -ENOMEM (the list is
 * then unchanged).
 */
void *paglets__perf_push(void *items_field, size_t *n, size_t elem_size);

/* paglets__perf_push on a typed list {T *items; size_t n;}. */
#define PAGLETS__PERF_PUSH(list)                                               \
    paglets__perf_push(&(list)->items, &(list)->n, sizeof(*(list)->items))

/* Free what a part owns; the struct can be filled again. */
void paglets__perf_cpu_result_release(struct paglets_perf_cpu_result *r);
void paglets__perf_memory_result_release(struct paglets_perf_memory_result *r);
void paglets__perf_disk_result_release(struct paglets_perf_disk_result *r);
void paglets__perf_disk_volume_release(struct paglets_perf_disk_volume *v);

/*
 * How long a kernel runs for a requested duration: at least
 * PAGLETS_PERF_MIN_DURATION_SECONDS (also for NaN or negative requests).
 */
double paglets__perf_kernel_seconds(double requested);

/* Fill a metric from measured totals; rates are 0 when elapsed is 0. */
int paglets__perf_metric_set(struct paglets_perf_metric *m, const char *name,
                             double elapsed, uint64_t operations,
                             uint64_t bytes);

#endif
