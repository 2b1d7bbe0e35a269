/*
 * GET /metrics without sockets: the exposition writer (escaping, HELP and
 * TYPE, numbers) and the gauges agents publish (checks, replacement,
 * withdrawal, bounds), on a host that is created but never started.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/host.h>

#include "runtime/expo.h"
#include "runtime/host_int.h"
#include "runtime/metrics.h"

static char *write_one(const char *const *labels, size_t n, double value)
{
    struct paglets__expo e;
    paglets__expo_init(&e, 1 << 20);
    paglets__expo_sample(&e, "m", labels, n, value);
    return paglets__expo_detach(&e);
}

static void test_expo_escapes_label_values(void **state)
{
    (void)state;
    static const struct {
        const char *value, *want;
    } cases[] = {
        {"plain", "m{l=\"plain\"} 1\n"},
        {"a\\b", "m{l=\"a\\\\b\"} 1\n"},
        {"say \"hi\"", "m{l=\"say \\\"hi\\\"\"} 1\n"},
        {"two\nlines", "m{l=\"two\\nlines\"} 1\n"},
        {"", "m{l=\"\"} 1\n"},
        {"tab\there", "m{l=\"tab\there\"} 1\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *labels[] = {"l", cases[i].value};
        char *text = write_one(labels, 1, 1);
        assert_string_equal(text, cases[i].want);
        free(text);
    }
}

static void test_expo_writes_numbers_go_reads(void **state)
{
    (void)state;
    static const struct {
        double value;
        const char *want;
    } cases[] = {
        {0, "m 0\n"},
        {0.1, "m 0.1\n"},
        {-2.5, "m -2.5\n"},
        {1e300, "m 1e+300\n"},
        {NAN, "m NaN\n"},
        {INFINITY, "m +Inf\n"},
        {-INFINITY, "m -Inf\n"},
        {1234567, "m 1234567\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = write_one(NULL, 0, cases[i].value);
        assert_string_equal(text, cases[i].want);
        free(text);
    }
    /* Every digit of a double survives. */
    char *text = write_one(NULL, 0, 0.1 + 0.2);
    assert_true(strtod(text + 2, NULL) == 0.1 + 0.2);
    free(text);
}

static void test_expo_family_has_help_and_type(void **state)
{
    (void)state;
    struct paglets__expo e;
    paglets__expo_init(&e, 1 << 20);
    paglets__expo_family(&e, "x_total", "counter", "a \\ b\nc \"q\"");
    const char *labels[] = {"a", "1", "b", "2"};
    paglets__expo_count(&e, "x_total", labels, 2, UINT64_MAX);
    char *text = paglets__expo_detach(&e);
    assert_string_equal(text,
                        "# HELP x_total a \\\\ b\\nc \"q\"\n"
                        "# TYPE x_total counter\n"
                        "x_total{a=\"1\",b=\"2\"} 18446744073709551615\n");
    free(text);
}

static void test_expo_limit_fails_whole_document(void **state)
{
    (void)state;
    struct paglets__expo e;
    paglets__expo_init(&e, 16);
    paglets__expo_family(&e, "a_long_family_name", "gauge", "help");
    paglets__expo_sample(&e, "m", NULL, 0, 1);
    assert_int_equal(e.rc, -EMSGSIZE);
    assert_null(paglets__expo_detach(&e));
}

static struct paglets_host *new_host(void)
{
    struct paglets_host_config c;
    paglets_host_config_init(&c);
    c.name = "unit \"host\"";
    c.mesh = false;
    struct paglets_host *host = paglets_host_new(&c, NULL);
    assert_non_null(host);
    return host;
}

static const char *const perf_labels[] = {"part", "cpu", "metric", "sha256"};

static void test_publish_replaces_and_withdraws(void **state)
{
    (void)state;
    struct paglets_host *host = new_host();
    struct paglets_metric m[] = {
        {"demo_rate", "A rate.", perf_labels, 2, 2.5},
        {"demo_count", "A count.", NULL, 0, 7},
        {"demo_rate", "A rate.", perf_labels, 1, 1.5},
    };
    assert_int_equal(paglets_host_publish_metrics(host, "demo", m, 3, NULL), 0);
    char *text = paglets__metrics_text(host);
    assert_non_null(
        strstr(text, "paglets_host_info{name=\"unit \\\"host\\\"\""));
    /* Families sorted, each once, labels in name order. */
    const char *count = strstr(text, "# TYPE demo_count gauge\ndemo_count 7\n");
    const char *rate = strstr(text, "# HELP demo_rate A rate.\n"
                                    "# TYPE demo_rate gauge\n"
                                    "demo_rate{metric=\"sha256\",part=\"cpu\"} "
                                    "2.5\n"
                                    "demo_rate{part=\"cpu\"} 1.5\n");
    assert_non_null(count);
    assert_non_null(rate);
    assert_true(count < rate);
    free(text);

    /* A new set replaces the whole group; an empty one withdraws it. */
    assert_int_equal(paglets_host_publish_metrics(host, "demo", m + 1, 1, NULL),
                     0);
    text = paglets__metrics_text(host);
    assert_null(strstr(text, "demo_rate"));
    assert_non_null(strstr(text, "demo_count 7"));
    free(text);
    assert_int_equal(paglets_host_publish_metrics(host, "demo", NULL, 0, NULL),
                     0);
    text = paglets__metrics_text(host);
    assert_null(strstr(text, "demo_"));
    free(text);
    paglets_host_free(host);
}

