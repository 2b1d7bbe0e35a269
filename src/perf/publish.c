/*
 * The benchmark child's last result as gauges on its host's GET /metrics
 * (paglets_host_publish_metrics): rates per kernel and per disk volume and
 * the run's time, replacing the previous run's as one group.
 * docs/METRICS.md lists the families.
 */
#include "perf_compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <paglets/host.h>
#include <paglets/perf_result.h>

#include "bench.h"

/* The group every run replaces. */
#define GROUP "paglets_perf"

/* One sample and the storage its labels point into. */
struct entry {
    struct paglets_metric m;
    const char *labels[6];
    char metric[PAGLETS_METRICS_TEXT_MAX];
};

struct batch {
    struct entry *items;
    size_t n, cap;
};

static struct entry *add(struct batch *b, const char *name, const char *help,
                         double value)
{
    if (b->n == b->cap || !isfinite(value))
        return NULL;
    struct entry *e = &b->items[b->n++];
    e->m.name = name;
    e->m.help = help;
    e->m.labels = e->labels;
    e->m.value = value;
    return e;
}

/*
 * Label kind: "multi" for a kernel run on every worker (name ending in
 * -multi, which the metric label drops: sha256 and sha256-multi are one
 * metric), else "single".
 */
static void add_kernel(struct batch *b, const char *part,
                       const struct paglets_perf_metric *k)
{
    static const char suffix[] = "-multi";
    size_t len = strlen(k->name), s = sizeof(suffix) - 1;
    bool multi = len > s && strcmp(k->name + len - s, suffix) == 0;
    for (int bytes = 0; bytes < 2; bytes++) {
        if (bytes && k->bytes_processed == 0)
            continue;
        struct entry *e =
            bytes ? add(b, "paglets_perf_bytes_per_second",
                        "Bytes per second of a kernel in the last benchmark "
                        "run on this host.",
                        k->bytes_per_second)
                  : add(b, "paglets_perf_ops_per_second",
                        "Operations per second of a kernel in the last "
                        "benchmark run on this host.",
                        k->operations_per_second);
        if (e == NULL)
            continue;
        snprintf(e->metric, sizeof(e->metric), "%.*s",
                 (int)(multi ? len - s : len), k->name);
        const char *labels[] = {"part",    part,   "metric",
                                e->metric, "kind", multi ? "multi" : "single"};
        memcpy(e->labels, labels, sizeof(labels));
        e->m.n_labels = 3;
    }
}

static void add_kernels(struct batch *b, const char *part,
                        const struct paglets_perf_metrics *list)
{
    for (size_t i = 0; i < list->n; i++)
        add_kernel(b, part, &list->items[i]);
}

static void add_volume(struct batch *b,
                       const struct paglets_perf_disk_volume *v)
{
    const struct {
        const char *name, *help;
        double value;
    } rates[] = {
        {"paglets_perf_disk_write_bytes_per_second",
         "Disk write + fsync bytes per second of a volume in the last "
         "benchmark run on this host.",
         v->write_bytes_per_second},
        {"paglets_perf_disk_read_bytes_per_second",
         "Disk read bytes per second of a volume in the last benchmark run "
         "on this host.",
         v->read_bytes_per_second},
        {"paglets_perf_disk_metadata_files_per_second",
         "Files created and removed per second on a volume in the last "
         "benchmark run on this host.",
         v->metadata_files_per_second},
    };
    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
        struct entry *e = add(b, rates[i].name, rates[i].help, rates[i].value);
        if (e == NULL)
            continue;
        snprintf(e->metric, sizeof(e->metric), "%s", v->path ? v->path : "");
        e->labels[0] = "path";
        e->labels[1] = e->metric;
        e->m.n_labels = 1;
    }
}

static void fill(struct batch *b, const struct paglets_perf_host_result *r)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    add(b, "paglets_perf_run_timestamp_seconds",
        "When the last benchmark run on this host ended (Unix time).",
        (double)now.tv_sec + (double)now.tv_nsec / 1e9);
    add(b, "paglets_perf_errors",
        "Errors the last benchmark run on this host reported.",
        (double)paglets_perf_host_result_error_count(r));
    if (r->cpu != NULL) {
        add_kernels(b, "cpu", &r->cpu->single_core);
        add_kernels(b, "cpu", &r->cpu->multi_core);
    }
    if (r->memory != NULL)
        add_kernels(b, "memory", &r->memory->metrics);
    for (size_t i = 0; r->disk != NULL && i < r->disk->volumes.n; i++)
        add_volume(b, &r->disk->volumes.items[i]);
}

/* Samples r can give at most, so the batch never grows. */
static size_t capacity(const struct paglets_perf_host_result *r)
{
    size_t n = 2;
    if (r->cpu != NULL)
        n += 2 * (r->cpu->single_core.n + r->cpu->multi_core.n);
    if (r->memory != NULL)
        n += 2 * r->memory->metrics.n;
    if (r->disk != NULL)
        n += 3 * r->disk->volumes.n;
    return n;
}

int paglets__perf_publish(struct paglets_host *host, const json_t *result,
                          struct paglets_err *err)
{
    struct paglets_perf_host_result r = {0};
    int rc = paglets_perf_host_result_from_json(&r, result, err);
    if (rc != 0)
        return rc;
    struct batch b = {0};
    b.cap = capacity(&r);
    b.items = calloc(b.cap, sizeof(*b.items));
    if (b.items == NULL) {
        paglets_perf_host_result_release(&r);
        return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    fill(&b, &r);
    struct paglets_metric *list = calloc(b.n ? b.n : 1, sizeof(*list));
    if (list == NULL)
        rc = paglets_err_set(err, -ENOMEM, "out of memory");
    for (size_t i = 0; list != NULL && i < b.n; i++)
        list[i] = b.items[i].m;
    if (rc == 0)
        rc = paglets_host_publish_metrics(host, GROUP, list, b.n, err);
    free(list);
    free(b.items);
    paglets_perf_host_result_release(&r);
    return rc;
}
