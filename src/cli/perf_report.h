/*
 * What `paglets examples perf` and `paglets results show` print for a run:
 * the table or the JSON with the outliers against the mesh and the run's
 * id, and for a fresh run what comes before printing (storing it in the
 * run database, comparing it with an earlier run).
 */
#ifndef PAGLETS_CLI_PERF_REPORT_H
#define PAGLETS_CLI_PERF_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <paglets/perf.h>

#include "results/results.h"

/* How a run prints. */
struct perf_report {
    bool json;
    bool verbose;
    double outlier_threshold;
    int64_t run_id; /* 0: not stored (null in the JSON) */
    /* --compare: the run against an earlier one, or NULL (borrowed). */
    const struct paglets_results_diff *compare;
    /*
     * --html FILE: also write the HTML report there ("-": to stdout,
     * instead of the table or JSON); NULL: none. With the run's options
     * (borrowed, may be NULL) and start time for it.
     */
    const char *html;
    const struct paglets_perf_request *request;
    int64_t time_unix_seconds;
};

/*
 * Print summary (borrowed) to stdout as report says: the table with the
 * outliers flagged (and the changes of a comparison), or the summary's
 * JSON with "outliers", "run_id" (and "compare"); then the HTML report
 * when report->html. Returns 0, or prints one line naming `path` (the
 * command, for messages) and returns CLI_EXIT_USAGE when stdout or the
 * HTML file cannot be written or memory ran out.
 */
int perf_report_print(const struct paglets_perf_summary *summary,
                      const struct perf_report *report, const char *path);

/* What a fresh run does with the run database; from the command line. */
struct perf_save_options {
    const char *db;      /* --db, or NULL for the usual place */
    bool no_save;        /* --no-save */
    const char *compare; /* --compare: "last", a run id, or NULL */
    double outlier_threshold;
};

/*
 * Check --compare before the run, so a typo does not cost a benchmark:
 * "last" or a run id (a positive integer) that is in the database. A
 * run id that is not there is a usage error; a database that cannot be
 * read now is left to the warning after the run. Returns 0 or
 * CLI_EXIT_USAGE after one line on stderr.
 */
int perf_save_check(const struct perf_save_options *options, const char *path);

/*
 * After a run that started at time_unix_seconds: store it (unless
 * no_save) and compare it (with compare), then print it with report's
 * json and verbose. A database that cannot be opened, is locked,
 * read-only or corrupt costs one warning line on stderr, never the
 * report or the exit status. Returns perf_report_print()'s status.
 */
int perf_save_and_print(const struct perf_save_options *options,
                        const struct paglets_perf_request *request,
                        const struct paglets_perf_summary *summary,
                        int64_t time_unix_seconds, struct perf_report *report,
                        const char *path);

/*
 * A RUN argument: a run id (a positive integer), or "last" for the
 * newest run. 0 and *id set, or -EINVAL.
 */
int perf_parse_run(const char *text, int64_t *id);

/*
 * Check --html FILE before any work: "-", or a file whose directory
 * exists and is writable, and not --json together with "-" (both on
 * stdout). Returns 0 or CLI_EXIT_USAGE after one line on stderr.
 */
int perf_html_check(const char *html, bool json, const char *path);

/*
 * Open the run database named by --db (NULL: the usual place) for a
 * command that only reads (list, show, diff, --compare --no-save) or
 * that writes. NULL with the message in err.
 */
struct paglets_results *perf_db_open(const char *db, bool read_only,
                                     struct paglets_err *err);

#endif
