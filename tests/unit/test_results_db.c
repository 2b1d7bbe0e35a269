/*
 * The run database (src/results): where it lives, the private file and
 * directories it makes, the schema and its migrations, a run stored and
 * shown again byte for byte, listing, latest, prune, and the errors a
 * caller turns into one warning line: locked, read-only, corrupt, another
 * program's file, a newer schema. Each test has its own database in a
 * scratch directory.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "results_fixture.h"

#include "results/results_int.h"

/*
 * Three hosts: figures of every part, a host name and a path with
 * characters a terminal would act on, a figure that travelled as null,
 * a failed host, a cleanup failure.
 */
static const char rich[] =
    "{\"results\": {"
    " \"alpha\": {\"host_url\": \"http://192.0.2.10:8765\", \"result\": {"
    "  \"host_name\": \"alpha\", \"runtime_version\": \"c-0.1.0+abc\","
    "  \"lock_wait_seconds\": 0.25, \"errors\": [],"
    "  \"cpu\": {\"workers\": 8, \"logical_cpus\": 8, \"physical_cpus\": null,"
    "   \"errors\": [],"
    "   \"single_core\": ["
    "    {\"name\": \"integer\", \"operations_per_second\": 894552723.6,"
    "     \"operations\": 179000000, \"duration_seconds\": 0.2001},"
    "    {\"name\": \"float\", \"operations_per_second\": 144782825.8},"
    "    {\"name\": \"sha256\", \"bytes_per_second\": 1705391452.0}],"
    "   \"multi_core\": ["
    "    {\"name\": \"integer-multi\", \"operations_per_second\": "
    "7145708582.8}]},"
    "  \"memory\": {\"errors\": [], \"metrics\": ["
    "    {\"name\": \"memory-copy\", \"bytes_per_second\": 32856131584.0},"
    "    {\"name\": \"memory-scan\", \"bytes_per_second\": null}]},"
    "  \"disk\": {\"errors\": [], \"skipped\": [{\"path\": \"/proc\","
    "   \"reason\": \"special filesystem\", \"device\": \"proc\","
    "   \"filesystem\": \"proc\"}],"
    "   \"volumes\": [{\"path\": \"/srv/d\\u00e4ta\\u001b[31m\","
    "    \"benchmark_size_bytes\": 134217728,"
    "    \"write_bytes_per_second\": 3972844748.8, \"fsync_seconds\": 0.0912,"
    "    \"read_bytes_per_second\": 17179869184.0,"
    "    \"metadata_files_per_second\": 9130.4, \"read_cache_bypassed\": true,"
    "    \"notes\": [\"read served from the page cache\"]}]}}},"
    " \"b\\u202eeta\": {\"host_url\": \"http://192.0.2.11:8765\", \"result\": "
    "{"
    "  \"host_name\": \"beta\", \"errors\": [\"benchmark lock busy\"],"
    "  \"cpu\": {\"workers\": 2, \"single_core\": [], \"multi_core\": [],"
    "   \"errors\": [\"integer kernel failed\"]},"
    "  \"memory\": null, \"disk\": null}},"
    " \"gamma\": {\"host_url\": \"http://192.0.2.12:8765\", \"result\": {"
    "  \"host_name\": \"gamma\", \"cpu\": {\"single_core\": ["
    "   {\"name\": \"integer\", \"operations_per_second\": 1e308}]}}}},"
    " \"errors\": {\"delta\": \"timed out waiting for benchmark result\"},"
    " \"cleanup_errors\": {\"epsilon\": \"connection refused\"},"
    " \"pending_hosts\": []}";

