/*
 * EchoAgent: the built-in test and demo agent type. It exercises every
 * runtime feature a real agent uses (state codec, run hook, typed ops,
 * waiting on the state, cloning, calling other agents, self-disposal).
 */
/* nanosleep is POSIX, not C17. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <paglets/client.h>

#include "agents.h"

/* The longest an EchoAgent waits anywhere (linger, sleep, wait), seconds. */
#define ECHO_MAX_WAIT_S 30.0

/* How long `wait` waits when the request names no timeout. */
#define ECHO_WAIT_S 1.0

/* The longest timeout `call` takes (the host caps it further). */
#define ECHO_MAX_CALL_S 3600.0

struct echo_state {
    json_int_t counter;
    json_int_t runs; /* incremented by the run hook on every arrival */
    json_t *data;    /* any JSON the creator passed; owned */
    double linger;   /* seconds the run hook stays (0..ECHO_MAX_WAIT_S) */
    bool stubborn;   /* linger even through disposal: a misbehaving agent */
};

static int echo_decode(void *state, const json_t *json, struct paglets_err *err)
{
    struct echo_state *s = state;
    json_t *counter = NULL, *runs = NULL, *data = NULL;
    int stubborn = 0;
    if (json_unpack((json_t *)json, "{s?o, s?o, s?o, s?F, s?b}", "counter",
                    &counter, "runs", &runs, "data", &data, "linger",
                    &s->linger, "stubborn", &stubborn) != 0)
        return paglets_err_set(err, -EINVAL,
                               "state must be an object with "
                               "number 'linger', bool "
                               "'stubborn'");
    if (!(s->linger >= 0 && s->linger <= ECHO_MAX_WAIT_S))
        return paglets_err_set(err, -EINVAL, "'linger' must be 0..%g",
                               ECHO_MAX_WAIT_S);
    s->stubborn = stubborn;
    if ((counter && !json_is_integer(counter)) ||
        (runs && !json_is_integer(runs)))
        return paglets_err_set(err, -EINVAL,
                               "'counter' and 'runs' must be integers");
    s->counter = counter ? json_integer_value(counter) : 0;
    s->runs = runs ? json_integer_value(runs) : 0;
    s->data = data ? json_incref(data) : NULL;
    return 0;
}

static json_t *echo_encode(const void *state)
{
    const struct echo_state *s = state;
    return json_pack("{s:I, s:I, s:O?, s:f, s:b}", "counter", s->counter,
                     "runs", s->runs, "data", s->data, "linger", s->linger,
                     "stubborn", s->stubborn);
}

static void echo_release(void *state)
{
    struct echo_state *s = state;
    json_decref(s->data);
    s->data = NULL;
}

static bool never(void *state, void *arg)
{
    (void)state;
    (void)arg;
    return false;
}

