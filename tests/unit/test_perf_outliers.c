/*
 * Outliers against the mesh and the metric catalogue behind them
 * (<paglets/perf_answers.h>): medians over the hosts that measured a
 * figure, thresholds both ways, per-worker and per-path comparison, and
 * figures from broken or hostile hosts (zero, NaN, negative, huge).
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

/* A figure the host did not send at all (the kernel is not in its list). */
#define ABSENT (-INFINITY)
/* workers: JSON null (unknown). */
#define NO_WORKERS (-1)

/* One host's figure of the metric a case looks at. */
struct figure {
    const char *host;
    double value;    /* NAN travels as JSON null, ABSENT leaves it out */
    int64_t workers; /* per-worker metrics; 0 means 1 */
    const char *path;
};

#define HOST(name, value)                                                      \
    {                                                                          \
        name, value, 0, NULL                                                   \
    }
#define CORES(name, value, workers)                                            \
    {                                                                          \
        name, value, workers, NULL                                             \
    }
#define ON(name, value, path)                                                  \
    {                                                                          \
        name, value, 0, path                                                   \
    }

/* A figure of `metric` (a catalogue id) as one host's result JSON. */
static json_t *kernel_json(const char *list_name, const char *kernel,
                           const char *rate, double value)
{
    json_t *list = json_array();
    if (value != ABSENT)
        json_array_append_new(
            list, json_pack("{s:s, s:o}", "name", kernel, rate,
                            isnan(value) ? json_null() : json_real(value)));
    return json_pack("{s:o}", list_name, list);
}

static json_t *host_json(const char *metric, const struct figure *f)
{
    json_t *result = json_pack("{s:s, s:[]}", "host_name", f->host, "errors");
    const char *dot = strchr(metric, '.');
    const char *name = dot + 1;
    json_t *number = isnan(f->value) ? json_null() : json_real(f->value);
    if (strncmp(metric, "disk.", 5) == 0) {
        const char *field =
            strcmp(name, "write") == 0   ? "write_bytes_per_second"
            : strcmp(name, "read") == 0  ? "read_bytes_per_second"
            : strcmp(name, "fsync") == 0 ? "fsync_seconds"
                                         : "metadata_files_per_second";
        json_t *volumes = json_array();
        if (f->value != ABSENT)
            json_array_append_new(volumes, json_pack("{s:s, s:O}", "path",
                                                     f->path, field, number));
        json_object_set_new(result, "disk",
                            json_pack("{s:o, s:[], s:[]}", "volumes", volumes,
                                      "skipped", "errors"));
    } else if (strncmp(metric, "memory.", 7) == 0) {
        json_object_set_new(
            result, "memory",
            kernel_json("metrics", name, "bytes_per_second", f->value));
    } else {
        bool multi = strstr(name, "-multi") != NULL;
        bool bytes = strncmp(name, "sha256", 6) == 0;
        json_t *cpu = kernel_json(
            multi ? "multi_core" : "single_core", name,
            bytes ? "bytes_per_second" : "operations_per_second", f->value);
        json_object_set_new(cpu, "workers",
                            f->workers == NO_WORKERS
                                ? json_null()
                                : json_integer(f->workers ? f->workers : 1));
        json_object_set_new(result, "cpu", cpu);
    }
    json_decref(number);
    return json_pack("{s:s, s:o}", "host_url", "http://127.0.0.1:1", "result",
                     result);
}

/* A summary of the hosts in figures (ended by a NULL host). */
static struct paglets_perf_summary *summary_of(const char *metric,
                                               const struct figure *figures)
{
    json_t *results = json_object();
    for (const struct figure *f = figures; f->host != NULL; f++)
        json_object_set_new(results, f->host, host_json(metric, f));
    json_t *json = json_pack("{s:o}", "results", results);
    assert_non_null(json);
    struct paglets_err err = {0};
    struct paglets_perf_summary *summary =
        paglets_perf_summary_from_json(json, &err);
    json_decref(json);
    assert_non_null(summary);
    assert_int_equal(paglets_perf_summary_host_error_count(summary), 0);
    return summary;
}

