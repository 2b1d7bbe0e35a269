/*
 * The tally of one collection (tally.h): the entry host's summaries merged
 * so a later reply cannot take back an error, and checked against the
 * hosts online at the start.
 */
#include "perf_compat.h"

#include <errno.h>
#include <string.h>

#include "tally.h"

#define NOT_ONLINE "not online when the run started"

int paglets__perf_tally_init(struct paglets__perf_tally *t,
                             struct paglets_err *err)
{
    *t = (struct paglets__perf_tally){
        .online = json_object(),
        .results = json_object(),
        .errors = json_object(),
        .cleanup_errors = json_object(),
        .pending = json_array(),
    };
    if (!t->online || !t->results || !t->errors || !t->cleanup_errors ||
        !t->pending)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    return 0;
}

void paglets__perf_tally_release(struct paglets__perf_tally *t)
{
    json_decref(t->online);
    json_decref(t->results);
    json_decref(t->errors);
    json_decref(t->cleanup_errors);
    json_decref(t->pending);
    *t = (struct paglets__perf_tally){0};
}

int paglets__perf_tally_set_online(struct paglets__perf_tally *t,
                                   const json_t *hosts, struct paglets_err *err)
{
    const json_t *list = json_object_get(hosts, "hosts");
    if (!json_is_array(list))
        return paglets_err_set(err, -EPROTO,
                               "the entry host's GET /hosts has no host list");
    size_t i;
    const json_t *h;
    int rc = 0;
    json_array_foreach(list, i, h)
    {
        const char *name = json_string_value(json_object_get(h, "name"));
        if (name != NULL && json_is_true(json_object_get(h, "online")))
            rc |= json_object_set_new(t->online, name, json_true());
    }
    return rc ? paglets_err_set(err, -ENOMEM, "out of memory") : 0;
}

static bool is_string(const json_t *value)
{
    return json_is_string(value);
}

/* A results member: {host_url, result: object}. */
static bool is_entry(const json_t *value)
{
    return json_is_object(json_object_get(value, "result"));
}

/* Absent, or an object whose every member passes ok. */
static bool is_map_of(const json_t *json, bool (*ok)(const json_t *))
{
    if (json == NULL)
        return true;
    if (!json_is_object(json))
        return false;
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)json, key, value)
    {
        if (!ok(value))
            return false;
    }
    return true;
}

/* Absent, or an array of strings. */
static bool is_names(const json_t *json)
{
    if (json == NULL)
        return true;
    if (!json_is_array(json))
        return false;
    size_t i;
    const json_t *item;
    json_array_foreach(json, i, item)
    {
        if (!is_string(item))
            return false;
    }
    return true;
}

/* The shape of a summary reply, checked before anything of it is kept. */
static int check_summary(const json_t *s, struct paglets_err *err)
{
    const char *bad = NULL;
    const json_t *refused = json_object_get(s, "refused_results");
    if (!json_is_object(s))
        bad = "must be an object";
    else if (!is_map_of(json_object_get(s, "results"), is_entry))
        bad = "'results' must map host names to {host_url, result}";
    else if (!is_map_of(json_object_get(s, "errors"), is_string))
        bad = "'errors' must map host names to messages";
    else if (!is_map_of(json_object_get(s, "cleanup_errors"), is_string))
        bad = "'cleanup_errors' must map host names to messages";
    else if (!is_names(json_object_get(s, "pending_hosts")))
        bad = "'pending_hosts' must be an array of host names";
    else if (refused != NULL &&
             !(json_is_integer(refused) && json_integer_value(refused) >= 0))
        bad = "'refused_results' must be a count";
    if (bad != NULL)
        return paglets_err_set(err, -EPROTO, "entry host's summary: %s", bad);
    return 0;
}

/* Add each member of from that into lacks (values shared). */
static int add_missing(json_t *into, const json_t *from)
{
    const char *key;
    json_t *value;
    int rc = 0;
    json_object_foreach((json_t *)from, key, value)
    {
        if (json_object_get(into, key) == NULL)
            rc |= json_object_set(into, key, value);
    }
    return rc;
}

static bool is_settled(const struct paglets__perf_tally *t, const char *host)
{
    return json_object_get(t->results, host) != NULL ||
           json_object_get(t->errors, host) != NULL;
}

