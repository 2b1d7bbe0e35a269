/*
 * The perf summary: decoding into typed results (accessors, what happens
 * to unknown fields and bad results), figure formatting, the text layout
 * of the reference (rows, disks:, notes:), error counting and the JSON
 * printer.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/perf.h>
#include <paglets/perf_answers.h>

#include "perf/report.h"

struct figure_case {
    double value;
    const char *text;
};

static void check_figures(void (*fmt)(double, char *, size_t),
                          const struct figure_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char text[PAGLETS__PERF_FIGURE_MAX];
        fmt(cases[i].value, text, sizeof(text));
        assert_string_equal(text, cases[i].text);
    }
}

static void test_rate_uses_decimal_units_with_one_decimal(void **state)
{
    (void)state;
    static const struct figure_case cases[] = {
        {0, "0.0"},       {999.94, "999.9"}, {999.96, "1000.0"},
        {1000, "1.0K"},   {1234567, "1.2M"}, {17234567, "17.2M"},
        {-2500, "-2.5K"}, {1e12, "1000.0G"}, {9.99e14, "999000.0G"},
    };
    check_figures(paglets__perf_fmt_rate, cases,
                  sizeof(cases) / sizeof(cases[0]));
}

/*
 * A host's 1e308 once printed as a 300-digit figure: a million of the
 * largest unit and more prints as the cap, infinities as "-".
 */
static void test_absurd_figures_are_capped(void **state)
{
    (void)state;
    static const struct figure_case rates[] = {
        {1.5e15, ">999999G"}, {1e308, ">999999G"}, {-1e308, "<-999999G"},
        {INFINITY, "-"},      {NAN, "-"},
    };
    check_figures(paglets__perf_fmt_rate, rates,
                  sizeof(rates) / sizeof(rates[0]));
    static const struct figure_case byte_rates[] = {
        {1e308, ">999999P/s"},
        {INFINITY, "-"},
        {1125899906842624.0 * 999998, "999998.0P/s"},
    };
    check_figures(paglets__perf_fmt_bytes_per_second, byte_rates,
                  sizeof(byte_rates) / sizeof(byte_rates[0]));
}

static void test_bytes_use_binary_units(void **state)
{
    (void)state;
    static const struct figure_case cases[] = {
        {0, "0B"},
        {1, "1B"},
        {1023.9, "1023B"},
        {1024, "1.0K"},
        {1536, "1.5K"},
        {134217728, "128.0M"},
        {1125899906842624.0, "1.0P"},
        {3458764513820540928.0, "3072.0P"},
    };
    check_figures(paglets__perf_fmt_bytes, cases,
                  sizeof(cases) / sizeof(cases[0]));
}

static void test_byte_rates_print_dash_when_missing(void **state)
{
    (void)state;
    static const struct figure_case cases[] = {
        {0, "-"},
        {-5, "-"},
        {0.5, "0B/s"},
        {1000, "1000B/s"},
        {2254857830.4, "2.1G/s"},
        {17179869184.0, "16.0G/s"},
    };
    check_figures(paglets__perf_fmt_bytes_per_second, cases,
                  sizeof(cases) / sizeof(cases[0]));
}

