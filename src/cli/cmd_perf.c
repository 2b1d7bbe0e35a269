/*
 * `paglets examples perf`: run the mesh-wide benchmark from an entry host
 * (or, when none answers, from an embedded one) and print the table or
 * the JSON summary.
 */
/* getcwd, gethostname, sigaction: POSIX.1-2008 with XSI. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <paglets/paglets.h>
#include <paglets/perf.h>
#include <paglets/perf_answers.h>

#include "commands.h"
#include "perf_entry.h"
#include "perf_report.h"
#include "term.h"

#define PATH_NAME "paglets examples perf"

/*
 * Help texts with the defaults of <paglets/perf.h>: the defaults and
 * limits live there once, and this table reads them rather than repeating
 * them. (Not formatted: clang-format would split the TEXT( calls.)
 */
#define TEXT_OF(x) #x
#define TEXT(x) TEXT_OF(x)
/* clang-format off */
#define DISK_SIZE_HELP                                                         \
    "temporary file size per tested volume (default "                          \
    TEXT(PAGLETS_PERF_DEFAULT_DISK_SIZE_MIB) "M)"
#define DURATION_HELP                                                          \
    "seconds per CPU and memory kernel (default "                              \
    TEXT(PAGLETS_PERF_DEFAULT_DURATION_SECONDS) ", floor "                     \
    TEXT(PAGLETS_PERF_MIN_DURATION_SECONDS) ")"
#define LOCK_TIMEOUT_HELP                                                      \
    "seconds to wait for another benchmark on the same machine (default "      \
    TEXT(PAGLETS_PERF_DEFAULT_LOCK_TIMEOUT_SECONDS) ")"
#define TIMEOUT_HELP                                                           \
    "seconds to wait for the hosts' results (default "                         \
    TEXT(PAGLETS_PERF_DEFAULT_TIMEOUT_SECONDS) ")"
#define OUTLIER_THRESHOLD_HELP                                                 \
    "flag a figure at or below this fraction of the mesh median (default "     \
    TEXT(PAGLETS_PERF_DEFAULT_OUTLIER_THRESHOLD) ")"
#define DESCRIPTION                                                            \
    "Creates a PerformanceBenchmarkAgent on the entry host; it clones\n"        \
    "itself to every online host of the same mesh version, each clone\n"       \
    "measures its machine and reports back. Without --entry, the host on\n"    \
    "port " CLI_STR(PAGLETS_DEFAULT_PORT) " (loopback, then this machine's "   \
    "LAN address) is used; when\n"                                             \
    "none answers, the benchmark runs on an embedded host in this\n"           \
    "process.\n\n"                                                             \
    "With 3 or more hosts, a figure at or below --outlier-threshold times\n"   \
    "the median of the hosts is flagged with '!' and named under notes:.\n"    \
    "Every run is stored in the run database (see 'paglets results').\n"       \
    "--html FILE also writes an HTML report with a bar chart per figure\n"     \
    "(docs/REPORT.md), atomically; '-' writes it to stdout.\n\n"               \
    "Exit status: 0 all good; 1 any error in the summary; 2 the run\n"         \
    "could not happen or the --html file cannot be written; 130\n"            \
    "interrupted. Outliers, regressions and a database that cannot be\n"      \
    "written do not change it."
/* clang-format on */

struct perf_config {
    const char *api_key_env;
    const char *compare;
    const char *db;
    bool debug;
    uint64_t disk_size;
    double duration;
    const char *entry;
    const char *html;
    bool json;
    double lock_timeout;
    bool no_cpu;
    bool no_disk;
    bool no_memory;
    bool no_save;
    double outlier_threshold;
    struct cli_list paths;
    const char *proxy;
    double timeout;
    const char *tls_ca;
    bool verbose;
    long workers;
};

