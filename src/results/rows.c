/*
 * The figure rows of a run (the metrics table): read from a summary
 * through the catalogue of <paglets/perf_answers.h> when a run is stored
 * or compared unsaved, or loaded from the database; both sorted the same
 * way, so a diff is one merge.
 */
#include "results_compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "results_int.h"

static int compare_paths(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

int paglets__results_row_compare(const struct paglets__results_row *a,
                                 const struct paglets__results_row *b)
{
    int c = strcmp(a->host, b->host);
    if (c == 0 && a->metric != b->metric) {
        size_t ia = paglets_perf_metric_index(a->metric),
               ib = paglets_perf_metric_index(b->metric);
        c = ia < ib ? -1 : 1;
    }
    return c != 0 ? c : compare_paths(a->path, b->path);
}

static int add_row(struct paglets__results_rows *rows, const char *host,
                   const struct paglets_perf_metric_info *metric,
                   const char *path, double value)
{
    struct paglets__results_row *items =
        realloc(rows->items, (rows->n + 1) * sizeof(*items));
    if (items == NULL)
        return -ENOMEM;
    rows->items = items;
    struct paglets__results_row *row = &items[rows->n++];
    *row = (struct paglets__results_row){NULL, metric, NULL, value};
    row->host = strdup(host);
    if (path != NULL)
        row->path = strdup(path);
    return row->host && (path == NULL || row->path) ? 0 : -ENOMEM;
}

static int compare_rows(const void *a, const void *b)
{
    return paglets__results_row_compare(a, b);
}

/* Sort, and keep the first of rows with the same key (a volume listed
 * twice by a host reads as its first listing's figure anyway). */
static void sort_rows(struct paglets__results_rows *rows)
{
    if (rows->n < 2)
        return;
    qsort(rows->items, rows->n, sizeof(*rows->items), compare_rows);
    size_t kept = 1;
    for (size_t i = 1; i < rows->n; i++) {
        struct paglets__results_row *row = &rows->items[i];
        if (compare_rows(row, &rows->items[kept - 1]) == 0) {
            free(row->host);
            free(row->path);
        } else {
            rows->items[kept++] = *row;
        }
    }
    rows->n = kept;
}

/* One host's figure of metric at path when it has a usable one. */
static int read_into(struct paglets__results_rows *rows,
                     const struct paglets_perf_host_entry *e,
                     const struct paglets_perf_metric_info *metric,
                     const char *path)
{
    double value;
    if (paglets_perf_metric_read(metric, &e->result, path, 0, &value) != 0)
        return 0;
    return add_row(rows, e->host_name, metric, path, value);
}

static int host_rows(struct paglets__results_rows *rows,
                     const struct paglets_perf_host_entry *e)
{
    const struct paglets_perf_disk_result *disk = e->result.disk;
    int rc = 0;
    for (size_t m = 0; rc == 0 && m < paglets_perf_metric_count(); m++) {
        const struct paglets_perf_metric_info *metric =
            paglets_perf_metric_at(m);
        if (metric->part != PAGLETS_PERF_PART_DISK) {
            rc = read_into(rows, e, metric, NULL);
            continue;
        }
        for (size_t v = 0; disk != NULL && rc == 0 && v < disk->volumes.n; v++)
            if (disk->volumes.items[v].path != NULL)
                rc = read_into(rows, e, metric, disk->volumes.items[v].path);
    }
    return rc;
}

int paglets__results_rows_from_summary(
    const struct paglets_perf_summary *summary,
    struct paglets__results_rows *rows)
{
    memset(rows, 0, sizeof(*rows));
    int rc = 0;
    for (size_t h = 0;
         rc == 0 && h < paglets_perf_summary_result_count(summary); h++)
        rc = host_rows(rows, paglets_perf_summary_result(summary, h));
    if (rc != 0) {
        paglets__results_rows_release(rows);
        return rc;
    }
    sort_rows(rows);
    return 0;
}

int paglets__results_rows_load(struct paglets_results *db, int64_t run_id,
                               struct paglets__results_rows *rows,
                               struct paglets_err *err)
{
    memset(rows, 0, sizeof(*rows));
    sqlite3_stmt *stmt;
    int rc = paglets__results_prepare(
        db, "SELECT host, metric, path, value FROM metrics WHERE run_id = ?",
        &stmt, "reading a run's figures", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    int step = SQLITE_DONE;
    while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *host = (const char *)sqlite3_column_text(stmt, 0);
        const char *id = (const char *)sqlite3_column_text(stmt, 1);
        const char *path = (const char *)sqlite3_column_text(stmt, 2);
        const struct paglets_perf_metric_info *metric =
            paglets_perf_metric_find(id);
        /* A figure of a newer build's catalogue: not comparable here. */
        if (metric == NULL || host == NULL)
            continue;
        if (metric->part != PAGLETS_PERF_PART_DISK)
            path = NULL;
        else if (path == NULL)
            path = "";
        if (add_row(rows, host, metric, path, sqlite3_column_double(stmt, 3)) !=
            0)
            rc = paglets_err_set(err, -ENOMEM, "out of memory");
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = paglets__results_fail(db, step, "reading a run's figures", err);
    sqlite3_finalize(stmt);
    if (rc != 0) {
        paglets__results_rows_release(rows);
        return rc;
    }
    sort_rows(rows);
    return 0;
}

void paglets__results_rows_release(struct paglets__results_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        free(rows->items[i].host);
        free(rows->items[i].path);
    }
    free(rows->items);
    rows->items = NULL;
    rows->n = 0;
}
