/*
 * Child tokens (src/perf/tokens.c) and the child's answer: a token per
 * host, accepted once and only for its host; a result over 1 MiB never
 * leaves the child.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/perf.h>

#include "perf/bench.h"
#include "perf/tokens.h"

static const struct paglets_host_info hosts[] = {
    {.name = "alpha", .url = "http://127.0.0.1:1"},
    {.name = "beta", .url = "http://127.0.0.1:2"},
};

static void test_tokens_are_fresh_and_per_host(void **state)
{
    (void)state;
    struct paglets__perf_tokens t = {0};
    assert_int_equal(paglets__perf_tokens_issue(&t, hosts, 2), 0);
    const char *a = paglets__perf_tokens_find(&t, "alpha");
    const char *b = paglets__perf_tokens_find(&t, "beta");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(paglets__perf_token_is_valid(a));
    assert_string_not_equal(a, b);
    assert_null(paglets__perf_tokens_find(&t, "gamma"));
    char first[PAGLETS__PERF_TOKEN_HEX + 1];
    memcpy(first, a, sizeof(first));
    /* A new round: new tokens. */
    assert_int_equal(paglets__perf_tokens_issue(&t, hosts, 2), 0);
    assert_string_not_equal(first, paglets__perf_tokens_find(&t, "alpha"));
    paglets__perf_tokens_release(&t);
    assert_null(paglets__perf_tokens_find(&t, "alpha"));
}

static void test_tokens_redeem_once_for_their_host(void **state)
{
    (void)state;
    struct paglets__perf_tokens t = {0};
    assert_int_equal(paglets__perf_tokens_issue(&t, hosts, 2), 0);
    char alpha[PAGLETS__PERF_TOKEN_HEX + 1], beta[PAGLETS__PERF_TOKEN_HEX + 1];
    memcpy(alpha, paglets__perf_tokens_find(&t, "alpha"), sizeof(alpha));
    memcpy(beta, paglets__perf_tokens_find(&t, "beta"), sizeof(beta));
    char wrong[PAGLETS__PERF_TOKEN_HEX + 1];
    memcpy(wrong, alpha, sizeof(wrong));
    wrong[PAGLETS__PERF_TOKEN_HEX - 1] ^= 1;

    assert_int_equal(paglets__perf_tokens_redeem(&t, "alpha", NULL), -EPERM);
    assert_int_equal(paglets__perf_tokens_redeem(&t, "alpha", ""), -EPERM);
    assert_int_equal(paglets__perf_tokens_redeem(&t, "alpha", wrong), -EPERM);
    assert_int_equal(paglets__perf_tokens_redeem(&t, "alpha", beta), -EPERM);
    assert_int_equal(paglets__perf_tokens_redeem(&t, "gamma", alpha), -EPERM);
    assert_int_equal(paglets__perf_tokens_redeem(&t, "alpha", alpha), 0);
    assert_int_equal(paglets__perf_tokens_redeem(&t, "alpha", alpha), -EPERM);
    assert_int_equal(paglets__perf_tokens_redeem(&t, "beta", beta), 0);
    assert_int_equal(t.refused, 6);
    paglets__perf_tokens_release(&t);
    assert_int_equal(t.refused, 0);
}

static void test_answer_over_the_limit_is_an_error(void **state)
{
    (void)state;
    const char *token = "0123456789abcdef0123456789abcdef"
                        "0123456789abcdef0123456789abcdef";
    json_t *small = json_pack("{s:s}", "host_name", "alpha");
    json_t *body =
        paglets__perf_answer_body("alpha", "http://h:1", token, small);
    assert_non_null(body);
    assert_true(json_is_object(json_object_get(body, "result")));
    assert_null(json_object_get(body, "error"));
    assert_string_equal(json_string_value(json_object_get(body, "token")),
                        token);
    json_decref(body);

    char *filler = malloc(PAGLETS_PERF_MAX_RESULT_BYTES);
    assert_non_null(filler);
    memset(filler, 'x', PAGLETS_PERF_MAX_RESULT_BYTES - 1);
    filler[PAGLETS_PERF_MAX_RESULT_BYTES - 1] = '\0';
    json_t *big = json_pack("{s:[s]}", "errors", filler);
    free(filler);
    body = paglets__perf_answer_body("alpha", "http://h:1", token, big);
    assert_non_null(body);
    assert_null(json_object_get(body, "result"));
    assert_non_null(strstr(json_string_value(json_object_get(body, "error")),
                           "over the 1048576-byte limit"));
    json_decref(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens_are_fresh_and_per_host),
        cmocka_unit_test(test_tokens_redeem_once_for_their_host),
        cmocka_unit_test(test_answer_over_the_limit_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
