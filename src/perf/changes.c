/*
 * Figures against an earlier run of the same host
 * (<paglets/perf_answers.h>): finding a cell's change, and the texts a
 * change prints as (a notes: line, a table cell).
 */
#include "perf_compat.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <paglets/perf_answers.h>

/* The key a lookup searches for. */
struct key {
    const char *host;
    size_t metric; /* catalogue index */
    const char *path;
};

/* strcmp with NULL first, as the lists of figures are sorted. */
static int compare_paths(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int compare_key(const void *pk, const void *pc)
{
    const struct key *k = pk;
    const struct paglets_perf_change *c = pc;
    int r = strcmp(k->host, c->host);
    if (r == 0) {
        size_t i = paglets_perf_metric_index(c->metric);
        r = (k->metric > i) - (k->metric < i);
    }
    return r != 0 ? r : compare_paths(k->path, c->path);
}

const struct paglets_perf_change *
paglets_perf_changes_lookup(const struct paglets_perf_change *changes, size_t n,
                            const char *host, const char *metric_id,
                            const char *path)
{
    const struct paglets_perf_metric_info *metric =
        paglets_perf_metric_find(metric_id);
    if (changes == NULL || n == 0 || host == NULL || metric == NULL)
        return NULL;
    struct key key = {host, paglets_perf_metric_index(metric), path};
    return bsearch(&key, changes, n, sizeof(*changes), compare_key);
}

size_t paglets_perf_change_format(const struct paglets_perf_change *c,
                                  char *out, size_t size)
{
    char before[64], after[64], ratio[32] = "";
    paglets_perf_metric_format(c->metric, c->before, before, sizeof(before));
    paglets_perf_metric_format(c->metric, c->after, after, sizeof(after));
    if (isfinite(c->ratio))
        snprintf(ratio, sizeof(ratio), " (%.3g x)", c->ratio);
    return (size_t)snprintf(out, size, "%s%s%s%s %s -> %s%s", c->metric->id,
                            c->path ? " " : "", c->path ? c->path : "",
                            c->path ? ":" : "", before, after, ratio);
}

/* Past this many percent a change is capped: only its sign matters. */
#define PERCENT_CAP 9999.95

size_t paglets_perf_ratio_format(double ratio, char *out, size_t size)
{
    if (!isfinite(ratio) || !(ratio > 0))
        return (size_t)snprintf(out, size, "-");
    double percent = (ratio - 1.0) * 100.0;
    if (percent >= PERCENT_CAP)
        return (size_t)snprintf(out, size, ">+9999%%");
    /* "-0.0%" would read as a fall: a change that rounds to 0 is "+0.0%". */
    if (percent > -0.05 && percent < 0.05)
        percent = 0.0;
    return (size_t)snprintf(out, size, "%+.1f%%", percent);
}
