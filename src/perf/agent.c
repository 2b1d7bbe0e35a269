/*
 * PerformanceBenchmarkAgent: a parent on the entry host clones itself to
 * every online host of the mesh; each child benchmarks its host in its
 * run hook, sends one child_result to the parent and disposes itself.
 * Bookkeeping goes through struct paglets_fanout under the state lock.
 */
#include "perf_compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/client.h>
#include <paglets/fanout.h>
#include <paglets/host.h>
#include <paglets/perf.h>

#include "bench.h"

/* Disposing one child at cleanup: a stopped host must not hang cleanup. */
#define DISPOSE_TIMEOUT_S 2.0
#define TIMED_OUT "timed out waiting for benchmark result"

/*
 * Protected by the agent's state lock, except that a child's fields never
 * change after state_decode, so its run hook reads them without the lock.
 */
struct perf_state {
    bool child;
    struct paglets_perf_request request;
    double timeout_seconds;
    char target_host[128];         /* child: the name its parent knows */
    struct paglets_proxy parent;   /* child: where to send child_result */
    struct paglets_fanout *fanout; /* parent */
};

static int copy_string(char *out, size_t size, const json_t *json,
                       const char *field, struct paglets_err *err)
{
    const char *text = json_string_value(json);
    if (text == NULL || strlen(text) >= size)
        return paglets_err_set(err, -EINVAL,
                               "benchmark state: '%s' must be a string "
                               "shorter than %zu bytes",
                               field, size);
    memcpy(out, text, strlen(text) + 1);
    return 0;
}

static int decode_child(struct perf_state *st, const json_t *json,
                        struct paglets_err *err)
{
    const json_t *parent = json_object_get(json, "parent");
    int rc =
        copy_string(st->target_host, sizeof(st->target_host),
                    json_object_get(json, "target_host"), "target_host", err);
    if (rc == 0)
        rc = copy_string(st->parent.host_url, sizeof(st->parent.host_url),
                         json_object_get(parent, "host_url"), "parent.host_url",
                         err);
    if (rc == 0)
        rc = copy_string(st->parent.agent_id, sizeof(st->parent.agent_id),
                         json_object_get(parent, "agent_id"), "parent.agent_id",
                         err);
    return rc;
}

static int decode_timeout(const json_t *json, double *timeout_seconds,
                          struct paglets_err *err)
{
    if (json == NULL || json_is_null(json)) {
        *timeout_seconds = PAGLETS_PERF_DEFAULT_TIMEOUT_SECONDS;
        return 0;
    }
    double value = json_number_value(json);
    if (!json_is_number(json) ||
        !(value >= 0 && value <= PAGLETS_PERF_MAX_TIMEOUT_SECONDS))
        return paglets_err_set(err, -EINVAL,
                               "'timeout' must be a number of seconds "
                               "from 0 to %.0f",
                               PAGLETS_PERF_MAX_TIMEOUT_SECONDS);
    *timeout_seconds = value;
    return 0;
}

static int state_decode(void *state, const json_t *json,
                        struct paglets_err *err)
{
    struct perf_state *st = state;
    paglets_perf_request_init(&st->request);
    if (!json_is_object(json))
        return paglets_err_set(err, -EINVAL,
                               "benchmark state must be a JSON object");
    const json_t *role = json_object_get(json, "role");
    st->child =
        json_is_string(role) && strcmp(json_string_value(role), "child") == 0;
    if (role != NULL && !st->child &&
        !(json_is_string(role) &&
          strcmp(json_string_value(role), "parent") == 0))
        return paglets_err_set(err, -EINVAL,
                               "benchmark state: 'role' must be "
                               "\"parent\" or \"child\"");
    const json_t *request = json_object_get(json, "request");
    int rc = decode_timeout(json_object_get(json, "timeout"),
                            &st->timeout_seconds, err);
    if (rc == 0 && request != NULL)
        rc = paglets_perf_request_from_json(&st->request, request, err);
    if (rc == 0 && st->child)
        rc = decode_child(st, json, err);
    if (rc == 0 && !st->child && (st->fanout = paglets_fanout_new()) == NULL)
        rc = paglets_err_set(err, -ENOMEM, "out of memory");
    return rc;
}

static json_t *state_to_json(const struct perf_state *st,
                             const struct paglets_proxy *parent,
                             const char *target_host)
{
    json_t *json =
        json_pack("{s:s, s:o, s:f}", "role", target_host ? "child" : "parent",
                  "request", paglets_perf_request_to_json(&st->request),
                  "timeout", st->timeout_seconds);
    if (json == NULL || target_host == NULL)
        return json;
    if (json_object_set_new(json, "target_host", json_string(target_host)) ||
        json_object_set_new(json, "parent",
                            json_pack("{s:s, s:s}", "host_url",
                                      parent->host_url, "agent_id",
                                      parent->agent_id))) {
        json_decref(json);
        return NULL;
    }
    return json;
}

static json_t *state_encode(const void *state)
{
    const struct perf_state *st = state;
    return state_to_json(st, &st->parent, st->child ? st->target_host : NULL);
}

