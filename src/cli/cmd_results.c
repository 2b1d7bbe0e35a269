/*
 * `paglets results`: the runs `paglets examples perf` stored in the run
 * database, listed, shown again as they printed, compared two by two and
 * pruned.
 */
/* gmtime_r: POSIX.1-2008. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <paglets/perf_answers.h>

#include "commands.h"
#include "perf_report.h"
#include "term.h"

/* The options of every results command; each table picks its own. */
struct results_config {
    const char *db;
    const char *html;
    bool json;
    long keep;
    double threshold;
    bool verbose;
};

#define O(field) offsetof(struct results_config, field)
#define DB_OPT                                                                 \
    {                                                                          \
        "db", 0, CLI_OPT_STRING, "PATH",                                       \
            "the run database (default: $PAGLETS_RESULTS_DB, else "            \
            "$XDG_DATA_HOME/paglets/results.db)",                              \
            O(db), 0, 0                                                        \
    }

static const struct cli_opt list_opts[] = {
    DB_OPT,
    {"json", 0, CLI_OPT_FLAG, NULL, "print the runs as a JSON array", O(json),
     0, 0},
};

static const struct cli_opt show_opts[] = {
    DB_OPT,
    {"html", 0, CLI_OPT_STRING, "FILE",
     "also write the run's HTML report with charts to FILE ('-': stdout, "
     "instead of the table)",
     O(html), 0, 0},
    {"json", 0, CLI_OPT_FLAG, NULL, "print the run's JSON summary", O(json), 0,
     0},
    {"verbose", 'v', CLI_OPT_FLAG, NULL,
     "also print skipped disk targets and volume diagnostics", O(verbose), 0,
     0},
};

static const struct cli_opt diff_opts[] = {
    DB_OPT,
    {"json", 0, CLI_OPT_FLAG, NULL, "print the comparison as JSON", O(json), 0,
     0},
    {"threshold", 0, CLI_OPT_NUMBER, "RATIO",
     "flag a figure at or below this fraction of its earlier value "
     "(default " CLI_OPT_DEFAULT ")",
     O(threshold), 0.01, PAGLETS_PERF_MAX_OUTLIER_THRESHOLD},
};

static const struct cli_opt prune_opts[] = {
    DB_OPT,
    {"keep", 0, CLI_OPT_INT, "N", "keep the newest N runs (required)", O(keep),
     0, 1000000000},
};
#undef O

static void results_defaults(void *config)
{
    struct results_config *c = config;
    struct paglets_perf_outlier_options outliers;
    paglets_perf_outlier_options_init(&outliers);
    c->threshold = outliers.threshold;
    c->keep = -1;
}

/* Open for reading; one line on stderr naming `path` when it fails. */
static struct paglets_results *open_read(const struct results_config *c,
                                         const char *path, int *status)
{
    struct paglets_err err = {0};
    struct paglets_results *db = perf_db_open(c->db, true, &err);
    if (db == NULL) {
        cli_error("%s: %s\n", path, err.message);
        *status = CLI_EXIT_USAGE;
    }
    return db;
}