/* The flagged hosts as "a,b" (empty when none). */
static void flagged_hosts(const struct paglets_perf_outliers *o, char *out,
                          size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < o->n; i++) {
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", i ? "," : "", o->items[i].host);
    }
}

struct outlier_case {
    const char *what;
    const char *metric;
    double threshold; /* 0: the default */
    struct figure hosts[8];
    const char *path; /* the group whose median is checked */
    double median;    /* NAN: fewer than three hosts, no median */
    size_t median_hosts;
    const char *flagged;
};

static const struct outlier_case outlier_cases[] = {
    {"one host at half the median",
     "cpu.integer",
     0,
     {HOST("a", 100), HOST("b", 100), HOST("c", 50)},
     NULL,
     100,
     3,
     "c"},
    {"a tie at the threshold is flagged",
     "cpu.integer",
     0,
     {HOST("a", 100), HOST("b", 100), HOST("c", 75)},
     NULL,
     100,
     3,
     "c"},
    {"just above the threshold is not",
     "cpu.integer",
     0,
     {HOST("a", 100), HOST("b", 100), HOST("c", 75.01)},
     NULL,
     100,
     3,
     ""},
    {"an even count takes the mean of the middle two",
     "cpu.float",
     0,
     {HOST("a", 100), HOST("b", 120), HOST("c", 140), HOST("d", 60)},
     NULL,
     110,
     4,
     "d"},
    {"all equal: nothing flagged",
     "memory.memory-copy",
     0,
     {HOST("a", 5e9), HOST("b", 5e9), HOST("c", 5e9)},
     NULL,
     5e9,
     3,
     ""},
    {"two hosts have no median",
     "cpu.integer",
     0,
     {HOST("a", 100), HOST("b", 10)},
     NULL,
     NAN,
     2,
     ""},
    {"a host without the figure takes no part",
     "cpu.sha256",
     0,
     {HOST("a", 100), HOST("b", 100), HOST("c", ABSENT), HOST("d", 40)},
     NULL,
     100,
     3,
     "d"},
    {"a missing figure can leave too few hosts",
     "cpu.integer",
     0,
     {HOST("a", 100), HOST("b", ABSENT), HOST("c", 10)},
     NULL,
     NAN,
     2,
     ""},
    {"zero, NaN and negative figures take no part",
     "cpu.integer",
     0,
     {HOST("a", 100), HOST("b", 100), HOST("c", 0), HOST("d", NAN),
      HOST("e", -5), HOST("f", 30)},
     NULL,
     100,
     3,
     "f"},
    {"only hostile figures: no median at all",
     "cpu.integer",
     0,
     {HOST("a", 0), HOST("b", NAN), HOST("c", -1)},
     NULL,
     NAN,
     0,
     ""},
    {"huge figures do not overflow the median",
     "memory.memory-scan",
     0,
     {HOST("a", 1.7e308), HOST("b", 1.7e308), HOST("c", 1.7e308),
      HOST("d", 1.7e308)},
     NULL,
     1.7e308,
     4,
     ""},
    {"a huge figure does not make the others outliers",
     "cpu.integer",
     0,
     {HOST("a", 100), HOST("b", 100), HOST("c", 1e308)},
     NULL,
     100,
     3,
     ""},
    {"a tiny figure against huge ones",
     "cpu.integer",
     0,
     {HOST("a", 1e308), HOST("b", 1e308), HOST("c", 1e-300)},
     NULL,
     1e308,
     3,
     "c"},
    {"lower is better: a slow fsync is flagged",
     "disk.fsync",
     0,
     {ON("a", 0.1, "/d"), ON("b", 0.1, "/d"), ON("c", 0.4, "/d")},
     "/d",
     0.1,
     3,
     "c"},
    {"lower is better: a tie at median / threshold is flagged",
     "disk.fsync",
     0,
     {ON("a", 3, "/d"), ON("b", 3, "/d"), ON("c", 4, "/d")},
     "/d",
     3,
     3,
     "c"},
    {"lower is better: a fast fsync is not flagged",
     "disk.fsync",
     0,
     {ON("a", 0.1, "/d"), ON("b", 0.1, "/d"), ON("c", 0.001, "/d")},
     "/d",
     0.1,
     3,
     ""},
    {"per worker: more cores are not a reason",
     "cpu.integer-multi",
     0,
     {CORES("a", 400, 4), CORES("b", 400, 4), CORES("c", 800, 8),
      CORES("d", 100, 1)},
     NULL,
     100,
     4,
     ""},
    {"per worker: slow cores are",
     "cpu.integer-multi",
     0,
     {CORES("a", 400, 4), CORES("b", 400, 4), CORES("c", 200, 4)},
     NULL,
     100,
     3,
     "c"},
    {"per worker: unknown workers take no part",
     "cpu.sha256-multi",
     0,
     {CORES("a", 400, 4), CORES("b", 400, 4), CORES("c", 400, NO_WORKERS),
      CORES("d", 100, 4)},
     NULL,
     100,
     3,
     "d"},
    {"disk: volumes compared per path",
     "disk.write",
     0,
     {ON("a", 100, "/data"), ON("b", 100, "/data"), ON("c", 40, "/data"),
      ON("d", 10, "/other")},
     "/data",
     100,
     3,
     "c"},
    {"disk: a path on one host has no median",
     "disk.read",
     0,
     {ON("a", 100, "/data"), ON("b", 100, "/data"), ON("c", 100, "/data"),
      ON("d", 10, "/other")},
     "/other",
     NAN,
     1,
     ""},
    {"a lower threshold flags less",
     "cpu.integer",
     0.5,
     {HOST("a", 100), HOST("b", 100), HOST("c", 100), HOST("d", 60),
      HOST("e", 50)},
     NULL,
     100,
     5,
     "e"},
    {"threshold 1 flags everything below the median",
     "disk.metadata",
     1.0,
     {ON("a", 100, "/d"), ON("b", 99, "/d"), ON("c", 101, "/d")},
     "/d",
     100,
     3,
     "b"},
};

