/*
 * Outliers against the mesh (<paglets/perf_answers.h>): per figure of the
 * catalogue (and per volume path for disk figures) the median over the
 * hosts that measured it, and the hosts the comparison finds worse.
 */
#include "perf_compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/perf.h>
#include <paglets/perf_answers.h>

#include "bench.h"

/* One host's figure, while a metric is being looked at. */
struct sample {
    const char *host; /* borrowed from the summary */
    const char *path; /* borrowed; NULL unless disk */
    double value;
};

struct samples {
    struct sample *items;
    size_t n;
};

/* strcmp with NULL first, so non-disk samples (all NULL) form one group. */
static int compare_paths(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int compare_samples(const void *pa, const void *pb)
{
    const struct sample *a = pa, *b = pb;
    int c = compare_paths(a->path, b->path);
    return c != 0 ? c : strcmp(a->host, b->host);
}

static int compare_doubles(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static int compare_outliers(const void *pa, const void *pb)
{
    const struct paglets_perf_outlier *a = pa, *b = pb;
    int c = strcmp(a->host, b->host);
    if (c == 0) {
        size_t ia = paglets_perf_metric_index(a->metric),
               ib = paglets_perf_metric_index(b->metric);
        c = (ia > ib) - (ia < ib);
    }
    return c != 0 ? c : compare_paths(a->path, b->path);
}

/* Add host's figure at path (NULL unless disk) when it is usable. */
static int add_sample(struct samples *list,
                      const struct paglets_perf_metric_info *metric,
                      const struct paglets_perf_host_entry *e, const char *path)
{
    double value;
    if (paglets_perf_metric_read(metric, &e->result, path,
                                 PAGLETS_PERF_READ_PER_WORKER, &value) != 0)
        return 0;
    struct sample *s = PAGLETS__PERF_PUSH(list);
    if (s == NULL)
        return -ENOMEM;
    *s = (struct sample){e->host_name, path, value};
    return 0;
}

/* Every usable figure of metric, sorted by path then host, no duplicates. */
static int collect(const struct paglets_perf_summary *summary,
                   const struct paglets_perf_metric_info *metric,
                   struct samples *list)
{
    size_t n_hosts = paglets_perf_summary_result_count(summary);
    int rc = 0;
    for (size_t h = 0; rc == 0 && h < n_hosts; h++) {
        const struct paglets_perf_host_entry *e =
            paglets_perf_summary_result(summary, h);
        const struct paglets_perf_disk_result *disk = e->result.disk;
        if (metric->part != PAGLETS_PERF_PART_DISK)
            rc = add_sample(list, metric, e, NULL);
        for (size_t v = 0; metric->part == PAGLETS_PERF_PART_DISK &&
                           disk != NULL && rc == 0 && v < disk->volumes.n;
             v++)
            if (disk->volumes.items[v].path != NULL)
                rc = add_sample(list, metric, e, disk->volumes.items[v].path);
    }
    if (rc != 0 || list->n < 2)
        return rc;
    qsort(list->items, list->n, sizeof(*list->items), compare_samples);
    /* A host listing one path twice has one figure for it (the first). */
    size_t kept = 1;
    for (size_t i = 1; i < list->n; i++)
        if (compare_samples(&list->items[i], &list->items[kept - 1]) != 0)
            list->items[kept++] = list->items[i];
    list->n = kept;
    return 0;
}

/*
 * The median of n values (sorted in place). Halves are added rather than
 * the sum halved, so two figures near DBL_MAX do not overflow.
 */
static double median_of(double *values, size_t n)
{
    qsort(values, n, sizeof(*values), compare_doubles);
    if (n % 2 == 1)
        return values[n / 2];
    return values[n / 2 - 1] / 2 + values[n / 2] / 2;
}

static int add_median(struct paglets_perf_outliers *out,
                      const struct paglets_perf_metric_info *metric,
                      const char *path, double median, size_t hosts)
{
    struct paglets_perf_median *m = paglets__perf_push(
        &out->medians, &out->n_medians, sizeof(*out->medians));
    if (m == NULL)
        return -ENOMEM;
    *m = (struct paglets_perf_median){metric, NULL, median, hosts};
    if (path != NULL && (m->path = strdup(path)) == NULL)
        return -ENOMEM;
    return 0;
}

static int add_outlier(struct paglets_perf_outliers *out,
                       const struct paglets_perf_metric_info *metric,
                       const struct sample *s, double median, size_t hosts)
{
    struct paglets_perf_outlier *o = PAGLETS__PERF_PUSH(out);
    if (o == NULL)
        return -ENOMEM;
    *o = (struct paglets_perf_outlier){
        .metric = metric,
        .value = s->value,
        .median = median,
        .ratio = s->value / median,
        .hosts = hosts,
    };
    o->host = strdup(s->host);
    if (s->path != NULL)
        o->path = strdup(s->path);
    return o->host != NULL && (s->path == NULL || o->path != NULL) ? 0
                                                                   : -ENOMEM;
}

/* One group: the samples of one metric that share a path. */
static int judge_group(struct paglets_perf_outliers *out,
                       const struct paglets_perf_metric_info *metric,
                       const struct sample *group, size_t n, double threshold,
                       double *scratch)
{
    double median = NAN;
    if (n >= PAGLETS_PERF_OUTLIER_MIN_HOSTS) {
        for (size_t i = 0; i < n; i++)
            scratch[i] = group[i].value;
        median = median_of(scratch, n);
    }
    int rc = add_median(out, metric, group[0].path, median, n);
    for (size_t i = 0; rc == 0 && !isnan(median) && i < n; i++)
        if (paglets_perf_metric_judge(metric, group[i].value, median,
                                      threshold) == PAGLETS_PERF_WORSE)
            rc = add_outlier(out, metric, &group[i], median, n);
    return rc;
}

static int find_metric(const struct paglets_perf_summary *summary,
                       const struct paglets_perf_metric_info *metric,
                       double threshold, struct paglets_perf_outliers *out)
{
    struct samples list = {0};
    double *scratch = NULL;
    int rc = collect(summary, metric, &list);
    if (rc == 0 && list.n > 0 &&
        (scratch = calloc(list.n, sizeof(*scratch))) == NULL)
        rc = -ENOMEM;
    for (size_t start = 0, end; rc == 0 && start < list.n; start = end) {
        end = start + 1;
        while (end < list.n &&
               compare_paths(list.items[end].path, list.items[start].path) == 0)
            end++;
        rc = judge_group(out, metric, &list.items[start], end - start,
                         threshold, scratch);
    }
    free(scratch);
    free(list.items);
    return rc;
}

void paglets_perf_outlier_options_init(
    struct paglets_perf_outlier_options *options)
{
    memset(options, 0, sizeof(*options));
    options->threshold = PAGLETS_PERF_DEFAULT_OUTLIER_THRESHOLD;
}

int paglets_perf_outliers_find(
    const struct paglets_perf_summary *summary,
    const struct paglets_perf_outlier_options *options,
    struct paglets_perf_outliers *out, struct paglets_err *err)
{
    struct paglets_perf_outlier_options defaults;
    paglets_perf_outlier_options_init(&defaults);
    if (options == NULL)
        options = &defaults;
    memset(out, 0, sizeof(*out));
    double t = options->threshold;
    if (!(t > 0 && t <= PAGLETS_PERF_MAX_OUTLIER_THRESHOLD))
        return paglets_err_set(err, -EINVAL,
                               "outlier threshold %g is out of range (above "
                               "0, at most %g)",
                               t, PAGLETS_PERF_MAX_OUTLIER_THRESHOLD);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < paglets_perf_metric_count(); i++)
        rc = find_metric(summary, paglets_perf_metric_at(i), t, out);
    if (rc != 0) {
        paglets_perf_outliers_release(out);
        return paglets_err_set(err, rc, "out of memory");
    }
    if (out->n > 1)
        qsort(out->items, out->n, sizeof(*out->items), compare_outliers);
    return 0;
}

void paglets_perf_outliers_release(struct paglets_perf_outliers *outliers)
{
    if (outliers == NULL)
        return;
    for (size_t i = 0; i < outliers->n; i++) {
        free(outliers->items[i].host);
        free(outliers->items[i].path);
    }
    for (size_t i = 0; i < outliers->n_medians; i++)
        free(outliers->medians[i].path);
    free(outliers->items);
    free(outliers->medians);
    memset(outliers, 0, sizeof(*outliers));
}

const struct paglets_perf_outlier *
paglets_perf_outliers_lookup(const struct paglets_perf_outliers *outliers,
                             const char *host, const char *metric_id,
                             const char *path)
{
    for (size_t i = 0; host != NULL && metric_id != NULL && i < outliers->n;
         i++) {
        const struct paglets_perf_outlier *o = &outliers->items[i];
        if (strcmp(o->host, host) == 0 &&
            strcmp(o->metric->id, metric_id) == 0 &&
            compare_paths(o->path, path) == 0)
            return o;
    }
    return NULL;
}

const struct paglets_perf_median *
paglets_perf_outliers_median(const struct paglets_perf_outliers *outliers,
                             const char *metric_id, const char *path)
{
    for (size_t i = 0; metric_id != NULL && i < outliers->n_medians; i++) {
        const struct paglets_perf_median *m = &outliers->medians[i];
        if (strcmp(m->metric->id, metric_id) == 0 &&
            compare_paths(m->path, path) == 0)
            return m;
    }
    return NULL;
}

json_t *
paglets_perf_outliers_to_json(const struct paglets_perf_outliers *outliers)
{
    json_t *array = json_array();
    for (size_t i = 0; array != NULL && i < outliers->n; i++) {
        const struct paglets_perf_outlier *o = &outliers->items[i];
        json_t *item = json_pack(
            "{s:s, s:s, s:o, s:f, s:f, s:f}", "host", o->host, "metric",
            o->metric->id, "path", o->path ? json_string(o->path) : json_null(),
            "value", o->value, "median", o->median, "ratio", o->ratio);
        if (json_array_append_new(array, item) != 0) {
            json_decref(array);
            array = NULL;
        }
    }
    return array;
}

size_t paglets_perf_outlier_format(const struct paglets_perf_outlier *outlier,
                                   char *out, size_t size)
{
    char value[64], median[64];
    paglets_perf_metric_format(outlier->metric, outlier->value, value,
                               sizeof(value));
    paglets_perf_metric_format(outlier->metric, outlier->median, median,
                               sizeof(median));
    const char *each = outlier->metric->per_worker ? " per worker" : "";
    return (size_t)snprintf(
        out, size, "%s%s%s%s %s%s is %.3g x the median %s of %zu hosts",
        outlier->metric->id, outlier->path ? " " : "",
        outlier->path ? outlier->path : "", outlier->path ? ":" : "", value,
        each, outlier->ratio, median, outlier->hosts);
}
