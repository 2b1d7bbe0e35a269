/*
 * The report of a benchmark run (see perf_report.h): outliers against the
 * mesh, the run stored in and compared through the run database, and the
 * table or JSON that `paglets examples perf` and `paglets results show`
 * print alike.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <paglets/perf_answers.h>

#include "commands.h"
#include "perf_report.h"
#include "report/report.h"
#include "term.h"

int perf_parse_run(const char *text, int64_t *id)
{
    if (strcmp(text, "last") == 0) {
        *id = 0;
        return 0;
    }
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (text[0] < '1' || text[0] > '9' || *end != '\0' || errno != 0)
        return -EINVAL;
    *id = v;
    return 0;
}

struct paglets_results *perf_db_open(const char *db, bool read_only,
                                     struct paglets_err *err)
{
    char *path = paglets_results_path(db, err);
    if (path == NULL)
        return NULL;
    struct paglets_results_options options;
    paglets_results_options_init(&options);
    options.read_only = read_only;
    options.no_create = read_only;
    struct paglets_results *handle = paglets_results_new(path, &options, err);
    free(path);
    return handle;
}

/* The summary's JSON with what the run adds to it. */
static json_t *report_json(const struct paglets_perf_summary *summary,
                           const struct paglets_perf_outliers *outliers,
                           const struct perf_report *report)
{
    json_t *json = paglets_perf_summary_to_json(summary);
    if (json == NULL)
        return NULL;
    int rc = json_object_set_new(json, "outliers",
                                 paglets_perf_outliers_to_json(outliers));
    rc |= json_object_set_new(json, "run_id",
                              report->run_id > 0 ? json_integer(report->run_id)
                                                 : json_null());
    if (report->compare != NULL)
        rc |= json_object_set_new(
            json, "compare", paglets_results_diff_to_json(report->compare));
    if (rc != 0) {
        json_decref(json);
        return NULL;
    }
    return json;
}

static int print_text(const struct paglets_perf_summary *summary,
                      const struct paglets_perf_outliers *outliers,
                      const struct perf_report *report)
{
    struct paglets_perf_text_options options;
    paglets_perf_text_options_init(&options);
    options.flags = report->verbose ? PAGLETS_PERF_TEXT_VERBOSE : 0;
    options.outliers = outliers;
    char label[32];
    if (report->compare != NULL) {
        snprintf(label, sizeof(label), "run %" PRId64,
                 report->compare->before_id);
        options.changes = report->compare->items;
        options.n_changes = report->compare->n;
        options.compare_label = label;
    }
    return paglets_perf_summary_write_text_with(summary, &options, stdout);
}

int perf_report_print(const struct paglets_perf_summary *summary,
                      const struct perf_report *report, const char *path)
{
    struct paglets_perf_outlier_options options;
    paglets_perf_outlier_options_init(&options);
    options.threshold = report->outlier_threshold;
    struct paglets_perf_outliers outliers;
    struct paglets_err err = {0};
    int rc = paglets_perf_outliers_find(summary, &options, &outliers, &err);
    if (rc != 0) {
        cli_error("%s: %s\n", path, err.message);
        return CLI_EXIT_USAGE;
    }
    bool html_out = report->html != NULL && strcmp(report->html, "-") == 0;
    if (html_out) {
        rc = 0;
    } else if (report->json) {
        json_t *json = report_json(summary, &outliers, report);
        rc = json ? paglets_perf_json_write(json, stdout) : -ENOMEM;
        json_decref(json);
    } else {
        rc = print_text(summary, &outliers, report);
    }
    if (rc == 0 && fflush(stdout) != 0)
        rc = -EIO;
    int status = 0;
    if (rc != 0) {
        cli_error("%s: cannot write the report: %s\n", path,
                  paglets_strerror(rc));
        status = CLI_EXIT_USAGE;
    }
    if (report->html != NULL) {
        const struct paglets_report_run run = {summary,
                                               &outliers,
                                               report->request,
                                               report->outlier_threshold,
                                               report->time_unix_seconds,
                                               report->run_id};
        if (paglets_report_html_save(&run, report->html, &err) != 0) {
            cli_error("%s: --html: %s\n", path, err.message);
            status = CLI_EXIT_USAGE;
        }
    }
    paglets_perf_outliers_release(&outliers);
    return status;
}

