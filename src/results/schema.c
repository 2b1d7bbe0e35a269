/*
 * The schema of the run database and its migrations: a table of steps,
 * each taking the file one version up (PRAGMA user_version), applied
 * together in one transaction when a handle opens an older file.
 */
#include "results_compat.h"

#include <errno.h>
#include <stdio.h>

#include "results_int.h"

/*
 * Version 1. runs keeps what a run printed (summary: the summary JSON,
 * request: its options as BenchmarkRequest JSON) and what listing needs
 * without decoding it; metrics keeps each host's figures (the catalogue
 * ids of <paglets/perf_answers.h>, as the table shows them, '' as path
 * for figures not of a volume) for diffs and for queries by hand:
 *   SELECT r.id, m.value FROM metrics m JOIN runs r ON r.id = m.run_id
 *   WHERE m.host = 'alpha' AND m.metric = 'cpu.integer';
 * AUTOINCREMENT so a pruned run's id never comes back as another run.
 */
static const char schema_v1[] =
    "CREATE TABLE runs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " time_unix_seconds INTEGER NOT NULL,"
    " duration_seconds REAL NOT NULL,"
    " disk_size_bytes INTEGER NOT NULL,"
    " workers INTEGER NOT NULL,"
    " request TEXT NOT NULL,"
    " outlier_threshold REAL NOT NULL,"
    " hosts INTEGER NOT NULL,"
    " errors INTEGER NOT NULL,"
    " build TEXT NOT NULL,"
    " summary TEXT NOT NULL);"
    "CREATE TABLE metrics ("
    " run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    " host TEXT NOT NULL,"
    " metric TEXT NOT NULL,"
    " path TEXT NOT NULL DEFAULT '',"
    " value REAL NOT NULL,"
    " PRIMARY KEY (run_id, host, metric, path)) WITHOUT ROWID;"
    "CREATE INDEX metrics_by_host ON metrics (host, metric, path, run_id);";

const struct paglets__results_step paglets__results_steps[] = {
    {1, schema_v1, NULL},
};
const size_t paglets__results_n_steps =
    sizeof(paglets__results_steps) / sizeof(paglets__results_steps[0]);

static int read_int(struct paglets_results *db, const char *sql, int *out,
                    struct paglets_err *err)
{
    sqlite3_stmt *stmt;
    int rc =
        paglets__results_prepare(db, sql, &stmt, "reading its schema", err);
    if (rc != 0)
        return rc;
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        *out = sqlite3_column_int(stmt, 0);
    else
        rc = paglets__results_fail(db, step, "reading its schema", err);
    sqlite3_finalize(stmt);
    return rc;
}

/* The file's version, owner and whether it has any table at all. */
struct state {
    int version;
    int application_id;
    int tables;
};

static int inspect(struct paglets_results *db, struct state *s,
                   struct paglets_err *err)
{
    int rc = read_int(db, "PRAGMA user_version", &s->version, err);
    if (rc == 0)
        rc = read_int(db, "PRAGMA application_id", &s->application_id, err);
    if (rc == 0)
        rc = read_int(db,
                      "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                      &s->tables, err);
    return rc;
}

/* An SQLite file of some other program, or of a newer paglets. */
static int check_owner(struct paglets_results *db, const struct state *s,
                       int known, struct paglets_err *err)
{
    if (s->application_id != PAGLETS__RESULTS_APPLICATION_ID &&
        (s->tables > 0 || s->version != 0 || s->application_id != 0))
        return paglets_err_set(err, -EINVAL,
                               "results database '%s' is an SQLite database "
                               "of another program (application_id %#x)",
                               db->path, (unsigned)s->application_id);
    if (s->version > known)
        return paglets_err_set(err, -ENOTSUP,
                               "results database '%s' has schema version %d, "
                               "newer than this paglets knows (%d)",
                               db->path, s->version, known);
    return 0;
}

static int apply(struct paglets_results *db,
                 const struct paglets__results_step *steps, size_t n_steps,
                 int from, struct paglets_err *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n_steps; i++) {
        if (steps[i].version <= from)
            continue;
        char what[64];
        snprintf(what, sizeof(what), "migrating it to schema version %d",
                 steps[i].version);
        if (steps[i].sql != NULL)
            rc = paglets__results_exec(db, steps[i].sql, what, err);
        if (rc == 0 && steps[i].run != NULL)
            rc = steps[i].run(db, err);
    }
    return rc;
}

int paglets__results_migrate(struct paglets_results *db,
                             const struct paglets__results_step *steps,
                             size_t n_steps, struct paglets_err *err)
{
    int target = n_steps > 0 ? steps[n_steps - 1].version : 0;
    /* A current file needs no lock: opening never waits for a writer. */
    struct state s = {0};
    int rc = inspect(db, &s, err);
    if (rc == 0)
        rc = check_owner(db, &s, target, err);
    if (rc != 0 || s.version >= target)
        return rc;
    /*
     * IMMEDIATE, and the version read again inside: of two processes
     * opening a new file at once, the second waits and then finds it
     * migrated.
     */
    rc = paglets__results_begin(db, "migrating it", err);
    if (rc != 0)
        return rc;
    rc = inspect(db, &s, err);
    if (rc == 0)
        rc = check_owner(db, &s, target, err);
    if (rc == 0 && s.version < target) {
        rc = apply(db, steps, n_steps, s.version, err);
        char sql[96];
        snprintf(sql, sizeof(sql),
                 "PRAGMA user_version = %d; PRAGMA application_id = %d", target,
                 PAGLETS__RESULTS_APPLICATION_ID);
        if (rc == 0)
            rc = paglets__results_exec(db, sql, "migrating it", err);
    }
    return paglets__results_end(db, rc, "migrating it", err);
}

int paglets__results_check_schema(struct paglets_results *db,
                                  struct paglets_err *err)
{
    struct state s = {0};
    int rc = inspect(db, &s, err);
    if (rc == 0)
        rc = check_owner(db, &s, PAGLETS_RESULTS_SCHEMA_VERSION, err);
    if (rc != 0)
        return rc;
    if (s.version == 0 && s.tables == 0) {
        db->empty = true; /* a new file nothing was stored in yet */
        return 0;
    }
    if (s.version < PAGLETS_RESULTS_SCHEMA_VERSION)
        return paglets_err_set(err, -EROFS,
                               "results database '%s' has schema version %d "
                               "and is read-only here: this paglets needs "
                               "to migrate it to version %d first",
                               db->path, s.version,
                               PAGLETS_RESULTS_SCHEMA_VERSION);
    return 0;
}
