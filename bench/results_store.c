/*
 * What saving a run to the results database adds to `paglets examples
 * perf`: open the database, store one summary of H hosts (each a full
 * HostBenchmarkResult with one volume), close it; and, for `paglets
 * results show`, open, load the summary back, close. One warm-up, then
 * N samples each; prints median, min and max in milliseconds, the
 * summary's size and the file's size after, and with -o the raw samples
 * as JSON. bench/results.sh runs it.
 *
 * Usage: results_store [-n REPEATS] [-H HOSTS] [-d DIR] [-w] [-o FILE]
 *   -d  where the database goes (default: a new directory under /tmp);
 *       the filesystem decides what a commit costs
 *   -w  rollback journal instead of WAL (what a network filesystem gets)
 */
#define _GNU_SOURCE 1

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <paglets/perf.h>

#include "results/results.h"

/* One host's result, as a 2-CPU host with one volume reports it. */
static const char host_result[] =
    "{\"host_url\": \"http://192.0.2.10:8765\", \"result\": {"
    "\"host_name\": \"%s\", \"host_url\": \"http://192.0.2.10:8765\","
    "\"platform\": \"Linux-6.1.0-18-amd64-x86_64-with-glibc2.36\","
    "\"platform_details\": {\"os\": \"Linux\", \"kernel_release\": "
    "\"6.1.0-18-amd64\", \"architecture\": \"x86_64\", \"cpu_model\": "
    "\"Intel(R) Xeon(R) CPU\"}, \"runtime_version\": \"c-0.1.0+3f2a9c1d0b7e\","
    "\"lock_wait_seconds\": 0.0, \"memory_total_bytes\": 8335536128,"
    "\"errors\": [], \"cpu\": {\"workers\": 2, \"logical_cpus\": 2,"
    "\"physical_cpus\": 1, \"errors\": [], \"single_core\": ["
    "{\"name\": \"integer\", \"duration_seconds\": 1.0001, \"operations\": "
    "894000000, \"operations_per_second\": 893910608.9, \"bytes_processed\": "
    "0, \"bytes_per_second\": 0.0},"
    "{\"name\": \"float\", \"duration_seconds\": 1.0003, \"operations\": "
    "144000000, \"operations_per_second\": 143956813.0, \"bytes_processed\": "
    "0, \"bytes_per_second\": 0.0},"
    "{\"name\": \"sha256\", \"duration_seconds\": 1.0003, \"operations\": "
    "24493, \"operations_per_second\": 24485.7, \"bytes_processed\": "
    "1705391452, \"bytes_per_second\": 1704880000.1}],"
    "\"multi_core\": ["
    "{\"name\": \"integer-multi\", \"duration_seconds\": 1.0004, "
    "\"operations\": 1432000000, \"operations_per_second\": 1431427429.0, "
    "\"bytes_processed\": 0, \"bytes_per_second\": 0.0},"
    "{\"name\": \"float-multi\", \"duration_seconds\": 1.0011, \"operations\": "
    "231000000, \"operations_per_second\": 230746179.2, \"bytes_processed\": "
    "0, \"bytes_per_second\": 0.0},"
    "{\"name\": \"sha256-multi\", \"duration_seconds\": 1.0011, "
    "\"operations\": 38166, \"operations_per_second\": 38124.1, "
    "\"bytes_processed\": 2657628160, \"bytes_per_second\": 2654708000.2}]},"
    "\"memory\": {\"errors\": [], \"metrics\": ["
    "{\"name\": \"memory-copy\", \"duration_seconds\": 1.0002, \"operations\": "
    "3916, \"operations_per_second\": 3915.2, \"bytes_processed\": "
    "32856131584, \"bytes_per_second\": 32849561000.7},"
    "{\"name\": \"memory-scan\", \"duration_seconds\": 1.0, \"operations\": "
    "2560, \"operations_per_second\": 2560.0, \"bytes_processed\": "
    "21474836480, \"bytes_per_second\": 21474836480.0},"
    "{\"name\": \"memory-copy-dram\", \"duration_seconds\": 1.0008, "
    "\"operations\": 47, \"operations_per_second\": 46.9, "
    "\"bytes_processed\": 50465865728, \"bytes_per_second\": "
    "50425525000.3}]},"
    "\"disk\": {\"errors\": [], \"skipped\": ["
    "{\"path\": \"/proc\", \"reason\": \"special filesystem\", \"device\": "
    "\"proc\", \"filesystem\": \"proc\"},"
    "{\"path\": \"/tmp\", \"reason\": \"duplicate volume\", \"device\": "
    "\"/dev/vda1\", \"filesystem\": \"ext4\"}],"
    "\"volumes\": [{\"path\": \"/var/lib/paglets/benchmarks\", \"device\": "
    "\"/dev/vda1\", \"filesystem\": \"ext4\", \"total_bytes\": "
    "502921060352, \"free_bytes_before\": 211106232320, "
    "\"benchmark_size_bytes\": 134217728, \"write_seconds\": 0.0338, "
    "\"write_bytes_per_second\": 3972844748.8, \"fsync_seconds\": 0.0912, "
    "\"read_seconds\": 0.0078, \"read_bytes_per_second\": 17179869184.0, "
    "\"metadata_files_per_second\": 9130.4, \"read_cache_bypassed\": true, "
    "\"notes\": []}]}}}";

