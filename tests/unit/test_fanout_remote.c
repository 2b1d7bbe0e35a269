/*
 * The remote half of struct paglets_fanout against peers that accept
 * connections and never answer (silent_peer.h), from an agent on a host
 * on 127.0.0.1 without a mesh: clones end at the round's deadline, not
 * after the client's fixed timeout; disposal reaches every child at once
 * under one deadline; a closed round starts no clone.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/client.h>
#include <paglets/fanout.h>
#include <paglets/host.h>

#include "silent_peer.h"

#define N_PEERS 4

struct fan_state {
    struct paglets_fanout *fanout;
};

static int fan_decode(void *state, const json_t *json, struct paglets_err *err)
{
    (void)json;
    struct fan_state *st = state;
    st->fanout = paglets_fanout_new();
    return st->fanout ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

static json_t *fan_encode(const void *state)
{
    (void)state;
    return json_object();
}

static void fan_release(void *state)
{
    paglets_fanout_free(((struct fan_state *)state)->fanout);
}

/*
 * Start a round of timeout seconds; its hosts are the request's "urls",
 * named h0, h1, ...
 */
static size_t start_round(struct paglets_agent *agent, const json_t *request,
                          double timeout, struct paglets_host_info *hosts)
{
    struct fan_state *st = paglets_agent_state(agent);
    paglets_agent_lock(agent);
    paglets_fanout_reset(st->fanout, timeout);
    paglets_agent_unlock(agent);
    const json_t *urls = json_object_get(request, "urls");
    size_t n = json_array_size(urls);
    assert_true(n <= N_PEERS);
    for (size_t i = 0; i < n; i++) {
        memset(&hosts[i], 0, sizeof(hosts[i]));
        snprintf(hosts[i].name, sizeof(hosts[i].name), "h%zu", i);
        snprintf(hosts[i].url, sizeof(hosts[i].url), "%s",
                 json_string_value(json_array_get(urls, i)));
        hosts[i].online = true;
    }
    return n;
}

static json_t *empty_state(void *arg, const struct paglets_host_info *host)
{
    (void)arg;
    (void)host;
    return json_object();
}

static json_t *summary_of(struct paglets_agent *agent)
{
    struct fan_state *st = paglets_agent_state(agent);
    paglets_agent_lock(agent);
    json_t *summary = paglets_fanout_summary(st->fanout);
    paglets_agent_unlock(agent);
    return summary;
}

/*
 * {urls, timeout}: a round of that timeout, a clone to each URL; with
 * "closed", the round is cleaned up before the clones. Replies the summary.
 */
static int op_clone(struct paglets_agent *agent, const json_t *request,
                    json_t **reply, struct paglets_err *err)
{
    (void)err;
    struct fan_state *st = paglets_agent_state(agent);
    struct paglets_host_info hosts[N_PEERS];
    size_t n = start_round(
        agent, request, json_number_value(json_object_get(request, "timeout")),
        hosts);
    if (json_is_true(json_object_get(request, "closed")))
        paglets_fanout_dispose_children(agent, st->fanout, 1);
    paglets_fanout_clone_all(agent, st->fanout, hosts, n, empty_state, NULL);
    *reply = summary_of(agent);
    return 0;
}

/*
 * {urls, timeout}: a child at each URL (recorded as cloned there), then
 * dispose them all within timeout. Replies the summary and the failures.
 */
static int op_dispose(struct paglets_agent *agent, const json_t *request,
                      json_t **reply, struct paglets_err *err)
{
    (void)err;
    struct fan_state *st = paglets_agent_state(agent);
    struct paglets_host_info hosts[N_PEERS];
    size_t n = start_round(agent, request, 60, hosts);
    paglets_agent_lock(agent);
    for (size_t i = 0; i < n; i++) {
        struct paglets_proxy child = {0};
        snprintf(child.host_url, sizeof(child.host_url), "%s", hosts[i].url);
        snprintf(child.agent_id, sizeof(child.agent_id), "child%zu", i);
        assert_int_equal(
            paglets_fanout_begin(st->fanout, hosts[i].name, hosts[i].url), 0);
        assert_int_equal(paglets_fanout_finish_clone(st->fanout, hosts[i].name,
                                                     &child, NULL),
                         0);
    }
    paglets_agent_unlock(agent);
    double began = paglets_monotonic_seconds();
    size_t failures = paglets_fanout_dispose_children(
        agent, st->fanout,
        json_number_value(json_object_get(request, "timeout")));
    double took = paglets_monotonic_seconds() - began;
    *reply = json_pack("{s:o, s:I, s:f}", "summary", summary_of(agent),
                       "failures", (json_int_t)failures, "seconds", took);
    return 0;
}

static const struct paglets_op fan_ops[] = {
    {"clone", op_clone},
    {"dispose", op_dispose},
};

