/*
 * Runs in the database: storing one (summary, options, figure rows),
 * listing, loading one back as a summary, the latest before another, and
 * pruning.
 */
#include "results_compat.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "results_int.h"

void paglets_results_record_init(struct paglets_results_record *record)
{
    memset(record, 0, sizeof(*record));
    record->outlier_threshold = PAGLETS_PERF_DEFAULT_OUTLIER_THRESHOLD;
}

static bool threshold_ok(double t)
{
    return t > 0 && t <= PAGLETS_PERF_MAX_OUTLIER_THRESHOLD;
}

/* Every host the run addressed: answered, failed or still pending. */
static size_t host_count(const struct paglets_perf_summary *summary)
{
    return paglets_perf_summary_result_count(summary) +
           paglets_perf_summary_host_error_count(summary) +
           paglets_perf_summary_pending_count(summary);
}

/* json as compact text with sorted keys (caller frees), NULL on -ENOMEM. */
static char *dump(json_t *json)
{
    char *text = json ? json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(json);
    return text;
}

static const char insert_run[] =
    "INSERT INTO runs (time_unix_seconds, duration_seconds, disk_size_bytes,"
    " workers, request, outlier_threshold, hosts, errors, build, summary)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static int insert_record(struct paglets_results *db,
                         const struct paglets_results_record *record,
                         const char *request, const char *summary,
                         struct paglets_err *err)
{
    const struct paglets_perf_request *r = record->request;
    sqlite3_stmt *stmt;
    int rc =
        paglets__results_prepare(db, insert_run, &stmt, "storing the run", err);
    if (rc != 0)
        return rc;
    int64_t when = record->time_unix_seconds ? record->time_unix_seconds
                                             : (int64_t)time(NULL);
    int bound = sqlite3_bind_int64(stmt, 1, when);
    bound |= sqlite3_bind_double(stmt, 2, r->duration_seconds);
    bound |= sqlite3_bind_int64(stmt, 3, (sqlite3_int64)r->disk_size_bytes);
    bound |= sqlite3_bind_int64(stmt, 4, r->workers);
    bound |= sqlite3_bind_text(stmt, 5, request, -1, SQLITE_STATIC);
    bound |= sqlite3_bind_double(stmt, 6, record->outlier_threshold);
    bound |=
        sqlite3_bind_int64(stmt, 7, (sqlite3_int64)host_count(record->summary));
    bound |= sqlite3_bind_int64(
        stmt, 8,
        (sqlite3_int64)paglets_perf_summary_error_count(record->summary));
    bound |= sqlite3_bind_text(stmt, 9, paglets_build_id(), -1, SQLITE_STATIC);
    bound |= sqlite3_bind_text(stmt, 10, summary, -1, SQLITE_STATIC);
    int step = bound == SQLITE_OK ? sqlite3_step(stmt) : SQLITE_NOMEM;
    if (step != SQLITE_DONE)
        rc = paglets__results_fail(db, step, "storing the run", err);
    sqlite3_finalize(stmt);
    return rc;
}