static const struct cli_opt perf_opts[] = {
    {"api-key-env", 0, CLI_OPT_STRING, "NAME",
     "environment variable holding the bearer API key (default: "
     "PAGLETS_API_KEY when set)",
     offsetof(struct perf_config, api_key_env), 0, 0},
    {"compare", 0, CLI_OPT_STRING, "RUN",
     "also show each figure's change since a stored run ('last': the one "
     "before this run)",
     offsetof(struct perf_config, compare), 0, 0},
    {"db", 0, CLI_OPT_STRING, "PATH",
     "the run database (default: $PAGLETS_RESULTS_DB, else "
     "$XDG_DATA_HOME/paglets/results.db)",
     offsetof(struct perf_config, db), 0, 0},
    {"debug", 0, CLI_OPT_FLAG, NULL, "same diagnostic output as --verbose",
     offsetof(struct perf_config, debug), 0, 0},
    {"disk-size", 0, CLI_OPT_SIZE, "SIZE", DISK_SIZE_HELP,
     offsetof(struct perf_config, disk_size), 0, 0},
    {"duration", 0, CLI_OPT_SECONDS, "SECONDS", DURATION_HELP,
     offsetof(struct perf_config, duration), 0,
     PAGLETS_PERF_MAX_DURATION_SECONDS},
    {"entry", 0, CLI_OPT_STRING, "NAME|URL",
     "entry host: a URL, or the name of a host in the local mesh",
     offsetof(struct perf_config, entry), 0, 0},
    {"html", 0, CLI_OPT_STRING, "FILE",
     "also write an HTML report with charts to FILE ('-': stdout, instead "
     "of the table)",
     offsetof(struct perf_config, html), 0, 0},
    {"json", 0, CLI_OPT_FLAG, NULL, "print the full summary as JSON",
     offsetof(struct perf_config, json), 0, 0},
    {"lock-timeout", 0, CLI_OPT_SECONDS, "SECONDS", LOCK_TIMEOUT_HELP,
     offsetof(struct perf_config, lock_timeout), 0,
     PAGLETS_PERF_MAX_LOCK_TIMEOUT_SECONDS},
    {"no-cpu", 0, CLI_OPT_FLAG, NULL, "skip CPU tests",
     offsetof(struct perf_config, no_cpu), 0, 0},
    {"no-disk", 0, CLI_OPT_FLAG, NULL, "skip disk I/O tests",
     offsetof(struct perf_config, no_disk), 0, 0},
    {"no-memory", 0, CLI_OPT_FLAG, NULL, "skip memory tests",
     offsetof(struct perf_config, no_memory), 0, 0},
    {"no-save", 0, CLI_OPT_FLAG, NULL,
     "do not store the run in the run database",
     offsetof(struct perf_config, no_save), 0, 0},
    {"outlier-threshold", 0, CLI_OPT_NUMBER, "RATIO", OUTLIER_THRESHOLD_HELP,
     offsetof(struct perf_config, outlier_threshold), 0.01,
     PAGLETS_PERF_MAX_OUTLIER_THRESHOLD},
    {"path", 0, CLI_OPT_LIST, "DIR",
     "limit disk I/O to this directory (repeatable)",
     offsetof(struct perf_config, paths), 0, 0},
    {"proxy", 0, CLI_OPT_STRING, "URL",
     "send requests through this proxy (proxy variables are ignored)",
     offsetof(struct perf_config, proxy), 0, 0},
    {"timeout", 0, CLI_OPT_SECONDS, "SECONDS", TIMEOUT_HELP,
     offsetof(struct perf_config, timeout), 0,
     PAGLETS_PERF_MAX_TIMEOUT_SECONDS},
    {"tls-ca", 0, CLI_OPT_STRING, "FILE",
     "CA certificates to verify https hosts with (sets $PAGLETS_TLS_CA)",
     offsetof(struct perf_config, tls_ca), 0, 0},
    {"verbose", 'v', CLI_OPT_FLAG, NULL,
     "also print skipped disk targets and cleanup diagnostics",
     offsetof(struct perf_config, verbose), 0, 0},
    {"workers", 0, CLI_OPT_INT, "N",
     "multi-core worker count (default: logical CPUs)",
     offsetof(struct perf_config, workers), 0, PAGLETS_PERF_MAX_WORKERS},
};

/* The library's defaults, as its _init functions set them. */
static void perf_defaults(void *config)
{
    struct perf_config *c = config;
    struct paglets_perf_request request;
    paglets_perf_request_init(&request);
    c->disk_size = request.disk_size_bytes;
    c->duration = request.duration_seconds;
    c->lock_timeout = request.lock_timeout_seconds;
    c->workers = (long)request.workers;
    paglets_perf_request_release(&request);
    struct paglets_perf_collect_options options;
    paglets_perf_collect_options_init(&options);
    c->timeout = options.timeout_seconds;
    struct paglets_perf_outlier_options outliers;
    paglets_perf_outlier_options_init(&outliers);
    c->outlier_threshold = outliers.threshold;
}

/* Tripped by the first SIGINT: aborts the request in flight at once. */
static struct paglets_cancel *volatile interrupt;