static void test_outlier_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(outlier_cases) / sizeof(outlier_cases[0]);
         i++) {
        const struct outlier_case *c = &outlier_cases[i];
        print_message("case: %s\n", c->what);
        struct paglets_perf_summary *summary = summary_of(c->metric, c->hosts);
        struct paglets_perf_outlier_options options;
        paglets_perf_outlier_options_init(&options);
        if (c->threshold > 0)
            options.threshold = c->threshold;
        struct paglets_perf_outliers o;
        struct paglets_err err = {0};
        assert_int_equal(
            paglets_perf_outliers_find(summary, &options, &o, &err), 0);
        char flagged[256];
        flagged_hosts(&o, flagged, sizeof(flagged));
        assert_string_equal(flagged, c->flagged);
        const struct paglets_perf_median *m =
            paglets_perf_outliers_median(&o, c->metric, c->path);
        if (c->median_hosts == 0) {
            assert_null(m);
        } else {
            assert_non_null(m);
            assert_int_equal(m->hosts, c->median_hosts);
            if (isnan(c->median))
                assert_true(isnan(m->median));
            else
                assert_true(m->median == c->median);
        }
        for (size_t k = 0; k < o.n; k++) {
            assert_string_equal(o.items[k].metric->id, c->metric);
            assert_true(o.items[k].ratio ==
                        o.items[k].value / o.items[k].median);
            assert_ptr_equal(paglets_perf_outliers_lookup(&o, o.items[k].host,
                                                          c->metric, c->path),
                             &o.items[k]);
        }
        paglets_perf_outliers_release(&o);
        assert_null(o.items);
        paglets_perf_summary_free(summary);
    }
}

