/*
 * paglets_escape: which characters it escapes and how, and how it cuts
 * output that does not fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/common.h>

#define TEXT(s) s, sizeof(s) - 1

static void test_escape_table(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t len;
        const char *escaped;
    } cases[] = {
        {TEXT("plain host-1.lan"), "plain host-1.lan"},
        {TEXT(""), ""},
        {TEXT("\x1b[31mred"), "\\x1b[31mred"},
        {TEXT("a\nb\tc\r"), "a\\x0ab\\x09c\\x0d"},
        {TEXT("nul\0in"), "nul\\x00in"},
        {TEXT("del\x7f"), "del\\x7f"},
        {TEXT("back\\slash"), "back\\\\slash"},
        /* Valid UTF-8 stays: é, 日本, an emoji. */
        {TEXT("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"),
         "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"},
        /* C1 controls: U+0085 NEL, U+009B CSI. */
        {TEXT("\xc2\x85\xc2\x9b"), "\\u0085\\u009b"},
        /* Bidi: U+200E/F, U+202A-E, U+2066-9. */
        {TEXT("\xe2\x80\x8e\xe2\x80\x8f"), "\\u200e\\u200f"},
        {TEXT("\xe2\x80\xaa\xe2\x80\xae"), "\\u202a\\u202e"},
        {TEXT("\xe2\x81\xa6\xe2\x81\xa9"), "\\u2066\\u2069"},
        /* Neighbours of the bidi ranges are ordinary characters. */
        {TEXT("\xe2\x80\x8d\xe2\x80\xaf\xe2\x81\xaa"),
         "\xe2\x80\x8d\xe2\x80\xaf\xe2\x81\xaa"},
        /* Invalid UTF-8: stray continuation, overlong, surrogate, cut. */
        {TEXT("\x80"), "\\x80"},
        {TEXT("\xc0\xaf"), "\\xc0\\xaf"},
        {TEXT("\xed\xa0\x80"), "\\xed\\xa0\\x80"},
        {TEXT("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80"},
        {TEXT("\xe2\x80"), "\\xe2\\x80"},
        {TEXT("\xff"), "\\xff"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[128];
        size_t need =
            paglets_escape(out, sizeof(out), cases[i].text, cases[i].len);
        assert_string_equal(out, cases[i].escaped);
        assert_int_equal(need, strlen(cases[i].escaped));
        assert_true(need <= 4 * cases[i].len);
    }
}

static void test_escape_cuts_between_pieces(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t size;
        const char *escaped;
    } cases[] = {
        {"abcdef", 4, "abc"},
        {"ab\x1b", 5, "ab"},      /* "\x1b" needs 4: not half of it */
        {"ab\x1b", 7, "ab\\x1b"}, /* exactly fits with the NUL */
        {"a\xc3\xa9z", 3, "a"},   /* é is not split */
        {"a\xe2\x80\xae", 7, "a"},
        {"\x1b"
         "abc",
         3, ""}, /* nothing after a piece that did not fit */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[16];
        memset(out, 'X', sizeof(out));
        size_t need = paglets_escape(out, cases[i].size, cases[i].text,
                                     strlen(cases[i].text));
        assert_string_equal(out, cases[i].escaped);
        assert_true(need >= strlen(cases[i].escaped));
        assert_int_equal(out[cases[i].size], 'X'); /* nothing past size */
    }
    char untouched = 'X';
    assert_int_equal(paglets_escape(&untouched, 0, "abc", 3), 3);
    assert_int_equal(untouched, 'X');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_table),
        cmocka_unit_test(test_escape_cuts_between_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