/* Two hosts with results, one failed host, one cleanup failure. */
static const char fixture[] =
    "{\"results\": {"
    " \"beta\": {\"host_url\": \"http://127.0.0.1:2\", \"result\": {"
    "  \"host_name\": \"beta\", \"errors\": [\"benchmark lock busy after "
    "0.200s\"],"
    "  \"cpu\": {\"single_core\": [], \"multi_core\": [],"
    "           \"errors\": [\"integer kernel failed\"]},"
    "  \"memory\": null, \"disk\": null}},"
    " \"alpha\": {\"host_url\": \"http://127.0.0.1:1\", \"result\": {"
    "  \"host_name\": \"alpha\", \"errors\": [],"
    "  \"cpu\": {\"errors\": [],"
    "   \"single_core\": ["
    "    {\"name\": \"integer\", \"operations_per_second\": 17234567},"
    "    {\"name\": \"float\", \"operations_per_second\": 19800000.0},"
    "    {\"name\": \"sha256\", \"bytes_per_second\": 2254857830.4}],"
    "   \"multi_core\": ["
    "    {\"name\": \"integer-multi\", \"operations_per_second\": 140200000}]},"
    "  \"memory\": {\"errors\": [], \"metrics\": ["
    "    {\"name\": \"memory-scan\", \"bytes_per_second\": 1},"
    "    {\"name\": \"memory-copy\", \"bytes_per_second\": 32856499814}]},"
    "  \"disk\": {\"errors\": [],"
    "   \"skipped\": [{\"path\": \"/proc\", \"reason\": \"special "
    "filesystem\"}],"
    "   \"volumes\": ["
    "    {\"path\": \"/data\", \"benchmark_size_bytes\": 134217728,"
    "     \"write_bytes_per_second\": 3972844748,"
    "     \"read_bytes_per_second\": 17179869184,"
    "     \"metadata_files_per_second\": 9130.4, \"read_cache_bypassed\":"
    "     false, \"notes\": [\"read served from the page cache\"]},"
    "    {\"path\": \"/a/very/long/path/that/is/longer/than/thirty-two\","
    "     \"benchmark_size_bytes\": 1048576,"
    "     \"write_bytes_per_second\": 1000, \"read_bytes_per_second\": 0,"
    "     \"metadata_files_per_second\": 50}]}}}},"
    " \"errors\": {\"gamma\": \"timed out waiting for benchmark result\"},"
    " \"cleanup_errors\": {\"delta\": \"connection refused\"},"
    " \"pending_hosts\": []}";

/* The reference's header lines of the host rows and of the disks: table. */
#define TABLE_HEADER                                                           \
    "host                int/s    float/s        sha  multi-int/s   mem copy"  \
    "    disk wr    disk rd err\n"
#define DISKS_HEADER                                                           \
    "disks:\n"                                                                 \
    "host           path                                  size      write"     \
    "       read   metadata\n"

static const char expected_table[] = TABLE_HEADER
    "alpha               17.2M      19.8M     2.1G/s       140.2M    30.6G/s"
    "     3.7G/s    16.0G/s   0\n"
    "beta                    -          -          -            -          -"
    "          -          -   2\n"
    "\n" DISKS_HEADER
    "alpha          /data                               128.0M     3.7G/s"
    "    16.0G/s      9130/s\n"
    "alpha          /a/very/long/path/that/is/longer      1.0M    1000B/s"
    "          -        50/s\n"
    "\n"
    "notes:\n"
    "  - gamma: timed out waiting for benchmark result\n"
    "  - delta: cleanup failed: connection refused\n";

/* The summary of json (a reference this call releases). */
static struct paglets_perf_summary *load_json(json_t *json)
{
    assert_non_null(json);
    struct paglets_err err = {0};
    struct paglets_perf_summary *summary =
        paglets_perf_summary_from_json(json, &err);
    json_decref(json);
    assert_non_null(summary);
    return summary;
}

static struct paglets_perf_summary *load(const char *text)
{
    json_error_t error;
    return load_json(json_loads(text, 0, &error));
}

static char *render_with(const struct paglets_perf_summary *summary,
                         const struct paglets_perf_text_options *options)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    assert_int_equal(
        paglets_perf_summary_write_text_with(summary, options, out), 0);
    fclose(out);
    return text;
}

static char *render(const struct paglets_perf_summary *summary, bool json,
                    unsigned flags)
{
    if (!json) {
        struct paglets_perf_text_options options;
        paglets_perf_text_options_init(&options);
        options.flags = flags;
        return render_with(summary, &options);
    }
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    assert_int_equal(paglets_perf_summary_write_json(summary, out), 0);
    fclose(out);
    return text;
}

static void expect_text(unsigned flags, const char *tail)
{
    struct paglets_perf_summary *summary = load(fixture);
    char *text = render(summary, false, flags);
    char expected[4096];
    snprintf(expected, sizeof(expected), "%s%s", expected_table, tail);
    assert_string_equal(text, expected);
    free(text);
    paglets_perf_summary_free(summary);
}

static void test_text_layout_matches_the_reference(void **state)
{
    (void)state;
    expect_text(0, "  - beta: benchmark lock busy after 0.200s\n"
                   "  - beta: integer kernel failed\n");
}

