/*
 * HostBenchmarkResult JSON: every field survives a round trip, unknown
 * physical CPUs travel as null, bad peer data names the field and leaves
 * nothing behind, and fields a host left out are told apart from zeros.
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

#include "perf/bench.h"

static void add_metric(struct paglets_perf_metrics *v, const char *name, int k)
{
    struct paglets_perf_metric *m = PAGLETS__PERF_PUSH(v);
    assert_non_null(m);
    assert_int_equal(
        paglets__perf_metric_set(m, name, 0.5 * k, 1000u * k, 4096u * k), 0);
}

static void build(struct paglets_perf_host_result *r)
{
    r->host_name = strdup("alpha");
    r->host_url = strdup("http://127.0.0.1:8765");
    r->platform = strdup("Linux-6.1.0-x86_64-with-glibc2.36");
    r->platform_details.os = strdup("Linux");
    r->platform_details.kernel_release = strdup("6.1.0");
    r->platform_details.architecture = strdup("x86_64");
    r->platform_details.cpu_model = strdup("Test CPU \xc3\xa9");
    r->runtime_version = strdup("paglets-c 0.1.0 (gcc 12.2.0)");
    r->lock_wait_seconds = 0.125;
    r->memory_total_bytes = 1ull << 34;
    r->cpu = calloc(1, sizeof(*r->cpu));
    r->cpu->workers = 4;
    r->cpu->logical_cpus = 8;
    r->cpu->physical_cpus = -1;
    add_metric(&r->cpu->single_core, "integer", 1);
    add_metric(&r->cpu->multi_core, "integer-multi", 2);
    assert_int_equal(paglets__perf_strv_add(&r->cpu->errors, "cpu %d", 1), 0);
    r->memory = calloc(1, sizeof(*r->memory));
    add_metric(&r->memory->metrics, "memory-copy", 3);
    r->disk = calloc(1, sizeof(*r->disk));
    struct paglets_perf_disk_volume *v = PAGLETS__PERF_PUSH(&r->disk->volumes);
    *v = (struct paglets_perf_disk_volume){strdup("/data"),
                                           strdup("/dev/sda1"),
                                           strdup("ext4"),
                                           1ull << 40,
                                           1ull << 39,
                                           128u << 20,
                                           0.5,
                                           2.5e8,
                                           0.25,
                                           0.75,
                                           1.75e8,
                                           9000,
                                           true,
                                           {0}};
    assert_int_equal(paglets__perf_strv_add(&v->notes, "note"), 0);
    struct paglets_perf_disk_skip *s = PAGLETS__PERF_PUSH(&r->disk->skipped);
    *s = (struct paglets_perf_disk_skip){strdup("/proc"),
                                         strdup("special filesystem"),
                                         strdup("proc"), strdup("proc"), true};
    assert_int_equal(paglets__perf_strv_add(&r->errors, "host error"), 0);
}

static void test_host_result_round_trips_every_field(void **state)
{
    (void)state;
    struct paglets_perf_host_result a = {0}, b = {0};
    build(&a);
    json_t *j = paglets_perf_host_result_to_json(&a);
    assert_non_null(j);
    assert_true(json_is_null(
        json_object_get(json_object_get(j, "cpu"), "physical_cpus")));
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(j, "platform_details"), "kernel_release")),
        "6.1.0");
    assert_int_equal(paglets_perf_host_result_from_json(&b, j, NULL), 0);
    assert_int_equal(b.cpu->physical_cpus, -1);
    assert_string_equal(b.platform_details.cpu_model, "Test CPU \xc3\xa9");
    json_t *again = paglets_perf_host_result_to_json(&b);
    assert_true(json_equal(j, again));
    json_decref(again);
    json_decref(j);
    paglets_perf_host_result_release(&a);
    paglets_perf_host_result_release(&b);
}

static void test_parts_not_run_are_null(void **state)
{
    (void)state;
    struct paglets_perf_host_result a = {0}, b = {0};
    json_t *j = paglets_perf_host_result_to_json(&a);
    assert_true(json_is_null(json_object_get(j, "cpu")));
    assert_true(json_is_null(json_object_get(j, "memory")));
    assert_true(json_is_null(json_object_get(j, "disk")));
    assert_string_equal(json_string_value(json_object_get(j, "host_name")), "");
    assert_int_equal(paglets_perf_host_result_from_json(&b, j, NULL), 0);
    assert_null(b.cpu);
    json_decref(j);
    paglets_perf_host_result_release(&b);
}

static void test_bad_field_is_named_with_its_path(void **state)
{
    (void)state;
    struct paglets_perf_host_result a = {0}, b = {0};
    build(&a);
    json_t *j = paglets_perf_host_result_to_json(&a);
    json_t *m = json_array_get(
        json_object_get(json_object_get(j, "cpu"), "single_core"), 0);
    json_object_set_new(m, "operations", json_string("many"));
    struct paglets_err err = {0};
    assert_int_equal(paglets_perf_host_result_from_json(&b, j, &err), -EINVAL);
    assert_string_equal(err.message, "field 'cpu.single_core[0].operations' "
                                     "must be a non-negative integer");
    json_decref(j);
    paglets_perf_host_result_release(&a);
    paglets_perf_host_result_release(&b);
}

static void test_non_utf8_path_is_still_encoded(void **state)
{
    (void)state;
    struct paglets_perf_host_result a = {0};
    a.host_name = strdup("bad\xff name");
    json_t *j = paglets_perf_host_result_to_json(&a);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "host_name")),
                        "bad? name");
    json_decref(j);
    paglets_perf_host_result_release(&a);
}

static void test_failed_decode_leaves_the_result_empty(void **state)
{
    (void)state;
    struct paglets_perf_host_result r = {0};
    json_t *j = json_loads("{\"host_name\": \"a\", \"memory\": {\"metrics\":"
                           " [{\"name\": \"m\"}]}, \"errors\": [3]}",
                           0, NULL);
    struct paglets_err err = {0};
    assert_int_equal(paglets_perf_host_result_from_json(&r, j, &err), -EINVAL);
    assert_string_equal(err.message,
                        "field 'errors' must be an array of strings");
    assert_null(r.host_name);
    assert_null(r.memory);
    json_decref(j);
}

static void test_missing_counts_are_unknown_null_numbers_nan(void **state)
{
    (void)state;
    struct paglets_perf_host_result r = {0};
    json_t *j = json_loads("{\"lock_wait_seconds\": null, \"cpu\":"
                           " {\"workers\": 2, \"physical_cpus\": 1}}",
                           0, NULL);
    assert_int_equal(paglets_perf_host_result_from_json(&r, j, NULL), 0);
    assert_true(isnan(r.lock_wait_seconds));
    assert_int_equal(r.cpu->workers, 2);
    assert_int_equal(r.cpu->logical_cpus, -1);
    assert_int_equal(r.cpu->physical_cpus, 1);
    json_t *again = paglets_perf_host_result_to_json(&r);
    assert_true(json_is_null(json_object_get(again, "lock_wait_seconds")));
    json_decref(again);
    json_decref(j);
    paglets_perf_host_result_release(&r);
    paglets_perf_host_result_release(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_result_round_trips_every_field),
        cmocka_unit_test(test_parts_not_run_are_null),
        cmocka_unit_test(test_bad_field_is_named_with_its_path),
        cmocka_unit_test(test_non_utf8_path_is_still_encoded),
        cmocka_unit_test(test_failed_decode_leaves_the_result_empty),
        cmocka_unit_test(test_missing_counts_are_unknown_null_numbers_nan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
