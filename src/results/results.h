/*
 * The run database (libpaglets_results): every benchmark run's summary kept
 * in SQLite, listed, shown again exactly as it printed, pruned, and
 * compared with another run. Written on the public API alone
 * (<paglets/perf.h>, <paglets/perf_answers.h>), like the benchmark
 * library, so it could be installed as it is.
 *
 * Errors: every call that can fail returns 0 or a negative errno and fills
 * an optional struct paglets_err with one line that names the database
 * file, ready to print as a warning. The errno values mean the same for
 * every call:
 *   -EBUSY    another process held the database longer than the busy
 *             timeout (a run storing, a prune)
 *   -EROFS    the file, its directory or the filesystem is read-only,
 *             or the handle was opened with read_only
 *   -EACCES   the file or a directory cannot be opened or created
 *   -EUCLEAN  the file is corrupt or not an SQLite database, or a stored
 *             run does not decode
 *   -EINVAL   an SQLite database of something else, or a bad argument
 *   -ENOTSUP  written by a newer paglets (a schema version this build
 *             does not know)
 *   -ENOENT   no such database (no_create) or no such run
 *   -ENOSPC, -EIO, -ENOMEM  as the system says
 *
 * Threads: a handle is used by one thread at a time. Handles of several
 * threads or processes on one file are safe: writes take turns (WAL and a
 * busy timeout).
 */
#ifndef PAGLETS_RESULTS_RESULTS_H
#define PAGLETS_RESULTS_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <paglets/common.h>
#include <paglets/perf.h>
#include <paglets/perf_answers.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The environment variable that names the database (after --db). */
#define PAGLETS_RESULTS_ENV "PAGLETS_RESULTS_DB"
/* The schema this build writes (PRAGMA user_version). */
#define PAGLETS_RESULTS_SCHEMA_VERSION 1
/* How long a call waits for another writer before -EBUSY. */
#define PAGLETS_RESULTS_DEFAULT_BUSY_TIMEOUT_SECONDS 5.0

/*
 * Where the database lives: db_option (--db) when not NULL, else
 * $PAGLETS_RESULTS_DB when set and not empty, else
 * $XDG_DATA_HOME/paglets/results.db when XDG_DATA_HOME is an absolute
 * path, else ~/.local/share/paglets/results.db ($HOME, else the passwd
 * entry). Returns the path (caller frees with free()), or NULL with
 * -EINVAL (db_option is "") or -ENOENT (no home directory) in err.
 * Reads the environment: not while another thread changes it.
 */
PAGLETS_NODISCARD char *paglets_results_path(const char *db_option,
                                             struct paglets_err *err);

/*
 * How a database is opened. Fill with paglets_results_options_init()
 * first: fields are only ever added at the end.
 */
struct paglets_results_options {
    /*
     * Open read-only: nothing is created, migrated or written; store and
     * prune fail with -EROFS. For list, show and diff.
     */
    bool read_only;
    /* Fail with -ENOENT when the file does not exist, instead of creating
     * it (and its directories). */
    bool no_create;
    /* PAGLETS_RESULTS_DEFAULT_BUSY_TIMEOUT_SECONDS; 0 fails at once. */
    double busy_timeout_seconds;
    /*
     * Keep the rollback journal: do not switch the file to WAL (a
     * database already in WAL mode stays in it). Without it the file
     * goes to WAL, and falls back to the rollback journal by itself
     * where WAL cannot work (a filesystem without shared memory).
     */
    bool no_wal;
    /* An SQLite VFS by name ("unix-dotfile" for dot-file locking), or
     * NULL for SQLite's default. */
    const char *vfs;
};

void paglets_results_options_init(struct paglets_results_options *options);

/* An open database. Opaque. */
struct paglets_results;