static void test_verbose_text_lists_skipped_targets(void **state)
{
    (void)state;
    expect_text(PAGLETS_PERF_TEXT_VERBOSE,
                "  - alpha: /data: read served from the page cache\n"
                "  - alpha: skipped /proc: special filesystem\n"
                "  - beta: benchmark lock busy after 0.200s\n"
                "  - beta: integer kernel failed\n");
}

static void test_clean_summary_has_no_disks_or_notes(void **state)
{
    (void)state;
    struct paglets_perf_summary *summary =
        load("{\"results\": {\"h\": {\"host_url\": \"u\", \"result\": "
             "{\"errors\": [], \"cpu\": null, \"disk\": {\"volumes\": [],"
             " \"errors\": [], \"skipped\": [{\"path\": \"/p\", \"reason\":"
             " \"r\"}]}}}}}");
    char *text = render(summary, false, 0);
    assert_null(strstr(text, "disks:"));
    assert_null(strstr(text, "notes:"));
    assert_int_equal(paglets_perf_summary_error_count(summary), 0);
    assert_int_equal(paglets_perf_summary_result_count(summary), 1);
    free(text);
    paglets_perf_summary_free(summary);
}

static void test_error_count_covers_every_part(void **state)
{
    (void)state;
    struct paglets_perf_summary *summary = load(fixture);
    /* gamma, delta, and beta's two. */
    assert_int_equal(paglets_perf_summary_error_count(summary), 4);
    paglets_perf_summary_free(summary);
    summary = load("{\"pending_hosts\": [\"x\"]}");
    assert_int_equal(paglets_perf_summary_error_count(summary), 1);
    paglets_perf_summary_free(summary);
}

static void test_summary_rejects_wrong_shapes(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "[]",
        "{\"results\": []}",
        "{\"results\": {\"h\": {\"result\": 3}}}",
        "{\"errors\": {\"h\": 3}}",
        "{\"cleanup_errors\": {\"h\": null}}",
        "{\"pending_hosts\": {}}",
        "{\"pending_hosts\": [1]}",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *json = json_loads(cases[i], 0, NULL);
        assert_non_null(json);
        struct paglets_err err = {0};
        assert_null(paglets_perf_summary_from_json(json, &err));
        assert_int_equal(err.code, -EINVAL);
        json_decref(json);
    }
}

static char *print_json(const json_t *json)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    assert_int_equal(paglets_perf_json_write(json, out), 0);
    fclose(out);
    return text;
}

static void test_json_is_sorted_indented_with_short_reals(void **state)
{
    (void)state;
    json_t *json = json_loads(
        "{\"results\": {}, \"errors\": {\"z\": "
        "\"\\u00e9/\\n\\t\\u0001\\ud83d\\ude00\\\"\\\\\"},"
        " \"pending_hosts\": [1, 0.2, 1e16, 1e-5, 123456789.125, 1e6,"
        " 0.0001, -0.0, 2.5e-7, 1.0, true, null]}",
        0, NULL);
    assert_non_null(json);
    char *text = print_json(json);
    assert_string_equal(text,
                        "{\n"
                        "  \"errors\": {\n"
                        "    \"z\": "
                        "\"\\u00e9/\\n\\t\\u0001\\ud83d\\ude00\\\"\\\\\"\n"
                        "  },\n"
                        "  \"pending_hosts\": [\n"
                        "    1,\n"
                        "    0.2,\n"
                        "    1e+16,\n"
                        "    1e-05,\n"
                        "    123456789.125,\n"
                        "    1000000.0,\n"
                        "    0.0001,\n"
                        "    -0.0,\n"
                        "    2.5e-07,\n"
                        "    1.0,\n"
                        "    true,\n"
                        "    null\n"
                        "  ],\n"
                        "  \"results\": {}\n"
                        "}\n");
    free(text);
    json_decref(json);
}

/*
 * A summary whose results carry every field of the schema (as hosts send
 * them) prints exactly as its JSON would: decoding and rendering from the
 * structs loses and adds nothing.
 */