static void on_sigint(int sig)
{
    (void)sig;
    paglets_cancel_trip(interrupt); /* async-signal-safe */
}

/*
 * One updating line on a terminal: hosts done, elapsed, who is missing.
 * The names are the entry host's: escaped and cut, so the line stays one
 * line whatever they hold.
 */
static void show_progress(void *arg, const struct paglets_perf_progress *p)
{
    (void)arg;
    fprintf(stderr, "\r\033[Kperf: %zu/%zu hosts done, %.1fs", p->done,
            p->total, p->elapsed_seconds);
    size_t n = json_array_size(p->pending_hosts);
    for (size_t i = 0; i < n && i < 4; i++) {
        const char *name =
            json_string_value(json_array_get(p->pending_hosts, i));
        char shown[48];
        cli_cell(shown, sizeof(shown), name ? name : "?");
        fprintf(stderr, "%s%s", i ? ", " : "; waiting for ", shown);
    }
    if (n > 4)
        fprintf(stderr, " and %zu more", n - 4);
    fflush(stderr);
}

/* path made absolute against the working directory, symlinks kept. */
static char *absolute_path(const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    char *cwd = getcwd(NULL, 0);
    size_t size = cwd ? strlen(cwd) + 1 + strlen(path) + 1 : 0;
    char *out = cwd ? malloc(size) : NULL;
    if (out != NULL)
        snprintf(out, size, "%s/%s", cwd, path);
    free(cwd);
    return out;
}

/* Usage checks that need more than the option table; before any work. */
static int build_request(const struct perf_config *c,
                         struct paglets_perf_request *request)
{
    paglets_perf_request_init(request);
    request->include_cpu = !c->no_cpu;
    request->include_memory = !c->no_memory;
    request->include_disk = !c->no_disk;
    /* The kernels raise it to PAGLETS_PERF_MIN_DURATION_SECONDS. */
    request->duration_seconds = c->duration;
    request->disk_size_bytes = c->disk_size;
    request->workers = (unsigned)c->workers;
    request->lock_timeout_seconds = c->lock_timeout;
    if (c->paths.n > PAGLETS_PERF_MAX_PATHS)
        return cli_usage_error(PATH_NAME, "--path: at most %d directories",
                               PAGLETS_PERF_MAX_PATHS);
    for (size_t i = 0; i < c->paths.n; i++) {
        const char *path = c->paths.items[i];
        /* "" would be the working directory: say which one instead. */
        if (path[0] == '\0')
            return cli_usage_error(PATH_NAME, "--path: the directory name "
                                              "is empty");
        /*
         * The path is the hosts' to judge: they report one that is not a
         * directory there as a skipped volume. Hosts have other working
         * directories, so send absolute paths, but not resolved ones: a
         * symlink is measured where it points and reported under the name
         * the user gave.
         */
        char *absolute = absolute_path(path);
        int rc = absolute != NULL
                     ? paglets_perf_request_add_path(request, absolute)
                     : -ENOMEM;
        free(absolute);
        if (rc == -E2BIG)
            return cli_usage_error(PATH_NAME,
                                   "--path: '%.64s...' is %d bytes or longer",
                                   path, PAGLETS_PERF_MAX_PATH_BYTES);
        if (rc != 0)
            return cli_usage_error(PATH_NAME, "--path: %s",
                                   paglets_strerror(rc));
    }
    return 0;
}

static int api_key_from_env(const char *name, const char **key)
{
    *key = getenv(name ? name : "PAGLETS_API_KEY");
    if (*key != NULL && **key == '\0')
        *key = NULL;
    if (name != NULL && *key == NULL)
        return cli_usage_error(
            PATH_NAME, "--api-key-env: '%s' is not set or is empty", name);
    return 0;
}

static struct perf_save_options save_options(const struct perf_config *c)
{
    return (struct perf_save_options){c->db, c->no_save, c->compare,
                                      c->outlier_threshold};
}

/*
 * Store, compare and print the run; the exit status says whether the
 * summary holds errors (the database's troubles are warnings).
 */
static int print_summary(const struct perf_config *c,
                         const struct paglets_perf_request *request,
                         const struct paglets_perf_summary *summary,
                         time_t started)
{
    const struct perf_save_options save = save_options(c);
    struct perf_report report = {.json = c->json,
                                 .verbose = c->verbose || c->debug,
                                 .outlier_threshold = c->outlier_threshold,
                                 .html = c->html,
                                 .request = request,
                                 .time_unix_seconds = (int64_t)started};
    int status = perf_save_and_print(&save, request, summary, (int64_t)started,
                                     &report, PATH_NAME);
    if (status != 0)
        return status;
    return paglets_perf_summary_error_count(summary) ? CLI_EXIT_FAILURE
                                                     : CLI_EXIT_OK;
}