/* A small summary: hosts h1..h3 with one integer figure each. */
static const char small[] =
    "{\"results\": {"
    " \"h1\": {\"host_url\": \"u\", \"result\": {\"cpu\": {\"single_core\": "
    "[{\"name\": \"integer\", \"operations_per_second\": 100}]}}},"
    " \"h2\": {\"host_url\": \"u\", \"result\": {\"cpu\": {\"single_core\": "
    "[{\"name\": \"integer\", \"operations_per_second\": 100}]}}},"
    " \"h3\": {\"host_url\": \"u\", \"result\": {\"cpu\": {\"single_core\": "
    "[{\"name\": \"integer\", \"operations_per_second\": 50}]}}}}}";

static char *render(const struct paglets_perf_summary *summary, bool json)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    assert_int_equal(json ? paglets_perf_summary_write_json(summary, out)
                          : paglets_perf_summary_write_text(
                                summary, PAGLETS_PERF_TEXT_VERBOSE, out),
                     0);
    fclose(out);
    return text;
}

/* One integer (or text) answer of sql on the file, through SQLite alone. */
static char *query(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    char *answer = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        answer = strdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    if (answer == NULL)
        fail_msg("query '%s' on %s failed", sql, path);
    return answer;
}

static void expect_query(const char *path, const char *sql,
                         const char *expected)
{
    char *answer = query(path, sql);
    assert_string_equal(answer, expected);
    free(answer);
}

/* Run sql on the file through SQLite alone (a hand edit, another app). */
static void edit(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *message = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK)
        fail_msg("edit '%s': %s", sql, message ? message : "open failed");
    sqlite3_close(db);
}

struct path_case {
    const char *option;
    const char *env_db;
    const char *xdg;
    const char *home;
    const char *expected; /* NULL: -EINVAL */
};

static void set_env(const char *name, const char *value)
{
    if (value != NULL)
        setenv(name, value, 1);
    else
        unsetenv(name);
}

static void test_path_resolution(void **state)
{
    (void)state;
    static const struct path_case cases[] = {
        {"/x/r.db", "/env.db", "/xdg", "/home/u", "/x/r.db"},
        {"rel.db", NULL, NULL, "/home/u", "rel.db"},
        {NULL, "/env.db", "/xdg", "/home/u", "/env.db"},
        {NULL, "", "/xdg", "/home/u", "/xdg/paglets/results.db"},
        {NULL, NULL, "/xdg", "/home/u", "/xdg/paglets/results.db"},
        {NULL, NULL, "relative/xdg", "/home/u",
         "/home/u/.local/share/paglets/results.db"},
        {NULL, NULL, "", "/home/u", "/home/u/.local/share/paglets/results.db"},
        {NULL, NULL, NULL, "/home/u",
         "/home/u/.local/share/paglets/results.db"},
        {"", "/env.db", NULL, "/home/u", NULL},
    };
    char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct path_case *c = &cases[i];
        set_env(PAGLETS_RESULTS_ENV, c->env_db);
        set_env("XDG_DATA_HOME", c->xdg);
        set_env("HOME", c->home);
        struct paglets_err err = {0};
        char *path = paglets_results_path(c->option, &err);
        if (c->expected == NULL) {
            assert_null(path);
            assert_int_equal(err.code, -EINVAL);
        } else {
            assert_non_null(path);
            assert_string_equal(path, c->expected);
        }
        free(path);
    }
    /* No HOME: the passwd entry's home directory. */
    unsetenv("HOME");
    unsetenv(PAGLETS_RESULTS_ENV);
    unsetenv("XDG_DATA_HOME");
    char *path = paglets_results_path(NULL, NULL);
    assert_non_null(path);
    const char *tail = "/.local/share/paglets/results.db";
    assert_true(strlen(path) > strlen(tail));
    assert_string_equal(path + strlen(path) - strlen(tail), tail);
    free(path);
    set_env("HOME", saved_home);
    free(saved_home);
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_new_makes_private_directories_and_file(void **state)
{
    struct scratch *s = *state;
    char *nested = NULL, *a = NULL, *b = NULL;
    assert_true(asprintf(&a, "%s/a", s->dir) > 0);
    assert_true(asprintf(&b, "%s/a/b", s->dir) > 0);
    assert_true(asprintf(&nested, "%s/a/b/results.db", s->dir) > 0);
    /* With no umask SQLite alone would make the file 0644. */
    mode_t old = umask(0);
    struct paglets_results *db = open_db(nested);
    umask(old);
    assert_int_equal(mode_of(a), 0700);
    assert_int_equal(mode_of(b), 0700);
    assert_int_equal(mode_of(nested), 0600);
    assert_string_equal(paglets_results_file(db), nested);
    assert_string_equal(paglets_results_journal(db), "wal");
    paglets_results_free(db);
    expect_query(nested, "PRAGMA user_version", "1");
    expect_query(nested, "PRAGMA application_id", "1346849874");
    expect_query(nested, "PRAGMA journal_mode", "wal");
    paglets_results_free(NULL);
    free(a);
    free(b);
    free(nested);
}

