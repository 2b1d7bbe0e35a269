/*
 * The HTML report's writer (src/report): host text escaped in one place
 * (markup, quotes, controls, bidi marks, bad UTF-8), names cut by
 * characters, and a whole report of a small summary: one chart per
 * figure with a bar per host, no median line below three hosts, the
 * outlier's colour and ratio with three. Rendering in a browser is
 * integration/test_report_browser.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/perf.h>
#include <paglets/perf_answers.h>

#include "report/html.h"
#include "report/report.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* What fn writes through a struct html, as a string (caller frees). */
static char *written(void (*fn)(struct html *, const char *, size_t),
                     const char *text, size_t n)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    struct html h = {f, 0};
    fn(&h, text, n);
    assert_int_equal(html_status(&h), 0);
    fclose(f);
    return buf;
}

static void text_fn(struct html *h, const char *text, size_t n)
{
    (void)n;
    html_text(h, text);
}

static void cut_fn(struct html *h, const char *text, size_t n)
{
    html_text_cut(h, text, n);
}

static void test_text_escaped(void **state)
{
    (void)state;
    char *s = written(text_fn, "<b a=\"x\" b='y'>&\x1b[2J\xe2\x80\xae\xff", 0);
    assert_string_equal(s, "&lt;b a=&quot;x&quot; b=&#39;y&#39;&gt;&amp;"
                           "\\x1b[2J\\u202e\\xff");
    free(s);
    s = written(text_fn, NULL, 0);
    assert_string_equal(s, "");
    free(s);
}

static void test_text_cut(void **state)
{
    (void)state;
    char *s = written(cut_fn, "abcdef", 6);
    assert_string_equal(s, "abcdef");
    free(s);
    s = written(cut_fn, "abcdefg", 6);
    assert_string_equal(s, "abcde\xe2\x80\xa6");
    free(s);
    /* Characters, not bytes: five two-byte letters fit in five. */
    s = written(cut_fn, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 5);
    assert_string_equal(s, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
    free(s);
    /* Cut before the entity, counted as the one character '<'. */
    s = written(cut_fn, "ab<defgh", 4);
    assert_string_equal(s, "ab&lt;\xe2\x80\xa6");
    free(s);
}

/* A summary of hosts named in names[] with cpu.integer at rates[]. */
static struct paglets_perf_summary *summary_of(const char *const *names,
                                               const double *rates, size_t n)
{
    json_t *results = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_pack(
            "{s:s, s:{s:s, s:[], s:{s:[], s:[{s:s, s:f}], s:[]}}}", "host_url",
            "http://192.0.2.1:8765", "result", "host_name", names[i], "errors",
            "cpu", "errors", "single_core", "name", "integer",
            "operations_per_second", rates[i], "multi_core");
        assert_non_null(r);
        json_object_set_new(results, names[i], r);
    }
    json_t *json = json_pack("{s:o}", "results", results);
    struct paglets_err err = {0};
    struct paglets_perf_summary *s = paglets_perf_summary_from_json(json, &err);
    assert_non_null(s);
    json_decref(json);
    return s;
}

/* The report of summary at threshold 0.75 (caller frees). */
static char *report_of(const struct paglets_perf_summary *summary)
{
    struct paglets_perf_outliers outliers;
    struct paglets_err err = {0};
    assert_int_equal(paglets_perf_outliers_find(summary, NULL, &outliers, &err),
                     0);
    const struct paglets_report_run run = {
        summary,    &outliers, NULL, PAGLETS_PERF_DEFAULT_OUTLIER_THRESHOLD,
        1764441600, 7};
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    assert_int_equal(paglets_report_html_write(&run, f), 0);
    fclose(f);
    paglets_perf_outliers_release(&outliers);
    return buf;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
        n++;
    return n;
}

static void test_two_hosts(void **state)
{
    (void)state;
    const char *const names[] = {"a<i>", "b"};
    const double rates[] = {1e6, 2e6};
    struct paglets_perf_summary *s = summary_of(names, rates, 2);
    char *html = report_of(s);
    assert_int_equal(count(html, "<svg "), 1);
    assert_int_equal(count(html, "fill=\"" REPORT_COLOUR_BAR "\""), 2);
    assert_int_equal(count(html, "<line "), 0); /* no median of two */
    assert_non_null(strstr(html, "no median: 2 hosts measured it"));
    /* b is the scale: 400 px; a half of it. */
    assert_non_null(strstr(html, "<rect x=\"180\" y=\"31\" width=\"200\""));
    assert_non_null(strstr(html, "<rect x=\"180\" y=\"51\" width=\"400\""));
    assert_non_null(strstr(html, "a&lt;i&gt;"));
    assert_null(strstr(html, "<i>"));
    assert_non_null(strstr(html, "<th>run</th><td>7</td>"));
    assert_non_null(strstr(html, "2025-11-29T18:40:00Z"));
    free(html);
    paglets_perf_summary_free(s);
}

static void test_outlier(void **state)
{
    (void)state;
    const char *const names[] = {"a", "b", "c"};
    const double rates[] = {1e6, 1e6, 0.5e6};
    struct paglets_perf_summary *s = summary_of(names, rates, 3);
    char *html = report_of(s);
    assert_int_equal(count(html, "fill=\"" REPORT_COLOUR_BAR "\""), 2);
    assert_int_equal(count(html, "fill=\"" REPORT_COLOUR_OUTLIER "\""), 1);
    assert_non_null(strstr(html, "! 0.50x"));
    /* The median 1e6 is the scale: its line at 180 + 400. */
    assert_non_null(strstr(html, "<line x1=\"580\" y1=\"24\" x2=\"580\""));
    assert_non_null(strstr(html, "outlier: cpu.integer"));
    free(html);
    paglets_perf_summary_free(s);
}

static void test_empty(void **state)
{
    (void)state;
    struct paglets_perf_summary *s = summary_of(NULL, NULL, 0);
    char *html = report_of(s);
    assert_int_equal(count(html, "<svg "), 0);
    assert_non_null(strstr(html, "No host measured anything."));
    assert_non_null(strstr(html, "</html>\n"));
    free(html);
    paglets_perf_summary_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_escaped), cmocka_unit_test(test_text_cut),
        cmocka_unit_test(test_two_hosts),    cmocka_unit_test(test_outlier),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
