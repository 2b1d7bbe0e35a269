/*
 * Gauges agents publish for GET /metrics (paglets_host_publish_metrics):
 * checked, copied into one group that replaces the group's old samples
 * under the lock, and written in family order.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/expo.h"
#include "runtime/host_int.h"
#include "runtime/metrics.h"
#include "util/clock.h"

/* One copied sample; labels sorted by name, so equal series compare equal. */
struct sample {
    char *name;
    char *help;
    char **labels; /* n_labels pairs: name, value */
    size_t n_labels;
    double value;
};

struct paglets__published_group {
    char name[PAGLETS_METRICS_NAME_MAX];
    struct sample *samples; /* sorted by name, then labels */
    size_t n;
};

/* Families the host writes itself; agents may not publish under them. */
static const char *const reserved[] = {"paglets_host_", "paglets_http_",
                                       "paglets_mesh_"};

static void free_group(struct paglets__published_group *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; i < g->n; i++) {
        struct sample *s = &g->samples[i];
        for (size_t j = 0; j < 2 * s->n_labels; j++)
            free(s->labels[j]);
        free(s->labels);
        free(s->name);
        free(s->help);
    }
    free(g->samples);
    free(g);
}

/* [a-zA-Z_][a-zA-Z0-9_]* shorter than PAGLETS_METRICS_NAME_MAX. */
static bool is_name(const char *text)
{
    if (text == NULL || text[0] == '\0' ||
        strlen(text) >= PAGLETS_METRICS_NAME_MAX ||
        strchr("0123456789", text[0]) != NULL)
        return false;
    for (const char *p = text; *p != '\0'; p++)
        if (!(*p == '_' || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

/* UTF-8 shorter than PAGLETS_METRICS_TEXT_MAX (jansson checks UTF-8). */
static bool is_text(const char *text)
{
    if (text == NULL || strlen(text) >= PAGLETS_METRICS_TEXT_MAX)
        return false;
    json_t *s = json_string(text);
    json_decref(s);
    return s != NULL;
}

static int check_sample(const struct paglets_metric *m, size_t i,
                        struct paglets_err *err)
{
    if (!is_name(m->name))
        return paglets_err_set(err, -EINVAL,
                               "metric %zu: name is not [a-zA-Z_][a-zA-Z0-9_]* "
                               "of at most %d bytes",
                               i, PAGLETS_METRICS_NAME_MAX - 1);
    for (size_t r = 0; r < sizeof(reserved) / sizeof(reserved[0]); r++)
        if (strncmp(m->name, reserved[r], strlen(reserved[r])) == 0)
            return paglets_err_set(err, -EINVAL,
                                   "metric '%s': %s* is the host's own",
                                   m->name, reserved[r]);
    if (!is_text(m->help))
        return paglets_err_set(err, -EINVAL,
                               "metric '%s': help must be UTF-8 of at most %d "
                               "bytes",
                               m->name, PAGLETS_METRICS_TEXT_MAX - 1);
    if (!isfinite(m->value))
        return paglets_err_set(err, -EINVAL, "metric '%s': value not finite",
                               m->name);
    if (m->n_labels > PAGLETS_METRICS_MAX_LABELS)
        return paglets_err_set(err, -E2BIG, "metric '%s': more than %d labels",
                               m->name, PAGLETS_METRICS_MAX_LABELS);
    for (size_t j = 0; j < m->n_labels; j++) {
        const char *name = m->labels[2 * j];
        if (!is_name(name) || strncmp(name, "__", 2) == 0)
            return paglets_err_set(err, -EINVAL,
                                   "metric '%s': label %zu has no valid name",
                                   m->name, j);
        if (!is_text(m->labels[2 * j + 1]))
            return paglets_err_set(err, -EINVAL,
                                   "metric '%s': label '%s' must be UTF-8 of "
                                   "at most %d bytes",
                                   m->name, name, PAGLETS_METRICS_TEXT_MAX - 1);
        for (size_t k = 0; k < j; k++)
            if (strcmp(m->labels[2 * k], name) == 0)
                return paglets_err_set(err, -EINVAL,
                                       "metric '%s': label '%s' given twice",
                                       m->name, name);
    }
    return 0;
}

static int compare_pair(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Order by name, then label sets, pair by pair. */
static int compare_sample(const void *a, const void *b)
{
    const struct sample *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    for (size_t i = 0; c == 0 && i < x->n_labels && i < y->n_labels; i++) {
        c = strcmp(x->labels[2 * i], y->labels[2 * i]);
        if (c == 0)
            c = strcmp(x->labels[2 * i + 1], y->labels[2 * i + 1]);
    }
    if (c == 0)
        c = (x->n_labels > y->n_labels) - (x->n_labels < y->n_labels);
    return c;
}

static int copy_sample(struct sample *s, const struct paglets_metric *m)
{
    s->name = strdup(m->name);
    s->help = strdup(m->help);
    s->value = m->value;
    s->labels = calloc(2 * m->n_labels + 1, sizeof(*s->labels));
    if (s->name == NULL || s->help == NULL || s->labels == NULL)
        return -ENOMEM;
    for (size_t j = 0; j < 2 * m->n_labels; j++) {
        s->labels[j] = strdup(m->labels[j]);
        if (s->labels[j] == NULL)
            return -ENOMEM;
        s->n_labels = j / 2 + 1;
    }
    /* Pairs sort as units: each is two adjacent pointers. */
    qsort(s->labels, s->n_labels, 2 * sizeof(*s->labels), compare_pair);
    return 0;
}

/* The checked, sorted copy of metrics into *out. */
static int build_group(const char *group, const struct paglets_metric *metrics,
                       size_t n, struct paglets__published_group **out,
                       struct paglets_err *err)
{
    struct paglets__published_group *g = calloc(1, sizeof(*g));
    if (g == NULL || (g->samples = calloc(n, sizeof(*g->samples))) == NULL) {
        free(g);
        return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    snprintf(g->name, sizeof(g->name), "%s", group);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = check_sample(&metrics[i], i, err);
        if (rc == 0 && copy_sample(&g->samples[g->n++], &metrics[i]) != 0)
            rc = paglets_err_set(err, -ENOMEM, "out of memory");
    }
    if (rc == 0)
        qsort(g->samples, g->n, sizeof(*g->samples), compare_sample);
    for (size_t i = 1; rc == 0 && i < g->n; i++) {
        const struct sample *a = &g->samples[i - 1], *b = &g->samples[i];
        if (compare_sample(a, b) == 0)
            rc = paglets_err_set(err, -EINVAL,
                                 "metric '%s': the same series twice", b->name);
        else if (strcmp(a->name, b->name) == 0 && strcmp(a->help, b->help))
            rc = paglets_err_set(err, -EINVAL,
                                 "metric '%s': samples with different help",
                                 b->name);
    }
    if (rc != 0) {
        free_group(g);
        return rc;
    }
    *out = g;
    return 0;
}

/* Does group g have a sample of family name? (samples sorted by name) */
static bool has_family(const struct paglets__published_group *g,
                       const char *name)
{
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(g->samples[mid].name, name);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/*
 * Lock held: the slot of the group called name (n_groups when new), once
 * g (NULL: a withdrawal) is checked against the other groups.
 */
static int place(struct paglets__metrics *m, const char *name,
                 const struct paglets__published_group *g, size_t *slot,
                 struct paglets_err *err)
{
    size_t total = g ? g->n : 0;
    *slot = m->n_groups;
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct paglets__published_group *other = m->groups[i];
        if (strcmp(other->name, name) == 0) {
            *slot = i;
            continue;
        }
        total += other->n;
        for (size_t j = 0; g != NULL && j < g->n; j++)
            if ((j == 0 ||
                 strcmp(g->samples[j - 1].name, g->samples[j].name) != 0) &&
                has_family(other, g->samples[j].name))
                return paglets_err_set(err, -EINVAL,
                                       "metric '%s' is published by group "
                                       "'%s'",
                                       g->samples[j].name, other->name);
    }
    if (total > PAGLETS_METRICS_MAX_TOTAL)
        return paglets_err_set(err, -E2BIG,
                               "more than %d samples published on the host",
                               PAGLETS_METRICS_MAX_TOTAL);
    if (*slot == m->n_groups && g != NULL &&
        m->n_groups == PAGLETS_METRICS_MAX_GROUPS)
        return paglets_err_set(err, -E2BIG, "more than %d metric groups",
                               PAGLETS_METRICS_MAX_GROUPS);
    return 0;
}

int paglets_host_publish_metrics(struct paglets_host *host, const char *group,
                                 const struct paglets_metric *metrics, size_t n,
                                 struct paglets_err *err)
{
    if (!is_name(group))
        return paglets_err_set(err, -EINVAL,
                               "metric group: not [a-zA-Z_][a-zA-Z0-9_]* of at "
                               "most %d bytes",
                               PAGLETS_METRICS_NAME_MAX - 1);
    if (n > PAGLETS_METRICS_MAX_SAMPLES)
        return paglets_err_set(err, -E2BIG, "more than %d samples in a group",
                               PAGLETS_METRICS_MAX_SAMPLES);
    if (n > 0 && metrics == NULL)
        return paglets_err_set(err, -EINVAL, "no metrics");
    struct paglets__published_group *g = NULL, *old = NULL;
    int rc = n > 0 ? build_group(group, metrics, n, &g, err) : 0;
    if (rc != 0)
        return rc;
    struct paglets__metrics *m = &host->metrics;
    size_t slot;
    pthread_mutex_lock(&m->lock);
    rc = place(m, group, g, &slot, err);
    if (rc == 0) {
        old = slot < m->n_groups ? m->groups[slot] : NULL;
        if (g != NULL) {
            m->groups[slot] = g;
            m->n_groups += slot == m->n_groups;
            g = NULL;
        } else if (old != NULL) {
            /* Withdrawn: the last group takes its slot. */
            m->groups[slot] = m->groups[--m->n_groups];
        }
    }
    pthread_mutex_unlock(&m->lock);
    free_group(old);
    free_group(g);
    return rc;
}

void paglets__published_write(struct paglets__metrics *m,
                              struct paglets__expo *e)
{
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct paglets__published_group *g = m->groups[i];
        for (size_t j = 0; j < g->n; j++) {
            const struct sample *s = &g->samples[j];
            if (j == 0 || strcmp(g->samples[j - 1].name, s->name) != 0)
                paglets__expo_family(e, s->name, "gauge", s->help);
            paglets__expo_sample(e, s->name, (const char *const *)s->labels,
                                 s->n_labels, s->value);
        }
    }
    pthread_mutex_unlock(&m->lock);
}

void paglets__metrics_init(struct paglets__metrics *m)
{
    memset(m, 0, sizeof(*m));
    m->started_mono = paglets__mono_now();
    pthread_mutex_init(&m->lock, NULL);
}

void paglets__metrics_release(struct paglets__metrics *m)
{
    for (size_t i = 0; i < m->n_groups; i++)
        free_group(m->groups[i]);
    m->n_groups = 0;
    pthread_mutex_destroy(&m->lock);
}
