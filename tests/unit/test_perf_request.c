/*
 * BenchmarkRequest: defaults, JSON round-trip and the validation of every
 * field, with messages that name the field.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/perf.h>

static void test_request_init_has_reference_defaults(void **state)
{
    (void)state;
    struct paglets_perf_request r;
    paglets_perf_request_init(&r);
    assert_true(r.include_cpu && r.include_memory && r.include_disk);
    assert_float_equal(r.duration_seconds, 1.0, 0);
    assert_int_equal(r.disk_size_bytes, 128u << 20);
    assert_int_equal(r.workers, 0);
    assert_int_equal(r.n_paths, 0);
    assert_float_equal(r.lock_timeout_seconds, 60.0, 0);
    paglets_perf_request_release(&r);
}

static void test_request_json_round_trip(void **state)
{
    (void)state;
    struct paglets_perf_request a, b;
    paglets_perf_request_init(&a);
    a.include_disk = false;
    a.duration_seconds = 0.25;
    a.disk_size_bytes = 3 << 20;
    a.workers = 3;
    a.lock_timeout_seconds = 7.5;
    assert_int_equal(paglets_perf_request_add_path(&a, "/data"), 0);
    assert_int_equal(paglets_perf_request_add_path(&a, "/scratch dir"), 0);
    json_t *j = paglets_perf_request_to_json(&a);
    assert_non_null(j);
    paglets_perf_request_init(&b);
    assert_int_equal(paglets_perf_request_from_json(&b, j, NULL), 0);
    assert_false(b.include_disk);
    assert_true(b.include_cpu);
    assert_float_equal(b.duration_seconds, 0.25, 0);
    assert_int_equal(b.disk_size_bytes, 3 << 20);
    assert_int_equal(b.workers, 3);
    assert_float_equal(b.lock_timeout_seconds, 7.5, 0);
    assert_int_equal(b.n_paths, 2);
    assert_string_equal(b.paths[1], "/scratch dir");
    json_t *again = paglets_perf_request_to_json(&b);
    assert_true(json_equal(j, again));
    json_decref(again);
    json_decref(j);
    paglets_perf_request_release(&a);
    paglets_perf_request_release(&b);
}

static void test_request_missing_fields_keep_defaults(void **state)
{
    (void)state;
    struct paglets_perf_request r;
    paglets_perf_request_init(&r);
    json_t *j = json_pack("{s:i}", "duration_seconds", 2);
    assert_int_equal(paglets_perf_request_from_json(&r, j, NULL), 0);
    assert_float_equal(r.duration_seconds, 2.0, 0);
    assert_int_equal(r.disk_size_bytes, 128u << 20);
    json_decref(j);
    paglets_perf_request_release(&r);
}

static void test_request_rejects_bad_fields_naming_them(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        const char *field;
    } cases[] = {
        {"{\"include_cpu\": 1}", "include_cpu"},
        {"{\"include_memory\": \"yes\"}", "include_memory"},
        {"{\"include_disk\": null}", "include_disk"},
        {"{\"duration_seconds\": -1}", "duration_seconds"},
        {"{\"duration_seconds\": \"1\"}", "duration_seconds"},
        {"{\"duration_seconds\": 1e300}", "duration_seconds"},
        {"{\"disk_size_bytes\": 0}", "disk_size_bytes"},
        {"{\"disk_size_bytes\": -5}", "disk_size_bytes"},
        {"{\"disk_size_bytes\": 1.5}", "disk_size_bytes"},
        {"{\"disk_size_bytes\": 1e30}", "disk_size_bytes"},
        {"{\"workers\": -1}", "workers"},
        {"{\"workers\": 100000}", "workers"},
        {"{\"paths\": \"/data\"}", "paths"},
        {"{\"paths\": [\"/a\", 3]}", "paths[1]"},
        {"{\"paths\": [\"\"]}", "paths[0]"},
        {"{\"lock_timeout_seconds\": -0.5}", "lock_timeout_seconds"},
        {"{\"lock_timeout_seconds\": false}", "lock_timeout_seconds"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets_perf_request r;
        paglets_perf_request_init(&r);
        assert_int_equal(paglets_perf_request_add_path(&r, "/keep"), 0);
        json_t *j = json_loads(cases[i].json, 0, NULL);
        assert_non_null(j);
        struct paglets_err err = {0};
        assert_int_equal(paglets_perf_request_from_json(&r, j, &err), -EINVAL);
        assert_non_null(strstr(err.message, cases[i].field));
        /* A failed decode leaves the request as it was. */
        assert_int_equal(r.n_paths, 1);
        assert_string_equal(r.paths[0], "/keep");
        assert_float_equal(r.duration_seconds, 1.0, 0);
        assert_int_equal(r.disk_size_bytes, 128u << 20);
        json_decref(j);
        paglets_perf_request_release(&r);
    }
}

/* NaN never reaches the decoder: jansson cannot hold one. */
static void test_request_rejects_non_object(void **state)
{
    (void)state;
    assert_null(json_real(NAN));
    struct paglets_perf_request r;
    paglets_perf_request_init(&r);
    json_t *j = json_array();
    struct paglets_err err = {0};
    assert_int_equal(paglets_perf_request_from_json(&r, j, &err), -EINVAL);
    assert_string_equal(err.message, "benchmark request must be a JSON object");
    json_decref(j);
    paglets_perf_request_release(&r);
}

/*
 * 1.55 M paths once took a host to 3 GiB: a request names at most 64,
 * each shorter than PATH_MAX, from JSON and through add_path alike.
 */
static void test_request_bounds_paths(void **state)
{
    (void)state;
    struct paglets_perf_request r;
    paglets_perf_request_init(&r);
    json_t *paths = json_array();
    for (int i = 0; i <= PAGLETS_PERF_MAX_PATHS; i++)
        json_array_append_new(paths, json_string("/data"));
    json_t *j = json_pack("{s:o}", "paths", paths);
    struct paglets_err err = {0};
    assert_int_equal(paglets_perf_request_from_json(&r, j, &err), -EINVAL);
    assert_non_null(strstr(err.message, "at most 64"));
    json_array_remove(paths, 0);
    assert_int_equal(paglets_perf_request_from_json(&r, j, &err), 0);
    assert_int_equal(r.n_paths, PAGLETS_PERF_MAX_PATHS);
    assert_int_equal(paglets_perf_request_add_path(&r, "/one-more"), -E2BIG);
    json_decref(j);
    paglets_perf_request_release(&r);

    char long_path[PAGLETS_PERF_MAX_PATH_BYTES + 1];
    memset(long_path, 'a', sizeof(long_path) - 1);
    long_path[0] = '/';
    long_path[sizeof(long_path) - 1] = '\0';
    j = json_pack("{s:[s]}", "paths", long_path);
    paglets_err_clear(&err);
    assert_int_equal(paglets_perf_request_from_json(&r, j, &err), -EINVAL);
    assert_non_null(strstr(err.message, "paths[0]"));
    assert_int_equal(paglets_perf_request_add_path(&r, long_path), -E2BIG);
    assert_int_equal(r.n_paths, 0);
    json_decref(j);
    paglets_perf_request_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_init_has_reference_defaults),
        cmocka_unit_test(test_request_json_round_trip),
        cmocka_unit_test(test_request_missing_fields_keep_defaults),
        cmocka_unit_test(test_request_rejects_bad_fields_naming_them),
        cmocka_unit_test(test_request_rejects_non_object),
        cmocka_unit_test(test_request_bounds_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
