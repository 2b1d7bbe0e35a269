/*
 * Two stored runs compared (src/results/diff.c): hosts matched by name,
 * each figure's change judged against the threshold (a fall, or a rise
 * of a lower-is-better figure, is a regression), hosts in one run only,
 * warnings for options the runs did not share, an unsaved run against a
 * stored one, and the JSON and text the CLI prints.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_fixture.h"

/*
 * A host's figures: integer op/s, and fsync seconds and write B/s of
 * /srv; 0 leaves a figure out.
 */
struct host {
    const char *name;
    double integer;
    double fsync;
    double write;
};

static struct paglets_perf_summary *summary_of(const struct host *hosts)
{
    json_t *results = json_object();
    for (const struct host *h = hosts; h->name != NULL; h++) {
        json_t *single = json_array();
        if (h->integer > 0)
            json_array_append_new(
                single, json_pack("{s:s, s:f}", "name", "integer",
                                  "operations_per_second", h->integer));
        json_t *volume = json_pack("{s:s}", "path", "/srv");
        if (h->fsync > 0)
            json_object_set_new(volume, "fsync_seconds", json_real(h->fsync));
        if (h->write > 0)
            json_object_set_new(volume, "write_bytes_per_second",
                                json_real(h->write));
        json_t *result = json_pack("{s:{s:o}, s:{s:[o]}}", "cpu", "single_core",
                                   single, "disk", "volumes", volume);
        json_object_set_new(
            results, h->name,
            json_pack("{s:s, s:o}", "host_url", "u", "result", result));
    }
    json_t *json = json_pack("{s:o}", "results", results);
    char *text = json_dumps(json, 0);
    json_decref(json);
    struct paglets_perf_summary *summary = summary_from_text(text);
    free(text);
    return summary;
}

static const struct host before[] = {
    {"alpha", 100, 0.01, 0}, {"beta", 100, 0.01, 4e8}, {"gamma", 100, 0.01, 0},
    {"epsilon", 100, 0, 0},  {NULL, 0, 0, 0},
};

/* alpha twice as fast, beta at half, gamma's fsync 4 x slower, beta's
 * disk a little slower (within), epsilon gone, delta new. */
static const struct host after[] = {
    {"alpha", 200, 0.01, 0}, {"beta", 50, 0.01, 3.5e8}, {"delta", 100, 0, 0},
    {"gamma", 100, 0.04, 0}, {NULL, 0, 0, 0},
};

struct expected {
    const char *host;
    const char *metric;
    double before, after;
    enum paglets_perf_verdict verdict;
};