static struct paglets_perf_summary *make_summary(int hosts)
{
    json_t *results = json_object();
    for (int i = 0; i < hosts; i++) {
        char name[32], *text = NULL;
        snprintf(name, sizeof(name), "host%03d", i + 1);
        if (asprintf(&text, host_result, name) < 0)
            return NULL;
        json_object_set_new(results, name, json_loads(text, 0, NULL));
        free(text);
    }
    json_t *json = json_pack("{s:o, s:{}, s:{}, s:[]}", "results", results,
                             "errors", "cleanup_errors", "pending_hosts");
    struct paglets_err err = {0};
    struct paglets_perf_summary *summary =
        paglets_perf_summary_from_json(json, &err);
    json_decref(json);
    if (summary == NULL)
        fprintf(stderr, "results_store: %s\n", err.message);
    return summary;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, double *samples, int n, FILE *json,
                   const char *key)
{
    qsort(samples, (size_t)n, sizeof(*samples), compare_doubles);
    double median =
        n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
    printf("%-28s median %7.2f ms  (min %.2f, max %.2f, n=%d)\n", what,
           median * 1e3, samples[0] * 1e3, samples[n - 1] * 1e3, n);
    if (json == NULL)
        return;
    fprintf(json, "  \"%s_ns\": [", key);
    for (int i = 0; i < n; i++)
        fprintf(json, "%s%.0f", i ? ", " : "", samples[i] * 1e9);
    fprintf(json, "],\n");
}

static int fail(const struct paglets_err *err)
{
    fprintf(stderr, "results_store: %s\n", err->message);
    return 1;
}

int main(int argc, char **argv)
{
    int repeats = 20, hosts = 32, opt;
    const char *dir = NULL, *out = NULL;
    struct paglets_results_options options;
    paglets_results_options_init(&options);
    while ((opt = getopt(argc, argv, "n:H:d:wo:")) != -1) {
        switch (opt) {
        case 'n':
            repeats = (int)strtol(optarg, NULL, 10);
            break;
        case 'H':
            hosts = (int)strtol(optarg, NULL, 10);
            break;
        case 'd':
            dir = optarg;
            break;
        case 'w':
            options.no_wal = true;
            break;
        case 'o':
            out = optarg;
            break;
        default:
            fprintf(stderr, "usage: results_store [-n REPEATS] [-H HOSTS] "
                            "[-d DIR] [-w] [-o FILE]\n");
            return 2;
        }
    }
    if (repeats < 1 || hosts < 1)
        return 2;
    char scratch[] = "/tmp/paglets-results-bench-XXXXXX";
    if (dir == NULL && (dir = mkdtemp(scratch)) == NULL)
        return 1;
    char *path = NULL;
    if (asprintf(&path, "%s/results-bench-%d.db", dir, (int)getpid()) < 0)
        return 1;
    struct paglets_perf_summary *summary = make_summary(hosts);
    if (summary == NULL)
        return 1;
    struct paglets_perf_request request;
    paglets_perf_request_init(&request);
    struct paglets_results_record record;
    paglets_results_record_init(&record);
    record.request = &request;
    record.summary = summary;
    double *store = calloc((size_t)repeats, sizeof(*store));
    double *show = calloc((size_t)repeats, sizeof(*show));
    struct paglets_err err = {0};
    const char *journal = "?";
    int64_t id = 0;
    for (int i = -1; i < repeats; i++) { /* -1: the warm-up */
        double t0 = paglets_monotonic_seconds();
        struct paglets_results *db = paglets_results_new(path, &options, &err);
        if (db == NULL || paglets_results_store(db, &record, &id, &err) != 0)
            return fail(&err);
        journal = paglets_results_journal(db);
        paglets_results_free(db);
        double t1 = paglets_monotonic_seconds();
        struct paglets_perf_summary *loaded = NULL;
        db = paglets_results_new(path, &options, &err);
        if (db == NULL ||
            paglets_results_load(db, id, NULL, &loaded, &err) != 0)
            return fail(&err);
        paglets_results_free(db);
        paglets_perf_summary_free(loaded);
        double t2 = paglets_monotonic_seconds();
        if (i >= 0) {
            store[i] = t1 - t0;
            show[i] = t2 - t1;
        }
    }
    json_t *json = paglets_perf_summary_to_json(summary);
    char *text = json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS);
    struct stat st = {0};
    stat(path, &st);
    printf("database %s (journal %s), %d hosts, summary %zu bytes, file "
           "%lld bytes after %d runs\n",
           path, journal, hosts, strlen(text), (long long)st.st_size,
           repeats + 1);
    FILE *raw = out ? fopen(out, "w") : NULL;
    if (raw != NULL)
        fprintf(raw, "{\n  \"hosts\": %d,\n  \"journal\": \"%s\",\n", hosts,
                journal);
    report("open + store + close", store, repeats, raw, "store");
    report("open + load + close", show, repeats, raw, "show");
    if (raw != NULL) {
        fprintf(raw, "  \"summary_bytes\": %zu,\n  \"file_bytes\": %lld\n}\n",
                strlen(text), (long long)st.st_size);
        fclose(raw);
    }
    free(text);
    json_decref(json);
    free(store);
    free(show);
    paglets_perf_summary_free(summary);
    paglets_perf_request_release(&request);
    unlink(path);
    char *side = NULL;
    if (asprintf(&side, "%s-wal", path) > 0)
        unlink(side);
    free(side);
    if (asprintf(&side, "%s-shm", path) > 0)
        unlink(side);
    free(side);
    free(path);
    if (dir == scratch)
        rmdir(scratch);
    return 0;
}
