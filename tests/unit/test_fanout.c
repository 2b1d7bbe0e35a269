/*
 * struct paglets_fanout bookkeeping: every host settles exactly once, the
 * first answer wins, expiry and clone failures affect only their host.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <paglets/fanout.h>

#include "core/fanout_int.h"

static const struct paglets_proxy proxy_a = {"http://127.0.0.1:1", "id-a"};

static struct paglets_fanout *round_of(const char *const *hosts, size_t n)
{
    struct paglets_fanout *fanout = paglets_fanout_new();
    assert_non_null(fanout);
    paglets_fanout_reset(fanout, 60);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(paglets_fanout_begin(fanout, hosts[i], "http://u"), 0);
    return fanout;
}

static json_t *summary_member(struct paglets_fanout *fanout, const char *key,
                              json_t **summary)
{
    *summary = paglets_fanout_summary(fanout);
    assert_non_null(*summary);
    return json_object_get(*summary, key);
}

static void test_begin_rejects_a_host_twice(void **state)
{
    (void)state;
    static const char *const hosts[] = {"a"};
    struct paglets_fanout *fanout = round_of(hosts, 1);
    assert_int_equal(paglets_fanout_begin(fanout, "a", "http://v"), -EEXIST);
    assert_int_equal(paglets_fanout_pending_count(fanout), 1);
    paglets_fanout_free(fanout);
}

static void test_first_answer_wins(void **state)
{
    (void)state;
    static const char *const hosts[] = {"a", "b"};
    struct paglets_fanout *fanout = round_of(hosts, 2);
    json_t *first = json_pack("{s:i}", "n", 1);
    json_t *second = json_pack("{s:i}", "n", 2);
    assert_int_equal(paglets_fanout_record_result(fanout, "a", first), 0);
    assert_int_equal(paglets_fanout_record_result(fanout, "a", second),
                     -EALREADY);
    assert_int_equal(paglets_fanout_record_error(fanout, "a", "late"),
                     -EALREADY);
    assert_int_equal(paglets_fanout_record_result(fanout, "zz", first),
                     -ENOENT);
    assert_int_equal(paglets_fanout_pending_count(fanout), 1);

    json_t *summary;
    json_t *results = summary_member(fanout, "results", &summary);
    assert_int_equal(json_object_size(results), 1);
    json_t *a = json_object_get(results, "a");
    assert_string_equal(json_string_value(json_object_get(a, "host_url")),
                        "http://u");
    assert_true(json_equal(json_object_get(a, "result"), first));
    assert_int_equal(json_object_size(json_object_get(summary, "errors")), 0);
    json_t *pending = json_object_get(summary, "pending_hosts");
    assert_int_equal(json_array_size(pending), 1);
    assert_string_equal(json_string_value(json_array_get(pending, 0)), "b");
    json_decref(summary);
    json_decref(first);
    json_decref(second);
    paglets_fanout_free(fanout);
}

static void test_expiry_settles_only_pending_hosts(void **state)
{
    (void)state;
    static const char *const hosts[] = {"a", "b", "c"};
    struct paglets_fanout *fanout = round_of(hosts, 3);
    json_t *result = json_object();
    assert_int_equal(paglets_fanout_record_result(fanout, "a", result), 0);
    assert_int_equal(paglets_fanout_record_error(fanout, "b", "boom"), 0);
    double deadline = paglets_fanout_deadline(fanout);
    assert_int_equal(paglets_fanout_expire(fanout, deadline - 1, "late"), 0);
    assert_int_equal(paglets_fanout_expire(fanout, deadline, "timed out"), 1);
    assert_int_equal(paglets_fanout_pending_count(fanout), 0);
    /* An answer arriving after expiry is not counted twice. */
    assert_int_equal(paglets_fanout_record_result(fanout, "c", result),
                     -EALREADY);

    json_t *summary;
    json_t *errors = summary_member(fanout, "errors", &summary);
    assert_string_equal(json_string_value(json_object_get(errors, "b")),
                        "boom");
    assert_string_equal(json_string_value(json_object_get(errors, "c")),
                        "timed out");
    assert_int_equal(json_object_size(json_object_get(summary, "results")), 1);
    json_decref(summary);
    json_decref(result);
    paglets_fanout_free(fanout);
}