static void test_publish_refuses_bad_input(void **state)
{
    (void)state;
    struct paglets_host *host = new_host();
    const char *twice[] = {"a", "1", "a", "2"};
    const char *reserved_label[] = {"__name__", "x"};
    const char *bad_utf8[] = {"a", "\xff"};
    const char *many[2 * (PAGLETS_METRICS_MAX_LABELS + 1)];
    for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
        many[i] = &"ab"[i % 2]; /* names b, values ab: count first */
    const struct {
        struct paglets_metric m;
        int want;
    } cases[] = {
        {{"has:colon", "h", NULL, 0, 1}, -EINVAL},
        {{"9starts_with_digit", "h", NULL, 0, 1}, -EINVAL},
        {{"", "h", NULL, 0, 1}, -EINVAL},
        {{"paglets_host_agents", "h", NULL, 0, 1}, -EINVAL},
        {{"paglets_mesh_x", "h", NULL, 0, 1}, -EINVAL},
        {{"ok", NULL, NULL, 0, 1}, -EINVAL},
        {{"ok", "h", NULL, 0, NAN}, -EINVAL},
        {{"ok", "h", NULL, 0, INFINITY}, -EINVAL},
        {{"ok", "h", twice, 2, 1}, -EINVAL},
        {{"ok", "h", reserved_label, 1, 1}, -EINVAL},
        {{"ok", "h", bad_utf8, 1, 1}, -EINVAL},
        {{"ok", "h", many, PAGLETS_METRICS_MAX_LABELS + 1, 1}, -E2BIG},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets_err err = {0};
        assert_int_equal(
            paglets_host_publish_metrics(host, "g", &cases[i].m, 1, &err),
            cases[i].want);
        assert_true(err.message[0] != '\0');
    }
    struct paglets_metric same[] = {{"ok", "h", NULL, 0, 1},
                                    {"ok", "h", NULL, 0, 2}};
    assert_int_equal(paglets_host_publish_metrics(host, "g", same, 2, NULL),
                     -EINVAL);
    struct paglets_metric helps[] = {{"ok", "h", perf_labels, 1, 1},
                                     {"ok", "other", NULL, 0, 2}};
    assert_int_equal(paglets_host_publish_metrics(host, "g", helps, 2, NULL),
                     -EINVAL);
    assert_int_equal(
        paglets_host_publish_metrics(host, "bad-group", same, 1, NULL),
        -EINVAL);
    /* A family belongs to one group. */
    assert_int_equal(paglets_host_publish_metrics(host, "g", same, 1, NULL), 0);
    assert_int_equal(paglets_host_publish_metrics(host, "h", same, 1, NULL),
                     -EINVAL);
    /* A failed publish leaves the group as it was. */
    char *text = paglets__metrics_text(host);
    assert_non_null(strstr(text, "\nok 1\n"));
    free(text);
    paglets_host_free(host);
}

static void test_publish_bounds(void **state)
{
    (void)state;
    struct paglets_host *host = new_host();
    size_t n = PAGLETS_METRICS_MAX_SAMPLES + 1;
    struct paglets_metric *m = calloc(n, sizeof(*m));
    char(*values)[16] = calloc(n, sizeof(*values));
    const char **labels = calloc(2 * n, sizeof(*labels));
    assert_non_null(m);
    assert_non_null(values);
    assert_non_null(labels);
    for (size_t i = 0; i < n; i++) {
        snprintf(values[i], sizeof(values[i]), "%zu", i);
        labels[2 * i] = "i";
        labels[2 * i + 1] = values[i];
        m[i] = (struct paglets_metric){"many", "h", &labels[2 * i], 1, 1};
    }
    assert_int_equal(paglets_host_publish_metrics(host, "g", m, n, NULL),
                     -E2BIG);
    char name[16];
    int rc = 0;
    size_t groups = 0;
    while (rc == 0 && groups <= PAGLETS_METRICS_MAX_GROUPS) {
        snprintf(name, sizeof(name), "g%zu", groups);
        struct paglets_metric one = {name, "h", NULL, 0, 1};
        rc = paglets_host_publish_metrics(host, name, &one, 1, NULL);
        groups += rc == 0;
    }
    assert_int_equal(rc, -E2BIG);
    assert_int_equal(groups, PAGLETS_METRICS_MAX_GROUPS);
    free(m);
    free(values);
    free(labels);
    paglets_host_free(host);
}

/* A metrics key guards nothing without an API key, or as the API key. */
static void test_metrics_key_needs_another_api_key(void **state)
{
    (void)state;
    static const struct {
        const char *api_key, *metrics_key;
        bool ok;
    } cases[] = {
        {NULL, "scrape", false},
        {"same", "same", false},
        {"main", "scrape", true},
        {NULL, NULL, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets_host_config c;
        paglets_host_config_init(&c);
        c.name = "keys";
        c.mesh = false;
        c.api_key = cases[i].api_key;
        c.metrics_key = cases[i].metrics_key;
        struct paglets_err err = {0};
        struct paglets_host *host = paglets_host_new(&c, &err);
        assert_int_equal(host != NULL, cases[i].ok);
        if (!cases[i].ok)
            assert_int_equal(err.code, -EINVAL);
        paglets_host_free(host);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expo_escapes_label_values),
        cmocka_unit_test(test_expo_writes_numbers_go_reads),
        cmocka_unit_test(test_expo_family_has_help_and_type),
        cmocka_unit_test(test_expo_limit_fails_whole_document),
        cmocka_unit_test(test_publish_replaces_and_withdraws),
        cmocka_unit_test(test_publish_refuses_bad_input),
        cmocka_unit_test(test_publish_bounds),
        cmocka_unit_test(test_metrics_key_needs_another_api_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