static void test_diff_judges_each_figure(void **state)
{
    struct scratch *s = *state;
    struct paglets_results *db = open_db(s->db);
    struct paglets_perf_summary *a = summary_of(before);
    struct paglets_perf_summary *b = summary_of(after);
    assert_int_equal(store(db, a, NULL), 1);
    assert_int_equal(store(db, b, NULL), 2);
    struct paglets_results_diff diff;
    assert_int_equal(paglets_results_diff(db, 1, 2, 0.75, &diff, NULL), 0);
    static const struct expected expected[] = {
        {"alpha", "cpu.integer", 100, 200, PAGLETS_PERF_BETTER},
        {"alpha", "disk.fsync", 0.01, 0.01, PAGLETS_PERF_WITHIN},
        {"beta", "cpu.integer", 100, 50, PAGLETS_PERF_WORSE},
        {"beta", "disk.write", 4e8, 3.5e8, PAGLETS_PERF_WITHIN},
        {"beta", "disk.fsync", 0.01, 0.01, PAGLETS_PERF_WITHIN},
        {"delta", "cpu.integer", NAN, 100, PAGLETS_PERF_WITHIN},
        {"epsilon", "cpu.integer", 100, NAN, PAGLETS_PERF_WITHIN},
        {"gamma", "cpu.integer", 100, 100, PAGLETS_PERF_WITHIN},
        {"gamma", "disk.fsync", 0.01, 0.04, PAGLETS_PERF_WORSE},
    };
    assert_int_equal(diff.n, sizeof(expected) / sizeof(expected[0]));
    for (size_t i = 0; i < diff.n; i++) {
        const struct paglets_perf_change *c = &diff.items[i];
        const struct expected *e = &expected[i];
        print_message("%s %s\n", e->host, e->metric);
        assert_string_equal(c->host, e->host);
        assert_string_equal(c->metric->id, e->metric);
        assert_true(isnan(e->before) ? isnan(c->before)
                                     : c->before == e->before);
        assert_true(isnan(e->after) ? isnan(c->after) : c->after == e->after);
        assert_true(isnan(e->before) || isnan(e->after)
                        ? isnan(c->ratio)
                        : c->ratio == e->after / e->before);
        assert_int_equal(c->verdict, e->verdict);
        assert_true((c->path != NULL) ==
                    (c->metric->part == PAGLETS_PERF_PART_DISK));
    }
    assert_int_equal(diff.regressions, 2);
    assert_int_equal(diff.mismatches, 0);
    assert_int_equal(diff.warnings.n, 0);
    assert_int_equal(diff.before_id, 1);
    assert_int_equal(diff.after_id, 2);
    assert_ptr_equal(
        paglets_results_diff_lookup(&diff, "gamma", "disk.fsync", "/srv"),
        &diff.items[8]);
    assert_null(
        paglets_results_diff_lookup(&diff, "gamma", "disk.fsync", NULL));
    assert_null(
        paglets_results_diff_lookup(&diff, "zeta", "cpu.integer", NULL));
    paglets_results_diff_release(&diff);
    assert_int_equal(diff.n, 0);
    paglets_results_diff_release(NULL);
    /* At 0.4, beta's fall to 0.5 x is within; gamma's 4 x fsync is not. */
    assert_int_equal(paglets_results_diff(db, 1, 2, 0.4, &diff, NULL), 0);
    assert_int_equal(diff.regressions, 1);
    assert_int_equal(diff.items[2].verdict, PAGLETS_PERF_WITHIN);
    paglets_results_diff_release(&diff);
    paglets_perf_summary_free(a);
    paglets_perf_summary_free(b);
    paglets_results_free(db);
}

static void test_diff_warns_about_other_options(void **state)
{
    struct scratch *s = *state;
    struct paglets_results *db = open_db(s->db);
    struct paglets_perf_summary *a = summary_of(before);
    struct paglets_perf_request request;
    paglets_perf_request_init(&request);
    store(db, a, &request);
    request.duration_seconds = 0.5;
    request.disk_size_bytes = 64ull << 20;
    request.workers = 4;
    store(db, a, &request);
    struct paglets_results_diff diff;
    assert_int_equal(paglets_results_diff(db, 1, 2, 0.75, &diff, NULL), 0);
    assert_int_equal(diff.mismatches, PAGLETS_RESULTS_MISMATCH_DURATION |
                                          PAGLETS_RESULTS_MISMATCH_DISK_SIZE |
                                          PAGLETS_RESULTS_MISMATCH_WORKERS);
    assert_int_equal(diff.warnings.n, 3);
    assert_string_equal(
        diff.warnings.items[0],
        "runs 1 and 2 used different --duration: 1 s and 0.5 s");
    assert_string_equal(
        diff.warnings.items[1],
        "runs 1 and 2 used different --disk-size: 128M and 64M");
    assert_string_equal(
        diff.warnings.items[2],
        "runs 1 and 2 used different --workers: 0 (one per CPU) and 4");
    assert_int_equal(diff.regressions, 0);
    paglets_results_diff_release(&diff);
    /* An unsaved run (--no-save) against stored run 1. */
    struct paglets_perf_summary *b = summary_of(after);
    struct paglets_results_record record;
    paglets_results_record_init(&record);
    record.request = &request;
    record.summary = b;
    assert_int_equal(
        paglets_results_diff_record(db, 1, &record, 0.75, &diff, NULL), 0);
    assert_int_equal(diff.after_id, 0);
    assert_int_equal(diff.regressions, 2);
    assert_string_equal(
        diff.warnings.items[0],
        "run 1 and this run used different --duration: 1 s and 0.5 s");
    paglets_results_diff_release(&diff);
    paglets_perf_request_release(&request);
    paglets_perf_summary_free(a);
    paglets_perf_summary_free(b);
    paglets_results_free(db);
}