/* A run id operand ("last": the newest run); exit status or 0. */
static int run_operand(struct paglets_results *db, const char *text,
                       const char *path, int64_t *id)
{
    struct paglets_err err = {0};
    if (perf_parse_run(text, id) != 0)
        return cli_usage_error(path, "'%s' is neither 'last' nor a run id",
                               text);
    if (*id == 0 && paglets_results_latest(db, 0, id, &err) != 0) {
        cli_error("%s: %s\n", path, err.message);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static int print_json(json_t *json, const char *path)
{
    int rc = json ? paglets_perf_json_write(json, stdout) : -ENOMEM;
    json_decref(json);
    if (rc == 0 && fflush(stdout) != 0)
        rc = -EIO;
    if (rc == 0)
        return CLI_EXIT_OK;
    cli_error("%s: cannot write: %s\n", path, paglets_strerror(rc));
    return CLI_EXIT_USAGE;
}

/* Append " --NAME VALUE" (or " --NAME" when value is NULL) to out. */
static void add_option(char *out, size_t size, const char *name,
                       const char *value)
{
    size_t len = strlen(out);
    if (len < size)
        snprintf(out + len, size - len, " --%s%s%s", name, value ? " " : "",
                 value ? value : "");
}

/*
 * The options of a run that differ from the defaults, as they were typed:
 * what tells runs apart in a list.
 */
static void options_text(const struct paglets_results_run *run, char *out,
                         size_t size)
{
    const struct paglets_perf_request *r = &run->request;
    struct paglets_perf_request d;
    paglets_perf_request_init(&d);
    char value[80];
    out[0] = '\0';
    if (!r->include_cpu)
        add_option(out, size, "no-cpu", NULL);
    if (!r->include_memory)
        add_option(out, size, "no-memory", NULL);
    if (!r->include_disk)
        add_option(out, size, "no-disk", NULL);
    if (r->duration_seconds != d.duration_seconds) {
        snprintf(value, sizeof(value), "%g", r->duration_seconds);
        add_option(out, size, "duration", value);
    }
    if (r->include_disk && r->disk_size_bytes != d.disk_size_bytes) {
        cli_format_size(value, sizeof(value), r->disk_size_bytes);
        add_option(out, size, "disk-size", value);
    }
    if (r->workers != d.workers) {
        snprintf(value, sizeof(value), "%u", r->workers);
        add_option(out, size, "workers", value);
    }
    for (size_t i = 0; i < r->n_paths; i++) {
        cli_cell(value, sizeof(value), r->paths[i]);
        add_option(out, size, "path", value);
    }
    if (run->outlier_threshold != PAGLETS_PERF_DEFAULT_OUTLIER_THRESHOLD) {
        snprintf(value, sizeof(value), "%g", run->outlier_threshold);
        add_option(out, size, "outlier-threshold", value);
    }
    paglets_perf_request_release(&d);
}

static void time_text(int64_t seconds, char *out, size_t size)
{
    time_t t = (time_t)seconds;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, size, "-");
}

static void print_runs(const struct paglets_results_runs *runs)
{
    printf("%5s  %-20s  %5s  %6s  %s\n", "run", "time", "hosts", "errors",
           "options");
    for (size_t i = 0; i < runs->n; i++) {
        const struct paglets_results_run *run = &runs->items[i];
        char when[32], options[1024];
        time_text(run->time_unix_seconds, when, sizeof(when));
        options_text(run, options, sizeof(options));
        printf("%5" PRId64 "  %-20s  %5zu  %6zu %s\n", run->id, when,
               run->hosts, run->errors, options[0] ? options : " -");
    }
}

static int list_run(void *config, int argc, char **argv)
{
    static const char path[] = "paglets results list";
    const struct results_config *c = config;
    if (argc > 0)
        return cli_usage_error(path, "unexpected argument '%s'", argv[0]);
    struct paglets_err err = {0};
    struct paglets_results_runs runs = {0};
    struct paglets_results *db = perf_db_open(c->db, true, &err);
    /* No database yet: no runs, which is no error. */
    int rc = db                    ? paglets_results_list(db, 0, &runs, &err)
             : err.code == -ENOENT ? 0
                                   : err.code;
    paglets_results_free(db);
    if (rc != 0) {
        cli_error("%s: %s\n", path, err.message);
        return CLI_EXIT_USAGE;
    }
    int status = CLI_EXIT_OK;
    if (c->json) {
        json_t *array = json_array();
        for (size_t i = 0; array && i < runs.n; i++)
            if (json_array_append_new(
                    array, paglets_results_run_to_json(&runs.items[i])) != 0) {
                json_decref(array);
                array = NULL;
            }
        status = print_json(array, path);
    } else {
        print_runs(&runs);
    }
    paglets_results_runs_release(&runs);
    return status;
}

static int show_run(void *config, int argc, char **argv)
{
    static const char path[] = "paglets results show";
    const struct results_config *c = config;
    if (argc != 1)
        return cli_usage_error(path, argc ? "one run at a time"
                                          : "which run? (a run id or 'last')");
    int status = perf_html_check(c->html, c->json, path);
    struct paglets_results *db = status ? NULL : open_read(c, path, &status);
    int64_t id = 0;
    if (db != NULL)
        status = run_operand(db, argv[0], path, &id);
    struct paglets_results_run run = {0};
    struct paglets_perf_summary *summary = NULL;
    struct paglets_err err = {0};
    if (status == 0 &&
        paglets_results_load(db, id, &run, &summary, &err) != 0) {
        cli_error("%s: %s\n", path, err.message);
        status = CLI_EXIT_USAGE;
    }
    if (status == 0) {
        const struct perf_report report = {
            .json = c->json,
            .verbose = c->verbose,
            .outlier_threshold = run.outlier_threshold,
            .run_id = id,
            .html = c->html,
            .request = &run.request,
            .time_unix_seconds = run.time_unix_seconds};
        status = perf_report_print(summary, &report, path);
    }
    paglets_perf_summary_free(summary);
    paglets_results_run_release(&run);
    paglets_results_free(db);
    return status;
}

/* "disk.write /srv" or "cpu.integer": the figure column of a change. */
static void figure_text(const struct paglets_perf_change *change, char *out,
                        size_t size)
{
    char path[64] = "";
    if (change->path != NULL)
        cli_cell(path, sizeof(path), change->path);
    snprintf(out, size, "%s%s%s", change->metric->id, path[0] ? " " : "", path);
}

static void print_diff(const struct paglets_results_diff *diff)
{
    char label[32] = "this run", figure[96];
    if (diff->after_id > 0)
        snprintf(label, sizeof(label), "run %" PRId64, diff->after_id);
    int width = 6;
    for (size_t i = 0; i < diff->n; i++) {
        figure_text(&diff->items[i], figure, sizeof(figure));
        width = (int)strlen(figure) > width ? (int)strlen(figure) : width;
    }
    printf("run %" PRId64 " -> %s: a figure at or below %g times its earlier "
           "value is flagged\n\n",
           diff->before_id, label, diff->threshold);
    printf("%-14s %-*s %10s %10s %9s\n", "host", width, "figure", "before",
           "after", "change");
    for (size_t i = 0; i < diff->n; i++) {
        const struct paglets_perf_change *c = &diff->items[i];
        char host[64], before[48], after[48], change[16];
        cli_cell(host, sizeof(host), c->host);
        figure_text(c, figure, sizeof(figure));
        paglets_perf_metric_format(c->metric, c->before, before,
                                   sizeof(before));
        paglets_perf_metric_format(c->metric, c->after, after, sizeof(after));
        paglets_perf_ratio_format(c->ratio, change, sizeof(change));
        bool worse = c->verdict == PAGLETS_PERF_WORSE;
        printf("%-14s %-*s %10s %10s %*s%s\n", host, width, figure, before,
               after, worse ? 8 : 9, change, worse ? "!" : "");
    }
    if (diff->regressions == 0)
        return;
    printf("\nnotes:\n");
    for (size_t i = 0; i < diff->n; i++) {
        const struct paglets_perf_change *c = &diff->items[i];
        char host[64], text[512], shown[1024];
        if (c->verdict != PAGLETS_PERF_WORSE)
            continue;
        cli_cell(host, sizeof(host), c->host);
        paglets_perf_change_format(c, text, sizeof(text));
        cli_cell(shown, sizeof(shown), text);
        printf("  - %s: regression since run %" PRId64 ": %s\n", host,
               diff->before_id, shown);
    }
}

/* The two runs of `diff [A [B]]`: by default the newest and the one before. */
static int diff_operands(struct paglets_results *db, int argc, char **argv,
                         const char *path, int64_t *a, int64_t *b)
{
    struct paglets_err err = {0};
    if (argc > 2)
        return cli_usage_error(path, "at most two runs");
    int status = argc == 2 ? run_operand(db, argv[1], path, b)
                           : run_operand(db, "last", path, b);
    if (status == 0 && argc >= 1)
        status = run_operand(db, argv[0], path, a);
    else if (status == 0 && paglets_results_latest(db, *b, a, &err) != 0) {
        cli_error("%s: %s: only run %" PRId64 " is stored\n", path,
                  err.code == -ENOENT ? "nothing to compare" : err.message, *b);
        status = CLI_EXIT_USAGE;
    }
    if (status == 0 && *a == *b)
        status = cli_usage_error(path, "run %" PRId64 " against itself", *a);
    return status;
}

static int diff_run(void *config, int argc, char **argv)
{
    static const char path[] = "paglets results diff";
    const struct results_config *c = config;
    int status = 0;
    struct paglets_results *db = open_read(c, path, &status);
    int64_t a = 0, b = 0;
    if (db != NULL)
        status = diff_operands(db, argc, argv, path, &a, &b);
    struct paglets_results_diff diff = {0};
    struct paglets_err err = {0};
    if (status == 0 &&
        paglets_results_diff(db, a, b, c->threshold, &diff, &err) != 0) {
        cli_error("%s: %s\n", path, err.message);
        status = CLI_EXIT_USAGE;
    }
    for (size_t i = 0; status == 0 && i < diff.warnings.n; i++)
        cli_error("%s: warning: %s\n", path, diff.warnings.items[i]);
    if (status == 0 && c->json)
        status = print_json(paglets_results_diff_to_json(&diff), path);
    else if (status == 0)
        print_diff(&diff);
    if (status == 0 && fflush(stdout) != 0)
        status = CLI_EXIT_USAGE;
    if (status == 0 && diff.regressions > 0)
        status = CLI_EXIT_FAILURE;
    paglets_results_diff_release(&diff);
    paglets_results_free(db);
    return status;
}

static int prune_run(void *config, int argc, char **argv)
{
    static const char path[] = "paglets results prune";
    const struct results_config *c = config;
    if (argc > 0)
        return cli_usage_error(path, "unexpected argument '%s'", argv[0]);
    if (c->keep < 0)
        return cli_usage_error(path, "--keep N is required");
    struct paglets_err err = {0};
    char *file = paglets_results_path(c->db, &err);
    struct paglets_results_options options;
    paglets_results_options_init(&options);
    options.no_create = true;
    struct paglets_results *db =
        file ? paglets_results_new(file, &options, &err) : NULL;
    size_t removed = 0;
    int rc = db ? paglets_results_prune(db, (size_t)c->keep, &removed, &err)
                : err.code;
    paglets_results_free(db);
    free(file);
    if (rc != 0) {
        cli_error("%s: %s\n", path, err.message);
        return CLI_EXIT_USAGE;
    }
    printf("removed %zu run%s\n", removed, removed == 1 ? "" : "s");
    return CLI_EXIT_OK;
}

#define N_OPTS(table) (sizeof(table) / sizeof(table[0]))

static const struct cli_command list_command = {
    .name = "list",
    .summary = "List the stored runs, oldest first.",
    .description = "Columns: run id, time (UTC), hosts, errors, and the "
                   "options that were not\nthe defaults.\n\n"
                   "Exit status: 0 listed (also when no run is stored); 2 "
                   "the database\ncannot be read.",
    .opts = list_opts,
    .n_opts = N_OPTS(list_opts),
    .config_size = sizeof(struct results_config),
    .defaults = results_defaults,
    .run = list_run,
};

static const struct cli_command show_command = {
    .name = "show",
    .summary = "Print a stored run as it printed when it ran.",
    .args = "RUN",
    .description = "RUN is a run id or 'last'. The outliers are those of the "
                   "run's own\n--outlier-threshold. --html FILE also writes "
                   "the run's HTML report.\n\n"
                   "Exit status: 0 shown; 2 no such run, the database "
                   "cannot be read,\nor the --html file cannot be written.",
    .opts = show_opts,
    .n_opts = N_OPTS(show_opts),
    .config_size = sizeof(struct results_config),
    .defaults = results_defaults,
    .run = show_run,
};

static const struct cli_command diff_command = {
    .name = "diff",
    .summary = "Compare two stored runs, host by host and figure by figure.",
    .args = "[RUN_A [RUN_B]]",
    .description =
        "Without runs: the newest run against the one before it; with one:\n"
        "RUN_A against the newest. Hosts are matched by name. A figure at\n"
        "or below --threshold times its value in RUN_A (a time: at or\n"
        "above it divided by it) is a regression, flagged with '!' and\n"
        "named under notes:. Runs made with different --duration,\n"
        "--disk-size or --workers get a warning on stderr.\n\n"
        "Exit status: 0 no regression; 1 regressions; 2 no such runs, or the\n"
        "database cannot be read.",
    .opts = diff_opts,
    .n_opts = N_OPTS(diff_opts),
    .config_size = sizeof(struct results_config),
    .defaults = results_defaults,
    .run = diff_run,
};

static const struct cli_command prune_command = {
    .name = "prune",
    .summary = "Delete all stored runs but the newest N.",
    .description = "Run ids are never reused.\n\n"
                   "Exit status: 0 pruned; 2 the database cannot be written.",
    .opts = prune_opts,
    .n_opts = N_OPTS(prune_opts),
    .config_size = sizeof(struct results_config),
    .defaults = results_defaults,
    .run = prune_run,
};

static const struct cli_command *const results_subcommands[] = {
    &list_command, &show_command, &diff_command, &prune_command, NULL,
};

const struct cli_command cli_results_command = {
    .name = "results",
    .summary = "The benchmark runs stored in the run database.",
    .description =
        "Every 'paglets examples perf' run is stored (unless --no-save) in\n"
        "--db PATH, else $" PAGLETS_RESULTS_ENV ", else\n"
        "$XDG_DATA_HOME/paglets/results.db (~/.local/share/paglets/...).",
    .subcommands = results_subcommands,
};
