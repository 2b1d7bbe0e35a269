/*
 * struct paglets_err: first error wins, NULL is accepted, names are stable;
 * the version calls agree with the header.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/common.h>

static void test_err_set_keeps_first_error(void **state)
{
    (void)state;
    struct paglets_err err = {0};
    assert_int_equal(paglets_err_set(&err, -EINVAL, "bad %s", "thing"),
                     -EINVAL);
    assert_int_equal(paglets_err_set(&err, -EIO, "later"), -EIO);
    assert_int_equal(err.code, -EINVAL);
    assert_string_equal(err.message, "bad thing");
    paglets_err_clear(&err);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.message, "");
}

static void test_err_set_accepts_null(void **state)
{
    (void)state;
    assert_int_equal(paglets_err_set(NULL, -ENOMEM, "x"), -ENOMEM);
}

static void test_errname_is_symbolic(void **state)
{
    (void)state;
    assert_string_equal(paglets_errname(-ETIMEDOUT), "ETIMEDOUT");
    assert_string_equal(paglets_errname(-ENOENT), "ENOENT");
    assert_non_null(strstr(paglets_strerror(-ENOENT), "No such file"));
}

/* The header's numbers, the linked library's number and its text agree. */
static void test_version_number_matches_header_and_text(void **state)
{
    (void)state;
    assert_int_equal(paglets_version_number(), PAGLETS_VERSION_HEX);
    char text[32];
    snprintf(text, sizeof(text), "%d.%d.%d", PAGLETS_VERSION_MAJOR,
             PAGLETS_VERSION_MINOR, PAGLETS_VERSION_PATCH);
    assert_string_equal(paglets_version(), text);
    assert_true(PAGLETS_VERSION_HEX ==
                ((PAGLETS_VERSION_MAJOR << 16) | (PAGLETS_VERSION_MINOR << 8) |
                 PAGLETS_VERSION_PATCH));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_set_keeps_first_error),
        cmocka_unit_test(test_err_set_accepts_null),
        cmocka_unit_test(test_errname_is_symbolic),
        cmocka_unit_test(test_version_number_matches_header_and_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