static void test_diff_json_and_text(void **state)
{
    struct scratch *s = *state;
    struct paglets_results *db = open_db(s->db);
    static const struct host one[] = {{"h", 100, 0.01, 0}, {NULL, 0, 0, 0}};
    static const struct host two[] = {{"h", 50, 0, 0}, {NULL, 0, 0, 0}};
    struct paglets_perf_summary *a = summary_of(one);
    struct paglets_perf_summary *b = summary_of(two);
    store(db, a, NULL);
    store(db, b, NULL);
    struct paglets_results_diff diff;
    assert_int_equal(paglets_results_diff(db, 1, 2, 0.75, &diff, NULL), 0);
    json_t *json = paglets_results_diff_to_json(&diff);
    char *text = json_dumps(json, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(
        text, "{\"after_run_id\":2,\"before_run_id\":1,\"changes\":["
              "{\"after\":50.0,\"before\":100.0,\"host\":\"h\",\"metric\":"
              "\"cpu.integer\",\"path\":null,\"ratio\":0.5,\"verdict\":"
              "\"regression\"},"
              "{\"after\":null,\"before\":0.01,\"host\":\"h\",\"metric\":"
              "\"disk.fsync\",\"path\":\"/srv\",\"ratio\":null,\"verdict\":"
              "null}],\"regressions\":1,\"threshold\":0.75,\"warnings\":[]}");
    free(text);
    json_decref(json);
    char line[128];
    assert_int_equal(
        paglets_perf_change_format(&diff.items[0], line, sizeof(line)),
        strlen("cpu.integer 100.0/s -> 50.0/s (0.5 x)"));
    assert_string_equal(line, "cpu.integer 100.0/s -> 50.0/s (0.5 x)");
    paglets_perf_change_format(&diff.items[1], line, sizeof(line));
    assert_string_equal(line, "disk.fsync /srv: 0.01s -> -");
    paglets_results_diff_release(&diff);
    paglets_perf_summary_free(a);
    paglets_perf_summary_free(b);
    paglets_results_free(db);
}

static void test_diff_errors(void **state)
{
    struct scratch *s = *state;
    struct paglets_results *db = open_db(s->db);
    struct paglets_perf_summary *a = summary_of(before);
    store(db, a, NULL);
    store(db, a, NULL);
    struct paglets_results_diff diff;
    struct paglets_err err = {0};
    assert_int_equal(paglets_results_diff(db, 1, 3, 0.75, &diff, &err),
                     -ENOENT);
    assert_non_null(strstr(err.message, "no run 3"));
    assert_int_equal(diff.n, 0);
    assert_int_equal(paglets_results_diff(db, 1, 2, 0, &diff, NULL), -EINVAL);
    assert_int_equal(paglets_results_diff(db, 1, 2, 1.01, &diff, NULL),
                     -EINVAL);
    assert_int_equal(
        paglets_results_diff_record(db, 1, NULL, 0.75, &diff, NULL), -EINVAL);
    /* A pruned run is gone from diffs too. */
    assert_int_equal(paglets_results_prune(db, 1, NULL, NULL), 0);
    paglets_err_clear(&err);
    assert_int_equal(paglets_results_diff(db, 1, 2, 0.75, &diff, &err),
                     -ENOENT);
    assert_non_null(strstr(err.message, "no run 1"));
    paglets_perf_summary_free(a);
    paglets_results_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name)                                                                \
    cmocka_unit_test_setup_teardown(name, scratch_setup, scratch_teardown)
        T(test_diff_judges_each_figure),
        T(test_diff_warns_about_other_options),
        T(test_diff_json_and_text),
        T(test_diff_errors),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