static void test_stored_run_prints_the_same(void **state)
{
    struct scratch *s = *state;
    struct paglets_results *db = open_db(s->db);
    struct paglets_perf_summary *summary = summary_from_text(rich);
    char *text = render(summary, false);
    char *json = render(summary, true);
    struct paglets_perf_request request;
    paglets_perf_request_init(&request);
    request.duration_seconds = 0.2;
    request.workers = 3;
    request.include_disk = false;
    assert_int_equal(paglets_perf_request_add_path(&request, "/srv"), 0);
    struct paglets_results_record record;
    paglets_results_record_init(&record);
    record.request = &request;
    record.summary = summary;
    record.outlier_threshold = 0.5;
    record.time_unix_seconds = 1714557600;
    int64_t id = 0;
    assert_int_equal(paglets_results_store(db, &record, &id, NULL), 0);
    assert_int_equal(id, 1);
    paglets_perf_summary_free(summary);
    paglets_results_free(db);

    db = open_db(s->db);
    struct paglets_results_run run;
    struct paglets_perf_summary *shown = NULL;
    assert_int_equal(paglets_results_load(db, id, &run, &shown, NULL), 0);
    char *text_again = render(shown, false);
    char *json_again = render(shown, true);
    assert_string_equal(text_again, text);
    assert_string_equal(json_again, json);
    assert_int_equal(run.id, 1);
    assert_int_equal(run.time_unix_seconds, 1714557600);
    assert_int_equal(run.hosts, 4); /* three results and delta */
    assert_int_equal(run.errors, paglets_perf_summary_error_count(shown));
    assert_true(run.outlier_threshold == 0.5);
    assert_true(run.request.duration_seconds == 0.2);
    assert_int_equal(run.request.workers, 3);
    assert_false(run.request.include_disk);
    assert_int_equal(run.request.n_paths, 1);
    assert_string_equal(run.request.paths[0], "/srv");
    assert_string_equal(run.build, paglets_build_id());
    json_t *listing = paglets_results_run_to_json(&run);
    assert_string_equal(json_string_value(json_object_get(listing, "time")),
                        "2024-05-01T10:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(listing, "run_id")), 1);
    json_decref(listing);
    /* The figure rows: usable figures only (not null, not 0). */
    expect_query(s->db,
                 "SELECT count(*) FROM metrics WHERE run_id = 1 AND host = "
                 "'alpha'",
                 "9");
    expect_query(s->db,
                 "SELECT value FROM metrics WHERE host = 'gamma' AND metric "
                 "= 'cpu.integer'",
                 "1.0e+308");
    expect_query(s->db,
                 "SELECT count(*) FROM metrics WHERE metric = 'disk.fsync' "
                 "AND path = '/srv/d' || char(228) || 'ta' || char(27) || "
                 "'[31m'",
                 "1");
    paglets_results_run_release(&run);
    paglets_results_run_release(&run);
    paglets_results_run_release(NULL);
    paglets_perf_summary_free(shown);
    paglets_perf_request_release(&request);
    paglets_results_free(db);
    free(text);
    free(json);
    free(text_again);
    free(json_again);
}

static void test_list_and_latest(void **state)
{
    struct scratch *s = *state;
    struct paglets_results *db = open_db(s->db);
    struct paglets_perf_summary *summary = summary_from_text(small);
    int64_t id;
    struct paglets_err err = {0};
    assert_int_equal(paglets_results_latest(db, 0, &id, &err), -ENOENT);
    for (int i = 1; i <= 3; i++)
        assert_int_equal(store(db, summary, NULL), i);
    struct paglets_results_runs runs;
    assert_int_equal(paglets_results_list(db, 0, &runs, NULL), 0);
    assert_int_equal(runs.n, 3);
    for (size_t i = 0; i < runs.n; i++) {
        assert_int_equal(runs.items[i].id, (int64_t)i + 1);
        assert_int_equal(runs.items[i].hosts, 3);
        assert_int_equal(runs.items[i].errors, 0);
    }
    paglets_results_runs_release(&runs);
    assert_int_equal(paglets_results_list(db, 2, &runs, NULL), 0);
    assert_int_equal(runs.n, 2);
    assert_int_equal(runs.items[0].id, 2);
    assert_int_equal(runs.items[1].id, 3);
    paglets_results_runs_release(&runs);
    assert_int_equal(paglets_results_latest(db, 0, &id, NULL), 0);
    assert_int_equal(id, 3);
    assert_int_equal(paglets_results_latest(db, 3, &id, NULL), 0);
    assert_int_equal(id, 2);
    paglets_err_clear(&err);
    assert_int_equal(paglets_results_latest(db, 1, &id, &err), -ENOENT);
    assert_non_null(strstr(err.message, "no run before run 1"));
    paglets_err_clear(&err);
    assert_int_equal(paglets_results_load(db, 42, NULL, NULL, &err), -ENOENT);
    assert_non_null(strstr(err.message, "no run 42"));
    paglets_perf_summary_free(summary);
    paglets_results_free(db);
}

static void test_prune_keeps_the_newest_and_never_reuses_ids(void **state)
{
    struct scratch *s = *state;
    struct paglets_results *db = open_db(s->db);
    struct paglets_perf_summary *summary = summary_from_text(small);
    for (int i = 1; i <= 5; i++)
        store(db, summary, NULL);
    size_t removed = 0;
    assert_int_equal(paglets_results_prune(db, 2, &removed, NULL), 0);
    assert_int_equal(removed, 3);
    struct paglets_results_runs runs;
    assert_int_equal(paglets_results_list(db, 0, &runs, NULL), 0);
    assert_int_equal(runs.n, 2);
    assert_int_equal(runs.items[0].id, 4);
    paglets_results_runs_release(&runs);
    expect_query(s->db, "SELECT count(*) FROM metrics WHERE run_id < 4", "0");
    expect_query(s->db, "SELECT count(*) FROM metrics", "6");
    assert_int_equal(paglets_results_prune(db, 10, &removed, NULL), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(store(db, summary, NULL), 6);
    assert_int_equal(paglets_results_prune(db, 0, &removed, NULL), 0);
    assert_int_equal(removed, 3);
    assert_int_equal(store(db, summary, NULL), 7);
    paglets_perf_summary_free(summary);
    paglets_results_free(db);
}

/* A child: open its own handle and store n runs; exit status 0 if all did. */
static void writer(const char *path, int n)
{
    struct paglets_perf_summary *summary = summary_from_text(small);
    struct paglets_err err = {0};
    struct paglets_results *db = paglets_results_new(path, NULL, &err);
    int failed = db == NULL;
    struct fixture_record r;
    fixture_record_init(&r, summary);
    for (int i = 0; !failed && i < n; i++)
        failed = paglets_results_store(db, &r.record, NULL, &err) != 0;
    if (failed)
        fprintf(stderr, "writer %d: %s\n", (int)getpid(), err.message);
    fixture_record_release(&r);
    paglets_results_free(db);
    paglets_perf_summary_free(summary);
    _exit(failed);
}

static void test_two_concurrent_writers_stay_consistent(void **state)
{
    struct scratch *s = *state;
    enum { RUNS = 40 };
    pid_t pids[2];
    /* Both start on a file that does not exist yet: both create it. */
    for (int i = 0; i < 2; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0)
            writer(s->db, RUNS);
    }
    for (int i = 0; i < 2; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    expect_query(s->db, "PRAGMA integrity_check", "ok");
    expect_query(s->db, "SELECT count(*) FROM runs", "80");
    expect_query(s->db, "SELECT count(DISTINCT id) FROM runs", "80");
    expect_query(s->db, "SELECT max(id) FROM runs", "80");
    expect_query(s->db, "SELECT count(*) FROM metrics", "240");
    expect_query(s->db,
                 "SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM "
                 "metrics m WHERE m.run_id = r.id) != 3",
                 "0");
}

static void test_locked_database_is_ebusy(void **state)
{
    struct scratch *s = *state;
    struct paglets_results_options options;
    paglets_results_options_init(&options);
    options.busy_timeout_seconds = 0.05;
    struct paglets_results *db = paglets_results_new(s->db, &options, NULL);
    assert_non_null(db);
    /* Another process's run holds the write lock. */
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(s->db, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL),
                     SQLITE_OK);
    struct paglets_perf_summary *summary = summary_from_text(small);
    struct fixture_record r;
    fixture_record_init(&r, summary);
    struct paglets_err err = {0};
    assert_int_equal(paglets_results_store(db, &r.record, NULL, &err), -EBUSY);
    assert_non_null(strstr(err.message, s->db));
    assert_non_null(strstr(err.message, "locked"));
    assert_null(strchr(err.message, '\n'));
    paglets_err_clear(&err);
    assert_int_equal(paglets_results_prune(db, 0, NULL, &err), -EBUSY);
    /* Readers still read (WAL). */
    struct paglets_results_runs runs;
    assert_int_equal(paglets_results_list(db, 0, &runs, NULL), 0);
    paglets_results_runs_release(&runs);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    assert_int_equal(paglets_results_store(db, &r.record, NULL, NULL), 0);
    fixture_record_release(&r);
    paglets_perf_summary_free(summary);
    paglets_results_free(db);
}

static void write_file(const char *path, const char *bytes, size_t n, off_t at)
{
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, bytes, n, at), (ssize_t)n);
    close(fd);
}

