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
#include "tokens.h"

/*
 * How long cleanup may take when its caller names no `timeout`: the
 * children are disposed in parallel by this one deadline, so a stopped
 * host cannot hang cleanup. PAGLETS_PERF_MAX_DRAIN_WAIT_SECONDS caps a
 * named one.
 */
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
    /*
     * child: when its parent stops waiting (its arrival + timeout on the
     * paglets_monotonic_seconds() clock): sending the result ends by then.
     */
    double deadline;
    char target_host[128];       /* child: the name its parent knows */
    struct paglets_proxy parent; /* child: where to send child_result */
    /*
     * child: what proves its child_result is its own. Never encoded: it
     * reaches the child in the clone state the parent builds, and no
     * endpoint's state (GET /agents/{id}, a clone of the child) shows it.
     */
    char token[PAGLETS__PERF_TOKEN_HEX + 1];
    struct paglets_fanout *fanout;      /* parent */
    struct paglets__perf_tokens tokens; /* parent: this round's */
    /*
     * parent: what this round's kept results are charged to the host's
     * state budget (--max-state-total), given back when a new round
     * starts; the runtime gives back the rest when the agent is freed.
     */
    size_t charged_bytes;
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
    const char *token = json_string_value(json_object_get(json, "token"));
    if (rc == 0 && !paglets__perf_token_is_valid(token))
        rc = paglets_err_set(err, -EINVAL,
                             "benchmark child state: 'token' must be the "
                             "%d hex digits its parent gave it",
                             PAGLETS__PERF_TOKEN_HEX);
    if (rc == 0)
        memcpy(st->token, token, sizeof(st->token));
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
    if (rc == 0 && st->child)
        st->deadline = paglets_monotonic_seconds() + st->timeout_seconds;
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
    paglets__perf_tokens_release(&st->tokens);
    explicit_bzero(st->token, sizeof(st->token));
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

/*
 * Lock held. The fan-out's summary with the count of refused child
 * results (only when there were any, so a clean round reads as the
 * reference's), or NULL when out of memory.
 */
static json_t *round_summary(const struct perf_state *st)
{
    json_t *summary = paglets_fanout_summary(st->fanout);
    if (summary != NULL && st->tokens.refused > 0 &&
        json_object_set_new(summary, "refused_results",
                            json_integer((json_int_t)st->tokens.refused))) {
        json_decref(summary);
        return NULL;
    }
    return summary;
}