static int insert_rows(struct paglets_results *db, int64_t id,
                       const struct paglets__results_rows *rows,
                       struct paglets_err *err)
{
    sqlite3_stmt *stmt;
    int rc = paglets__results_prepare(
        db,
        "INSERT INTO metrics (run_id, host, metric, path, value)"
        " VALUES (?, ?, ?, ?, ?)",
        &stmt, "storing the run", err);
    for (size_t i = 0; rc == 0 && i < rows->n; i++) {
        const struct paglets__results_row *row = &rows->items[i];
        sqlite3_reset(stmt);
        int bound = sqlite3_bind_int64(stmt, 1, id);
        bound |= sqlite3_bind_text(stmt, 2, row->host, -1, SQLITE_STATIC);
        bound |= sqlite3_bind_text(stmt, 3, row->metric->id, -1, SQLITE_STATIC);
        bound |= sqlite3_bind_text(stmt, 4, row->path ? row->path : "", -1,
                                   SQLITE_STATIC);
        bound |= sqlite3_bind_double(stmt, 5, row->value);
        int step = bound == SQLITE_OK ? sqlite3_step(stmt) : SQLITE_NOMEM;
        if (step != SQLITE_DONE)
            rc = paglets__results_fail(db, step, "storing the run", err);
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int check_writable(struct paglets_results *db, struct paglets_err *err)
{
    if (sqlite3_db_readonly(db->db, "main") == 0)
        return 0;
    return paglets_err_set(err, -EROFS, "results database '%s' is read-only",
                           db->path);
}

int paglets_results_store(struct paglets_results *db,
                          const struct paglets_results_record *record,
                          int64_t *run_id, struct paglets_err *err)
{
    if (record == NULL || record->request == NULL || record->summary == NULL)
        return paglets_err_set(err, -EINVAL,
                               "results: a run needs its request and summary");
    if (!threshold_ok(record->outlier_threshold))
        return paglets_err_set(err, -EINVAL,
                               "results: outlier threshold %g is out of range",
                               record->outlier_threshold);
    int rc = check_writable(db, err);
    if (rc != 0)
        return rc;
    char *summary = dump(paglets_perf_summary_to_json(record->summary));
    char *request = dump(paglets_perf_request_to_json(record->request));
    struct paglets__results_rows rows = {0};
    if (summary == NULL || request == NULL ||
        paglets__results_rows_from_summary(record->summary, &rows) != 0)
        rc = paglets_err_set(err, -ENOMEM, "out of memory");
    if (rc == 0)
        rc = paglets__results_begin(db, "storing the run", err);
    if (rc == 0) {
        rc = insert_record(db, record, request, summary, err);
        int64_t id = sqlite3_last_insert_rowid(db->db);
        if (rc == 0)
            rc = insert_rows(db, id, &rows, err);
        rc = paglets__results_end(db, rc, "storing the run", err);
        if (rc == 0 && run_id != NULL)
            *run_id = id;
    }
    paglets__results_rows_release(&rows);
    free(summary);
    free(request);
    return rc;
}

void paglets_results_run_release(struct paglets_results_run *run)
{
    if (run == NULL)
        return;
    paglets_perf_request_release(&run->request);
    free(run->build);
    memset(run, 0, sizeof(*run));
}

void paglets_results_runs_release(struct paglets_results_runs *runs)
{
    if (runs == NULL)
        return;
    for (size_t i = 0; i < runs->n; i++)
        paglets_results_run_release(&runs->items[i]);
    free(runs->items);
    runs->items = NULL;
    runs->n = 0;
}

/* The columns every query of runs selects, in this order. */
#define RUN_COLUMNS                                                            \
    "id, time_unix_seconds, request, outlier_threshold, hosts, errors, build"

static size_t column_size(sqlite3_stmt *stmt, int i)
{
    sqlite3_int64 v = sqlite3_column_int64(stmt, i);
    return v > 0 ? (size_t)v : 0;
}

/* A stored text that does not decode: the file was changed by hand. */
static int undecodable(struct paglets_results *db, int64_t id, const char *what,
                       const char *why, struct paglets_err *err)
{
    return paglets_err_set(err, -EUCLEAN,
                           "results database '%s' is corrupt (run %lld: "
                           "stored %s do not decode: %s)",
                           db->path, (long long)id, what, why);
}

static int run_from_row(struct paglets_results *db, sqlite3_stmt *stmt,
                        struct paglets_results_run *run,
                        struct paglets_err *err)
{
    memset(run, 0, sizeof(*run));
    paglets_perf_request_init(&run->request);
    run->id = sqlite3_column_int64(stmt, 0);
    run->time_unix_seconds = sqlite3_column_int64(stmt, 1);
    run->outlier_threshold = sqlite3_column_double(stmt, 3);
    run->hosts = column_size(stmt, 4);
    run->errors = column_size(stmt, 5);
    const char *build = (const char *)sqlite3_column_text(stmt, 6);
    const char *request = (const char *)sqlite3_column_text(stmt, 2);
    run->build = strdup(build ? build : "");
    if (run->build == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    json_error_t error;
    json_t *json = json_loads(request ? request : "", 0, &error);
    struct paglets_err why = {0};
    int rc = json ? paglets_perf_request_from_json(&run->request, json, &why)
                  : paglets_err_set(&why, -EINVAL, "%s", error.text);
    json_decref(json);
    if (rc == -ENOMEM)
        return paglets_err_set(err, rc, "out of memory");
    if (rc != 0)
        return undecodable(db, run->id, "options", why.message, err);
    if (!threshold_ok(run->outlier_threshold))
        return undecodable(db, run->id, "options", "outlier threshold", err);
    return 0;
}

static int summary_from_row(struct paglets_results *db, sqlite3_stmt *stmt,
                            int column, int64_t id,
                            struct paglets_perf_summary **summary,
                            struct paglets_err *err)
{
    const char *text = (const char *)sqlite3_column_text(stmt, column);
    json_error_t error;
    json_t *json = json_loads(text ? text : "", 0, &error);
    struct paglets_err why = {0};
    if (json == NULL)
        paglets_err_set(&why, -EINVAL, "%s", error.text);
    else
        *summary = paglets_perf_summary_from_json(json, &why);
    json_decref(json);
    if (json != NULL && *summary != NULL)
        return 0;
    if (why.code == -ENOMEM)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    return undecodable(db, id, "summary", why.message, err);
}

int paglets_results_list(struct paglets_results *db, size_t limit,
                         struct paglets_results_runs *runs,
                         struct paglets_err *err)
{
    memset(runs, 0, sizeof(*runs));
    if (db->empty)
        return 0;
    sqlite3_stmt *stmt;
    int rc = paglets__results_prepare(
        db, "SELECT " RUN_COLUMNS " FROM runs ORDER BY id DESC LIMIT ?", &stmt,
        "listing runs", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(
        stmt, 1, limit == 0 || limit > INT64_MAX ? -1 : (sqlite3_int64)limit);
    int step = SQLITE_DONE;
    while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct paglets_results_run *items =
            realloc(runs->items, (runs->n + 1) * sizeof(*items));
        if (items == NULL) {
            rc = paglets_err_set(err, -ENOMEM, "out of memory");
            break;
        }
        runs->items = items;
        rc = run_from_row(db, stmt, &items[runs->n++], err);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = paglets__results_fail(db, step, "listing runs", err);
    sqlite3_finalize(stmt);
    if (rc != 0) {
        paglets_results_runs_release(runs);
        return rc;
    }
    /* Newest first from SQLite (for LIMIT); oldest first for people. */
    for (size_t i = 0; i < runs->n / 2; i++) {
        struct paglets_results_run t = runs->items[i];
        runs->items[i] = runs->items[runs->n - 1 - i];
        runs->items[runs->n - 1 - i] = t;
    }
    return 0;
}

static int no_run(struct paglets_results *db, int64_t id,
                  struct paglets_err *err)
{
    return paglets_err_set(err, -ENOENT, "no run %lld in results database '%s'",
                           (long long)id, db->path);
}

int paglets_results_load(struct paglets_results *db, int64_t id,
                         struct paglets_results_run *run,
                         struct paglets_perf_summary **summary,
                         struct paglets_err *err)
{
    if (db->empty)
        return no_run(db, id, err);
    sqlite3_stmt *stmt;
    int rc = paglets__results_prepare(
        db, "SELECT " RUN_COLUMNS ", summary FROM runs WHERE id = ?", &stmt,
        "reading a run", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, id);
    int step = sqlite3_step(stmt);
    struct paglets_results_run loaded = {0};
    struct paglets_perf_summary *decoded = NULL;
    if (step == SQLITE_DONE)
        rc = no_run(db, id, err);
    else if (step != SQLITE_ROW)
        rc = paglets__results_fail(db, step, "reading a run", err);
    if (rc == 0)
        rc = run_from_row(db, stmt, &loaded, err);
    if (rc == 0 && summary != NULL)
        rc = summary_from_row(db, stmt, 7, id, &decoded, err);
    sqlite3_finalize(stmt);
    if (rc != 0 || run == NULL)
        paglets_results_run_release(&loaded);
    if (rc != 0) {
        paglets_perf_summary_free(decoded);
        return rc;
    }
    if (run != NULL)
        *run = loaded;
    if (summary != NULL)
        *summary = decoded;
    return 0;
}

int paglets_results_latest(struct paglets_results *db, int64_t before,
                           int64_t *id, struct paglets_err *err)
{
    if (db->empty)
        return paglets_err_set(err, -ENOENT, "no run in results database '%s'",
                               db->path);
    sqlite3_stmt *stmt;
    int rc = paglets__results_prepare(
        db, "SELECT id FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1", &stmt,
        "finding the latest run", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, before > 0 ? before : INT64_MAX);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        *id = sqlite3_column_int64(stmt, 0);
    else if (step != SQLITE_DONE)
        rc = paglets__results_fail(db, step, "finding the latest run", err);
    else if (before > 0)
        rc = paglets_err_set(err, -ENOENT,
                             "no run before run %lld in results database '%s'",
                             (long long)before, db->path);
    else
        rc = paglets_err_set(err, -ENOENT, "no run in results database '%s'",
                             db->path);
    sqlite3_finalize(stmt);
    return rc;
}

int paglets_results_prune(struct paglets_results *db, size_t keep,
                          size_t *removed, struct paglets_err *err)
{
    int rc = check_writable(db, err);
    sqlite3_stmt *stmt = NULL;
    if (rc == 0)
        rc = paglets__results_begin(db, "pruning it", err);
    if (rc != 0)
        return rc;
    /* The metrics rows go with their run (ON DELETE CASCADE). */
    rc = paglets__results_prepare(db,
                                  "DELETE FROM runs WHERE id NOT IN (SELECT id "
                                  "FROM runs ORDER BY id DESC LIMIT ?)",
                                  &stmt, "pruning it", err);
    int changes = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1,
                           keep > INT64_MAX ? INT64_MAX : (sqlite3_int64)keep);
        int step = sqlite3_step(stmt);
        if (step != SQLITE_DONE)
            rc = paglets__results_fail(db, step, "pruning it", err);
        changes = sqlite3_changes(db->db);
    }
    sqlite3_finalize(stmt);
    rc = paglets__results_end(db, rc, "pruning it", err);
    if (rc == 0 && removed != NULL)
        *removed = (size_t)changes;
    return rc;
}

json_t *paglets_results_run_to_json(const struct paglets_results_run *run)
{
    char when[32] = "";
    time_t t = (time_t)run->time_unix_seconds;
    struct tm tm;
    if (gmtime_r(&t, &tm) != NULL)
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_pack("{s:I, s:s, s:I, s:I, s:I, s:s, s:f, s:o}", "run_id",
                     (json_int_t)run->id, "time", when, "time_unix_seconds",
                     (json_int_t)run->time_unix_seconds, "hosts",
                     (json_int_t)run->hosts, "errors", (json_int_t)run->errors,
                     "build", run->build ? run->build : "", "outlier_threshold",
                     run->outlier_threshold, "options",
                     paglets_perf_request_to_json(&run->request));
}