static void test_complete_summary_prints_as_it_came(void **state)
{
    (void)state;
    json_t *json = json_loads(fixture, 0, NULL);
    assert_non_null(json);
    const char *host;
    json_t *entry;
    json_object_foreach(json_object_get(json, "results"), host, entry)
    {
        /* Fill the fixture's partial results to complete ones. */
        struct paglets_perf_host_result r = {0};
        assert_int_equal(paglets_perf_host_result_from_json(
                             &r, json_object_get(entry, "result"), NULL),
                         0);
        json_object_set_new(entry, "result",
                            paglets_perf_host_result_to_json(&r));
        paglets_perf_host_result_release(&r);
    }
    char *expected = print_json(json);
    struct paglets_perf_summary *summary =
        paglets_perf_summary_from_json(json, NULL);
    assert_non_null(summary);
    char *text = render(summary, true, 0);
    assert_string_equal(text, expected);
    free(text);
    free(expected);
    paglets_perf_summary_free(summary);
    json_decref(json);
}

static void test_unknown_fields_are_dropped_missing_ones_filled(void **state)
{
    (void)state;
    struct paglets_perf_summary *summary =
        load("{\"results\": {\"h\": {\"host_url\": \"http://h:1\","
             " \"extra\": 1, \"result\": {\"host_name\": \"h\","
             " \"future_figure\": 7, \"cpu\": {\"workers\": 2}}}}}");
    json_t *json = paglets_perf_summary_to_json(summary);
    assert_non_null(json);
    const json_t *entry =
        json_object_get(json_object_get(json, "results"), "h");
    const json_t *result = json_object_get(entry, "result");
    assert_null(json_object_get(entry, "extra"));
    assert_null(json_object_get(result, "future_figure"));
    assert_true(json_is_real(json_object_get(result, "lock_wait_seconds")));
    assert_true(json_is_null(json_object_get(result, "memory")));
    const json_t *cpu = json_object_get(result, "cpu");
    assert_int_equal(json_integer_value(json_object_get(cpu, "workers")), 2);
    /* A count the host did not send is unknown, not zero. */
    assert_true(json_is_null(json_object_get(cpu, "logical_cpus")));
    json_decref(json);
    paglets_perf_summary_free(summary);
}

static void test_accessors_list_hosts_in_name_order(void **state)
{
    (void)state;
    struct paglets_perf_summary *summary = load(fixture);
    assert_int_equal(paglets_perf_summary_result_count(summary), 2);
    const struct paglets_perf_host_entry *alpha =
        paglets_perf_summary_result(summary, 0);
    assert_string_equal(alpha->host_name, "alpha");
    assert_string_equal(alpha->host_url, "http://127.0.0.1:1");
    assert_int_equal(alpha->result.cpu->single_core.n, 3);
    assert_string_equal(alpha->result.disk->volumes.items[0].path, "/data");
    assert_string_equal(paglets_perf_summary_result(summary, 1)->host_name,
                        "beta");
    assert_null(paglets_perf_summary_result(summary, 2));
    assert_ptr_equal(paglets_perf_summary_find_result(summary, "alpha"), alpha);
    assert_null(paglets_perf_summary_find_result(summary, "gamma"));
    assert_int_equal(
        paglets_perf_host_result_error_count(
            &paglets_perf_summary_find_result(summary, "beta")->result),
        2);
    assert_int_equal(paglets_perf_summary_host_error_count(summary), 1);
    assert_string_equal(paglets_perf_summary_host_error(summary, 0)->host_name,
                        "gamma");
    assert_null(paglets_perf_summary_host_error(summary, 1));
    assert_int_equal(paglets_perf_summary_cleanup_error_count(summary), 1);
    assert_string_equal(paglets_perf_summary_cleanup_error(summary, 0)->message,
                        "connection refused");
    assert_int_equal(paglets_perf_summary_pending_count(summary), 0);
    assert_null(paglets_perf_summary_pending_host(summary, 0));
    paglets_perf_summary_free(summary);

    summary = load("{\"pending_hosts\": [\"zeta\", \"eta\"]}");
    assert_int_equal(paglets_perf_summary_pending_count(summary), 2);
    assert_string_equal(paglets_perf_summary_pending_host(summary, 0), "zeta");
    assert_null(paglets_perf_summary_find_result(summary, "zeta"));
    paglets_perf_summary_free(summary);
}