/* Three hosts, gamma slow in two columns and on its volume. */
static const char three_hosts[] =
    "{\"results\": {"
    " \"alpha\": {\"host_url\": \"u\", \"result\": {\"cpu\": {\"workers\": 2,"
    "  \"single_core\": [{\"name\": \"integer\", \"operations_per_second\": "
    "1e8},"
    "   {\"name\": \"float\", \"operations_per_second\": 2e7}],"
    "  \"multi_core\": []},"
    "  \"disk\": {\"volumes\": [{\"path\": \"/srv\","
    "   \"write_bytes_per_second\": 4e8, \"fsync_seconds\": 0.01}]}}},"
    " \"beta\": {\"host_url\": \"u\", \"result\": {\"cpu\": {\"workers\": 2,"
    "  \"single_core\": [{\"name\": \"integer\", \"operations_per_second\": "
    "1e8},"
    "   {\"name\": \"float\", \"operations_per_second\": 2e7}],"
    "  \"multi_core\": []},"
    "  \"disk\": {\"volumes\": [{\"path\": \"/srv\","
    "   \"write_bytes_per_second\": 4e8, \"fsync_seconds\": 0.01}]}}},"
    " \"gamma\": {\"host_url\": \"u\", \"result\": {\"cpu\": {\"workers\": 2,"
    "  \"single_core\": [{\"name\": \"integer\", \"operations_per_second\": "
    "3e7},"
    "   {\"name\": \"float\", \"operations_per_second\": 5e6}],"
    "  \"multi_core\": []},"
    "  \"disk\": {\"volumes\": [{\"path\": \"/srv\","
    "   \"write_bytes_per_second\": 1e8, \"fsync_seconds\": 0.05},"
    "   {\"path\": \"/srv\", \"write_bytes_per_second\": 9e9}]}}}}}";

static struct paglets_perf_summary *load(const char *text)
{
    json_t *json = json_loads(text, 0, NULL);
    assert_non_null(json);
    struct paglets_perf_summary *summary =
        paglets_perf_summary_from_json(json, NULL);
    json_decref(json);
    assert_non_null(summary);
    return summary;
}

static void test_outliers_are_ordered_by_host_catalogue_and_path(void **state)
{
    (void)state;
    struct paglets_perf_summary *summary = load(three_hosts);
    struct paglets_perf_outliers o;
    assert_int_equal(paglets_perf_outliers_find(summary, NULL, &o, NULL), 0);
    static const char *const expected[] = {"cpu.integer", "cpu.float",
                                           "disk.write", "disk.fsync"};
    assert_int_equal(o.n, 4);
    for (size_t i = 0; i < o.n; i++) {
        assert_string_equal(o.items[i].host, "gamma");
        assert_string_equal(o.items[i].metric->id, expected[i]);
    }
    /* The second /srv volume of gamma is not a second figure. */
    assert_true(o.items[2].value == 1e8);
    assert_string_equal(o.items[2].path, "/srv");
    assert_null(o.items[0].path);
    assert_null(paglets_perf_outliers_lookup(&o, "alpha", "cpu.integer", NULL));
    assert_null(paglets_perf_outliers_lookup(&o, "gamma", "disk.write", NULL));
    assert_null(paglets_perf_outliers_lookup(&o, "gamma", "disk.write", "/x"));
    paglets_perf_outliers_release(&o);
    paglets_perf_outliers_release(&o); /* released twice: still empty */
    paglets_perf_outliers_release(NULL);
    paglets_perf_summary_free(summary);
}

