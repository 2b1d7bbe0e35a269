/*
 * The host URL parser: what it accepts, the canonical form it gives, and
 * what it refuses with which reason.
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

#include "wire/url.h"

static void test_url_parse_gives_canonical_form_and_parts(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *canonical;
        bool https;
        enum paglets__url_host_kind kind;
        const char *host;
        unsigned port;
    } cases[] = {
        {"http://127.0.0.1:8765", "http://127.0.0.1:8765", false,
         PAGLETS__URL_IPV4, "127.0.0.1", 8765},
        {"http://127.0.0.1:8765/", "http://127.0.0.1:8765", false,
         PAGLETS__URL_IPV4, "127.0.0.1", 8765},
        {"HTTP://Alpha.Example.COM:80", "http://alpha.example.com", false,
         PAGLETS__URL_NAME, "alpha.example.com", 80},
        {"http://h", "http://h", false, PAGLETS__URL_NAME, "h", 80},
        {"https://h", "https://h", true, PAGLETS__URL_NAME, "h", 443},
        {"https://h:443/", "https://h", true, PAGLETS__URL_NAME, "h", 443},
        {"https://h:80", "https://h:80", true, PAGLETS__URL_NAME, "h", 80},
        {"http://h:08765", "http://h:8765", false, PAGLETS__URL_NAME, "h",
         8765},
        {"http://h:1", "http://h:1", false, PAGLETS__URL_NAME, "h", 1},
        {"http://h:65535", "http://h:65535", false, PAGLETS__URL_NAME, "h",
         65535},
        {"http://[::1]:8765", "http://[::1]:8765", false, PAGLETS__URL_IPV6,
         "::1", 8765},
        {"http://[0:0:0:0:0:0:0:1]", "http://[::1]", false, PAGLETS__URL_IPV6,
         "::1", 80},
        {"http://[FE80::A]:9/", "http://[fe80::a]:9", false, PAGLETS__URL_IPV6,
         "fe80::a", 9},
        {"http://my_host-1.lan:7", "http://my_host-1.lan:7", false,
         PAGLETS__URL_NAME, "my_host-1.lan", 7},
        {"http://0.0.0.0:1", "http://0.0.0.0:1", false, PAGLETS__URL_IPV4,
         "0.0.0.0", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets__url url;
        struct paglets_err err = {0};
        int rc = paglets__url_parse(cases[i].text, &url, &err);
        if (rc != 0)
            fail_msg("'%s': %s", cases[i].text, err.message);
        assert_string_equal(url.text, cases[i].canonical);
        assert_int_equal(url.https, cases[i].https);
        assert_int_equal(url.kind, cases[i].kind);
        assert_string_equal(url.host, cases[i].host);
        assert_int_equal(url.port, cases[i].port);
        /* The canonical form is a fixed point. */
        struct paglets__url again;
        assert_int_equal(paglets__url_parse(url.text, &again, NULL), 0);
        assert_string_equal(again.text, url.text);
    }
}

static void test_url_parse_refuses_with_reason(void **state)
{
    (void)state;
    char long_name[300];
    memset(long_name, 'a', sizeof(long_name));
    memcpy(long_name, "http://", 7);
    long_name[sizeof(long_name) - 1] = '\0';
    static const struct {
        const char *text;
        const char *reason;
    } cases[] = {
        {"", "scheme"},
        {"127.0.0.1:8765", "scheme"},
        {"ftp://h", "scheme"},
        {"http:/h", "scheme"},
        {"http://", "host is missing"},
        {"http:///", "host is missing"},
        {"http://:80", "host is missing"},
        {"http://h/agents", "path"},
        {"http://h//", "path"},
        {"http://h:1/x/", "path"},
        {"http://h?x=1", "query"},
        {"http://h/?x=1", "query"},
        {"http://h#top", "fragment"},
        {"http://user@h", "user info"},
        {"http://u:p@h:1", "user info"},
        {"http://h:", "port"},
        {"http://h:0", "port"},
        {"http://h:65536", "port"},
        {"http://h:123456", "port"},
        {"http://h:-1", "port"},
        {"http://h:8a", "port"},
        {"http://h: 80", "port"},
        {"http://::1", "brackets"},
        {"http://[::1", "without ']'"},
        {"http://[::1]x", "only a port"},
        {"http://[::1]:", "port"},
        {"http://[fe80::1%25eth0]", "zone"},
        {"http://[1.2.3.4]", "IPv6"},
        {"http://[::g]", "IPv6"},
        {"http://1.2.3", "IPv4"},
        {"http://1.2.3.256", "IPv4"},
        {"http://01.2.3.4", "IPv4"},
        {"http://example.123", "IPv4"},
        {"http://a b", "name"},
        {"http://-a.b", "name"},
        {"http://a-.b", "name"},
        {"http://a..b", "name"},
        {"http://a.b.", "name"},
        {"http://h%41", "name"},
        {"http://h\x1b[31m", "name"},
        {"http://\xe2\x80\xae", "name"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets__url url;
        memset(&url, 0x5a, sizeof(url));
        struct paglets_err err = {0};
        if (paglets__url_parse(cases[i].text, &url, &err) != -EINVAL)
            fail_msg("'%s' was accepted", cases[i].text);
        if (strstr(err.message, cases[i].reason) == NULL)
            fail_msg("'%s': '%s' does not say '%s'", cases[i].text, err.message,
                     cases[i].reason);
        /* Refused input is shown escaped, the output left alone. */
        assert_null(strchr(err.message, '\x1b'));
        assert_int_equal(url.port, 0x5a5a);
    }
    struct paglets_err err = {0};
    assert_int_equal(paglets__url_parse(long_name, NULL, &err), -EINVAL);
    assert_non_null(strstr(err.message, "longer than 253"));
    paglets_err_clear(&err);
    assert_int_equal(paglets__url_parse(NULL, NULL, &err), -EINVAL);
}

static void test_url_parse_refuses_canonical_form_over_url_max(void **state)
{
    (void)state;
    /* Four labels of 62 bytes: a valid 251-byte name, too long in a URL. */
    char name[4 * 63], text[PAGLETS_URL_MAX + 32];
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        if (i > 0)
            name[n++] = '.';
        memset(name + n, 'a', 62);
        n += 62;
    }
    name[n] = '\0';
    snprintf(text, sizeof(text), "https://%s:1", name);
    struct paglets_err err = {0};
    assert_int_equal(paglets__url_parse(text, NULL, &err), -EINVAL);
    assert_non_null(strstr(err.message, "too long"));
}