static void test_corrupt_file_is_euclean(void **state)
{
    struct scratch *s = *state;
    char garbage[8192];
    memset(garbage, 'x', sizeof(garbage));
    write_file(s->db, garbage, sizeof(garbage), 0);
    struct paglets_err err = {0};
    assert_null(paglets_results_new(s->db, NULL, &err));
    assert_int_equal(err.code, -EUCLEAN);
    assert_non_null(strstr(err.message, s->db));
    assert_non_null(strstr(err.message, "not an SQLite database"));
    /* Read-only handles say the same. */
    struct paglets_results_options options;
    paglets_results_options_init(&options);
    options.read_only = true;
    paglets_err_clear(&err);
    assert_null(paglets_results_new(s->db, &options, &err));
    assert_int_equal(err.code, -EUCLEAN);
}

static void test_damaged_pages_are_euclean(void **state)
{
    struct scratch *s = *state;
    struct paglets_results *db = open_db(s->db);
    struct paglets_perf_summary *summary = summary_from_text(rich);
    for (int i = 0; i < 20; i++)
        store(db, summary, NULL);
    paglets_perf_summary_free(summary);
    paglets_results_free(db);
    /* Keep page 1 (the header and schema), ruin the rest. */
    struct stat st;
    assert_int_equal(stat(s->db, &st), 0);
    size_t n = (size_t)st.st_size - 4096;
    char *garbage = malloc(n);
    memset(garbage, 0x5a, n);
    write_file(s->db, garbage, n, 4096);
    free(garbage);
    struct paglets_err err = {0};
    db = paglets_results_new(s->db, NULL, &err);
    int rc = err.code;
    if (db != NULL) {
        struct paglets_results_runs runs;
        rc = paglets_results_list(db, 0, &runs, &err);
        paglets_results_runs_release(&runs);
    }
    assert_int_equal(rc, -EUCLEAN);
    assert_non_null(strstr(err.message, "corrupt"));
    paglets_results_free(db);
}