static void test_outliers_render_as_json_and_notes(void **state)
{
    (void)state;
    struct paglets_perf_summary *summary = load(three_hosts);
    struct paglets_perf_outliers o;
    assert_int_equal(paglets_perf_outliers_find(summary, NULL, &o, NULL), 0);
    json_t *json = paglets_perf_outliers_to_json(&o);
    char *text = json_dumps(json, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(
        text,
        "[{\"host\":\"gamma\",\"median\":100000000.0,\"metric\":"
        "\"cpu.integer\",\"path\":null,\"ratio\":0.29999999999999999,"
        "\"value\":30000000.0},"
        "{\"host\":\"gamma\",\"median\":20000000.0,\"metric\":"
        "\"cpu.float\",\"path\":null,\"ratio\":0.25,\"value\":"
        "5000000.0},"
        "{\"host\":\"gamma\",\"median\":400000000.0,\"metric\":"
        "\"disk.write\",\"path\":\"/srv\",\"ratio\":0.25,\"value\":"
        "100000000.0},"
        "{\"host\":\"gamma\",\"median\":0.01,\"metric\":\"disk.fsync\","
        "\"path\":\"/srv\",\"ratio\":5.0,\"value\":0.050000000000000003}]");
    free(text);
    json_decref(json);
    static const char *const notes[] = {
        "cpu.integer 30.0M/s is 0.3 x the median 100.0M/s of 3 hosts",
        "cpu.float 5.0M/s is 0.25 x the median 20.0M/s of 3 hosts",
        "disk.write /srv: 95.4M/s is 0.25 x the median 381.5M/s of 3 hosts",
        "disk.fsync /srv: 0.05s is 5 x the median 0.01s of 3 hosts",
    };
    for (size_t i = 0; i < o.n; i++) {
        char line[256];
        size_t len =
            paglets_perf_outlier_format(&o.items[i], line, sizeof(line));
        assert_string_equal(line, notes[i]);
        assert_int_equal(len, strlen(notes[i]));
    }
    /* Cut short like snprintf: the length of the whole, a NUL in place. */
    char small[8];
    assert_int_equal(
        paglets_perf_outlier_format(&o.items[0], small, sizeof(small)),
        strlen(notes[0]));
    assert_string_equal(small, "cpu.int");
    paglets_perf_outliers_release(&o);
    paglets_perf_summary_free(summary);
}

static void test_per_worker_outlier_says_so(void **state)
{
    (void)state;
    static const struct figure hosts[] = {CORES("a", 4e8, 4),
                                          CORES("b", 4e8, 4),
                                          CORES("c", 1e8, 4), HOST(NULL, 0)};
    struct paglets_perf_summary *summary =
        summary_of("cpu.integer-multi", hosts);
    struct paglets_perf_outliers o;
    assert_int_equal(paglets_perf_outliers_find(summary, NULL, &o, NULL), 0);
    assert_int_equal(o.n, 1);
    char line[256];
    paglets_perf_outlier_format(&o.items[0], line, sizeof(line));
    assert_string_equal(line, "cpu.integer-multi 25.0M/s per worker is 0.25 x "
                              "the median 100.0M/s of 3 hosts");
    paglets_perf_outliers_release(&o);
    paglets_perf_summary_free(summary);
}

static void test_threshold_out_of_range_is_einval(void **state)
{
    (void)state;
    static const double bad[] = {0, -0.5, 1.5, NAN, INFINITY};
    struct paglets_perf_summary *summary = load(three_hosts);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct paglets_perf_outlier_options options;
        paglets_perf_outlier_options_init(&options);
        options.threshold = bad[i];
        struct paglets_perf_outliers o = {.n = 99};
        struct paglets_err err = {0};
        assert_int_equal(
            paglets_perf_outliers_find(summary, &options, &o, &err), -EINVAL);
        assert_int_equal(o.n, 0);
        assert_non_null(strstr(err.message, "outlier threshold"));
    }
    paglets_perf_summary_free(summary);
}

static void test_empty_summary_has_no_outliers(void **state)
{
    (void)state;
    struct paglets_perf_summary *summary = load("{}");
    struct paglets_perf_outliers o;
    assert_int_equal(paglets_perf_outliers_find(summary, NULL, &o, NULL), 0);
    assert_int_equal(o.n, 0);
    assert_int_equal(o.n_medians, 0);
    json_t *json = paglets_perf_outliers_to_json(&o);
    assert_true(json_is_array(json) && json_array_size(json) == 0);
    json_decref(json);
    paglets_perf_outliers_release(&o);
    paglets_perf_summary_free(summary);
}