/* Count the arrival, then stay `linger` seconds (see echo_state). */
static void echo_run(struct paglets_agent *agent)
{
    paglets_agent_lock(agent);
    struct echo_state *s = paglets_agent_state(agent);
    s->runs++;
    paglets_agent_notify(agent);
    double linger = s->linger;
    bool stubborn = s->stubborn;
    if (linger > 0 && !stubborn)
        paglets_agent_wait(agent, never, NULL, linger);
    paglets_agent_unlock(agent);
    if (linger > 0 && stubborn) {
        struct timespec ts = {(time_t)linger,
                              (long)((linger - (double)(time_t)linger) * 1e9)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
}

static int op_echo(struct paglets_agent *agent, const json_t *request,
                   json_t **reply, struct paglets_err *err)
{
    (void)agent;
    (void)err;
    *reply = json_deep_copy(request);
    return *reply ? 0 : -ENOMEM;
}

static json_t *counters(struct paglets_agent *agent)
{
    paglets_agent_lock(agent);
    const struct echo_state *s = paglets_agent_state(agent);
    json_t *json =
        json_pack("{s:I, s:I}", "counter", s->counter, "runs", s->runs);
    paglets_agent_unlock(agent);
    return json;
}

static int op_counter(struct paglets_agent *agent, const json_t *request,
                      json_t **reply, struct paglets_err *err)
{
    (void)request;
    (void)err;
    *reply = counters(agent);
    return *reply ? 0 : -ENOMEM;
}

static int op_increment(struct paglets_agent *agent, const json_t *request,
                        json_t **reply, struct paglets_err *err)
{
    json_int_t by = 1;
    if (json_unpack((json_t *)request, "{s?I}", "by", &by) != 0)
        return paglets_err_set(err, -EINVAL, "'by' must be an integer");
    paglets_agent_lock(agent);
    struct echo_state *s = paglets_agent_state(agent);
    bool overflow = by > 0 ? s->counter > (json_int_t)INT64_MAX - by
                           : s->counter < (json_int_t)INT64_MIN - by;
    if (!overflow)
        s->counter += by;
    paglets_agent_notify(agent);
    paglets_agent_unlock(agent);
    if (overflow)
        return paglets_err_set(err, -EINVAL,
                               "counter %s by %" JSON_INTEGER_FORMAT
                               " would overflow",
                               by > 0 ? "increased" : "decreased", by);
    *reply = counters(agent);
    return *reply ? 0 : -ENOMEM;
}

static bool counter_reached(void *state, void *arg)
{
    return ((struct echo_state *)state)->counter >= *(json_int_t *)arg;
}

/*
 * {"seconds": S}: block this request (0..ECHO_MAX_WAIT_S), ending early on
 * dispose.
 */
static int op_sleep(struct paglets_agent *agent, const json_t *request,
                    json_t **reply, struct paglets_err *err)
{
    double seconds = 0;
    if (json_unpack((json_t *)request, "{s?F}", "seconds", &seconds) != 0 ||
        seconds < 0 || seconds > ECHO_MAX_WAIT_S)
        return paglets_err_set(err, -EINVAL, "'seconds' must be 0..%g",
                               ECHO_MAX_WAIT_S);
    paglets_agent_lock(agent);
    int rc = paglets_agent_wait(agent, never, NULL, seconds);
    paglets_agent_unlock(agent);
    *reply = json_pack("{s:b}", "interrupted", rc == -ECANCELED);
    return *reply ? 0 : -ENOMEM;
}

/* {"counter": N, "timeout": S}: wait until counter >= N. */
static int op_wait(struct paglets_agent *agent, const json_t *request,
                   json_t **reply, struct paglets_err *err)
{
    json_int_t target = 0;
    double timeout = ECHO_WAIT_S;
    if (json_unpack((json_t *)request, "{s:I, s?F}", "counter", &target,
                    "timeout", &timeout) != 0 ||
        timeout < 0 || timeout > ECHO_MAX_WAIT_S)
        return paglets_err_set(err, -EINVAL,
                               "need integer 'counter', 'timeout' 0..%g",
                               ECHO_MAX_WAIT_S);
    paglets_agent_lock(agent);
    int rc = paglets_agent_wait(agent, counter_reached, &target, timeout);
    paglets_agent_unlock(agent);
    *reply = json_pack("{s:b}", "reached", rc == 0);
    return *reply ? 0 : -ENOMEM;
}

static int op_clone(struct paglets_agent *agent, const json_t *request,
                    json_t **reply, struct paglets_err *err)
{
    const char *target = NULL;
    if (json_unpack((json_t *)request, "{s:s}", "target", &target) != 0)
        return paglets_err_set(err, -EINVAL, "'target' must be a string");
    struct paglets_proxy clone;
    int rc = paglets_agent_clone(agent, target, NULL, &clone, err);
    if (rc != 0)
        return rc;
    *reply = json_pack("{s:{s:s, s:s}}", "clone", "host_url", clone.host_url,
                       "agent_id", clone.agent_id);
    return *reply ? 0 : -ENOMEM;
}

/* A proxy from request fields host_url and agent_id ("" when absent). */
static int proxy_from(const json_t *request, bool need_id,
                      struct paglets_proxy *proxy, struct paglets_err *err)
{
    const char *url = NULL, *id = "";
    if (json_unpack((json_t *)request, need_id ? "{s:s, s:s}" : "{s:s, s?s}",
                    "host_url", &url, "agent_id", &id) != 0)
        return paglets_err_set(err, -EINVAL, "need string 'host_url'%s",
                               need_id ? " and 'agent_id'" : "");
    int n1 = snprintf(proxy->host_url, sizeof(proxy->host_url), "%s", url);
    int n2 = snprintf(proxy->agent_id, sizeof(proxy->agent_id), "%s", id);
    if (n1 < 0 || (size_t)n1 >= sizeof(proxy->host_url) || n2 < 0 ||
        (size_t)n2 >= sizeof(proxy->agent_id))
        return paglets_err_set(err, -EINVAL, "proxy field too long");
    return 0;
}

/*
 * {"host_url", "agent_id", "op", "args"?, "oneway"?, "timeout"?}: call
 * another agent (or this one) through the calling thread's client.
 */
static int op_call(struct paglets_agent *agent, const json_t *request,
                   json_t **reply, struct paglets_err *err)
{
    const char *op;
    json_t *args = NULL;
    int oneway = 0;
    double timeout = 0; /* the client's */
    struct paglets_proxy target;
    if (json_unpack((json_t *)request, "{s:s, s?o, s?b, s?F}", "op", &op,
                    "args", &args, "oneway", &oneway, "timeout", &timeout) != 0)
        return paglets_err_set(err, -EINVAL, "need string 'op'");
    if (!(timeout >= 0 && timeout <= ECHO_MAX_CALL_S))
        return paglets_err_set(err, -EINVAL,
                               "'timeout' must be 0..%g seconds (0: the "
                               "client's)",
                               ECHO_MAX_CALL_S);
    int rc = proxy_from(request, true, &target, err);
    struct paglets_client *client = paglets_agent_client(agent);
    if (rc == 0 && client == NULL)
        rc = paglets_err_set(err, -ENOMEM, "no client");
    if (rc != 0)
        return rc;
    if (oneway)
        return paglets_client_send(client, &target, op, args, err);
    return paglets_client_call(client, &target, op, args, timeout, reply, err);
}

/*
 * {"host_url", "agent_id"?}: what a client sees of a host: its health,
 * mesh and agent list, and the named agent.
 */
static int op_inspect(struct paglets_agent *agent, const json_t *request,
                      json_t **reply, struct paglets_err *err)
{
    struct paglets_proxy target;
    int rc = proxy_from(request, false, &target, err);
    struct paglets_client *client = paglets_agent_client(agent);
    if (rc == 0 && client == NULL)
        rc = paglets_err_set(err, -ENOMEM, "no client");
    json_t *health = NULL, *hosts = NULL, *agents = NULL, *info = NULL;
    if (rc == 0)
        rc = paglets_client_health(client, target.host_url, &health, err);
    if (rc == 0)
        rc = paglets_client_hosts(client, target.host_url, &hosts, err);
    if (rc == 0)
        rc = paglets_client_list(client, target.host_url, &agents, err);
    if (rc == 0 && target.agent_id[0] != '\0')
        rc = paglets_client_get(client, &target, &info, err);
    if (rc == 0) {
        *reply = json_pack("{s:O, s:O, s:O, s:O?}", "health", health, "hosts",
                           hosts, "agents", agents, "agent", info);
        rc = *reply ? 0 : -ENOMEM;
    }
    json_decref(health);
    json_decref(hosts);
    json_decref(agents);
    json_decref(info);
    return rc;
}

static int op_dispose(struct paglets_agent *agent, const json_t *request,
                      json_t **reply, struct paglets_err *err)
{
    (void)request;
    (void)err;
    paglets_agent_dispose(agent);
    *reply = NULL;
    return 0;
}

/* Sorted by name: the runtime looks operations up with bsearch. */
static const struct paglets_op echo_ops[] = {
    {"call", op_call},       {"clone", op_clone}, {"counter", op_counter},
    {"dispose", op_dispose}, {"echo", op_echo},   {"increment", op_increment},
    {"inspect", op_inspect}, {"sleep", op_sleep}, {"wait", op_wait},
};

const struct paglets_agent_type cli_echo_agent_type = {
    .name = "EchoAgent",
    .state_name = "EchoState",
    .state_size = sizeof(struct echo_state),
    .state_decode = echo_decode,
    .state_encode = echo_encode,
    .state_release = echo_release,
    .run = echo_run,
    .ops = echo_ops,
    .n_ops = sizeof(echo_ops) / sizeof(echo_ops[0]),
};
