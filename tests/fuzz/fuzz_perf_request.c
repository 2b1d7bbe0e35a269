/*
 * Fuzz the benchmark's wire input: a BenchmarkRequest as the entry host and
 * every child receive it, and a HostBenchmarkResult as a child reports it
 * back. Whatever decodes must satisfy the documented ranges and survive a
 * round trip.
 */
#include "compat.h"

#include <math.h>
#include <stdlib.h>

#include <paglets/perf.h>

#include "perf/bench.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const json_t *json)
{
    struct paglets_perf_request req, again;
    paglets_perf_request_init(&req);
    if (paglets_perf_request_from_json(&req, json, NULL) == 0) {
        if (!(req.duration_seconds >= 0) || !isfinite(req.duration_seconds) ||
            req.disk_size_bytes == 0 || !(req.lock_timeout_seconds >= 0))
            abort();
        json_t *copy = paglets_perf_request_to_json(&req);
        paglets_perf_request_init(&again);
        if (copy == NULL ||
            paglets_perf_request_from_json(&again, copy, NULL) != 0 ||
            again.n_paths != req.n_paths ||
            again.disk_size_bytes != req.disk_size_bytes)
            abort();
        paglets_perf_request_release(&again);
        json_decref(copy);
    }
    paglets_perf_request_release(&req);
}

static void check_result(const json_t *json)
{
    struct paglets_perf_host_result r = {0};
    if (paglets_perf_host_result_from_json(&r, json, NULL) == 0) {
        json_t *copy = paglets_perf_host_result_to_json(&r);
        if (copy == NULL)
            abort();
        json_decref(copy);
    }
    paglets_perf_host_result_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *json = json_loadb((const char *)data, size, 0, NULL);
    if (json == NULL)
        return 0;
    check_request(json);
    check_result(json);
    json_decref(json);
    return 0;
}