static void test_catalogue_is_consistent(void **state)
{
    (void)state;
    static const char *const parts[] = {"cpu.", "memory.", "disk."};
    size_t n = paglets_perf_metric_count();
    assert_true(n >= 13);
    assert_null(paglets_perf_metric_at(n));
    for (size_t i = 0; i < n; i++) {
        const struct paglets_perf_metric_info *m = paglets_perf_metric_at(i);
        assert_ptr_equal(paglets_perf_metric_find(m->id), m);
        const char *prefix = parts[m->part];
        assert_memory_equal(m->id, prefix, strlen(prefix));
        assert_non_null(m->unit);
        assert_true((m->column != NULL) ==
                    (m->table != PAGLETS_PERF_TABLE_NONE));
        assert_true(m->table != PAGLETS_PERF_TABLE_DISKS ||
                    m->part == PAGLETS_PERF_PART_DISK);
        assert_true(!m->per_worker || strstr(m->id, "-multi") != NULL);
        assert_true(m->lower_is_better == (strcmp(m->unit, "s") == 0));
        for (size_t j = 0; j < i; j++) {
            const struct paglets_perf_metric_info *o =
                paglets_perf_metric_at(j);
            assert_true(strcmp(o->id, m->id) != 0);
            assert_true(m->column == NULL || o->column == NULL ||
                        m->table != o->table || strcmp(m->column, o->column));
        }
    }
    /* The table's columns, in its order. */
    static const char *const hosts[] = {"int/s", "float/s", "sha",
                                        "multi-int/s", "mem copy"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(paglets_perf_metric_at(i)->column, hosts[i]);
    assert_null(paglets_perf_metric_find("cpu.nothing"));
    assert_null(paglets_perf_metric_find(NULL));
}

struct judge_case {
    const char *metric;
    double value, reference, threshold;
    enum paglets_perf_verdict verdict;
};

static void test_judge(void **state)
{
    (void)state;
    static const struct judge_case cases[] = {
        {"cpu.integer", 75, 100, 0.75, PAGLETS_PERF_WORSE},
        {"cpu.integer", 76, 100, 0.75, PAGLETS_PERF_WITHIN},
        {"cpu.integer", 133, 100, 0.75, PAGLETS_PERF_WITHIN},
        {"cpu.integer", 4, 3, 0.75, PAGLETS_PERF_BETTER},
        {"disk.fsync", 4, 3, 0.75, PAGLETS_PERF_WORSE},
        {"disk.fsync", 75, 100, 0.75, PAGLETS_PERF_BETTER},
        {"disk.fsync", 1.3, 1, 0.75, PAGLETS_PERF_WITHIN},
        {"cpu.integer", 100, 100, 1.0, PAGLETS_PERF_WITHIN},
        {"cpu.integer", 99, 100, 1.0, PAGLETS_PERF_WORSE},
        {"cpu.integer", 0, 100, 0.75, PAGLETS_PERF_WITHIN},
        {"cpu.integer", NAN, 100, 0.75, PAGLETS_PERF_WITHIN},
        {"cpu.integer", 1, NAN, 0.75, PAGLETS_PERF_WITHIN},
        {"cpu.integer", 1, -100, 0.75, PAGLETS_PERF_WITHIN},
        {"cpu.integer", INFINITY, 100, 0.75, PAGLETS_PERF_WITHIN},
        {"cpu.integer", 1e308, 1e-308, 0.75, PAGLETS_PERF_WITHIN},
        {"cpu.integer", 1e-308, 1e308, 0.75, PAGLETS_PERF_WORSE},
        {"cpu.integer", 1, 100, 0, PAGLETS_PERF_WITHIN},
        {"cpu.integer", 1, 100, 1.5, PAGLETS_PERF_WITHIN},
        {"cpu.integer", 1, 100, NAN, PAGLETS_PERF_WITHIN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct judge_case *c = &cases[i];
        print_message("judge %s %g vs %g at %g\n", c->metric, c->value,
                      c->reference, c->threshold);
        assert_int_equal(
            paglets_perf_metric_judge(paglets_perf_metric_find(c->metric),
                                      c->value, c->reference, c->threshold),
            c->verdict);
    }
    assert_int_equal(paglets_perf_metric_judge(NULL, 1, 100, 0.75),
                     PAGLETS_PERF_WITHIN);
}

struct format_case {
    const char *metric;
    double value;
    const char *text;
};

static void test_format(void **state)
{
    (void)state;
    static const struct format_case cases[] = {
        {"cpu.integer", 17234567, "17.2M/s"},
        {"cpu.integer", 999, "999.0/s"},
        {"cpu.sha256", 2254857830.4, "2.1G/s"},
        {"memory.memory-copy", 512, "512B/s"},
        {"disk.metadata", 9130.4, "9130/s"},
        {"disk.fsync", 0.0912, "0.0912s"},
        {"disk.fsync", 12.5, "12.5s"},
        {"cpu.integer", 0, "-"},
        {"cpu.integer", -3, "-"},
        {"cpu.sha256", NAN, "-"},
        {"disk.fsync", INFINITY, "-"},
        {"cpu.integer", 1e300, "1e+300/s"},
        {"cpu.sha256", 1.7e308, "1.7e+308/s"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[64];
        paglets_perf_metric_format(paglets_perf_metric_find(cases[i].metric),
                                   cases[i].value, text, sizeof(text));
        assert_string_equal(text, cases[i].text);
    }
}

static void test_read_says_why_a_figure_is_missing(void **state)
{
    (void)state;
    static const struct figure hosts[] = {CORES("a", 400, 4), CORES("b", 0, 4),
                                          CORES("c", 400, NO_WORKERS),
                                          HOST(NULL, 0)};
    struct paglets_perf_summary *summary =
        summary_of("cpu.integer-multi", hosts);
    const struct paglets_perf_metric_info *multi =
        paglets_perf_metric_find("cpu.integer-multi");
    const struct paglets_perf_metric_info *write =
        paglets_perf_metric_find("disk.write");
    const struct paglets_perf_host_result *a =
        &paglets_perf_summary_find_result(summary, "a")->result;
    const struct paglets_perf_host_result *b =
        &paglets_perf_summary_find_result(summary, "b")->result;
    const struct paglets_perf_host_result *c =
        &paglets_perf_summary_find_result(summary, "c")->result;
    double v = -1;
    assert_int_equal(paglets_perf_metric_read(multi, a, NULL, 0, &v), 0);
    assert_true(v == 400);
    assert_int_equal(paglets_perf_metric_read(multi, a, NULL,
                                              PAGLETS_PERF_READ_PER_WORKER, &v),
                     0);
    assert_true(v == 100);
    assert_int_equal(paglets_perf_metric_read(multi, b, NULL, 0, &v), -ERANGE);
    assert_int_equal(paglets_perf_metric_read(multi, c, NULL, 0, &v), 0);
    assert_int_equal(paglets_perf_metric_read(multi, c, NULL,
                                              PAGLETS_PERF_READ_PER_WORKER, &v),
                     -ENOENT);
    assert_int_equal(
        paglets_perf_metric_read(paglets_perf_metric_find("cpu.float-multi"), a,
                                 NULL, 0, &v),
        -ENOENT);
    assert_int_equal(paglets_perf_metric_read(write, a, "/d", 0, &v), -ENOENT);
    assert_int_equal(paglets_perf_metric_read(write, a, NULL, 0, &v), -EINVAL);
    assert_int_equal(paglets_perf_metric_read(multi, a, "/d", 0, &v), -EINVAL);
    assert_int_equal(paglets_perf_metric_read(NULL, a, NULL, 0, &v), -EINVAL);
    paglets_perf_summary_free(summary);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outlier_cases),
        cmocka_unit_test(test_outliers_are_ordered_by_host_catalogue_and_path),
        cmocka_unit_test(test_outliers_render_as_json_and_notes),
        cmocka_unit_test(test_per_worker_outlier_says_so),
        cmocka_unit_test(test_threshold_out_of_range_is_einval),
        cmocka_unit_test(test_empty_summary_has_no_outliers),
        cmocka_unit_test(test_catalogue_is_consistent),
        cmocka_unit_test(test_judge),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_read_says_why_a_figure_is_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
