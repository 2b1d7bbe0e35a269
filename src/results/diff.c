/*
 * Two runs compared: their figure rows merged host by host, each change
 * judged against the threshold with the earlier figure as the reference
 * (paglets_perf_metric_judge, as outliers are), and a warning for each
 * option the runs did not share.
 */
#include "results_compat.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_int.h"

/* The figure of b (before) and/or a (after): one of them may be NULL. */
static int add_change(struct paglets_results_diff *diff,
                      const struct paglets__results_row *b,
                      const struct paglets__results_row *a)
{
    const struct paglets__results_row *key = a ? a : b;
    struct paglets_perf_change *items =
        realloc(diff->items, (diff->n + 1) * sizeof(*items));
    if (items == NULL)
        return -ENOMEM;
    diff->items = items;
    struct paglets_perf_change *c = &items[diff->n++];
    *c = (struct paglets_perf_change){
        .metric = key->metric,
        .before = b ? b->value : NAN,
        .after = a ? a->value : NAN,
        .ratio = a && b ? a->value / b->value : NAN,
    };
    c->verdict = paglets_perf_metric_judge(c->metric, c->after, c->before,
                                           diff->threshold);
    if (c->verdict == PAGLETS_PERF_WORSE)
        diff->regressions++;
    c->host = strdup(key->host);
    if (key->path != NULL)
        c->path = strdup(key->path);
    return c->host && (key->path == NULL || c->path) ? 0 : -ENOMEM;
}

/* Both lists are sorted the same way (rows.c): one pass. */
static int merge(struct paglets_results_diff *diff,
                 const struct paglets__results_rows *before,
                 const struct paglets__results_rows *after)
{
    size_t i = 0, j = 0;
    int rc = 0;
    while (rc == 0 && (i < before->n || j < after->n)) {
        const struct paglets__results_row *b =
            i < before->n ? &before->items[i] : NULL;
        const struct paglets__results_row *a =
            j < after->n ? &after->items[j] : NULL;
        int c = !b ? 1 : !a ? -1 : paglets__results_row_compare(b, a);
        rc = add_change(diff, c <= 0 ? b : NULL, c >= 0 ? a : NULL);
        i += c <= 0;
        j += c >= 0;
    }
    return rc;
}

/* A size as --disk-size takes it: "128M", "1G", "1000B". */
static void size_text(uint64_t bytes, char *out, size_t size)
{
    static const char units[] = "BKMGTP";
    size_t u = 0;
    while (bytes != 0 && bytes % 1024 == 0 && u + 1 < sizeof(units) - 1) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, size, "%" PRIu64 "%c", bytes, units[u]);
}

static void workers_text(unsigned workers, char *out, size_t size)
{
    if (workers == 0)
        snprintf(out, size, "0 (one per CPU)");
    else
        snprintf(out, size, "%u", workers);
}

static int warn(struct paglets_results_diff *diff, unsigned flag,
                const char *names, const char *option, const char *b,
                const char *a)
{
    diff->mismatches |= flag;
    char **items =
        realloc(diff->warnings.items, (diff->warnings.n + 1) * sizeof(*items));
    if (items == NULL)
        return -ENOMEM;
    diff->warnings.items = items;
    if (asprintf(&items[diff->warnings.n], "%s used different %s: %s and %s",
                 names, option, b, a) < 0)
        return -ENOMEM;
    diff->warnings.n++;
    return 0;
}

/* Figures of runs made with other options differ for that alone. */
static int compare_options(struct paglets_results_diff *diff,
                           const struct paglets_perf_request *b,
                           const struct paglets_perf_request *a)
{
    char names[64], tb[32], ta[32];
    if (diff->after_id > 0)
        snprintf(names, sizeof(names), "runs %" PRId64 " and %" PRId64,
                 diff->before_id, diff->after_id);
    else
        snprintf(names, sizeof(names), "run %" PRId64 " and this run",
                 diff->before_id);
    int rc = 0;
    if (b->duration_seconds != a->duration_seconds) {
        snprintf(tb, sizeof(tb), "%g s", b->duration_seconds);
        snprintf(ta, sizeof(ta), "%g s", a->duration_seconds);
        rc = warn(diff, PAGLETS_RESULTS_MISMATCH_DURATION, names, "--duration",
                  tb, ta);
    }
    if (rc == 0 && b->disk_size_bytes != a->disk_size_bytes) {
        size_text(b->disk_size_bytes, tb, sizeof(tb));
        size_text(a->disk_size_bytes, ta, sizeof(ta));
        rc = warn(diff, PAGLETS_RESULTS_MISMATCH_DISK_SIZE, names,
                  "--disk-size", tb, ta);
    }
    if (rc == 0 && b->workers != a->workers) {
        workers_text(b->workers, tb, sizeof(tb));
        workers_text(a->workers, ta, sizeof(ta));
        rc = warn(diff, PAGLETS_RESULTS_MISMATCH_WORKERS, names, "--workers",
                  tb, ta);
    }
    return rc;
}

/*
 * The diff of stored run before_id against after (rows and options);
 * after_id 0 when after is not stored.
 */