static void state_release(void *state)
{
    struct perf_state *st = state;
    paglets_perf_request_release(&st->request);
    paglets_fanout_free(st->fanout);
    st->fanout = NULL;
}

static struct perf_state *parent_state(struct paglets_agent *agent,
                                       struct paglets_err *err)
{
    struct perf_state *st = paglets_agent_state(agent);
    if (st->child) {
        paglets_err_set(err, -EOPNOTSUPP,
                        "a benchmark child does not take this operation");
        return NULL;
    }
    return st;
}

/* Lock held. The summary reply, or -ENOMEM. */
static int summary_reply(struct perf_state *st, json_t **reply,
                         struct paglets_err *err)
{
    *reply = paglets_fanout_summary(st->fanout);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

/* The child state template with this host as its target. */
static json_t *child_state_for(void *arg, const struct paglets_host_info *host)
{
    json_t *state = json_deep_copy(arg);
    if (state != NULL && json_object_set_new(state, "target_host",
                                             json_string(host->name)) != 0) {
        json_decref(state);
        return NULL;
    }
    return state;
}

/*
 * Clone a child to every host; clone failures are recorded per host. Not
 * knowing the hosts at all fails the whole collect.
 */
static int fan_out(struct paglets_agent *agent, struct perf_state *st,
                   json_t *child_state, struct paglets_err *err)
{
    struct paglets_host_info *hosts = NULL;
    size_t n_hosts = 0;
    int rc = paglets_fanout_hosts(agent, &hosts, &n_hosts, err);
    if (rc != 0)
        return rc;
    paglets_fanout_clone_all(agent, st->fanout, hosts, n_hosts, child_state_for,
                             child_state);
    paglets_host_info_free(hosts);
    return 0;
}

static int op_collect(struct paglets_agent *agent, const json_t *request,
                      json_t **reply, struct paglets_err *err)
{
    struct paglets_perf_request bench;
    double timeout_seconds;
    paglets_perf_request_init(&bench);
    int rc = decode_timeout(json_object_get(request, "timeout"),
                            &timeout_seconds, err);
    if (rc == 0)
        rc = paglets_perf_request_from_json(
            &bench, json_object_get(request, "request"), err);
    if (rc != 0) {
        paglets_perf_request_release(&bench);
        return rc;
    }
    paglets_agent_lock(agent);
    struct perf_state *st = parent_state(agent, err);
    json_t *child_state = NULL;
    if (st != NULL) {
        paglets_perf_request_release(&st->request);
        st->request = bench;
        st->timeout_seconds = timeout_seconds;
        paglets_fanout_reset(st->fanout, timeout_seconds);
        struct paglets_proxy self = paglets_agent_proxy(agent);
        child_state = state_to_json(st, &self, "");
    }
    paglets_agent_unlock(agent);
    if (st == NULL) {
        paglets_perf_request_release(&bench);
        return -EOPNOTSUPP;
    }
    if (child_state == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    rc = fan_out(agent, st, child_state, err);
    json_decref(child_state);
    if (rc != 0)
        return rc;
    paglets_agent_lock(agent);
    rc = summary_reply(st, reply, err);
    paglets_agent_unlock(agent);
    return rc;
}

static bool wants_number(const json_t *json, double *value, double fallback)
{
    if (json == NULL || json_is_null(json)) {
        *value = fallback;
        return true;
    }
    *value = json_number_value(json);
    return json_is_number(json) && isfinite(*value);
}

static int op_drain(struct paglets_agent *agent, const json_t *request,
                    json_t **reply, struct paglets_err *err)
{
    double wait_seconds;
    if (!wants_number(json_object_get(request, "wait_timeout"), &wait_seconds,
                      PAGLETS_PERF_DRAIN_WAIT_SECONDS) ||
        wait_seconds < 0 || wait_seconds > PAGLETS_PERF_MAX_DRAIN_WAIT_SECONDS)
        return paglets_err_set(err, -EINVAL,
                               "'wait_timeout' must be a number of seconds "
                               "from 0 to %.0f",
                               PAGLETS_PERF_MAX_DRAIN_WAIT_SECONDS);
    paglets_agent_lock(agent);
    struct perf_state *st = parent_state(agent, err);
    json_t *summary = NULL;
    bool done = false;
    if (st != NULL) {
        paglets_fanout_expire(st->fanout, paglets_monotonic_seconds(),
                              TIMED_OUT);
        paglets_fanout_wait(agent, st->fanout, NULL, NULL, wait_seconds);
        paglets_fanout_expire(st->fanout, paglets_monotonic_seconds(),
                              TIMED_OUT);
        done = paglets_fanout_pending_count(st->fanout) == 0;
        summary = paglets_fanout_summary(st->fanout);
    }
    paglets_agent_unlock(agent);
    if (st == NULL)
        return -EOPNOTSUPP;
    *reply = json_pack("{s:b, s:o}", "done", done, "summary", summary);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

static int op_child_result(struct paglets_agent *agent, const json_t *request,
                           json_t **reply, struct paglets_err *err)
{
    (void)reply;
    const char *host = json_string_value(json_object_get(request, "host_name"));
    const json_t *result = json_object_get(request, "result");
    const json_t *error = json_object_get(request, "error");
    if (host == NULL ||
        (result != NULL && !json_is_object(result) && !json_is_null(result)))
        return paglets_err_set(err, -EINVAL,
                               "child_result needs 'host_name' and an "
                               "object or null 'result'");
    int rc;
    paglets_agent_lock(agent);
    struct perf_state *st = parent_state(agent, err);
    if (st == NULL)
        rc = -EOPNOTSUPP;
    else if (json_is_object(result))
        rc = paglets_fanout_record_result(st->fanout, host, result);
    else
        rc = paglets_fanout_record_error(
            st->fanout, host,
            json_is_string(error) ? json_string_value(error)
                                  : "child reported neither result nor "
                                    "error");
    paglets_agent_unlock(agent);
    paglets_agent_notify(agent);
    if (rc == -ENOENT || rc == -EALREADY) {
        /* Late (after expiry) or unknown: the first answer stands. */
        paglets_log_write(PAGLETS_LOG_DEBUG, PAGLETS__PERF_LOG,
                          "ignoring benchmark result of '%s': %s", host,
                          paglets_strerror(rc));
        return 0;
    }
    return rc == -ENOMEM ? paglets_err_set(err, rc, "out of memory") : rc;
}

static int op_summary(struct paglets_agent *agent, const json_t *request,
                      json_t **reply, struct paglets_err *err)
{
    (void)request;
    paglets_agent_lock(agent);
    struct perf_state *st = parent_state(agent, err);
    int rc = st ? summary_reply(st, reply, err) : -EOPNOTSUPP;
    paglets_agent_unlock(agent);
    return rc;
}

static int op_cleanup(struct paglets_agent *agent, const json_t *request,
                      json_t **reply, struct paglets_err *err)
{
    (void)request;
    paglets_agent_lock(agent);
    struct perf_state *st = parent_state(agent, err);
    paglets_agent_unlock(agent);
    if (st == NULL)
        return -EOPNOTSUPP;
    paglets_fanout_dispose_children(agent, st->fanout, DISPOSE_TIMEOUT_S);
    paglets_agent_lock(agent);
    int rc = summary_reply(st, reply, err);
    paglets_agent_unlock(agent);
    return rc;
}

/* Child: send the one answer to the parent. */
static void report_to_parent(struct paglets_agent *agent,
                             const struct perf_state *st, const char *url,
                             json_t *result)
{
    json_t *body =
        json_pack("{s:s, s:s, s:o?, s:s?}", "host_name", st->target_host,
                  "host_url", url, "result", result, "error",
                  result ? NULL
                         : "out of memory running the "
                           "benchmark");
    struct paglets_err err = {0};
    json_t *reply = NULL;
    /* NULL when the host is out of memory: then nothing can be sent. */
    struct paglets_client *client = paglets_agent_client(agent);
    int rc = body && client ? paglets_client_call(client, &st->parent,
                                                  PAGLETS_PERF_CHILD_RESULT,
                                                  body, 0, &reply, &err)
                            : -ENOMEM;
    if (rc != 0)
        paglets_log_write(PAGLETS_LOG_WARN, PAGLETS__PERF_LOG,
                          "cannot report benchmark result of '%s' to '%s': %s",
                          st->target_host, st->parent.host_url,
                          err.message[0] ? err.message : paglets_strerror(rc));
    json_decref(reply);
    json_decref(body);
}

/* The kernels' stop request: this child's disposal has begun. */
static bool child_disposing(void *agent)
{
    return paglets_agent_is_disposing(agent);
}

static void perf_run(struct paglets_agent *agent)
{
    paglets_agent_lock(agent);
    const struct perf_state *st = paglets_agent_state(agent);
    bool child = st->child;
    paglets_agent_unlock(agent);
    if (!child)
        return;
    struct paglets_host *host = paglets_agent_host(agent);
    const struct paglets__perf_stop stop = {child_disposing, agent};
    json_t *result = paglets__perf_run_host(
        &st->request, paglets_host_name(host), paglets_host_url(host), &stop);
    /* Disposed meanwhile: the parent has given up on this answer. */
    if (!paglets_agent_is_disposing(agent))
        report_to_parent(agent, st, paglets_host_url(host), result);
    else
        json_decref(result);
    paglets_agent_dispose(agent);
}

static const struct paglets_op perf_ops[] = {
    {PAGLETS_PERF_CHILD_RESULT, op_child_result},
    {PAGLETS_PERF_CLEANUP, op_cleanup},
    {PAGLETS_PERF_COLLECT, op_collect},
    {PAGLETS_PERF_DRAIN, op_drain},
    {PAGLETS_PERF_SUMMARY, op_summary},
};

const struct paglets_agent_type paglets_perf_agent_type = {
    .name = PAGLETS_PERF_AGENT,
    .state_name = "PerformanceBenchmarkState",
    .state_size = sizeof(struct perf_state),
    .state_decode = state_decode,
    .state_encode = state_encode,
    .state_release = state_release,
    .run = perf_run,
    .ops = perf_ops,
    .n_ops = sizeof(perf_ops) / sizeof(perf_ops[0]),
};
