/*
 * Figures against an earlier run (src/perf/changes.c): the table cell of
 * a ratio, the notes: text of a change, and the lookup a renderer makes
 * per cell.
 */
#include "compat.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/perf_answers.h>

static void test_ratio_cells_are_signed_percentages(void **state)
{
    (void)state;
    static const struct {
        double ratio;
        const char *text;
    } cases[] = {
        {1.0, "+0.0%"},
        {1.0004, "+0.0%"},
        {0.9996, "+0.0%"},
        {1.031, "+3.1%"},
        {0.23, "-77.0%"},
        {2.0, "+100.0%"},
        {100.9995, "+9999.9%"},
        {101.0, ">+9999%"},
        {1e300, ">+9999%"},
        {1e-300, "-100.0%"},
        {0.0, "-"},
        {-1.0, "-"},
        {NAN, "-"},
        {INFINITY, "-"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[16];
        size_t n =
            paglets_perf_ratio_format(cases[i].ratio, text, sizeof(text));
        assert_string_equal(text, cases[i].text);
        assert_int_equal(n, strlen(cases[i].text));
        assert_true(n <= 8);
    }
}

static void test_change_text_names_figure_and_both_runs(void **state)
{
    (void)state;
    struct paglets_perf_change c = {
        "h",
        paglets_perf_metric_find("disk.write"),
        "/srv",
        1073741824.0,
        NAN,
        NAN,
        PAGLETS_PERF_WITHIN,
    };
    char line[128];
    paglets_perf_change_format(&c, line, sizeof(line));
    assert_string_equal(line, "disk.write /srv: 1.0G/s -> -");
    c = (struct paglets_perf_change){
        "h",
        paglets_perf_metric_find("cpu.integer"),
        NULL,
        100e6,
        60e6,
        0.6,
        PAGLETS_PERF_WORSE,
    };
    assert_int_equal(paglets_perf_change_format(&c, line, 8),
                     strlen("cpu.integer 100.0M/s -> 60.0M/s (0.6 x)"));
    assert_string_equal(line, "cpu.int");
}

static void test_lookup_finds_host_figure_and_volume(void **state)
{
    (void)state;
    const struct paglets_perf_metric_info *integer =
        paglets_perf_metric_find("cpu.integer");
    const struct paglets_perf_metric_info *write =
        paglets_perf_metric_find("disk.write");
    /* Sorted: host, catalogue order, path with NULL first. */
    const struct paglets_perf_change changes[] = {
        {"alpha", integer, NULL, 1, 1, 1, PAGLETS_PERF_WITHIN},
        {"alpha", write, "/a", 1, 2, 2, PAGLETS_PERF_BETTER},
        {"alpha", write, "/b", 2, 1, 0.5, PAGLETS_PERF_WORSE},
        {"beta", integer, NULL, 1, 1, 1, PAGLETS_PERF_WITHIN},
        {"gamma", write, "/a", 1, 1, 1, PAGLETS_PERF_WITHIN},
    };
    size_t n = sizeof(changes) / sizeof(changes[0]);
    assert_ptr_equal(
        paglets_perf_changes_lookup(changes, n, "alpha", "disk.write", "/b"),
        &changes[2]);
    assert_ptr_equal(
        paglets_perf_changes_lookup(changes, n, "beta", "cpu.integer", NULL),
        &changes[3]);
    assert_ptr_equal(
        paglets_perf_changes_lookup(changes, n, "gamma", "disk.write", "/a"),
        &changes[4]);
    assert_null(
        paglets_perf_changes_lookup(changes, n, "alpha", "disk.write", NULL));
    assert_null(
        paglets_perf_changes_lookup(changes, n, "beta", "cpu.float", NULL));
    assert_null(
        paglets_perf_changes_lookup(changes, n, "delta", "cpu.integer", NULL));
    assert_null(
        paglets_perf_changes_lookup(changes, n, "alpha", "no.such", NULL));
    assert_null(
        paglets_perf_changes_lookup(NULL, 0, "alpha", "cpu.integer", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ratio_cells_are_signed_percentages),
        cmocka_unit_test(test_change_text_names_figure_and_both_runs),
        cmocka_unit_test(test_lookup_finds_host_figure_and_volume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
