/*
 * Structured field values (RFC 8941): the dictionaries, items, inner lists
 * and parameters the signature code reads, their serialisation, and what
 * the parser refuses.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wire/sf.h"

/* Serialise a member, whichever kind it is. */
static void write_member(const struct paglets__sf_member *m, char *out,
                         size_t size)
{
    int n = m->inner ? paglets__sf_write_inner(m, out, size)
                     : paglets__sf_write_item(&m->item, out, size);
    assert_true(n >= 0);
    assert_int_equal((size_t)n, strlen(out));
}

static void test_sf_dict_find_and_serialise(void **state)
{
    (void)state;
    static const struct {
        const char *field, *key, *serialised;
    } cases[] = {
        {"sig1=(\"@method\" \"@authority\");created=1;keyid=\"k\"", "sig1",
         "(\"@method\" \"@authority\");created=1;keyid=\"k\""},
        {"a=1, b=2;x;y=\"z\", c=:AQID:", "b", "2;x;y=\"z\""},
        {"a=1, b=2;x;y=\"z\", c=:AQID:", "c", ":AQID:"},
        {"a=1, a=2", "a", "2"},
        {"a, b=3", "a", "?1"},
        {"a;p=5", "a", "?1;p=5"},
        {"a=?0", "a", "?0"},
        {"  a=1 ,\tb=2", "b", "2"},
        {"a=:AQI:", "a", ":AQI=:"},
        {"a=:AQI=:", "a", ":AQI=:"},
        {"a=foo/bar:baz", "a", "foo/bar:baz"},
        {"a=*tok", "a", "*tok"},
        {"a=\"x\\\"y\\\\z\"", "a", "\"x\\\"y\\\\z\""},
        {"a=-5", "a", "-5"},
        {"a=999999999999999", "a", "999999999999999"},
        {"a=()", "a", "()"},
        {"a=(  1   2 );q", "a", "(1 2);q"},
        {"a=1;p=1;p=2;q", "a", "1;p=2;q"},
        {"*k-._*9=1", "*k-._*9", "1"},
        {"a=1;x=::", "a", "1;x=::"},
        {"sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "sha-256",
         ":X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets__sf_member m;
        char out[512];
        int rc = paglets__sf_dict_find(cases[i].field, cases[i].key, &m);
        if (rc != 0)
            fail_msg("case %zu '%s': %d", i, cases[i].field, rc);
        write_member(&m, out, sizeof(out));
        if (strcmp(out, cases[i].serialised) != 0)
            fail_msg("case %zu '%s': got '%s'", i, cases[i].field, out);
    }
}

static void test_sf_dict_find_reports_missing_key(void **state)
{
    (void)state;
    struct paglets__sf_member m;
    assert_int_equal(paglets__sf_dict_find("a=1, b=2", "c", &m), -ENOENT);
    assert_int_equal(paglets__sf_dict_find("", "c", &m), -ENOENT);
    assert_int_equal(paglets__sf_dict_find("   ", "c", &m), -ENOENT);
}

static void test_sf_dict_find_refuses_malformed(void **state)
{
    (void)state;
    char long_string[300], many_params[400], many_items[200], members[400];
    snprintf(long_string, sizeof(long_string), "a=\"%0128d\"", 0);
    strcpy(many_params, "a=1");
    for (int i = 0; i < 9; i++)
        snprintf(many_params + strlen(many_params),
                 sizeof(many_params) - strlen(many_params), ";p%d", i);
    strcpy(many_items, "a=(");
    for (int i = 0; i < 13; i++)
        strcat(many_items, "1 ");
    strcat(many_items, ")");
    members[0] = '\0';
    for (int i = 0; i < 33; i++)
        snprintf(members + strlen(members), sizeof(members) - strlen(members),
                 "%sk%d=1", i ? "," : "", i);
    const char *cases[] = {
        "a=1,",
        "a=1, ",
        "A=1",
        "1a=1",
        "a=1.5",
        "a=\"unterminated",
        "a=\"bad\\q\"",
        "a=\"tab\there\"",
        "a=(1 2",
        "a=(1  2)x",
        "a=(1)(2)",
        "a=1 b=2",
        "a=:AQ=I:",
        "a=:A:",
        "a=:AQ=:x",
        "a=:AQI==:",
        "a=:AQ:I:",
        "a=:A*:",
        "a=1234567890123456",
        "a=-",
        "a=?2",
        "a=?",
        "a=",
        "a=@",
        "a=1;P=2",
        "a=1;",
        "a=\"\xc3\xa9\"",
        ",a=1",
        long_string,
        many_params,
        many_items,
        members,
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets__sf_member m;
        int rc = paglets__sf_dict_find(cases[i], "a", &m);
        if (rc != -EINVAL)
            fail_msg("case %zu '%.60s': %d, want -EINVAL", i, cases[i], rc);
    }
}

static void test_sf_write_refuses_what_cannot_be_sent(void **state)
{
    (void)state;
    char out[64];
    struct paglets__sf_bare bare = {.type = PAGLETS__SF_STRING, .len = 2};
    memcpy(bare.text, "a\n", 3);
    assert_int_equal(paglets__sf_write_bare(&bare, out, sizeof(out)), -EINVAL);
    bare = (struct paglets__sf_bare){.type = PAGLETS__SF_INTEGER,
                                     .integer = 1000000000000000};
    assert_int_equal(paglets__sf_write_bare(&bare, out, sizeof(out)), -EINVAL);
    bare = (struct paglets__sf_bare){.type = PAGLETS__SF_TOKEN, .len = 1};
    memcpy(bare.text, "1", 2);
    assert_int_equal(paglets__sf_write_bare(&bare, out, sizeof(out)), -EINVAL);
    bare = (struct paglets__sf_bare){.type = PAGLETS__SF_STRING, .len = 10};
    memcpy(bare.text, "0123456789", 11);
    assert_int_equal(paglets__sf_write_bare(&bare, out, 8), -ENOSPC);
    assert_int_equal(paglets__sf_write_bare(&bare, out, 13), 12);
    assert_string_equal(out, "\"0123456789\"");
}

static void test_base64_encode_pads(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[16];
        paglets__base64_encode((const unsigned char *)cases[i].in,
                               strlen(cases[i].in), out);
        assert_string_equal(out, cases[i].out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sf_dict_find_and_serialise),
        cmocka_unit_test(test_sf_dict_find_reports_missing_key),
        cmocka_unit_test(test_sf_dict_find_refuses_malformed),
        cmocka_unit_test(test_sf_write_refuses_what_cannot_be_sent),
        cmocka_unit_test(test_base64_encode_pads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
