/*
 * The metric catalogue (<paglets/perf_answers.h>): one table says, for
 * each figure of a host result, its id, column, unit, direction, and
 * where in struct paglets_perf_host_result it is read from; plus the
 * comparison with a reference and the figure formatter everything that
 * prints an answer uses.
 */
#include "perf_compat.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <paglets/perf_answers.h>

#include "report.h"

/* Where a figure lives in a result. */
enum source {
    SINGLE_CORE, /* cpu.single_core[name] */
    MULTI_CORE,  /* cpu.multi_core[name] */
    MEMORY,      /* memory.metrics[name] */
    VOLUME,      /* a double of disk.volumes[path] at `offset` */
};

/* Which figure of a struct paglets_perf_metric. */
enum rate {
    OPS, /* operations_per_second */
    BYTES,
};

/*
 * The public entry comes first, so a pointer to it is a pointer to its
 * definition (see def_of).
 */
struct def {
    struct paglets_perf_metric_info info;
    enum source source;
    const char *name; /* kernel name, for kernel figures */
    enum rate rate;
    size_t offset; /* VOLUME: of the double in the volume struct */
};

#define KERNEL(part, prefix, table, column, unit, per_worker, source, name,    \
               rate)                                                           \
    {                                                                          \
        {prefix name,                                                          \
         PAGLETS_PERF_PART_##part,                                             \
         PAGLETS_PERF_TABLE_##table,                                           \
         column,                                                               \
         unit,                                                                 \
         false,                                                                \
         per_worker},                                                          \
            source, name, rate, 0                                              \
    }
#define VOLUME_FIELD(id, column, unit, lower, field)                           \
    {                                                                          \
        {"disk." id,                                                           \
         PAGLETS_PERF_PART_DISK,                                               \
         column ? PAGLETS_PERF_TABLE_DISKS : PAGLETS_PERF_TABLE_NONE,          \
         column,                                                               \
         unit,                                                                 \
         lower,                                                                \
         false},                                                               \
            VOLUME, NULL, OPS,                                                 \
            offsetof(struct paglets_perf_disk_volume, field)                   \
    }

/*
 * The catalogue: the columns of the host rows in table order, then the
 * disks: columns, then figures only the JSON has. Ids are stored in
 * results databases: never rename one.
 */
static const struct def defs[] = {
    KERNEL(CPU, "cpu.", HOSTS, "int/s", "op/s", false, SINGLE_CORE, "integer",
           OPS),
    KERNEL(CPU, "cpu.", HOSTS, "float/s", "op/s", false, SINGLE_CORE, "float",
           OPS),
    KERNEL(CPU, "cpu.", HOSTS, "sha", "B/s", false, SINGLE_CORE, "sha256",
           BYTES),
    KERNEL(CPU, "cpu.", HOSTS, "multi-int/s", "op/s", true, MULTI_CORE,
           "integer-multi", OPS),
    KERNEL(MEMORY, "memory.", HOSTS, "mem copy", "B/s", false, MEMORY,
           "memory-copy", BYTES),
    VOLUME_FIELD("write", "write", "B/s", false, write_bytes_per_second),
    VOLUME_FIELD("read", "read", "B/s", false, read_bytes_per_second),
    VOLUME_FIELD("metadata", "metadata", "files/s", false,
                 metadata_files_per_second),
    KERNEL(CPU, "cpu.", NONE, NULL, "op/s", true, MULTI_CORE, "float-multi",
           OPS),
    KERNEL(CPU, "cpu.", NONE, NULL, "B/s", true, MULTI_CORE, "sha256-multi",
           BYTES),
    KERNEL(MEMORY, "memory.", NONE, NULL, "B/s", false, MEMORY, "memory-scan",
           BYTES),
    KERNEL(MEMORY, "memory.", NONE, NULL, "B/s", false, MEMORY,
           "memory-copy-dram", BYTES),
    VOLUME_FIELD("fsync", NULL, "s", true, fsync_seconds),
    /*
     * The machine's memory bandwidth (every worker copying at once): as
     * is, not per worker, since the workers share the memory channels.
     */
    KERNEL(MEMORY, "memory.", NONE, NULL, "B/s", false, MEMORY,
           "memory-copy-dram-multi", BYTES),
};

#define N_DEFS (sizeof(defs) / sizeof(defs[0]))

static const struct def *def_of(const struct paglets_perf_metric_info *info)
{
    return (const struct def *)info;
}

size_t paglets_perf_metric_count(void)
{
    return N_DEFS;
}

const struct paglets_perf_metric_info *paglets_perf_metric_at(size_t i)
{
    return i < N_DEFS ? &defs[i].info : NULL;
}

size_t paglets_perf_metric_index(const struct paglets_perf_metric_info *metric)
{
    size_t i = 0;
    while (i < N_DEFS && &defs[i].info != metric)
        i++;
    return i;
}

const struct paglets_perf_metric_info *paglets_perf_metric_find(const char *id)
{
    for (size_t i = 0; id != NULL && i < N_DEFS; i++)
        if (strcmp(defs[i].info.id, id) == 0)
            return &defs[i].info;
    return NULL;
}

