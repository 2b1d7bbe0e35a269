/*
 * BenchmarkRequest: defaults, owned paths and the JSON codec with the
 * validation every entry point (CLI, agent operation, peers) relies on.
 */
#include "perf_compat.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/perf.h>

#include "bench.h"

void paglets_perf_request_init(struct paglets_perf_request *request)
{
    memset(request, 0, sizeof(*request));
    request->include_cpu = true;
    request->include_memory = true;
    request->include_disk = true;
    request->duration_seconds = PAGLETS_PERF_DEFAULT_DURATION_SECONDS;
    request->disk_size_bytes = PAGLETS_PERF_DEFAULT_DISK_SIZE_BYTES;
    request->workers = 0;
    request->lock_timeout_seconds = PAGLETS_PERF_DEFAULT_LOCK_TIMEOUT_SECONDS;
}

void paglets_perf_request_release(struct paglets_perf_request *request)
{
    for (size_t i = 0; i < request->n_paths; i++)
        free(request->paths[i]);
    free(request->paths);
    request->paths = NULL;
    request->n_paths = 0;
}

int paglets_perf_request_add_path(struct paglets_perf_request *request,
                                  const char *path)
{
    if (request->n_paths >= PAGLETS_PERF_MAX_PATHS ||
        strlen(path) >= PAGLETS_PERF_MAX_PATH_BYTES)
        return -E2BIG;
    char *copy = strdup(path);
    if (copy == NULL)
        return -ENOMEM;
    char **paths =
        realloc(request->paths, (request->n_paths + 1) * sizeof(*paths));
    if (paths == NULL) {
        free(copy);
        return -ENOMEM;
    }
    paths[request->n_paths++] = copy;
    request->paths = paths;
    return 0;
}

json_t *paglets_perf_request_to_json(const struct paglets_perf_request *request)
{
    json_t *paths = json_array();
    for (size_t i = 0; paths != NULL && i < request->n_paths; i++) {
        if (json_array_append_new(paths, json_string(request->paths[i]))) {
            json_decref(paths);
            paths = NULL;
        }
    }
    if (paths == NULL)
        return NULL;
    return json_pack("{s:b, s:b, s:b, s:f, s:I, s:I, s:o, s:f}", "include_cpu",
                     request->include_cpu, "include_memory",
                     request->include_memory, "include_disk",
                     request->include_disk, "duration_seconds",
                     request->duration_seconds, "disk_size_bytes",
                     (json_int_t)request->disk_size_bytes, "workers",
                     (json_int_t)request->workers, "paths", paths,
                     "lock_timeout_seconds", request->lock_timeout_seconds);
}

static int get_bool(const json_t *json, const char *key, bool *out,
                    struct paglets_err *err)
{
    const json_t *v = json_object_get(json, key);
    if (v == NULL)
        return 0;
    if (!json_is_boolean(v))
        return paglets_err_set(err, -EINVAL, "%s must be true or false", key);
    *out = json_is_true(v);
    return 0;
}

/* A number of seconds in [min, max]; NaN cannot come from JSON text. */
static int get_seconds(const json_t *json, const char *key, double min,
                       double max, double *out, struct paglets_err *err)
{
    const json_t *v = json_object_get(json, key);
    if (v == NULL)
        return 0;
    double s = json_is_number(v) ? json_number_value(v) : NAN;
    if (!(s >= min && s <= max))
        return paglets_err_set(err, -EINVAL,
                               "%s must be a number of seconds from %g to %g",
                               key, min, max);
    *out = s;
    return 0;
}

/* A whole number in [min, max]; 3.0 is accepted, 3.5 is not. */
static int get_count(const json_t *json, const char *key, double min,
                     double max, uint64_t *out, struct paglets_err *err)
{
    const json_t *v = json_object_get(json, key);
    if (v == NULL)
        return 0;
    double n = json_is_number(v) ? json_number_value(v) : NAN;
    if (json_is_integer(v))
        n = (double)json_integer_value(v);
    if (!(n >= min && n <= max) || n != floor(n))
        return paglets_err_set(err, -EINVAL,
                               "%s must be a whole number from %.0f to %.0f",
                               key, min, max);
    *out = (uint64_t)n;
    return 0;
}

static int get_paths(const json_t *json, struct paglets_perf_request *out,
                     struct paglets_err *err)
{
    const json_t *v = json_object_get(json, "paths");
    if (v == NULL)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > PAGLETS_PERF_MAX_PATHS)
        return paglets_err_set(err, -EINVAL,
                               "paths must be an array of at most %d strings",
                               PAGLETS_PERF_MAX_PATHS);
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item) || json_string_length(item) == 0 ||
            json_string_length(item) >= PAGLETS_PERF_MAX_PATH_BYTES ||
            strlen(json_string_value(item)) != json_string_length(item))
            return paglets_err_set(err, -EINVAL,
                                   "paths[%zu] must be a non-empty string "
                                   "shorter than %d bytes",
                                   i, PAGLETS_PERF_MAX_PATH_BYTES);
    }
    json_array_foreach(v, i, item)
    {
        if (paglets_perf_request_add_path(out, json_string_value(item)))
            return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    return 0;
}

int paglets_perf_request_from_json(struct paglets_perf_request *request,
                                   const json_t *json, struct paglets_err *err)
{
    if (!json_is_object(json))
        return paglets_err_set(err, -EINVAL,
                               "benchmark request must be a JSON object");
    /*
     * Decode into a copy so a failed call leaves the caller's request as it
     * was; only the paths are new allocations and they are dropped.
     */
    struct paglets_perf_request r = *request;
    r.paths = NULL;
    r.n_paths = 0;
    uint64_t size = r.disk_size_bytes, workers = r.workers;
    int rc = get_bool(json, "include_cpu", &r.include_cpu, err);
    if (rc == 0)
        rc = get_bool(json, "include_memory", &r.include_memory, err);
    if (rc == 0)
        rc = get_bool(json, "include_disk", &r.include_disk, err);
    if (rc == 0)
        rc = get_seconds(json, "duration_seconds", 0,
                         PAGLETS_PERF_MAX_DURATION_SECONDS, &r.duration_seconds,
                         err);
    if (rc == 0)
        rc = get_count(json, "disk_size_bytes", 1,
                       (double)PAGLETS_PERF_MAX_DISK_SIZE_BYTES, &size, err);
    if (rc == 0)
        rc = get_count(json, "workers", 0, PAGLETS_PERF_MAX_WORKERS, &workers,
                       err);
    if (rc == 0)
        rc = get_seconds(json, "lock_timeout_seconds", 0,
                         PAGLETS_PERF_MAX_LOCK_TIMEOUT_SECONDS,
                         &r.lock_timeout_seconds, err);
    if (rc == 0)
        rc = get_paths(json, &r, err);
    if (rc != 0) {
        paglets_perf_request_release(&r);
        return rc;
    }
    r.disk_size_bytes = size;
    r.workers = (unsigned)workers;
    if (json_object_get(json, "paths") != NULL) {
        paglets_perf_request_release(request);
    } else {
        r.paths = request->paths;
        r.n_paths = request->n_paths;
    }
    *request = r;
    return 0;
}
