/*
 * Inside the run database: the handle, SQLite error translation, the
 * migration machinery (a table of steps) and the per-host figure rows
 * that stores and diffs share.
 */
#ifndef PAGLETS_RESULTS_RESULTS_INT_H
#define PAGLETS_RESULTS_RESULTS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "results.h"

/* 'PGLR' in PRAGMA application_id: this file is a paglets results db. */
#define PAGLETS__RESULTS_APPLICATION_ID 0x50474c52

struct paglets_results {
    sqlite3 *db;
    char *path;
    const char *journal; /* "wal" or "delete" */
    double busy_timeout_seconds;
    /* Read-only on a file with no schema yet: no runs, nothing to read. */
    bool empty;
};

/*
 * Record SQLite's rc (a result code other than OK/ROW/DONE) as one of the
 * errno values of results.h, with a message naming the file, what was
 * being done and SQLite's own text. Returns the errno.
 */
int paglets__results_fail(struct paglets_results *db, int rc, const char *what,
                          struct paglets_err *err);

/* Run sql (no results); 0 or paglets__results_fail(). */
int paglets__results_exec(struct paglets_results *db, const char *sql,
                          const char *what, struct paglets_err *err);

/* Prepare sql; 0 or paglets__results_fail(). */
int paglets__results_prepare(struct paglets_results *db, const char *sql,
                             sqlite3_stmt **stmt, const char *what,
                             struct paglets_err *err);

/* BEGIN IMMEDIATE (a writer waits for the lock here, not at COMMIT). */
int paglets__results_begin(struct paglets_results *db, const char *what,
                           struct paglets_err *err);

/* COMMIT when rc is 0, else ROLLBACK; returns rc or COMMIT's error. */
int paglets__results_end(struct paglets_results *db, int rc, const char *what,
                         struct paglets_err *err);

/*
 * One step of the schema: after it, PRAGMA user_version is `version`.
 * sql runs first (may be NULL), then run (may be NULL) for what SQL
 * cannot do alone, such as filling a new table from stored summaries.
 */
struct paglets__results_step {
    int version;
    const char *sql;
    int (*run)(struct paglets_results *db, struct paglets_err *err);
};

/* The steps of this build, in order; the last one's version is
 * PAGLETS_RESULTS_SCHEMA_VERSION. */
extern const struct paglets__results_step paglets__results_steps[];
extern const size_t paglets__results_n_steps;

/*
 * Bring db to the last of steps' versions in one IMMEDIATE transaction:
 * all pending steps or none. -ENOTSUP when the file's version is newer,
 * -EINVAL when the file belongs to another application. The tests pass
 * their own steps; paglets_results_new() passes the build's.
 */
int paglets__results_migrate(struct paglets_results *db,
                             const struct paglets__results_step *steps,
                             size_t n_steps, struct paglets_err *err);

/*
 * Check a file this handle must not write (read-only): its schema must
 * be this build's, or empty (version 0, no tables). Same errors.
 */
int paglets__results_check_schema(struct paglets_results *db,
                                  struct paglets_err *err);

/* A figure of one host in one run: a row of the metrics table. */
struct paglets__results_row {
    char *host;
    const struct paglets_perf_metric_info *metric;
    char *path; /* disk figures; else NULL (stored as '') */
    double value;
};

struct paglets__results_rows {
    struct paglets__results_row *items;
    size_t n;
};

/*
 * Every usable figure of every host of summary (as the table shows it,
 * not per worker), sorted by host, catalogue order, path. 0 or -ENOMEM.
 */
int paglets__results_rows_from_summary(
    const struct paglets_perf_summary *summary,
    struct paglets__results_rows *rows);

/* The stored rows of run_id, sorted the same way; ids this build does not
 * know are skipped. */
int paglets__results_rows_load(struct paglets_results *db, int64_t run_id,
                               struct paglets__results_rows *rows,
                               struct paglets_err *err);

/* The order of rows: host (strcmp), catalogue order, path (NULL first). */
int paglets__results_row_compare(const struct paglets__results_row *a,
                                 const struct paglets__results_row *b);

void paglets__results_rows_release(struct paglets__results_rows *rows);

#endif