/* In a child that cannot write the file: it still reads, stores fail. */
static int read_only_child(const char *path)
{
    struct paglets_err err = {0};
    struct paglets_results *db = paglets_results_new(path, NULL, &err);
    if (db == NULL) {
        fprintf(stderr, "open: %s\n", err.message);
        return 10;
    }
    struct paglets_results_runs runs;
    if (paglets_results_list(db, 0, &runs, &err) != 0 || runs.n != 1) {
        fprintf(stderr, "list: %s\n", err.message);
        return 11;
    }
    paglets_results_runs_release(&runs);
    struct paglets_perf_summary *summary = summary_from_text(small);
    struct fixture_record r;
    fixture_record_init(&r, summary);
    int rc = paglets_results_store(db, &r.record, NULL, &err);
    if (rc != -EROFS || strstr(err.message, "read-only") == NULL ||
        strstr(err.message, path) == NULL) {
        fprintf(stderr, "store: %d %s\n", rc, err.message);
        return 12;
    }
    paglets_err_clear(&err);
    if (paglets_results_prune(db, 0, NULL, &err) != -EROFS)
        return 13;
    fixture_record_release(&r);
    paglets_perf_summary_free(summary);
    paglets_results_free(db);
    return 0;
}

static void test_read_only_file_is_erofs(void **state)
{
    struct scratch *s = *state;
    /* Rollback journal: a reader without write access needs no -shm. */
    struct paglets_results_options options;
    paglets_results_options_init(&options);
    options.no_wal = true;
    struct paglets_results *db = paglets_results_new(s->db, &options, NULL);
    assert_non_null(db);
    struct paglets_perf_summary *summary = summary_from_text(small);
    store(db, summary, NULL);
    paglets_perf_summary_free(summary);
    paglets_results_free(db);
    /*
     * Root writes any file whatever its mode, so as root the child turns
     * into nobody, for whom the file (0644) is read-only; others chmod it.
     */
    assert_int_equal(chmod(s->dir, 0755), 0);
    assert_int_equal(chmod(s->db, geteuid() == 0 ? 0644 : 0444), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(20);
        _exit(read_only_child(s->db));
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(chmod(s->db, 0600), 0);
}

static void test_read_only_handle_never_writes(void **state)
{
    struct scratch *s = *state;
    struct paglets_results_options options;
    paglets_results_options_init(&options);
    options.read_only = true;
    struct paglets_err err = {0};
    /* No file: nothing is created. */
    assert_null(paglets_results_new(s->db, &options, &err));
    assert_int_equal(err.code, -ENOENT);
    assert_non_null(strstr(err.message, "no results database"));
    assert_int_equal(access(s->db, F_OK), -1);
    /* An empty file: no runs, nothing to read, nothing written. */
    write_file(s->db, "", 0, 0);
    struct paglets_results *db = paglets_results_new(s->db, &options, NULL);
    assert_non_null(db);
    struct paglets_results_runs runs;
    assert_int_equal(paglets_results_list(db, 0, &runs, NULL), 0);
    assert_int_equal(runs.n, 0);
    int64_t id;
    assert_int_equal(paglets_results_latest(db, 0, &id, NULL), -ENOENT);
    assert_int_equal(paglets_results_load(db, 1, NULL, NULL, NULL), -ENOENT);
    struct paglets_perf_summary *summary = summary_from_text(small);
    struct fixture_record r;
    fixture_record_init(&r, summary);
    assert_int_equal(paglets_results_store(db, &r.record, NULL, NULL), -EROFS);
    paglets_results_free(db);
    struct stat st;
    assert_int_equal(stat(s->db, &st), 0);
    assert_int_equal(st.st_size, 0);
    /* no_create: a missing file is -ENOENT too. */
    unlink(s->db);
    options.read_only = false;
    options.no_create = true;
    assert_null(paglets_results_new(s->db, &options, NULL));
    fixture_record_release(&r);
    paglets_perf_summary_free(summary);
}

static void test_wal_falls_back_to_the_rollback_journal(void **state)
{
    struct scratch *s = *state;
    /*
     * The dot-file locking VFS (what a network filesystem without POSIX
     * locks needs) has no shared memory: WAL cannot work there, and SQLite
     * keeps the old journal mode when asked for it.
     */
    struct paglets_results_options options;
    paglets_results_options_init(&options);
    options.vfs = "unix-dotfile";
    struct paglets_results *db = paglets_results_new(s->db, &options, NULL);
    assert_non_null(db);
    assert_string_equal(paglets_results_journal(db), "delete");
    struct paglets_perf_summary *summary = summary_from_text(small);
    assert_int_equal(store(db, summary, NULL), 1);
    paglets_results_free(db);
    expect_query(s->db, "PRAGMA journal_mode", "delete");
    /* no_wal keeps a new file on the rollback journal too. */
    unlink(s->db);
    paglets_results_options_init(&options);
    options.no_wal = true;
    db = paglets_results_new(s->db, &options, NULL);
    assert_non_null(db);
    assert_string_equal(paglets_results_journal(db), "delete");
    assert_int_equal(store(db, summary, NULL), 1);
    paglets_results_free(db);
    paglets_perf_summary_free(summary);
}

static void test_another_programs_database_is_einval(void **state)
{
    struct scratch *s = *state;
    edit(s->db, "CREATE TABLE notes (text TEXT)");
    struct paglets_err err = {0};
    assert_null(paglets_results_new(s->db, NULL, &err));
    assert_int_equal(err.code, -EINVAL);
    assert_non_null(strstr(err.message, "another program"));
    expect_query(s->db, "SELECT count(*) FROM sqlite_master", "1");
}

static void test_newer_schema_is_enotsup(void **state)
{
    struct scratch *s = *state;
    paglets_results_free(open_db(s->db));
    edit(s->db, "PRAGMA user_version = 7");
    struct paglets_err err = {0};
    assert_null(paglets_results_new(s->db, NULL, &err));
    assert_int_equal(err.code, -ENOTSUP);
    assert_non_null(strstr(err.message, "schema version 7"));
}

/* A test step 2: a new column, filled by C from what step 1 stored. */
static int fill_notes(struct paglets_results *db, struct paglets_err *err)
{
    return paglets__results_exec(
        db, "UPDATE runs SET note = 'hosts: ' || hosts", "filling notes", err);
}

static void test_migrations_apply_all_steps_or_none(void **state)
{
    struct scratch *s = *state;
    /* Version 0: an empty file another run just created. */
    write_file(s->db, "", 0, 0);
    struct paglets_results *db = open_db(s->db);
    struct paglets_perf_summary *summary = summary_from_text(small);
    store(db, summary, NULL);
    expect_query(s->db, "PRAGMA user_version", "1");
    /* From version 1 to 2 (a later build's steps). */
    struct paglets__results_step steps[] = {
        paglets__results_steps[0],
        {2, "ALTER TABLE runs ADD COLUMN note TEXT", fill_notes},
        {3, "CREATE TABLE half (x); THIS IS NOT SQL", NULL},
    };
    assert_int_equal(paglets__results_migrate(db, steps, 2, NULL), 0);
    expect_query(s->db, "PRAGMA user_version", "2");
    expect_query(s->db, "SELECT note FROM runs WHERE id = 1", "hosts: 3");
    assert_int_equal(paglets_results_load(db, 1, NULL, NULL, NULL), 0);
    /* A failing step: nothing of it stays, the version neither. */
    struct paglets_err err = {0};
    assert_int_not_equal(paglets__results_migrate(db, steps, 3, &err), 0);
    assert_non_null(strstr(err.message, "schema version 3"));
    expect_query(s->db, "PRAGMA user_version", "2");
    expect_query(s->db,
                 "SELECT count(*) FROM sqlite_master WHERE name = 'half'", "0");
    paglets_results_free(db);
    /* This build (version 1) does not write a version 2 file. */
    paglets_err_clear(&err);
    assert_null(paglets_results_new(s->db, NULL, &err));
    assert_int_equal(err.code, -ENOTSUP);
    paglets_perf_summary_free(summary);
}

static void test_store_refuses_incomplete_records(void **state)
{
    struct scratch *s = *state;
    struct paglets_results *db = open_db(s->db);
    struct paglets_perf_summary *summary = summary_from_text(small);
    struct fixture_record r;
    fixture_record_init(&r, NULL);
    assert_int_equal(paglets_results_store(db, &r.record, NULL, NULL), -EINVAL);
    r.record.summary = summary;
    r.record.outlier_threshold = 1.5;
    assert_int_equal(paglets_results_store(db, &r.record, NULL, NULL), -EINVAL);
    r.record.outlier_threshold = NAN;
    assert_int_equal(paglets_results_store(db, &r.record, NULL, NULL), -EINVAL);
    assert_int_equal(paglets_results_store(db, NULL, NULL, NULL), -EINVAL);
    expect_query(s->db, "SELECT count(*) FROM runs", "0");
    fixture_record_release(&r);
    paglets_perf_summary_free(summary);
    paglets_results_free(db);
}

static void test_hand_edited_run_is_euclean(void **state)
{
    struct scratch *s = *state;
    struct paglets_results *db = open_db(s->db);
    struct paglets_perf_summary *summary = summary_from_text(small);
    store(db, summary, NULL);
    store(db, summary, NULL);
    paglets_perf_summary_free(summary);
    edit(s->db, "UPDATE runs SET summary = '{\"results\": 3}' WHERE id = 1;"
                "UPDATE runs SET request = 'not json' WHERE id = 2");
    struct paglets_perf_summary *shown = NULL;
    struct paglets_err err = {0};
    assert_int_equal(paglets_results_load(db, 1, NULL, &shown, &err), -EUCLEAN);
    assert_null(shown);
    assert_non_null(strstr(err.message, "run 1"));
    paglets_err_clear(&err);
    assert_int_equal(paglets_results_load(db, 2, NULL, NULL, &err), -EUCLEAN);
    assert_non_null(strstr(err.message, "options"));
    paglets_results_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_resolution),
#define T(name)                                                                \
    cmocka_unit_test_setup_teardown(name, scratch_setup, scratch_teardown)
        T(test_new_makes_private_directories_and_file),
        T(test_stored_run_prints_the_same),
        T(test_list_and_latest),
        T(test_prune_keeps_the_newest_and_never_reuses_ids),
        T(test_two_concurrent_writers_stay_consistent),
        T(test_locked_database_is_ebusy),
        T(test_corrupt_file_is_euclean),
        T(test_damaged_pages_are_euclean),
        T(test_read_only_file_is_erofs),
        T(test_read_only_handle_never_writes),
        T(test_wal_falls_back_to_the_rollback_journal),
        T(test_another_programs_database_is_einval),
        T(test_newer_schema_is_enotsup),
        T(test_migrations_apply_all_steps_or_none),
        T(test_store_refuses_incomplete_records),
        T(test_hand_edited_run_is_euclean),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
