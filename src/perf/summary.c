/*
 * struct paglets_perf_summary: a checked copy of the summary JSON the
 * benchmark agent replies with, its error count, and its two renderers.
 */
#include "perf_compat.h"

#include <errno.h>
#include <stdlib.h>

#include <paglets/perf.h>

#include "report.h"

struct paglets_perf_summary {
    json_t *json; /* owned; every member present with its type */
};

static int check_member(json_t *json, const char *key, bool array,
                        struct paglets_err *err)
{
    json_t *member = json_object_get(json, key);
    if (member == NULL)
        return json_object_set_new(json, key,
                                   array ? json_array() : json_object()) == 0
                   ? 0
                   : paglets_err_set(err, -ENOMEM, "out of memory");
    if (array ? !json_is_array(member) : !json_is_object(member))
        return paglets_err_set(err, -EINVAL, "summary: '%s' must be an %s", key,
                               array ? "array" : "object");
    return 0;
}

static int check_results(const json_t *results, struct paglets_err *err)
{
    const char *host;
    json_t *value;
    json_object_foreach((json_t *)results, host, value)
    {
        if (!json_is_object(json_object_get(value, "result")))
            return paglets_err_set(err, -EINVAL,
                                   "summary: results['%s'] has no result "
                                   "object",
                                   host);
    }
    return 0;
}

/* errors and cleanup_errors map host names to one message each. */
static int check_messages(const json_t *map, const char *what,
                          struct paglets_err *err)
{
    const char *host;
    json_t *value;
    json_object_foreach((json_t *)map, host, value)
    {
        if (!json_is_string(value))
            return paglets_err_set(
                err, -EINVAL, "summary: %s['%s'] is not a string", what, host);
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
    struct paglets_perf_summary *summary = calloc(1, sizeof(*summary));
    if (summary == NULL || (summary->json = json_deep_copy(json)) == NULL) {
        paglets_err_set(err, -ENOMEM, "out of memory");
        free(summary);
        return NULL;
    }
    json_t *copy = summary->json;
    int rc = check_member(copy, "results", false, err);
    if (rc == 0)
        rc = check_member(copy, "errors", false, err);
    if (rc == 0)
        rc = check_member(copy, "cleanup_errors", false, err);
    if (rc == 0)
        rc = check_member(copy, "pending_hosts", true, err);
    if (rc == 0)
        rc = check_results(json_object_get(copy, "results"), err);
    if (rc == 0)
        rc = check_messages(json_object_get(copy, "errors"), "errors", err);
    if (rc == 0)
        rc = check_messages(json_object_get(copy, "cleanup_errors"),
                            "cleanup_errors", err);
    if (rc != 0) {
        paglets_perf_summary_free(summary);
        return NULL;
    }
    return summary;
}

void paglets_perf_summary_free(struct paglets_perf_summary *summary)
{
    if (summary == NULL)
        return;
    json_decref(summary->json);
    free(summary);
}

const json_t *
paglets_perf_summary_json(const struct paglets_perf_summary *summary)
{
    return summary->json;
}

size_t
paglets_perf_summary_result_count(const struct paglets_perf_summary *summary)
{
    return json_object_size(json_object_get(summary->json, "results"));
}

size_t
paglets_perf_summary_error_count(const struct paglets_perf_summary *summary)
{
    const json_t *json = summary->json;
    size_t n = json_object_size(json_object_get(json, "errors")) +
               json_object_size(json_object_get(json, "cleanup_errors")) +
               json_array_size(json_object_get(json, "pending_hosts"));
    const char *host;
    json_t *item;
    json_object_foreach(json_object_get(json, "results"), host, item) n +=
        paglets__perf_result_error_count(json_object_get(item, "result"));
    return n;
}

int paglets_perf_summary_write_text(const struct paglets_perf_summary *summary,
                                    unsigned flags, FILE *out)
{
    return paglets__perf_write_text(summary->json,
                                    flags & PAGLETS_PERF_TEXT_VERBOSE, out);
}

int paglets_perf_summary_write_json(const struct paglets_perf_summary *summary,
                                    FILE *out)
{
    return paglets__perf_write_json(summary->json, out);
}
