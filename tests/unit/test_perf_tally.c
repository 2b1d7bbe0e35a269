/*
 * The tally of a collection (src/perf/tally.c): the entry host's replies
 * merged so none takes back an earlier error, wrong types refused, and
 * the end checked against the hosts online at the start.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/perf.h>

#include "perf/tally.h"

#define RESULT                                                                 \
    "{\"host_url\": \"http://h:1\", \"result\": {\"host_name\": \"x\"}}"

static int setup(void **state)
{
    static struct paglets__perf_tally t;
    assert_int_equal(paglets__perf_tally_init(&t, NULL), 0);
    json_t *hosts =
        json_loads("{\"hosts\": [{\"name\": \"alpha\", \"online\": true},"
                   " {\"name\": \"beta\", \"online\": true},"
                   " {\"name\": \"gamma\", \"online\": true},"
                   " {\"name\": \"down\", \"online\": false}, {\"name\": 7}]}",
                   0, NULL);
    assert_int_equal(paglets__perf_tally_set_online(&t, hosts, NULL), 0);
    json_decref(hosts);
    *state = &t;
    return 0;
}

static int teardown(void **state)
{
    paglets__perf_tally_release(*state);
    return 0;
}

static int absorb(struct paglets__perf_tally *t, const char *text,
                  struct paglets_err *err)
{
    json_t *json = json_loads(text, 0, NULL);
    assert_non_null(json);
    int rc = paglets__perf_tally_absorb(t, json, err);
    json_decref(json);
    return rc;
}

static void test_tally_keeps_every_error(void **state)
{
    struct paglets__perf_tally *t = *state;
    assert_int_equal(absorb(t,
                            "{\"results\": {\"alpha\": " RESULT "},"
                            " \"errors\": {\"beta\": \"disk on fire\"},"
                            " \"pending_hosts\": [\"gamma\"]}",
                            NULL),
                     0);
    /* Later replies leave beta out, change alpha, and fail alpha too. */
    assert_int_equal(absorb(t, "{\"results\": {}, \"errors\": {}}", NULL), 0);
    assert_int_equal(
        absorb(t, "{\"errors\": {\"alpha\": \"late failure\"}}", NULL), 0);
    assert_int_equal(paglets__perf_tally_settled(t), 2);
    assert_int_equal(json_array_size(paglets__perf_tally_pending(t)), 0);
    struct paglets_perf_summary *s = paglets__perf_tally_finish(t, NULL);
    assert_non_null(s);
    assert_int_equal(paglets_perf_summary_result_count(s), 0);
    assert_int_equal(paglets_perf_summary_host_error_count(s), 2);
    assert_string_equal(paglets_perf_summary_host_error(s, 0)->message,
                        "late failure");
    assert_string_equal(paglets_perf_summary_host_error(s, 1)->message,
                        "disk on fire");
    paglets_perf_summary_free(s);
}

static void test_tally_ignores_hosts_not_online_at_start(void **state)
{
    struct paglets__perf_tally *t = *state;
    assert_int_equal(absorb(t,
                            "{\"results\": {\"alpha\": " RESULT
                            ", \"ghost\": " RESULT "},"
                            " \"errors\": {\"down\": \"x\"},"
                            " \"pending_hosts\": [\"gamma\", \"nobody\"],"
                            " \"refused_results\": 2}",
                            NULL),
                     0);
    struct paglets_perf_summary *s = paglets__perf_tally_finish(t, NULL);
    assert_non_null(s);
    assert_int_equal(paglets_perf_summary_result_count(s), 1);
    assert_string_equal(paglets_perf_summary_result(s, 0)->host_name, "alpha");
    assert_int_equal(paglets_perf_summary_host_error_count(s), 0);
    assert_int_equal(paglets_perf_summary_pending_count(s), 1);
    assert_int_equal(paglets_perf_summary_ignored_host_count(s), 3);
    assert_string_equal(paglets_perf_summary_ignored_host(s, 0)->host_name,
                        "down");
    assert_string_equal(paglets_perf_summary_ignored_host(s, 2)->message,
                        "not online when the run started");
    assert_int_equal(paglets_perf_summary_refused_results(s), 2);
    /* pending, 3 ignored, 2 refused */
    assert_int_equal(paglets_perf_summary_error_count(s), 6);
    paglets_perf_summary_free(s);
}

static void test_tally_refuses_wrong_types_unchanged(void **state)
{
    struct paglets__perf_tally *t = *state;
    static const struct {
        const char *json, *says;
    } cases[] = {
        {"[]", "must be an object"},
        {"{\"errors\": [\"boom\"]}", "'errors'"},
        {"{\"errors\": {\"alpha\": 5}}", "'errors'"},
        {"{\"cleanup_errors\": {\"alpha\": null}}", "'cleanup_errors'"},
        {"{\"results\": {\"alpha\": 5}}", "'results'"},
        {"{\"results\": {\"alpha\": {\"result\": []}}}", "'results'"},
        {"{\"pending_hosts\": \"alpha\"}", "'pending_hosts'"},
        {"{\"pending_hosts\": [1, null]}", "'pending_hosts'"},
        {"{\"refused_results\": -1}", "'refused_results'"},
        {"{\"refused_results\": 1e308}", "'refused_results'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets_err err = {0};
        assert_int_equal(absorb(t, cases[i].json, &err), -EPROTO);
        assert_non_null(strstr(err.message, cases[i].says));
    }
    assert_int_equal(paglets__perf_tally_settled(t), 0);
    assert_int_equal(json_array_size(paglets__perf_tally_pending(t)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tally_keeps_every_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_tally_ignores_hosts_not_online_at_start, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_tally_refuses_wrong_types_unchanged, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