/* Lock held. The summary reply, or -ENOMEM. */
static int summary_reply(struct perf_state *st, json_t **reply,
                         struct paglets_err *err)
{
    *reply = round_summary(st);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

struct child_template {
    struct paglets_agent *agent; /* the parent */
    const json_t *state;         /* the child state but target and token */
};

/*
 * The child state for one host: the template, the host as its target and
 * that host's token. Called from several threads at once, without the
 * lock: it takes it to read the token.
 */
static json_t *child_state_for(void *arg, const struct paglets_host_info *host)
{
    const struct child_template *template = arg;
    char token[PAGLETS__PERF_TOKEN_HEX + 1] = "";
    paglets_agent_lock(template->agent);
    const struct perf_state *st = paglets_agent_state(template->agent);
    const char *issued = paglets__perf_tokens_find(&st->tokens, host->name);
    if (issued != NULL)
        memcpy(token, issued, sizeof(token));
    paglets_agent_unlock(template->agent);
    json_t *state = issued ? json_deep_copy(template->state) : NULL;
    if (state != NULL &&
        (json_object_set_new(state, "target_host", json_string(host->name)) ||
         json_object_set_new(state, "token", json_string(token)))) {
        json_decref(state);
        state = NULL;
    }
    explicit_bzero(token, sizeof(token));
    return state;
}

/*
 * Clone a child to every host, each with a fresh token; clone failures
 * are recorded per host. Not knowing the hosts at all, or having no
 * randomness for the tokens, fails the whole collect.
 */
static int fan_out(struct paglets_agent *agent, struct perf_state *st,
                   json_t *child_state, struct paglets_err *err)
{
    struct paglets_host_info *hosts = NULL;
    size_t n_hosts = 0;
    int rc = paglets_fanout_hosts(agent, &hosts, &n_hosts, err);
    if (rc != 0)
        return rc;
    paglets_agent_lock(agent);
    rc = paglets__perf_tokens_issue(&st->tokens, hosts, n_hosts);
    paglets_agent_unlock(agent);
    if (rc == 0) {
        struct child_template template = {agent, child_state};
        paglets_fanout_clone_all(agent, st->fanout, hosts, n_hosts,
                                 child_state_for, &template);
    } else {
        paglets_err_set(err, rc, "cannot make child tokens: %s",
                        paglets_strerror(rc));
    }
    paglets_host_info_free(hosts);
    return rc;
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
        paglets_agent_refund(agent, st->charged_bytes);
        st->charged_bytes = 0;
        paglets__perf_tokens_release(&st->tokens);
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
        summary = round_summary(st);
    }
    paglets_agent_unlock(agent);
    if (st == NULL)
        return -EOPNOTSUPP;
    *reply = json_pack("{s:b, s:o}", "done", done, "summary", summary);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

/*
 * Lock held. Keep a child's answer; a result over
 * PAGLETS_PERF_MAX_RESULT_BYTES (which a child never sends) is kept as an
 * error instead. -ENOENT, -EALREADY (late or second answer), -ENOMEM.
 */
static int record_answer(struct paglets_agent *agent, struct perf_state *st,
                         const char *host, const json_t *result,
                         const json_t *error)
{
    if (!json_is_object(result))
        return paglets_fanout_record_error(
            st->fanout, host,
            json_is_string(error) ? json_string_value(error)
                                  : "child reported neither result nor "
                                    "error");
    size_t bytes = json_dumpb(result, NULL, 0, JSON_COMPACT);
    if (bytes > PAGLETS_PERF_MAX_RESULT_BYTES) {
        char message[128];
        snprintf(message, sizeof(message),
                 "result of %zu bytes is over the %u-byte limit", bytes,
                 PAGLETS_PERF_MAX_RESULT_BYTES);
        return paglets_fanout_record_error(st->fanout, host, message);
    }
    /*
     * The copy the parent keeps counts against the host's state budget: a
     * round over thousands of hosts must not grow a host without bound.
     * Without room the host gets this error instead of its result, so the
     * run says why rather than timing out.
     */
    size_t charge = paglets_agent_state_bytes(result);
    struct paglets_err room = {0};
    if (paglets_agent_charge(agent, charge, &room) != 0)
        return paglets_fanout_record_error(st->fanout, host, room.message);
    int rc = paglets_fanout_record_result(st->fanout, host, result);
    if (rc == 0)
        st->charged_bytes += charge;
    else
        paglets_agent_refund(agent, charge);
    return rc;
}

/* A refused child_result: logged (the first of a round at warn), 403. */
static int refuse(const char *host, size_t refused, struct paglets_err *err)
{
    char shown[256];
    paglets_escape(shown, sizeof(shown), host, strlen(host));
    paglets_log_write(refused == 1 ? PAGLETS_LOG_WARN : PAGLETS_LOG_DEBUG,
                      PAGLETS__PERF_LOG,
                      "refusing benchmark result for '%s': wrong or reused "
                      "token (%zu refused this round)",
                      shown, refused);
    return paglets_err_set(err, -EPERM,
                           "child_result for '%s' refused: not the token "
                           "this parent gave that host's child, or used "
                           "already",
                           shown);
}

static int op_child_result(struct paglets_agent *agent, const json_t *request,
                           json_t **reply, struct paglets_err *err)
{
    (void)reply;
    const char *host = json_string_value(json_object_get(request, "host_name"));
    const char *token = json_string_value(json_object_get(request, "token"));
    const json_t *result = json_object_get(request, "result");
    const json_t *error = json_object_get(request, "error");
    if (host == NULL ||
        (result != NULL && !json_is_object(result) && !json_is_null(result)))
        return paglets_err_set(err, -EINVAL,
                               "child_result needs 'host_name' and an "
                               "object or null 'result'");
    int rc;
    size_t refused = 0;
    paglets_agent_lock(agent);
    struct perf_state *st = parent_state(agent, err);
    if (st == NULL) {
        rc = -EOPNOTSUPP;
    } else {
        rc = paglets__perf_tokens_redeem(&st->tokens, host, token);
        refused = st->tokens.refused;
        if (rc == 0)
            rc = record_answer(agent, st, host, result, error);
    }
    paglets_agent_unlock(agent);
    if (rc == -EPERM)
        return refuse(host, refused, err);
    paglets_agent_notify(agent);
    if (rc == -ENOENT || rc == -EALREADY) {
        /* Late (after expiry): the first answer stands. */
        char shown[256];
        paglets_escape(shown, sizeof(shown), host, strlen(host));
        paglets_log_write(PAGLETS_LOG_DEBUG, PAGLETS__PERF_LOG,
                          "ignoring late benchmark result of '%s': %s", shown,
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
    double timeout_seconds;
    if (!wants_number(json_object_get(request, "timeout"), &timeout_seconds,
                      DISPOSE_TIMEOUT_S) ||
        timeout_seconds < 0 ||
        timeout_seconds > PAGLETS_PERF_MAX_DRAIN_WAIT_SECONDS)
        return paglets_err_set(err, -EINVAL,
                               "'timeout' must be a number of seconds "
                               "from 0 to %.0f",
                               PAGLETS_PERF_MAX_DRAIN_WAIT_SECONDS);
    paglets_agent_lock(agent);
    struct perf_state *st = parent_state(agent, err);
    paglets_agent_unlock(agent);
    if (st == NULL)
        return -EOPNOTSUPP;
    paglets_fanout_dispose_children(agent, st->fanout, timeout_seconds);
    paglets_agent_lock(agent);
    int rc = summary_reply(st, reply, err);
    paglets_agent_unlock(agent);
    return rc;
}

json_t *paglets__perf_answer_body(const char *host, const char *url,
                                  const char *token, json_t *result)
{
    char error[128] = "out of memory running the benchmark";
    size_t bytes = result ? json_dumpb(result, NULL, 0, JSON_COMPACT) : 0;
    if (bytes > PAGLETS_PERF_MAX_RESULT_BYTES) {
        snprintf(error, sizeof(error),
                 "benchmark result of %zu bytes is over the %u-byte limit",
                 bytes, PAGLETS_PERF_MAX_RESULT_BYTES);
        json_decref(result);
        result = NULL;
    }
    return json_pack("{s:s, s:s, s:s, s:o*, s:s*}", "host_name", host,
                     "host_url", url, "token", token, "result", result, "error",
                     result ? NULL : error);
}

static bool never(void *state, void *arg)
{
    (void)state;
    (void)arg;
    return false;
}

/*
 * Errors after which the parent may still take the answer: its host
 * refused the connection (the per-address limit), was busy, or had no room
 * for more state yet.
 */
static bool worth_retrying(int rc)
{
    return rc == -EIO || rc == -ECONNREFUSED || rc == -EBUSY || rc == -EAGAIN ||
           rc == -ENOSPC;
}

/*
 * Send body to the parent, again after a refusal, until the parent stops
 * waiting (the child's deadline: a silent parent costs no more) or
 * disposal.
 */
static int send_result(struct paglets_agent *agent, const struct perf_state *st,
                       json_t *body, struct paglets_err *err)
{
    struct paglets_client *client = paglets_agent_client(agent);
    if (body == NULL || client == NULL)
        return -ENOMEM; /* then nothing can be sent */
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.deadline_seconds = st->deadline;
    double pause = 0.1;
    for (;;) {
        json_t *reply = NULL;
        paglets_err_clear(err);
        int rc = paglets_client_call_with(client, &st->parent,
                                          PAGLETS_PERF_CHILD_RESULT, body,
                                          &opts, &reply, err);
        json_decref(reply);
        if (rc == 0 || !worth_retrying(rc) ||
            paglets_monotonic_seconds() + pause > st->deadline)
            return rc;
        paglets_agent_lock(agent);
        int waited = paglets_agent_wait(agent, never, NULL, pause);
        paglets_agent_unlock(agent);
        if (waited == -ECANCELED)
            return rc;
        pause = pause < 1 ? 2 * pause : 2;
    }
}

/* Child: send the one answer to the parent. */
static void report_to_parent(struct paglets_agent *agent,
                             const struct perf_state *st, const char *url,
                             json_t *result)
{
    json_t *body =
        paglets__perf_answer_body(st->target_host, url, st->token, result);
    struct paglets_err err = {0};
    int rc = send_result(agent, st, body, &err);
    if (rc != 0)
        paglets_log_write(PAGLETS_LOG_WARN, PAGLETS__PERF_LOG,
                          "cannot report benchmark result of '%s' to '%s': %s",
                          st->target_host, st->parent.host_url,
                          err.message[0] ? err.message : paglets_strerror(rc));
    json_decref(body);
}

/* The kernels' stop request: this child's disposal has begun. */
static bool child_disposing(void *agent)
{
    return paglets_agent_is_disposing(agent);
}

/* The child is disposed after it reports: its figures stay on /metrics. */
static void publish(struct paglets_host *host, const json_t *result)
{
    struct paglets_err err = {0};
    if (result != NULL && paglets__perf_publish(host, result, &err) != 0)
        paglets_log_write(PAGLETS_LOG_WARN, PAGLETS__PERF_LOG,
                          "cannot publish benchmark metrics: %s", err.message);
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
    /*
     * Disposed meanwhile: the parent has given up on this answer, and a
     * run cut short is no host's last result.
     */
    if (!paglets_agent_is_disposing(agent)) {
        publish(host, result);
        report_to_parent(agent, st, paglets_host_url(host), result);
    } else
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