static void test_url_normalize_works_in_place(void **state)
{
    (void)state;
    char text[PAGLETS_URL_MAX] = "HTTP://H:80/";
    assert_int_equal(paglets__url_normalize(text, text, NULL), 0);
    assert_string_equal(text, "http://h");
    char out[PAGLETS_URL_MAX] = "kept";
    assert_int_equal(paglets__url_normalize("http://h/p", out, NULL), -EINVAL);
    assert_string_equal(out, "kept");
}

static void test_url_from_address_brackets_ipv6(void **state)
{
    (void)state;
    struct paglets__url url;
    assert_int_equal(paglets__url_from_address(false, "::1", 8765, &url, NULL),
                     0);
    assert_string_equal(url.text, "http://[::1]:8765");
    assert_int_equal(
        paglets__url_from_address(false, "192.168.1.2", 80, &url, NULL), 0);
    assert_string_equal(url.text, "http://192.168.1.2");
    assert_int_equal(
        paglets__url_from_address(true, "Host.Lan", 8443, &url, NULL), 0);
    assert_string_equal(url.text, "https://host.lan:8443");
    assert_int_equal(paglets__url_from_address(false, "h", 0, &url, NULL),
                     -EINVAL);
    assert_int_equal(paglets__url_from_address(false, "h/x", 1, &url, NULL),
                     -EINVAL);
}

static void test_url_has_http_scheme(void **state)
{
    (void)state;
    assert_true(paglets__url_has_http_scheme("http://x"));
    assert_true(paglets__url_has_http_scheme("HTTPS://x"));
    assert_true(paglets__url_has_http_scheme("http://"));
    assert_false(paglets__url_has_http_scheme("ftp://x"));
    assert_false(paglets__url_has_http_scheme("beta"));
    assert_false(paglets__url_has_http_scheme("http:/x"));
    assert_false(paglets__url_has_http_scheme(NULL));
}

static void test_url_split_at_the_target(void **state)
{
    (void)state;
    static const struct {
        const char *text, *canonical, *authority, *target;
    } cases[] = {
        {"http://127.0.0.1:8765/agents/x/messages", "http://127.0.0.1:8765",
         "127.0.0.1:8765", "/agents/x/messages"},
        {"HTTP://H:80/a?b=c", "http://h", "h", "/a?b=c"},
        {"https://[::1]:443/health", "https://[::1]", "[::1]", "/health"},
        {"https://[::1]:8443?q", "https://[::1]:8443", "[::1]:8443", "?q"},
        {"http://h:1", "http://h:1", "h:1", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets__url url;
        const char *target = NULL;
        assert_int_equal(paglets__url_split(cases[i].text, &url, &target, NULL),
                         0);
        assert_string_equal(url.text, cases[i].canonical);
        assert_string_equal(paglets__url_authority(&url), cases[i].authority);
        assert_string_equal(target, cases[i].target);
    }
    struct paglets__url url;
    const char *target;
    assert_int_equal(paglets__url_split("ftp://h/x", &url, &target, NULL),
                     -EINVAL);
    assert_int_equal(paglets__url_split("http://u@h/x", &url, &target, NULL),
                     -EINVAL);
}

static void test_url_from_authority_reads_host_headers(void **state)
{
    (void)state;
    static const struct {
        bool https;
        const char *authority, *canonical; /* NULL: refused */
    } cases[] = {
        {false, "127.0.0.1:8765", "127.0.0.1:8765"},
        {false, "LocalHost:80", "localhost"},
        {true, "h:443", "h"},
        {true, "h:80", "h:80"},
        {false, "[::1]:9", "[::1]:9"},
        {false, "evil.example", "evil.example"},
        {false, "", NULL},
        {false, "h/x", NULL},
        {false, "u@h", NULL},
        {false, "h:1 x", NULL},
        {false, "h?x", NULL},
        {false, "h:0", NULL},
        {false, "[::1%eth0]:9", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets__url url;
        int rc = paglets__url_from_authority(cases[i].https, cases[i].authority,
                                             &url, NULL);
        if (cases[i].canonical == NULL) {
            assert_int_equal(rc, -EINVAL);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_string_equal(paglets__url_authority(&url), cases[i].canonical);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_parse_gives_canonical_form_and_parts),
        cmocka_unit_test(test_url_parse_refuses_with_reason),
        cmocka_unit_test(test_url_parse_refuses_canonical_form_over_url_max),
        cmocka_unit_test(test_url_normalize_works_in_place),
        cmocka_unit_test(test_url_from_address_brackets_ipv6),
        cmocka_unit_test(test_url_has_http_scheme),
        cmocka_unit_test(test_url_split_at_the_target),
        cmocka_unit_test(test_url_from_authority_reads_host_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
