/*
 * The public log calls: which lines paglets_log_is_enabled() lets through
 * (levels against the threshold, debug lines by category).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <paglets/common.h>

static void test_levels_print_up_to_the_threshold(void **state)
{
    (void)state;
    paglets_log_set_level(PAGLETS_LOG_WARN);
    assert_true(paglets_log_is_enabled(PAGLETS_LOG_ERROR, NULL));
    assert_true(paglets_log_is_enabled(PAGLETS_LOG_WARN, "bench"));
    assert_false(paglets_log_is_enabled(PAGLETS_LOG_INFO, NULL));
    assert_false(paglets_log_is_enabled((enum paglets_log_level)7, NULL));
    assert_false(paglets_log_is_enabled((enum paglets_log_level) - 1, NULL));
}

static void test_debug_lines_need_their_category(void **state)
{
    (void)state;
    assert_false(paglets_log_is_enabled(PAGLETS_LOG_DEBUG, "bench"));
    assert_int_equal(paglets_log_set_debug("bench,http", NULL), 0);
    assert_true(paglets_log_is_enabled(PAGLETS_LOG_DEBUG, "bench"));
    assert_true(paglets_log_is_enabled(PAGLETS_LOG_DEBUG, "http"));
    assert_false(paglets_log_is_enabled(PAGLETS_LOG_DEBUG, "mesh"));
    assert_false(paglets_log_is_enabled(PAGLETS_LOG_DEBUG, "nonsense"));
    assert_false(paglets_log_is_enabled(PAGLETS_LOG_DEBUG, NULL));
    /* --debug also raises the threshold, so info lines print too. */
    assert_true(paglets_log_is_enabled(PAGLETS_LOG_INFO, NULL));
    /* Disabled lines cost nothing and print nothing. */
    paglets_log_write(PAGLETS_LOG_DEBUG, "mesh", "not printed %d", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels_print_up_to_the_threshold),
        cmocka_unit_test(test_debug_lines_need_their_category),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