/* One host's result that does not decode costs that host only. */
static void test_invalid_result_becomes_a_host_error(void **state)
{
    (void)state;
    struct paglets_perf_summary *summary =
        load("{\"results\": {"
             " \"a\": {\"host_url\": \"u\", \"result\": {\"errors\": [],"
             "  \"cpu\": {\"workers\": \"eight\"}}},"
             " \"b\": {\"host_url\": \"u\", \"result\": {\"errors\": []}}},"
             " \"errors\": {\"c\": \"clone failed: refused\"}}");
    assert_int_equal(paglets_perf_summary_result_count(summary), 1);
    assert_string_equal(paglets_perf_summary_result(summary, 0)->host_name,
                        "b");
    assert_int_equal(paglets_perf_summary_host_error_count(summary), 2);
    const struct paglets_perf_host_message *a =
        paglets_perf_summary_host_error(summary, 0);
    assert_string_equal(a->host_name, "a");
    assert_string_equal(a->message,
                        "invalid result: field 'cpu.workers' must be null or "
                        "a non-negative integer");
    assert_int_equal(paglets_perf_summary_error_count(summary), 2);
    char *text = render(summary, false, 0);
    assert_non_null(strstr(text, "\nnotes:\n  - a: invalid result: field "
                                 "'cpu.workers' must be null or a "
                                 "non-negative integer\n  - c: clone failed: "
                                 "refused\n"));
    free(text);
    paglets_perf_summary_free(summary);
}

/*
 * A skip of a path the request named is the run failing to do what was
 * asked: an error (counted, in the err column) shown without --verbose;
 * a discovered one stays a verbose note.
 */
static void test_requested_skip_is_an_error_shown_always(void **state)
{
    (void)state;
    struct paglets_perf_summary *summary =
        load("{\"results\": {\"h\": {\"host_url\": \"u\", \"result\": "
             "{\"errors\": [], \"disk\": {\"volumes\": [], \"errors\": [],"
             " \"skipped\": [{\"path\": \"/data\", \"reason\": \"path is "
             "not an existing directory\", \"requested\": true},"
             " {\"path\": \"/p\", \"reason\": \"r\"}]}}}}}");
    assert_int_equal(paglets_perf_summary_error_count(summary), 1);
    assert_int_equal(
        paglets_perf_host_result_error_count(
            &paglets_perf_summary_find_result(summary, "h")->result),
        1);
    char *text = render(summary, false, 0);
    assert_non_null(strstr(text, "   1\n"));
    assert_non_null(strstr(text, "\nnotes:\n  - h: skipped /data: path is not "
                                 "an existing directory\n"));
    assert_null(strstr(text, "/p"));
    free(text);
    text = render(summary, false, PAGLETS_PERF_TEXT_VERBOSE);
    assert_non_null(strstr(text, "  - h: skipped /p: r\n"));
    free(text);
    paglets_perf_summary_free(summary);
}

/*
 * Three hosts of a mesh for the answers in the table: gamma is slow in
 * single-core integer, per worker in multi-core integer (one worker
 * against four) and writing to /srv.
 */
static json_t *mesh_host(double integer, double multi, int workers,
                         double write)
{
    return json_pack(
        "{s:s, s:{s:[], s:[], s:i, s:[{s:s, s:f}, {s:s, s:f}, {s:s, s:f}],"
        " s:[{s:s, s:f}]}, s:{s:[], s:[{s:s, s:f}]},"
        " s:{s:[], s:[], s:[{s:s, s:I, s:f, s:f, s:f}]}, s:[]}",
        "host_name", "x", "cpu", "errors", "multi_core", "workers", workers,
        "single_core", "name", "integer", "operations_per_second", integer,
        "name", "float", "operations_per_second", 20e6, "name", "sha256",
        "bytes_per_second", 1073741824.0, "multi_core", "name", "integer-multi",
        "operations_per_second", multi, "memory", "errors", "metrics", "name",
        "memory-copy", "bytes_per_second", 8589934592.0, "disk", "errors",
        "skipped", "volumes", "path", "/srv", "benchmark_size_bytes",
        (json_int_t)1048576, "write_bytes_per_second", write,
        "read_bytes_per_second", 2147483648.0, "metadata_files_per_second",
        9000.0, "errors");
}