static void test_clone_failure_is_an_error_for_that_host_only(void **state)
{
    (void)state;
    static const char *const hosts[] = {"a", "b"};
    struct paglets_fanout *fanout = round_of(hosts, 2);
    assert_int_equal(
        paglets_fanout_finish_clone(fanout, "a", NULL, "clone failed: x"), 0);
    assert_int_equal(paglets_fanout_finish_clone(fanout, "b", &proxy_a, NULL),
                     0);
    assert_int_equal(paglets_fanout_finish_clone(fanout, "q", &proxy_a, NULL),
                     -ENOENT);
    assert_int_equal(paglets_fanout_pending_count(fanout), 1);
    json_t *summary;
    json_t *errors = summary_member(fanout, "errors", &summary);
    assert_int_equal(json_object_size(errors), 1);
    assert_string_equal(json_string_value(json_object_get(errors, "a")),
                        "clone failed: x");
    json_decref(summary);
    paglets_fanout_free(fanout);
}

/*
 * A fast child can answer before its clone call has returned to the
 * parent; the late finish must neither lose nor overwrite that answer.
 */
static void test_answer_before_clone_returns_is_kept(void **state)
{
    (void)state;
    static const char *const hosts[] = {"a", "b"};
    struct paglets_fanout *fanout = round_of(hosts, 2);
    json_t *result = json_object();
    assert_int_equal(paglets_fanout_record_result(fanout, "a", result), 0);
    assert_int_equal(paglets_fanout_finish_clone(fanout, "a", &proxy_a, NULL),
                     0);
    assert_int_equal(paglets_fanout_record_error(fanout, "b", "e"), 0);
    assert_int_equal(paglets_fanout_finish_clone(fanout, "b", NULL, "gone"), 0);
    json_t *summary;
    json_t *errors = summary_member(fanout, "errors", &summary);
    assert_string_equal(json_string_value(json_object_get(errors, "b")), "e");
    assert_non_null(json_object_get(json_object_get(summary, "results"), "a"));
    json_decref(summary);
    json_decref(result);
    paglets_fanout_free(fanout);
}

static void test_reset_forgets_the_previous_round(void **state)
{
    (void)state;
    static const char *const hosts[] = {"a", "b"};
    struct paglets_fanout *fanout = round_of(hosts, 2);
    paglets_fanout_reset(fanout, 5);
    assert_int_equal(paglets_fanout_pending_count(fanout), 0);
    assert_int_equal(paglets_fanout_record_error(fanout, "a", "x"), -ENOENT);
    assert_true(paglets_fanout_deadline(fanout) >
                paglets_monotonic_seconds() + 4);
    json_t *summary;
    summary_member(fanout, "results", &summary);
    assert_int_equal(json_object_size(json_object_get(summary, "errors")), 0);
    assert_int_equal(
        json_object_size(json_object_get(summary, "cleanup_errors")), 0);
    json_decref(summary);
    paglets_fanout_free(fanout);
    paglets_fanout_free(NULL);
}

static void test_cleanup_errors_are_reported_beside_results(void **state)
{
    (void)state;
    static const char *const hosts[] = {"a"};
    struct paglets_fanout *fanout = round_of(hosts, 1);
    json_t *result = json_object();
    assert_int_equal(paglets_fanout_record_result(fanout, "a", result), 0);
    assert_int_equal(
        paglets__fanout_set_cleanup_error(fanout, "a", "connection refused"),
        0);
    assert_int_equal(paglets__fanout_set_cleanup_error(fanout, "b", "x"),
                     -ENOENT);
    json_t *summary;
    json_t *cleanup = summary_member(fanout, "cleanup_errors", &summary);
    assert_string_equal(json_string_value(json_object_get(cleanup, "a")),
                        "connection refused");
    assert_int_equal(json_object_size(json_object_get(summary, "results")), 1);
    json_decref(summary);
    json_decref(result);
    paglets_fanout_free(fanout);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_begin_rejects_a_host_twice),
        cmocka_unit_test(test_first_answer_wins),
        cmocka_unit_test(test_expiry_settles_only_pending_hosts),
        cmocka_unit_test(test_clone_failure_is_an_error_for_that_host_only),
        cmocka_unit_test(test_answer_before_clone_returns_is_kept),
        cmocka_unit_test(test_reset_forgets_the_previous_round),
        cmocka_unit_test(test_cleanup_errors_are_reported_beside_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