static const struct paglets_agent_type fan_type = {
    .name = "Fan",
    .state_size = sizeof(struct fan_state),
    .state_decode = fan_decode,
    .state_encode = fan_encode,
    .state_release = fan_release,
    .ops = fan_ops,
    .n_ops = 2,
};

struct fixture {
    struct paglets_host *host;
    struct paglets_client *client;
    struct paglets_proxy fan;
    struct silent peers[N_PEERS];
    json_t *urls;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof(f));
    struct paglets_host_config config;
    paglets_host_config_init(&config);
    config.name = "unit";
    config.port = 0;
    config.mesh = false;
    struct paglets_err err = {0};
    f.host = paglets_host_new(&config, &err);
    assert_non_null(f.host);
    assert_int_equal(paglets_host_register_type(f.host, &fan_type, &err), 0);
    if (paglets_host_start(f.host, &err) != 0)
        fail_msg("cannot start host: %s", err.message);
    f.client = paglets_client_new(NULL, NULL);
    assert_int_equal(paglets_client_create(f.client, paglets_host_url(f.host),
                                           "Fan", NULL, &f.fan, &err),
                     0);
    f.urls = json_array();
    for (size_t i = 0; i < N_PEERS; i++) {
        silent_open(&f.peers[i]);
        json_array_append_new(f.urls, json_string(f.peers[i].url));
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    paglets_client_free(f->client);
    paglets_host_free(f->host);
    for (size_t i = 0; i < N_PEERS; i++)
        close(f->peers[i].fd);
    json_decref(f->urls);
    return 0;
}

static json_t *call(struct fixture *f, const char *op, json_t *request)
{
    json_t *reply = NULL;
    struct paglets_err err = {0};
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.timeout_seconds = 60;
    if (paglets_client_call_with(f->client, &f->fan, op, request, &opts, &reply,
                                 &err) != 0)
        fail_msg("%s: %s", op, err.message);
    json_decref(request);
    return reply;
}

/*
 * A silent host costs a clone the round's time, not the client's 10 s:
 * the failure is the deadline's ("deadline reached"), for every host.
 */
static void test_clones_end_at_the_round_deadline(void **state)
{
    struct fixture *f = *state;
    json_t *reply = call(
        f, "clone", json_pack("{s:O, s:f}", "urls", f->urls, "timeout", 0.3));
    const json_t *errors = json_object_get(reply, "errors");
    assert_int_equal(json_object_size(errors), N_PEERS);
    const char *host;
    const json_t *message;
    json_object_foreach((json_t *)errors, host, message)
    {
        const char *text = json_string_value(message);
        if (strstr(text, "clone failed: ") != text ||
            strstr(text, "deadline reached") == NULL)
            fail_msg("%s: %s", host, text);
    }
    json_decref(reply);
}

/*
 * Disposal reaches every silent child at once under one deadline: each
 * call is sent (a connection on every peer) and fails by the deadline,
 * not one after the other with a timeout each.
 */
static void test_disposal_reaches_every_child_by_one_deadline(void **state)
{
    struct fixture *f = *state;
    json_t *reply = call(
        f, "dispose", json_pack("{s:O, s:f}", "urls", f->urls, "timeout", 0.5));
    assert_int_equal(json_integer_value(json_object_get(reply, "failures")),
                     N_PEERS);
    const json_t *cleanup =
        json_object_get(json_object_get(reply, "summary"), "cleanup_errors");
    assert_int_equal(json_object_size(cleanup), N_PEERS);
    const char *host;
    const json_t *message;
    json_object_foreach((json_t *)cleanup, host, message)
    {
        if (strstr(json_string_value(message), "deadline reached") == NULL)
            fail_msg("%s: %s", host, json_string_value(message));
    }
    for (size_t i = 0; i < N_PEERS; i++)
        assert_true(silent_was_reached(&f->peers[i]));
    /* One after the other would take N_PEERS x 0.5 s. */
    double took = json_real_value(json_object_get(reply, "seconds"));
    if (!(took < 0.5 * N_PEERS - 0.5))
        fail_msg("disposal took %.3f s", took);
    json_decref(reply);
}

/* Once cleanup has begun, no clone starts: nobody would dispose it. */
static void test_a_closed_round_starts_no_clone(void **state)
{
    struct fixture *f = *state;
    json_t *reply = call(f, "clone",
                         json_pack("{s:O, s:f, s:b}", "urls", f->urls,
                                   "timeout", 30.0, "closed", 1));
    const json_t *errors = json_object_get(reply, "errors");
    assert_int_equal(json_object_size(errors), N_PEERS);
    assert_string_equal(json_string_value(json_object_get(errors, "h0")),
                        "clone not started: the round was cleaned up");
    for (size_t i = 0; i < N_PEERS; i++)
        assert_false(silent_was_reached(&f->peers[i]));
    json_decref(reply);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_clones_end_at_the_round_deadline),
        T(test_disposal_reaches_every_child_by_one_deadline),
        T(test_a_closed_round_starts_no_clone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