static struct paglets_perf_summary *mesh_summary(void)
{
    json_t *results = json_pack(
        "{s:{s:s, s:o}, s:{s:s, s:o}, s:{s:s, s:o}}", "alpha", "host_url",
        "http://127.0.0.1:1", "result",
        mesh_host(100e6, 400e6, 4, 1073741824.0), "beta", "host_url",
        "http://127.0.0.1:2", "result",
        mesh_host(110e6, 440e6, 4, 1073741824.0), "gamma", "host_url",
        "http://127.0.0.1:3", "result", mesh_host(30e6, 50e6, 1, 536870912.0));
    return load_json(json_pack("{s:o}", "results", results));
}

static const char mesh_table[] = TABLE_HEADER
    "alpha              100.0M      20.0M     1.0G/s       400.0M     8.0G/s"
    "     1.0G/s     2.0G/s   0\n"
    "beta               110.0M      20.0M     1.0G/s       440.0M     8.0G/s"
    "     1.0G/s     2.0G/s   0\n"
    "gamma              30.0M!      20.0M     1.0G/s       50.0M!     8.0G/s"
    "   512.0M/s     2.0G/s   0\n"
    "\n" DISKS_HEADER
    "alpha          /srv                                  1.0M     1.0G/s"
    "     2.0G/s      9000/s\n"
    "beta           /srv                                  1.0M     1.0G/s"
    "     2.0G/s      9000/s\n"
    "gamma          /srv                                  1.0M  512.0M/s!"
    "     2.0G/s      9000/s\n"
    "\n"
    "notes:\n"
    "  - gamma: cpu.integer 30.0M/s is 0.3 x the median 100.0M/s of 3 hosts\n"
    "  - gamma: cpu.integer-multi 50.0M/s per worker is 0.5 x the median "
    "100.0M/s of 3 hosts\n"
    "  - gamma: disk.write /srv: 512.0M/s is 0.5 x the median 1.0G/s of 3 "
    "hosts\n";

/*
 * A flagged cell keeps its column's width: the '!' takes the place of
 * the last padding character, so every row is as long as without it, and
 * a notes: line names host, figure, value, median and ratio.
 */
static void test_outliers_are_flagged_inside_their_cells(void **state)
{
    (void)state;
    struct paglets_perf_summary *summary = mesh_summary();
    struct paglets_perf_outliers outliers;
    assert_int_equal(paglets_perf_outliers_find(summary, NULL, &outliers, NULL),
                     0);
    assert_int_equal(outliers.n, 3);
    struct paglets_perf_text_options options;
    paglets_perf_text_options_init(&options);
    options.outliers = &outliers;
    char *text = render_with(summary, &options);
    assert_string_equal(text, mesh_table);
    /* Without outliers: the reference layout, the same line lengths. */
    char *plain = render_with(summary, NULL);
    char *a = text, *b = plain;
    for (int line = 0; line < 9; line++) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        assert_int_equal(la, lb);
        a += la + 1;
        b += lb + 1;
    }
    assert_null(strchr(plain, '!'));
    assert_null(strstr(plain, "notes:"));
    free(plain);
    free(text);
    paglets_perf_outliers_release(&outliers);
    paglets_perf_summary_free(summary);
}

/* A change of one figure, for the --compare rows (sorted as lookups want). */
#define CHANGE(host, id, path, before, after, verdict)                         \
    {                                                                          \
        (char *)(host), NULL, (char *)(path), before, after,                   \
            (after) / (before), PAGLETS_PERF_##verdict                         \
    }