static int collect_and_print(const struct perf_config *c,
                             const struct paglets_perf_request *request,
                             const char *entry_url, const char *api_key,
                             double deadline)
{
    struct paglets_perf_collect_options options;
    paglets_perf_collect_options_init(&options);
    options.timeout_seconds = c->timeout;
    options.deadline_seconds = deadline;
    options.api_key = api_key;
    options.proxy = c->proxy;
    if (isatty(STDERR_FILENO))
        options.progress = show_progress;
    struct paglets_err err = {0};
    options.cancel = interrupt = paglets_cancel_new(&err);
    if (options.cancel == NULL) {
        cli_error("%s: %s\n", PATH_NAME, err.message);
        return CLI_EXIT_USAGE;
    }

    /* A second SIGINT finds the default action again: it ends the command. */
    struct sigaction action = {.sa_handler = on_sigint,
                               .sa_flags = SA_RESETHAND};
    struct sigaction previous;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous);
    struct paglets_perf_summary *summary = NULL;
    time_t started = time(NULL);
    int rc =
        paglets_perf_collect_with(entry_url, request, &options, &summary, &err);
    sigaction(SIGINT, &previous, NULL);
    bool interrupted = paglets_cancel_is_tripped(options.cancel);
    interrupt = NULL;
    paglets_cancel_free(options.cancel);
    if (options.progress != NULL)
        fprintf(stderr, "\r\033[K");
    if (rc == -ECANCELED || interrupted) {
        paglets_perf_summary_free(summary);
        /* The library says whether the agents are gone. */
        cli_error("%s: %s\n", PATH_NAME,
                  rc == -ECANCELED ? err.message : "interrupted");
        return CLI_EXIT_INTERRUPTED;
    }
    if (rc != 0) {
        cli_error("%s: benchmark run on '%s' failed: %s\n", PATH_NAME,
                  entry_url, err.message);
        return CLI_EXIT_USAGE;
    }
    int status = print_summary(c, request, summary, started);
    paglets_perf_summary_free(summary);
    return status;
}

static int perf_run(void *config, int argc, char **argv)
{
    (void)argv;
    struct perf_config *c = config;
    if (argc > 0)
        return cli_usage_error(PATH_NAME, "unexpected argument '%s'", argv[0]);
    const char *api_key;
    struct paglets_perf_request request;
    int status = api_key_from_env(c->api_key_env, &api_key);
    /* Every client of the run, the library's too, reads the variable. */
    if (status == 0 && c->tls_ca != NULL &&
        (access(c->tls_ca, R_OK) != 0 ||
         setenv("PAGLETS_TLS_CA", c->tls_ca, 1) != 0))
        status =
            cli_usage_error(PATH_NAME, "--tls-ca: cannot read '%s'", c->tls_ca);
    if (status == 0)
        status = perf_html_check(c->html, c->json, PATH_NAME);
    if (status == 0)
        status = build_request(c, &request);
    else
        paglets_perf_request_init(&request);
    const struct perf_save_options save = save_options(c);
    if (status == 0)
        status = perf_save_check(&save, PATH_NAME);
    /*
     * --timeout bounds the whole command: finding the entry host counts
     * (but gets PAGLETS_PERF_MIN_CALL_SECONDS whatever the timeout).
     */
    double started = paglets_monotonic_seconds();
    double deadline = started + c->timeout;
    double lookup = started + PAGLETS_PERF_MIN_CALL_SECONDS;
    struct perf_entry entry = {0};
    if (status == 0)
        status =
            perf_entry_open(&entry, c->entry, api_key, c->proxy,
                            deadline > lookup ? deadline : lookup, PATH_NAME);
    if (status == 0)
        status = collect_and_print(c, &request, entry.url, api_key, deadline);
    perf_entry_close(&entry);
    paglets_perf_request_release(&request);
    return status;
}

const struct cli_command cli_perf_command = {
    .name = "perf",
    .summary = "Benchmark CPU, memory and disks of every host in the mesh.",
    .description = DESCRIPTION,
    .opts = perf_opts,
    .n_opts = sizeof(perf_opts) / sizeof(perf_opts[0]),
    .config_size = sizeof(struct perf_config),
    .defaults = perf_defaults,
    .run = perf_run,
};
