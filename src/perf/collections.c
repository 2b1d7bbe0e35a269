/*
 * The two small containers the benchmark results are built from: a list of
 * owned strings and typed arrays of zeroed structs, plus the metric filler
 * and the kernels' duration floor.
 */
#include "perf_compat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

int paglets__perf_strv_add(struct paglets_perf_strings *v, const char *fmt, ...)
{
    char *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    int len = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (len < 0)
        return -ENOMEM;
    char **items = realloc(v->items, (v->n + 1) * sizeof(*items));
    if (items == NULL) {
        free(text);
        return -ENOMEM;
    }
    items[v->n++] = text;
    v->items = items;
    return 0;
}

void paglets__perf_strv_release(struct paglets_perf_strings *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->n = 0;
}

void *paglets__perf_push(void *items_field, size_t *n, size_t elem_size)
{
    /*
     * The field is some T *; memcpy reads and writes it as the void * it
     * converts to, without accessing a T * through a void * lvalue.
     */
    char *items;
    memcpy(&items, items_field, sizeof(items));
    items = realloc(items, (*n + 1) * elem_size);
    if (items == NULL)
        return NULL;
    memcpy(items_field, &items, sizeof(items));
    char *elem = items + *n * elem_size;
    memset(elem, 0, elem_size);
    (*n)++;
    return elem;
}

double paglets__perf_kernel_seconds(double requested)
{
    return requested >= PAGLETS_PERF_MIN_DURATION_SECONDS
               ? requested
               : PAGLETS_PERF_MIN_DURATION_SECONDS;
}

int paglets__perf_metric_set(struct paglets_perf_metric *m, const char *name,
                             double elapsed, uint64_t operations,
                             uint64_t bytes)
{
    char *copy = strdup(name);
    if (copy == NULL)
        return -ENOMEM;
    free(m->name);
    m->name = copy;
    m->duration_seconds = elapsed;
    m->operations = operations;
    m->bytes_processed = bytes;
    m->operations_per_second = elapsed > 0 ? (double)operations / elapsed : 0;
    m->bytes_per_second = elapsed > 0 ? (double)bytes / elapsed : 0;
    return 0;
}