/*
 * Open the database at path (paglets_results_path() finds the usual one;
 * borrowed), creating it unless no_create or read_only: missing
 * directories are made 0700 and the file 0600. A new file gets the
 * current schema; an older one is migrated (one transaction, all steps
 * or none). options NULL: the defaults. Returns the handle (caller frees
 * with paglets_results_free()), or NULL with one of the errno values
 * above in err.
 */
PAGLETS_NODISCARD struct paglets_results *
paglets_results_new(const char *path,
                    const struct paglets_results_options *options,
                    struct paglets_err *err);

/* Close the database. NULL is a no-op. */
void paglets_results_free(struct paglets_results *db);

/* The file's path (borrowed, valid until paglets_results_free()). */
const char *paglets_results_file(const struct paglets_results *db);

/*
 * The journal mode in use: "wal", or "delete" where the rollback journal
 * is used (no_wal, WAL not possible there, a read-only handle on a
 * rollback-journal file). Borrowed, static.
 */
const char *paglets_results_journal(const struct paglets_results *db);

/*
 * What a run stores. Fill with paglets_results_record_init() first:
 * fields are only ever added at the end.
 */
struct paglets_results_record {
    int64_t time_unix_seconds; /* when the run started; 0: now */
    /* Its options (borrowed; required). */
    const struct paglets_perf_request *request;
    /* The --outlier-threshold it printed with, so `show` prints the same.
     */
    double outlier_threshold;
    /* What it printed (borrowed; required). */
    const struct paglets_perf_summary *summary;
};

void paglets_results_record_init(struct paglets_results_record *record);

/*
 * Store a run in one transaction: its time, options, host and error
 * counts, the summary (as paglets_perf_summary_to_json() renders it, so
 * paglets_results_load() gives back a summary that prints the same table
 * and JSON), and one row per host, figure of the catalogue and volume
 * path for diffs. On 0, *run_id (may be NULL) is the new run's id: small
 * integers from 1, never reused, even after a prune. -EINVAL for a
 * record without request or summary, or with an outlier threshold out of
 * range; else the errno values above.
 */
PAGLETS_NODISCARD int
paglets_results_store(struct paglets_results *db,
                      const struct paglets_results_record *record,
                      int64_t *run_id, struct paglets_err *err);

/* A stored run, as listed. */
struct paglets_results_run {
    int64_t id;
    int64_t time_unix_seconds;
    struct paglets_perf_request request; /* its options, owned */
    double outlier_threshold;
    size_t hosts;  /* hosts of the run: with a result, failed or pending */
    size_t errors; /* paglets_perf_summary_error_count() of the run */
    char *build;   /* paglets_build_id() of the program that stored it */
};

/* Free what run owns and zero it. NULL is a no-op. */
void paglets_results_run_release(struct paglets_results_run *run);

/*
 * The run as JSON (new reference; NULL when out of memory): {"run_id",
 * "time" (UTC, "2024-05-01T10:00:00Z"), "time_unix_seconds", "hosts",
 * "errors", "build", "outlier_threshold", "options": the request as
 * paglets_perf_request_to_json() writes it}.
 */
json_t *paglets_results_run_to_json(const struct paglets_results_run *run);

struct paglets_results_runs {
    struct paglets_results_run *items;
    size_t n;
};

/*
 * The last `limit` runs (0: all), oldest first. Fills *runs (caller
 * releases with paglets_results_runs_release()); on failure *runs is
 * empty.
 */
PAGLETS_NODISCARD int paglets_results_list(struct paglets_results *db,
                                           size_t limit,
                                           struct paglets_results_runs *runs,
                                           struct paglets_err *err);

void paglets_results_runs_release(struct paglets_results_runs *runs);

/*
 * Run id: its listing into *run (may be NULL; caller releases with
 * paglets_results_run_release()) and its summary into *summary (may be
 * NULL; caller frees with paglets_perf_summary_free()). -ENOENT when
 * there is no such run. On failure neither is set.
 */
PAGLETS_NODISCARD int paglets_results_load(
    struct paglets_results *db, int64_t id, struct paglets_results_run *run,
    struct paglets_perf_summary **summary, struct paglets_err *err);

