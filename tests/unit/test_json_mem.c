/*
 * util/json_mem.c: per-thread budgets for jansson's allocations and the
 * footprint estimate agent state is charged with.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/json_mem.h"

/* text: n copies of item, comma-separated, inside open and close. */
static char *repeat(const char *open, const char *item, size_t n,
                    const char *close)
{
    size_t len = strlen(open) + n * (strlen(item) + 1) + strlen(close) + 1;
    char *text = malloc(len);
    assert_non_null(text);
    size_t at = (size_t)snprintf(text, len, "%s", open);
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(text + at, len - at, "%s%s", i ? "," : "", item);
    snprintf(text + at, len - at, "%s", close);
    return text;
}

static void test_budget_refuses_a_parse_over_its_limit(void **state)
{
    (void)state;
    /* 100,000 empty objects: 300 KB of text, megabytes of memory. */
    char *text = repeat("[", "{}", 100000, "]");
    json_error_t jerr;
    bool over = false;
    json_t *json = paglets__json_load_budget(text, strlen(text), 0, 1u << 20,
                                             &jerr, &over);
    assert_null(json);
    assert_true(over);
    json = paglets__json_load_budget(text, strlen(text), 0, 256u << 20, &jerr,
                                     &over);
    assert_non_null(json);
    assert_false(over);
    json_decref(json);
    free(text);
}

static void test_budget_counts_frees_and_nests(void **state)
{
    (void)state;
    struct paglets__budget outer, inner;
    paglets__budget_begin(&outer, 64u << 10);
    json_t *kept = json_string("kept by the outer scope");
    assert_non_null(kept);
    size_t before = outer.used;
    assert_true(before > 0);

    /* An inner scope can have no more than what the outer has left. */
    paglets__budget_begin(&inner, 1u << 30);
    json_t *big = json_array();
    for (int i = 0; big != NULL && i < 10000; i++)
        if (json_array_append_new(big, json_integer(i)) != 0)
            break;
    assert_true(json_array_size(big) < 10000);
    assert_true(paglets__budget_end(&inner));
    assert_true(outer.over);
    json_decref(big);
    assert_int_equal(outer.used, before);
    json_decref(kept);
    assert_int_equal(outer.used, 0);
    assert_true(paglets__budget_end(&outer));

    /* Outside every scope nothing is counted or refused. */
    json_t *free_range = json_string("x");
    assert_non_null(free_range);
    json_decref(free_range);
}

/*
 * The estimate is never below what a parse of the same text keeps
 * allocated (a state is charged no less than it holds), and not far
 * above it.
 */
static void test_footprint_bounds_what_a_parse_keeps(void **state)
{
    (void)state;
    char *texts[] = {
        repeat("[", "{}", 5000, "]"),
        repeat("[", "1", 5000, "]"),
        repeat("[", "1.5", 3000, "]"),
        repeat("[", "\"some string of text\"", 3000, "]"),
        repeat("[", "{\"a\":1,\"bb\":[true,null],\"c\":\"d\"}", 2000, "]"),
        repeat("{\"data\":[", "[[[]]]", 1000, "]}"),
        repeat("[", "{\"k\":{\"k\":{\"k\":{}}}}", 1000, "]"),
        strdup("{\"counter\":1,\"runs\":0,\"data\":null}"),
        strdup("[]"),
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct paglets__budget b;
        json_error_t jerr;
        paglets__budget_begin(&b, SIZE_MAX);
        json_t *json = json_loads(texts[i], 0, &jerr);
        paglets__budget_end(&b);
        assert_non_null(json);
        size_t estimate = paglets__json_footprint(json);
        if (estimate < b.used || estimate > 2 * b.used + 256)
            fail_msg("case %zu: estimate %zu, parse keeps %zu", i, estimate,
                     b.used);
        json_decref(json);
        free(texts[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budget_refuses_a_parse_over_its_limit),
        cmocka_unit_test(test_budget_counts_frees_and_nests),
        cmocka_unit_test(test_footprint_bounds_what_a_parse_keeps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