static int merge(struct paglets__perf_tally *t, const json_t *s)
{
    const json_t *errors = json_object_get(s, "errors");
    int rc = add_missing(t->errors, errors);
    rc |= add_missing(t->cleanup_errors, json_object_get(s, "cleanup_errors"));
    /* An error wins over a result, whichever reply came first. */
    const char *host;
    json_t *value;
    json_object_foreach(t->errors, host, value)
    {
        json_object_del(t->results, host);
    }
    json_object_foreach(json_object_get(s, "results"), host, value)
    {
        if (!is_settled(t, host))
            rc |= json_object_set(t->results, host, value);
    }
    json_t *pending = json_array();
    size_t i;
    json_array_foreach(json_object_get(s, "pending_hosts"), i, value)
    {
        if (pending != NULL && !is_settled(t, json_string_value(value)))
            rc |= json_array_append(pending, value);
    }
    if (pending == NULL)
        return -1;
    json_decref(t->pending);
    t->pending = pending;
    json_int_t refused =
        json_integer_value(json_object_get(s, "refused_results"));
    if (refused > t->refused)
        t->refused = refused;
    return rc;
}

int paglets__perf_tally_absorb(struct paglets__perf_tally *t,
                               const json_t *summary, struct paglets_err *err)
{
    int rc = check_summary(summary, err);
    if (rc == 0 && merge(t, summary) != 0)
        rc = paglets_err_set(err, -ENOMEM, "out of memory");
    return rc;
}

int paglets__perf_tally_cleanup_error(struct paglets__perf_tally *t,
                                      const char *host, const char *message,
                                      struct paglets_err *err)
{
    if (json_object_get(t->cleanup_errors, host) != NULL)
        return 0;
    if (json_object_set_new(t->cleanup_errors, host, json_string(message)))
        return paglets_err_set(err, -ENOMEM, "out of memory");
    return 0;
}

size_t paglets__perf_tally_settled(const struct paglets__perf_tally *t)
{
    return json_object_size(t->results) + json_object_size(t->errors);
}

const json_t *paglets__perf_tally_pending(const struct paglets__perf_tally *t)
{
    return t->pending;
}

/* Move the members of map whose host was not online into ignored. */
static int drop_unknown(const json_t *online, json_t *map, json_t *ignored)
{
    const char *host;
    json_t *value;
    void *tmp;
    int rc = 0;
    json_object_foreach_safe(map, tmp, host, value)
    {
        if (json_object_get(online, host) != NULL)
            continue;
        rc |= json_object_set_new(ignored, host, json_string(NOT_ONLINE));
        rc |= json_object_del(map, host);
    }
    return rc;
}

static json_t *checked_summary(struct paglets__perf_tally *t)
{
    json_t *ignored = json_object();
    json_t *pending = json_array();
    int rc = ignored == NULL || pending == NULL;
    rc |= drop_unknown(t->online, t->results, ignored);
    rc |= drop_unknown(t->online, t->errors, ignored);
    rc |= drop_unknown(t->online, t->cleanup_errors, ignored);
    size_t i;
    json_t *name;
    json_array_foreach(t->pending, i, name)
    {
        const char *host = json_string_value(name);
        if (json_object_get(t->online, host) != NULL)
            rc |= json_array_append(pending, name);
        else
            rc |= json_object_set_new(ignored, host, json_string(NOT_ONLINE));
    }
    json_t *summary =
        rc ? NULL
           : json_pack("{s:O, s:O, s:O, s:O, s:O, s:I}", "results", t->results,
                       "errors", t->errors, "cleanup_errors", t->cleanup_errors,
                       "pending_hosts", pending, "ignored_hosts", ignored,
                       "refused_results", t->refused);
    json_decref(ignored);
    json_decref(pending);
    return summary;
}

struct paglets_perf_summary *
paglets__perf_tally_finish(struct paglets__perf_tally *t,
                           struct paglets_err *err)
{
    json_t *json = checked_summary(t);
    if (json == NULL) {
        paglets_err_set(err, -ENOMEM, "out of memory");
        return NULL;
    }
    struct paglets_perf_summary *summary =
        paglets_perf_summary_from_json(json, err);
    json_decref(json);
    return summary;
}