/*
 * The id of the newest run before run `before` (`--compare last`: the
 * run before this one), or of the newest run when before <= 0. -ENOENT
 * when there is none.
 */
PAGLETS_NODISCARD int paglets_results_latest(struct paglets_results *db,
                                             int64_t before, int64_t *id,
                                             struct paglets_err *err);

/*
 * Delete all runs but the newest `keep` (and their rows). *removed (may be
 * NULL) is how many went. The file keeps its size: SQLite reuses the free
 * pages (`sqlite3 FILE VACUUM` gives them back).
 */
PAGLETS_NODISCARD int paglets_results_prune(struct paglets_results *db,
                                            size_t keep, size_t *removed,
                                            struct paglets_err *err);

enum paglets_results_mismatch_flags {
    PAGLETS_RESULTS_MISMATCH_DURATION = 1u << 0,
    PAGLETS_RESULTS_MISMATCH_DISK_SIZE = 1u << 1,
    PAGLETS_RESULTS_MISMATCH_WORKERS = 1u << 2,
};

/* Two runs compared. Plain data the caller releases. */
struct paglets_results_diff {
    int64_t before_id;
    int64_t after_id; /* 0 for a run that was not stored */
    double threshold;
    /*
     * Hosts matched by name, sorted by host (strcmp), catalogue order and
     * path, as paglets_perf_changes_lookup() and the text table's
     * --compare rows want them. before or after is NAN where that run has
     * no usable figure (the host or the part missing, the kernel failed).
     */
    struct paglets_perf_change *items;
    size_t n;
    size_t regressions; /* items with verdict WORSE */
    /* Options that differ between the runs, and a sentence for each:
     * "runs 3 and 4 used different --duration: 1 s and 0.5 s". */
    unsigned mismatches;
    struct paglets_perf_strings warnings;
};

/*
 * Compare run after_id with run before_id (`paglets results diff A B`):
 * every figure either run has, per host matched by name; changes beyond
 * threshold (in (0, 1], as --outlier-threshold) judged as
 * paglets_perf_metric_judge() does, with the earlier figure as the
 * reference. Fills *diff (caller releases with
 * paglets_results_diff_release()); on failure *diff is empty. -ENOENT
 * when a run does not exist; -EINVAL for a threshold out of range.
 */
PAGLETS_NODISCARD int paglets_results_diff(struct paglets_results *db,
                                           int64_t before_id, int64_t after_id,
                                           double threshold,
                                           struct paglets_results_diff *diff,
                                           struct paglets_err *err);

/*
 * The same against a run that is not (or not yet) stored
 * (`paglets examples perf --compare RUN --no-save`): after is the run's
 * record, diff->after_id is 0.
 */
PAGLETS_NODISCARD int
paglets_results_diff_record(struct paglets_results *db, int64_t before_id,
                            const struct paglets_results_record *after,
                            double threshold, struct paglets_results_diff *diff,
                            struct paglets_err *err);

void paglets_results_diff_release(struct paglets_results_diff *diff);

/*
 * The change of host's figure (metric id; path for disk figures, else
 * NULL), or NULL when neither run has it. Borrowed from diff.
 */
const struct paglets_perf_change *
paglets_results_diff_lookup(const struct paglets_results_diff *diff,
                            const char *host, const char *metric_id,
                            const char *path);

/*
 * The diff as JSON (new reference; NULL when out of memory):
 * {"before_run_id", "after_run_id" (null when not stored), "threshold",
 * "regressions", "warnings": [...], "changes": [{"host", "metric", "path"
 * (null unless disk), "before", "after", "ratio" (null when missing),
 * "verdict": "regression" | "improvement" | null}]}.
 */
json_t *paglets_results_diff_to_json(const struct paglets_results_diff *diff);

#ifdef __cplusplus
}
#endif

#endif
