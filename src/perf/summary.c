/*
 * struct paglets_perf_summary: the summary JSON the benchmark agent replies
 * with, decoded once into typed results (each host's with the table codec
 * of result_json.c), its accessors, error count and JSON form.
 */
#include "perf_compat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/perf.h>

#include "bench.h"
#include "report.h"

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const struct paglets_perf_host_entry *)a)->host_name,
                  ((const struct paglets_perf_host_entry *)b)->host_name);
}

static int compare_messages(const void *a, const void *b)
{
    return strcmp(((const struct paglets_perf_host_message *)a)->host_name,
                  ((const struct paglets_perf_host_message *)b)->host_name);
}

/* qsort, which must not be given the NULL items of an empty list. */
static void sort(void *items, size_t n, size_t size,
                 int (*compare)(const void *, const void *))
{
    if (n > 1)
        qsort(items, n, size, compare);
}

static int add_message(struct paglets__perf_messages *list, const char *host,
                       const char *fmt, ...) PAGLETS_PRINTF(3, 4);

static int add_message(struct paglets__perf_messages *list, const char *host,
                       const char *fmt, ...)
{
    struct paglets_perf_host_message *m = PAGLETS__PERF_PUSH(list);
    if (m == NULL)
        return -ENOMEM;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&m->message, fmt, ap) < 0)
        m->message = NULL;
    va_end(ap);
    m->host_name = strdup(host);
    return m->host_name && m->message ? 0 : -ENOMEM;
}