static const char compare_table[] = TABLE_HEADER
    "alpha              100.0M      20.0M     1.0G/s       400.0M     8.0G/"
    "s     1.0G/s     2.0G/s   0\n"
    "  vs run 7          +2.0%          -          -            -          "
    "-\n"
    "beta               110.0M      20.0M     1.0G/s       440.0M     8.0G/"
    "s     1.0G/s     2.0G/s   0\n"
    "  vs run 7              -          -          -            -          "
    "-\n"
    "gamma               30.0M      20.0M     1.0G/s        50.0M     8.0G/"
    "s   512.0M/s     2.0G/s   0\n"
    "  vs run 7        -70.0%!    +100.0%          -            -          "
    "-\n"
    "\n" DISKS_HEADER
    "alpha          /srv                                  1.0M     1.0G/s  "
    "   2.0G/s      9000/s\n"
    "  vs run 7                                                         -  "
    "        -           -\n"
    "beta           /srv                                  1.0M     1.0G/s  "
    "   2.0G/s      9000/s\n"
    "  vs run 7                                                         -  "
    "        -           -\n"
    "gamma          /srv                                  1.0M   512.0M/s  "
    "   2.0G/s      9000/s\n"
    "  vs run 7                                                   -50.0%!  "
    "        -           -\n"
    "\n"
    "notes:\n"
    "  - gamma: regression since run 7: cpu.integer 100.0M/s -> 30.0M/s (0."
    "3 x)\n"
    "  - gamma: regression since run 7: disk.write /srv: 1.0G/s -> 512.0M/s"
    " (0.5 x)\n";

/*
 * --compare: a line of changes under each host row and volume row, a '!'
 * inside the cell of a regression, "-" for figures without a change, and
 * a notes: line per regression.
 */
static void test_compare_rows_show_each_change(void **state)
{
    (void)state;
    struct paglets_perf_summary *summary = mesh_summary();
    struct paglets_perf_change changes[] = {
        CHANGE("alpha", "cpu.integer", NULL, 98e6, 100e6, WITHIN),
        CHANGE("gamma", "cpu.integer", NULL, 100e6, 30e6, WORSE),
        CHANGE("gamma", "cpu.float", NULL, 10e6, 20e6, BETTER),
        CHANGE("gamma", "disk.write", "/srv", 1073741824.0, 536870912.0, WORSE),
    };
    const char *ids[] = {"cpu.integer", "cpu.integer", "cpu.float",
                         "disk.write"};
    for (size_t i = 0; i < 4; i++)
        changes[i].metric = paglets_perf_metric_find(ids[i]);
    struct paglets_perf_text_options options;
    paglets_perf_text_options_init(&options);
    options.changes = changes;
    options.n_changes = 4;
    options.compare_label = "run 7";
    char *text = render_with(summary, &options);
    assert_string_equal(text, compare_table);
    free(text);
    paglets_perf_summary_free(summary);
}

/* The public printer lays out any value, as the summary's is laid out. */
static void test_json_printer_takes_any_value(void **state)
{
    (void)state;
    json_t *json = json_pack("{s:[], s:n, s:I}", "outliers", "run_id", "count",
                             (json_int_t)3);
    char *text = print_json(json);
    assert_string_equal(text, "{\n"
                              "  \"count\": 3,\n"
                              "  \"outliers\": [],\n"
                              "  \"run_id\": null\n"
                              "}\n");
    free(text);
    json_decref(json);
    assert_int_equal(paglets_perf_json_write(NULL, stdout), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_uses_decimal_units_with_one_decimal),
        cmocka_unit_test(test_absurd_figures_are_capped),
        cmocka_unit_test(test_bytes_use_binary_units),
        cmocka_unit_test(test_byte_rates_print_dash_when_missing),
        cmocka_unit_test(test_text_layout_matches_the_reference),
        cmocka_unit_test(test_verbose_text_lists_skipped_targets),
        cmocka_unit_test(test_clean_summary_has_no_disks_or_notes),
        cmocka_unit_test(test_error_count_covers_every_part),
        cmocka_unit_test(test_summary_rejects_wrong_shapes),
        cmocka_unit_test(test_json_is_sorted_indented_with_short_reals),
        cmocka_unit_test(test_complete_summary_prints_as_it_came),
        cmocka_unit_test(test_unknown_fields_are_dropped_missing_ones_filled),
        cmocka_unit_test(test_accessors_list_hosts_in_name_order),
        cmocka_unit_test(test_requested_skip_is_an_error_shown_always),
        cmocka_unit_test(test_invalid_result_becomes_a_host_error),
        cmocka_unit_test(test_outliers_are_flagged_inside_their_cells),
        cmocka_unit_test(test_compare_rows_show_each_change),
        cmocka_unit_test(test_json_printer_takes_any_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