int perf_html_check(const char *html, bool json, const char *path)
{
    if (html == NULL)
        return 0;
    if (strcmp(html, "-") == 0)
        return json ? cli_usage_error(path, "--html - and --json both "
                                            "write to stdout")
                    : 0;
    const char *slash = strrchr(html, '/');
    if (html[0] == '\0' || (slash != NULL && slash[1] == '\0'))
        return cli_usage_error(path, "--html: '%s' names no file", html);
    char dir[4096];
    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == html)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - html), html);
    if (access(dir, W_OK | X_OK) != 0)
        return cli_usage_error(path, "--html: cannot write in '%s'", dir);
    return 0;
}

int perf_save_check(const struct perf_save_options *options, const char *path)
{
    int64_t id;
    if (options->compare == NULL)
        return 0;
    if (perf_parse_run(options->compare, &id) != 0)
        return cli_usage_error(path,
                               "--compare: '%s' is neither 'last' nor a run "
                               "id",
                               options->compare);
    if (id == 0)
        return 0;
    struct paglets_err err = {0};
    struct paglets_results *db = perf_db_open(options->db, true, &err);
    int rc = db ? paglets_results_load(db, id, NULL, NULL, &err) : err.code;
    paglets_results_free(db);
    if (rc == -ENOENT)
        return cli_usage_error(path, "--compare: %s", err.message);
    return 0;
}

/*
 * A warning about the run database: one line, whatever failed, so a run
 * whose database is broken still reads as a run.
 */
static void warn(const char *path, const char *what, const char *message)
{
    cli_error("%s: warning: %s: %s\n", path, what, message);
}

/* The run to compare with: the one --compare names, or the one before. */
static int compare_with(struct paglets_results *db,
                        const struct perf_save_options *options,
                        const struct paglets_results_record *record,
                        int64_t run_id, struct paglets_results_diff *diff,
                        struct paglets_err *err)
{
    int64_t before;
    int rc = perf_parse_run(options->compare, &before);
    if (rc == 0 && before == 0)
        rc = paglets_results_latest(db, run_id, &before, err);
    if (rc == -ENOENT)
        return paglets_err_set(err, -ENOENT,
                               "no earlier run in results database '%s'",
                               paglets_results_file(db));
    if (rc != 0)
        return rc;
    if (run_id > 0)
        return paglets_results_diff(db, before, run_id,
                                    options->outlier_threshold, diff, err);
    return paglets_results_diff_record(db, before, record,
                                       options->outlier_threshold, diff, err);
}

int perf_save_and_print(const struct perf_save_options *options,
                        const struct paglets_perf_request *request,
                        const struct paglets_perf_summary *summary,
                        int64_t time_unix_seconds, struct perf_report *report,
                        const char *path)
{
    struct paglets_results_record record;
    paglets_results_record_init(&record);
    record.time_unix_seconds = time_unix_seconds;
    record.request = request;
    record.outlier_threshold = options->outlier_threshold;
    record.summary = summary;
    struct paglets_results *db = NULL;
    struct paglets_err err = {0};
    int64_t run_id = 0;
    if (!options->no_save || options->compare != NULL) {
        db = perf_db_open(options->db, options->no_save, &err);
        if (db == NULL)
            warn(path,
                 options->no_save           ? "run not compared"
                 : options->compare == NULL ? "run not saved"
                                            : "run neither saved nor compared",
                 err.message);
    }
    if (db != NULL && !options->no_save &&
        paglets_results_store(db, &record, &run_id, &err) != 0) {
        warn(path, "run not saved", err.message);
        run_id = 0;
    }
    struct paglets_results_diff diff = {0};
    bool compared = false;
    if (db != NULL && options->compare != NULL) {
        struct paglets_err cerr = {0};
        compared =
            compare_with(db, options, &record, run_id, &diff, &cerr) == 0;
        if (!compared)
            warn(path, "run not compared", cerr.message);
        for (size_t i = 0; compared && i < diff.warnings.n; i++)
            cli_error("%s: warning: %s\n", path, diff.warnings.items[i]);
    }
    report->run_id = run_id;
    report->compare = compared ? &diff : NULL;
    int status = perf_report_print(summary, report, path);
    report->compare = NULL;
    paglets_results_diff_release(&diff);
    paglets_results_free(db);
    return status;
}