static int diff_against(struct paglets_results *db, int64_t before_id,
                        const struct paglets__results_rows *after_rows,
                        const struct paglets_perf_request *after_request,
                        int64_t after_id, double threshold,
                        struct paglets_results_diff *diff,
                        struct paglets_err *err)
{
    struct paglets_results_run before = {0};
    struct paglets__results_rows before_rows = {0};
    diff->before_id = before_id;
    diff->after_id = after_id;
    diff->threshold = threshold;
    int rc = paglets_results_load(db, before_id, &before, NULL, err);
    if (rc == 0)
        rc = paglets__results_rows_load(db, before_id, &before_rows, err);
    if (rc == 0 && (merge(diff, &before_rows, after_rows) != 0 ||
                    compare_options(diff, &before.request, after_request) != 0))
        rc = paglets_err_set(err, -ENOMEM, "out of memory");
    paglets__results_rows_release(&before_rows);
    paglets_results_run_release(&before);
    if (rc != 0)
        paglets_results_diff_release(diff);
    return rc;
}

static int check_threshold(double threshold, struct paglets_err *err)
{
    if (threshold > 0 && threshold <= PAGLETS_PERF_MAX_OUTLIER_THRESHOLD)
        return 0;
    return paglets_err_set(err, -EINVAL,
                           "diff threshold %g is out of range (above 0, at "
                           "most %g)",
                           threshold, PAGLETS_PERF_MAX_OUTLIER_THRESHOLD);
}

int paglets_results_diff(struct paglets_results *db, int64_t before_id,
                         int64_t after_id, double threshold,
                         struct paglets_results_diff *diff,
                         struct paglets_err *err)
{
    memset(diff, 0, sizeof(*diff));
    struct paglets_results_run after = {0};
    struct paglets__results_rows after_rows = {0};
    int rc = check_threshold(threshold, err);
    if (rc == 0)
        rc = paglets_results_load(db, after_id, &after, NULL, err);
    if (rc == 0)
        rc = paglets__results_rows_load(db, after_id, &after_rows, err);
    if (rc == 0)
        rc = diff_against(db, before_id, &after_rows, &after.request, after_id,
                          threshold, diff, err);
    paglets__results_rows_release(&after_rows);
    paglets_results_run_release(&after);
    return rc;
}

int paglets_results_diff_record(struct paglets_results *db, int64_t before_id,
                                const struct paglets_results_record *after,
                                double threshold,
                                struct paglets_results_diff *diff,
                                struct paglets_err *err)
{
    memset(diff, 0, sizeof(*diff));
    if (after == NULL || after->request == NULL || after->summary == NULL)
        return paglets_err_set(err, -EINVAL,
                               "results: a run needs its request and summary");
    int rc = check_threshold(threshold, err);
    if (rc != 0)
        return rc;
    struct paglets__results_rows after_rows;
    if (paglets__results_rows_from_summary(after->summary, &after_rows) != 0)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    rc = diff_against(db, before_id, &after_rows, after->request, 0, threshold,
                      diff, err);
    paglets__results_rows_release(&after_rows);
    return rc;
}

void paglets_results_diff_release(struct paglets_results_diff *diff)
{
    if (diff == NULL)
        return;
    for (size_t i = 0; i < diff->n; i++) {
        free(diff->items[i].host);
        free(diff->items[i].path);
    }
    for (size_t i = 0; i < diff->warnings.n; i++)
        free(diff->warnings.items[i]);
    free(diff->items);
    free(diff->warnings.items);
    memset(diff, 0, sizeof(*diff));
}

const struct paglets_perf_change *
paglets_results_diff_lookup(const struct paglets_results_diff *diff,
                            const char *host, const char *metric_id,
                            const char *path)
{
    return paglets_perf_changes_lookup(diff->items, diff->n, host, metric_id,
                                       path);
}

/* A figure, or null where the run has none. */
static json_t *number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *verdict_json(enum paglets_perf_verdict v)
{
    if (v == PAGLETS_PERF_WORSE)
        return json_string("regression");
    if (v == PAGLETS_PERF_BETTER)
        return json_string("improvement");
    return json_null();
}

static json_t *change_json(const struct paglets_perf_change *c)
{
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "host", c->host,
                     "metric", c->metric->id, "path",
                     c->path ? json_string(c->path) : json_null(), "before",
                     number(c->before), "after", number(c->after), "ratio",
                     number(c->ratio), "verdict", verdict_json(c->verdict));
}

json_t *paglets_results_diff_to_json(const struct paglets_results_diff *diff)
{
    json_t *changes = json_array();
    json_t *warnings = json_array();
    int rc = changes == NULL || warnings == NULL;
    for (size_t i = 0; rc == 0 && i < diff->n; i++)
        rc = json_array_append_new(changes, change_json(&diff->items[i]));
    for (size_t i = 0; rc == 0 && i < diff->warnings.n; i++)
        rc = json_array_append_new(warnings,
                                   json_string(diff->warnings.items[i]));
    if (rc != 0) {
        json_decref(changes);
        json_decref(warnings);
        return NULL;
    }
    return json_pack("{s:I, s:o, s:f, s:I, s:o, s:o}", "before_run_id",
                     (json_int_t)diff->before_id, "after_run_id",
                     diff->after_id > 0 ? json_integer(diff->after_id)
                                        : json_null(),
                     "threshold", diff->threshold, "regressions",
                     (json_int_t)diff->regressions, "warnings", warnings,
                     "changes", changes);
}
