/*
 * paglets_parse_size and paglets_parse_seconds: what they accept and reject.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/common.h>

static void test_parse_size_accepts_binary_suffixes(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint64_t bytes;
    } cases[] = {
        {"1", 1},
        {"512", 512},
        {"1K", 1024},
        {"1k", 1024},
        {"1KB", 1024},
        {"1kb", 1024},
        {"128M", 128u << 20},
        {"128MB", 128u << 20},
        {"1.5G", 3ull << 29},
        {"2g", 2ull << 30},
        {"1T", 1ull << 40},
        {"0.5K", 512},
        {"7B", 7},
        {".5M", 512u << 10},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t bytes = 0;
        struct paglets_err err = {0};
        assert_int_equal(paglets_parse_size(cases[i].text, &bytes, &err), 0);
        assert_int_equal(bytes, cases[i].bytes);
    }
}

static void test_parse_size_rejects_bad_text(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "",    "0",    "-1",    "12Q",    "M",
        "1MM", "1 M",  " 1",    "nan",    "inf",
        "1e3", "0x10", "1.2.3", "0.0001", "99999999999999999999T",
        "+5",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t bytes = 42;
        struct paglets_err err = {0};
        int rc = paglets_parse_size(cases[i], &bytes, &err);
        assert_true(rc == -EINVAL || rc == -ERANGE);
        assert_int_equal(bytes, 42);
        assert_true(err.message[0] != '\0');
    }
}

static void test_parse_seconds_units(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double seconds;
    } cases[] = {
        {"1", 1.0},    {"0.25", 0.25}, {"250ms", 0.25}, {"2s", 2.0},
        {"2m", 120.0}, {"0", 0.0},     {"1.5S", 1.5},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double s = -1;
        assert_int_equal(paglets_parse_seconds(cases[i].text, &s, NULL), 0);
        assert_float_equal(s, cases[i].seconds, 1e-9);
    }
}

static void test_parse_seconds_rejects_negative_and_nan(void **state)
{
    (void)state;
    static const char *const cases[] = {"-1", "nan", "inf",  "1h",
                                        "",   "s",   "1e99", "2 s"};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double s = 7;
        struct paglets_err err = {0};
        assert_true(paglets_parse_seconds(cases[i], &s, &err) < 0);
        assert_float_equal(s, 7, 0);
        assert_non_null(strstr(err.message, cases[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_size_accepts_binary_suffixes),
        cmocka_unit_test(test_parse_size_rejects_bad_text),
        cmocka_unit_test(test_parse_seconds_units),
        cmocka_unit_test(test_parse_seconds_rejects_negative_and_nan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