/* errors and cleanup_errors map host names to one message each. */
static int decode_messages(const json_t *map, const char *what,
                           struct paglets__perf_messages *out,
                           struct paglets_err *err)
{
    if (map == NULL)
        return 0;
    if (!json_is_object(map))
        return paglets_err_set(err, -EINVAL, "summary: '%s' must be an object",
                               what);
    const char *host;
    json_t *value;
    json_object_foreach((json_t *)map, host, value)
    {
        if (!json_is_string(value))
            return paglets_err_set(
                err, -EINVAL, "summary: %s['%s'] is not a string", what, host);
        if (add_message(out, host, "%s", json_string_value(value)) != 0)
            return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    return 0;
}

static int decode_pending(const json_t *array, struct paglets_perf_strings *out,
                          struct paglets_err *err)
{
    if (array == NULL)
        return 0;
    if (!json_is_array(array))
        return paglets_err_set(err, -EINVAL,
                               "summary: 'pending_hosts' must be an array");
    size_t i;
    json_t *item;
    json_array_foreach(array, i, item)
    {
        if (!json_is_string(item))
            return paglets_err_set(
                err, -EINVAL, "summary: pending_hosts[%zu] is not a string", i);
        if (paglets__perf_strv_add(out, "%s", json_string_value(item)) != 0)
            return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    return 0;
}

/* A non-negative integer, 0 when absent. */
static int decode_count(const json_t *json, const char *what, size_t *out,
                        struct paglets_err *err)
{
    if (json == NULL)
        return 0;
    if (!json_is_integer(json) || json_integer_value(json) < 0)
        return paglets_err_set(
            err, -EINVAL, "summary: '%s' must be a non-negative integer", what);
    *out = (size_t)json_integer_value(json);
    return 0;
}

static void entry_release(struct paglets_perf_host_entry *e)
{
    free(e->host_name);
    free(e->host_url);
    paglets_perf_host_result_release(&e->result);
}

/*
 * One results member, {host_url, result}. A result the typed schema
 * rejects is that host's problem, not the run's: the host moves to
 * errors with the decoder's message, and the other hosts stand.
 */
static int decode_entry(struct paglets_perf_summary *s, const char *host,
                        const json_t *value, struct paglets_err *err)
{
    const json_t *result = json_object_get(value, "result");
    const json_t *url = json_object_get(value, "host_url");
    if (!json_is_object(result))
        return paglets_err_set(
            err, -EINVAL, "summary: results['%s'] has no result object", host);
    struct paglets_perf_host_entry *e = PAGLETS__PERF_PUSH(&s->results);
    if (e == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    struct paglets_err why = {0};
    e->host_name = strdup(host);
    e->host_url = json_is_string(url) ? strdup(json_string_value(url)) : NULL;
    int rc;
    if (e->host_name == NULL || (json_is_string(url) && e->host_url == NULL))
        rc = -ENOMEM;
    else
        rc = paglets_perf_host_result_from_json(&e->result, result, &why);
    if (rc == 0)
        return 0;
    entry_release(e);
    s->results.n--;
    if (rc == -EINVAL)
        rc = add_message(&s->errors, host, "invalid result: %s", why.message);
    return rc == 0 ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

static int decode_results(struct paglets_perf_summary *s, const json_t *map,
                          struct paglets_err *err)
{
    if (map == NULL)
        return 0;
    if (!json_is_object(map))
        return paglets_err_set(err, -EINVAL,
                               "summary: 'results' must be an object");
    const char *host;
    json_t *value;
    json_object_foreach((json_t *)map, host, value)
    {
        int rc = decode_entry(s, host, value, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

struct paglets_perf_summary *
paglets_perf_summary_from_json(const json_t *json, struct paglets_err *err)
{
    if (!json_is_object(json)) {
        paglets_err_set(err, -EINVAL, "summary: not a JSON object");
        return NULL;
    }
    struct paglets_perf_summary *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        paglets_err_set(err, -ENOMEM, "out of memory");
        return NULL;
    }
    int rc = decode_results(s, json_object_get(json, "results"), err);
    if (rc == 0)
        rc = decode_messages(json_object_get(json, "errors"), "errors",
                             &s->errors, err);
    if (rc == 0)
        rc = decode_messages(json_object_get(json, "cleanup_errors"),
                             "cleanup_errors", &s->cleanup_errors, err);
    if (rc == 0)
        rc = decode_pending(json_object_get(json, "pending_hosts"),
                            &s->pending_hosts, err);
    if (rc == 0)
        rc = decode_messages(json_object_get(json, "ignored_hosts"),
                             "ignored_hosts", &s->ignored_hosts, err);
    if (rc == 0)
        rc = decode_count(json_object_get(json, "refused_results"),
                          "refused_results", &s->refused_results, err);
    if (rc != 0) {
        paglets_perf_summary_free(s);
        return NULL;
    }
    sort(s->results.items, s->results.n, sizeof(*s->results.items),
         compare_entries);
    sort(s->errors.items, s->errors.n, sizeof(*s->errors.items),
         compare_messages);
    sort(s->cleanup_errors.items, s->cleanup_errors.n,
         sizeof(*s->cleanup_errors.items), compare_messages);
    sort(s->ignored_hosts.items, s->ignored_hosts.n,
         sizeof(*s->ignored_hosts.items), compare_messages);
    return s;
}

static void messages_release(struct paglets__perf_messages *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i].host_name);
        free(list->items[i].message);
    }
    free(list->items);
}

void paglets_perf_summary_free(struct paglets_perf_summary *summary)
{
    if (summary == NULL)
        return;
    for (size_t i = 0; i < summary->results.n; i++)
        entry_release(&summary->results.items[i]);
    free(summary->results.items);
    messages_release(&summary->errors);
    messages_release(&summary->cleanup_errors);
    messages_release(&summary->ignored_hosts);
    paglets__perf_strv_release(&summary->pending_hosts);
    free(summary);
}

static json_t *messages_to_json(const struct paglets__perf_messages *list)
{
    json_t *map = json_object();
    int rc = map == NULL;
    for (size_t i = 0; rc == 0 && i < list->n; i++)
        rc |= json_object_set_new(map, list->items[i].host_name,
                                  json_string(list->items[i].message));
    if (rc != 0) {
        json_decref(map);
        return NULL;
    }
    return map;
}

static json_t *results_to_json(const struct paglets__perf_entries *list)
{
    json_t *map = json_object();
    int rc = map == NULL;
    for (size_t i = 0; rc == 0 && i < list->n; i++) {
        const struct paglets_perf_host_entry *e = &list->items[i];
        rc |= json_object_set_new(
            map, e->host_name,
            json_pack("{s:s, s:o}", "host_url", e->host_url ? e->host_url : "",
                      "result", paglets_perf_host_result_to_json(&e->result)));
    }
    if (rc != 0) {
        json_decref(map);
        return NULL;
    }
    return map;
}

/*
 * The reference's four members, and the collector's own two only when they
 * say something, so a clean run prints what the reference prints.
 */
json_t *paglets_perf_summary_to_json(const struct paglets_perf_summary *summary)
{
    json_t *json = json_pack(
        "{s:o, s:o, s:o, s:o}", "results", results_to_json(&summary->results),
        "errors", messages_to_json(&summary->errors), "cleanup_errors",
        messages_to_json(&summary->cleanup_errors), "pending_hosts",
        paglets__perf_strv_to_json(&summary->pending_hosts));
    int rc = json == NULL;
    if (rc == 0 && summary->ignored_hosts.n > 0)
        rc = json_object_set_new(json, "ignored_hosts",
                                 messages_to_json(&summary->ignored_hosts));
    if (rc == 0 && summary->refused_results > 0)
        rc = json_object_set_new(
            json, "refused_results",
            json_integer((json_int_t)summary->refused_results));
    if (rc != 0) {
        json_decref(json);
        return NULL;
    }
    return json;
}

size_t
paglets_perf_summary_result_count(const struct paglets_perf_summary *summary)
{
    return summary->results.n;
}

const struct paglets_perf_host_entry *
paglets_perf_summary_result(const struct paglets_perf_summary *summary,
                            size_t i)
{
    return i < summary->results.n ? &summary->results.items[i] : NULL;
}

const struct paglets_perf_host_entry *
paglets_perf_summary_find_result(const struct paglets_perf_summary *summary,
                                 const char *host_name)
{
    struct paglets_perf_host_entry key = {.host_name = (char *)host_name};
    if (summary->results.n == 0)
        return NULL;
    return bsearch(&key, summary->results.items, summary->results.n,
                   sizeof(key), compare_entries);
}

size_t paglets_perf_summary_host_error_count(
    const struct paglets_perf_summary *summary)
{
    return summary->errors.n;
}

const struct paglets_perf_host_message *
paglets_perf_summary_host_error(const struct paglets_perf_summary *summary,
                                size_t i)
{
    return i < summary->errors.n ? &summary->errors.items[i] : NULL;
}

size_t paglets_perf_summary_cleanup_error_count(
    const struct paglets_perf_summary *summary)
{
    return summary->cleanup_errors.n;
}

const struct paglets_perf_host_message *
paglets_perf_summary_cleanup_error(const struct paglets_perf_summary *summary,
                                   size_t i)
{
    return i < summary->cleanup_errors.n ? &summary->cleanup_errors.items[i]
                                         : NULL;
}

size_t paglets_perf_summary_ignored_host_count(
    const struct paglets_perf_summary *summary)
{
    return summary->ignored_hosts.n;
}

const struct paglets_perf_host_message *
paglets_perf_summary_ignored_host(const struct paglets_perf_summary *summary,
                                  size_t i)
{
    return i < summary->ignored_hosts.n ? &summary->ignored_hosts.items[i]
                                        : NULL;
}

size_t
paglets_perf_summary_refused_results(const struct paglets_perf_summary *summary)
{
    return summary->refused_results;
}

size_t
paglets_perf_summary_pending_count(const struct paglets_perf_summary *summary)
{
    return summary->pending_hosts.n;
}

const char *
paglets_perf_summary_pending_host(const struct paglets_perf_summary *summary,
                                  size_t i)
{
    return i < summary->pending_hosts.n ? summary->pending_hosts.items[i]
                                        : NULL;
}

/* Skips of paths the request named: the run did not do what was asked. */
static size_t requested_skips(const struct paglets_perf_disk_result *disk)
{
    size_t n = 0;
    for (size_t i = 0; disk != NULL && i < disk->skipped.n; i++)
        n += disk->skipped.items[i].requested;
    return n;
}

size_t
paglets_perf_host_result_error_count(const struct paglets_perf_host_result *r)
{
    return r->errors.n + (r->cpu ? r->cpu->errors.n : 0) +
           (r->memory ? r->memory->errors.n : 0) +
           (r->disk ? r->disk->errors.n : 0) + requested_skips(r->disk);
}

size_t
paglets_perf_summary_error_count(const struct paglets_perf_summary *summary)
{
    size_t n = summary->errors.n + summary->cleanup_errors.n +
               summary->pending_hosts.n + summary->ignored_hosts.n +
               summary->refused_results;
    for (size_t i = 0; i < summary->results.n; i++)
        n += paglets_perf_host_result_error_count(
            &summary->results.items[i].result);
    return n;
}

void paglets_perf_text_options_init(struct paglets_perf_text_options *options)
{
    memset(options, 0, sizeof(*options));
}

int paglets_perf_summary_write_text_with(
    const struct paglets_perf_summary *summary,
    const struct paglets_perf_text_options *options, FILE *out)
{
    struct paglets_perf_text_options defaults;
    paglets_perf_text_options_init(&defaults);
    return paglets__perf_write_text(summary, options ? options : &defaults,
                                    out);
}

int paglets_perf_summary_write_text(const struct paglets_perf_summary *summary,
                                    unsigned flags, FILE *out)
{
    struct paglets_perf_text_options options;
    paglets_perf_text_options_init(&options);
    options.flags = flags;
    return paglets__perf_write_text(summary, &options, out);
}

int paglets_perf_summary_write_json(const struct paglets_perf_summary *summary,
                                    FILE *out)
{
    json_t *json = paglets_perf_summary_to_json(summary);
    int rc = json ? paglets__perf_write_json(json, out) : -ENOMEM;
    json_decref(json);
    return rc;
}

int paglets_perf_json_write(const json_t *json, FILE *out)
{
    return json ? paglets__perf_write_json(json, out) : -EINVAL;
}