static const struct paglets_perf_metric *
find_kernel(const struct paglets_perf_metrics *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (list->items[i].name != NULL &&
            strcmp(list->items[i].name, name) == 0)
            return &list->items[i];
    return NULL;
}

static const struct paglets_perf_metrics *
kernel_list(const struct def *d, const struct paglets_perf_host_result *r)
{
    switch (d->source) {
    case SINGLE_CORE:
        return r->cpu ? &r->cpu->single_core : NULL;
    case MULTI_CORE:
        return r->cpu ? &r->cpu->multi_core : NULL;
    case MEMORY:
        return r->memory ? &r->memory->metrics : NULL;
    default:
        return NULL;
    }
}

static int read_raw(const struct def *d,
                    const struct paglets_perf_host_result *r, const char *path,
                    double *value)
{
    if (d->source == VOLUME) {
        for (size_t i = 0; r->disk != NULL && i < r->disk->volumes.n; i++) {
            const struct paglets_perf_disk_volume *v =
                &r->disk->volumes.items[i];
            if (v->path != NULL && strcmp(v->path, path) == 0) {
                memcpy(value, (const char *)v + d->offset, sizeof(*value));
                return 0;
            }
        }
        return -ENOENT;
    }
    const struct paglets_perf_metrics *list = kernel_list(d, r);
    const struct paglets_perf_metric *m =
        list ? find_kernel(list, d->name) : NULL;
    if (m == NULL)
        return -ENOENT;
    *value = d->rate == OPS ? m->operations_per_second : m->bytes_per_second;
    return 0;
}

/* What can be compared: a finite figure above zero. */
static bool usable(double value)
{
    return isfinite(value) && value > 0;
}

int paglets_perf_metric_read(const struct paglets_perf_metric_info *metric,
                             const struct paglets_perf_host_result *result,
                             const char *path, unsigned flags, double *value)
{
    if (metric == NULL || result == NULL || value == NULL ||
        (path != NULL) != (metric->part == PAGLETS_PERF_PART_DISK))
        return -EINVAL;
    double v;
    int rc = read_raw(def_of(metric), result, path, &v);
    if (rc != 0)
        return rc;
    if (!usable(v))
        return -ERANGE;
    if (metric->per_worker && (flags & PAGLETS_PERF_READ_PER_WORKER)) {
        if (result->cpu == NULL || result->cpu->workers <= 0)
            return -ENOENT;
        v /= (double)result->cpu->workers;
        if (!usable(v))
            return -ERANGE;
    }
    *value = v;
    return 0;
}

enum paglets_perf_verdict
paglets_perf_metric_judge(const struct paglets_perf_metric_info *metric,
                          double value, double reference, double threshold)
{
    if (metric == NULL || !usable(value) || !usable(reference) ||
        !(threshold > 0 && threshold <= PAGLETS_PERF_MAX_OUTLIER_THRESHOLD))
        return PAGLETS_PERF_WITHIN;
    /*
     * Compare the rounded ratio with t and 1 / t rather than value with
     * t * reference: a quotient rounds monotonically, so a ratio that is
     * exactly at a bound lands on it, and "at or below" holds for ties.
     */
    double ratio = value / reference; /* 0 only when it underflowed */
    if (!isfinite(ratio))
        return PAGLETS_PERF_WITHIN;
    bool low = ratio <= threshold;
    bool high = ratio >= 1.0 / threshold;
    if (low && high) /* threshold 1: equal to the reference */
        return PAGLETS_PERF_WITHIN;
    if (low)
        return metric->lower_is_better ? PAGLETS_PERF_BETTER
                                       : PAGLETS_PERF_WORSE;
    if (high)
        return metric->lower_is_better ? PAGLETS_PERF_WORSE
                                       : PAGLETS_PERF_BETTER;
    return PAGLETS_PERF_WITHIN;
}

/*
 * Figures past any machine's (an exabyte or an exa-operation per second)
 * come only from broken or hostile hosts: print them short, not as the
 * forty digits "%.1f" would.
 */
#define ABSURD 1e18

size_t paglets_perf_metric_format(const struct paglets_perf_metric_info *metric,
                                  double value, char *out, size_t size)
{
    char text[PAGLETS__PERF_FIGURE_MAX + 8];
    if (metric == NULL || !usable(value))
        snprintf(text, sizeof(text), "-");
    else if (strcmp(metric->unit, "s") == 0)
        snprintf(text, sizeof(text), "%.3gs", value);
    else if (value >= ABSURD)
        snprintf(text, sizeof(text), "%.3g/s", value);
    else if (strcmp(metric->unit, "B/s") == 0)
        paglets__perf_fmt_bytes_per_second(value, text, sizeof(text));
    else if (strcmp(metric->unit, "op/s") == 0) {
        char rate[PAGLETS__PERF_FIGURE_MAX];
        paglets__perf_fmt_rate(value, rate, sizeof(rate));
        snprintf(text, sizeof(text), "%s/s", rate);
    } else
        snprintf(text, sizeof(text), "%.0f/s", value);
    return (size_t)snprintf(out, size, "%s", text);
}
