/*
 * An agent's life on a host that is configured but not listening: type
 * registration and its checks, and creation or arrival of an agent whose
 * run hook cannot start (the worker seam host->workers.create fails).
 */
#include "compat.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/host.h>

#include "runtime/host_int.h"

static int releases;

static int plain_decode(void *state, const json_t *json,
                        struct paglets_err *err)
{
    (void)state;
    (void)json;
    (void)err;
    return 0;
}

static void plain_release(void *state)
{
    (void)state;
    releases++;
}

static void run_nothing(struct paglets_agent *agent)
{
    (void)agent;
}

static int op_noop(struct paglets_agent *agent, const json_t *request,
                   json_t **reply, struct paglets_err *err)
{
    (void)agent;
    (void)request;
    (void)reply;
    (void)err;
    return 0;
}

static const struct paglets_op sorted_ops[] = {{"a", op_noop}, {"b", op_noop}};

static const struct paglets_agent_type runner_type = {
    .name = "Runner",
    .state_name = "RunnerState",
    .state_size = 8,
    .state_decode = plain_decode,
    .state_release = plain_release,
    .run = run_nothing,
    .ops = sorted_ops,
    .n_ops = 2,
};

static int no_threads(pthread_t *thread, void *(*main)(void *), void *arg)
{
    (void)thread;
    (void)main;
    (void)arg;
    return EAGAIN;
}

static struct paglets_host *new_host(void)
{
    struct paglets_host_config config;
    paglets_host_config_init(&config);
    config.name = "unit";
    config.mesh = false;
    struct paglets_err err = {0};
    struct paglets_host *host = paglets_host_new(&config, &err);
    assert_non_null(host);
    assert_int_equal(paglets_host_register_type(host, &runner_type, &err), 0);
    return host;
}

static size_t live_agents(struct paglets_host *host)
{
    return paglets__gauge_value(&host->live_agents);
}

static void test_register_type_names_the_failed_check(void **state)
{
    (void)state;
    static const struct paglets_op unsorted[] = {{"b", op_noop},
                                                 {"a", op_noop}};
    static const struct paglets_op twice[] = {{"a", op_noop}, {"a", op_noop}};
    static const struct paglets_op no_handler[] = {{"a", NULL}};
    static const struct {
        struct paglets_agent_type type;
        int code;
        const char *reason;
    } cases[] = {
        {{.name = NULL}, -EINVAL, "has no name"},
        {{.name = "U", .ops = unsorted, .n_ops = 2}, -EINVAL, "not sorted"},
        {{.name = "T", .ops = twice, .n_ops = 2}, -EINVAL, "listed twice"},
        {{.name = "H", .ops = no_handler, .n_ops = 1}, -EINVAL, "no handler"},
        {{.name = "N", .ops = NULL, .n_ops = 3}, -EINVAL, "no table"},
        {{.name = "Runner"}, -EEXIST, "registered already"},
    };
    struct paglets_host *host = new_host();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets_err err = {0};
        assert_int_equal(paglets_host_register_type(host, &cases[i].type, &err),
                         cases[i].code);
        if (strstr(err.message, cases[i].reason) == NULL)
            fail_msg("case %zu: '%s' does not say '%s'", i, err.message,
                     cases[i].reason);
        /* The code comes back without an err to fill, too. */
        assert_int_equal(paglets_host_register_type(host, &cases[i].type, NULL),
                         cases[i].code);
    }
    struct paglets_err err = {0};
    assert_int_equal(paglets_host_register_type(host, NULL, &err), -EINVAL);
    host->started = true; /* as paglets_host_start() leaves it */
    static const struct paglets_agent_type late = {.name = "Late"};
    paglets_err_clear(&err);
    assert_int_equal(paglets_host_register_type(host, &late, &err), -EBUSY);
    assert_non_null(strstr(err.message, "has started"));
    host->started = false;
    assert_non_null(paglets__host_find_type(host, "Runner"));
    assert_null(paglets__host_find_type(host, "Late"));
    paglets_host_free(host);
}

static void test_run_hook_that_cannot_start_fails_the_create(void **state)
{
    (void)state;
    struct paglets_host *host = new_host();
    host->workers.create = no_threads;
    releases = 0;
    struct paglets_proxy proxy;
    struct paglets_err err = {0};
    assert_int_equal(paglets__host_create(host, "Runner", NULL, &proxy, &err),
                     -EAGAIN);
    assert_non_null(strstr(err.message, "run hook"));
    /* Not listed, freed, counted out: nobody waits for it. */
    assert_int_equal(paglets__registry_count(&host->registry), 0);
    assert_int_equal(live_agents(host), 0);
    assert_int_equal(releases, 1);
    /* Without err to fill the cause still comes back. */
    assert_int_equal(paglets__host_create(host, "Runner", NULL, &proxy, NULL),
                     -EAGAIN);
    paglets_host_free(host);
}

static void test_run_hook_that_cannot_start_fails_the_clone(void **state)
{
    (void)state;
    struct paglets_host *host = new_host();
    host->workers.create = no_threads;
    json_t *envelope =
        json_pack("{s:s, s:s, s:s, s:{}}", "kind", "clone", "agent_id",
                  "arriving", "agent_class_name", "Runner", "state");
    struct paglets_proxy proxy;
    struct paglets_err err = {0};
    assert_int_equal(paglets__host_accept(host, envelope, &proxy, &err),
                     -EAGAIN);
    assert_non_null(strstr(err.message, "'arriving'"));
    assert_int_equal(paglets__registry_count(&host->registry), 0);
    assert_int_equal(live_agents(host), 0);
    /* With threads back, the same envelope arrives. */
    host->workers.create = paglets__worker_thread_create;
    assert_int_equal(paglets__host_accept(host, envelope, &proxy, &err), 0);
    assert_string_equal(proxy.agent_id, "arriving");
    json_decref(envelope);
    assert_int_equal(paglets__host_dispose_id(host, "arriving", NULL), 0);
    assert_int_equal(paglets__worker_reap(host, true, 1e12), 0);
    assert_int_equal(live_agents(host), 0);
    paglets_host_free(host);
}

/* The held operation's side of the test; guarded by hold.lock. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool entered, let_go, saw_disposing;
} hold = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false,
          false};

/* Stay inside until the test lets go, whatever happens to the agent. */
static int op_hold(struct paglets_agent *agent, const json_t *request,
                   json_t **reply, struct paglets_err *err)
{
    (void)request;
    (void)reply;
    (void)err;
    pthread_mutex_lock(&hold.lock);
    hold.entered = true;
    pthread_cond_broadcast(&hold.cond);
    while (!hold.let_go)
        pthread_cond_wait(&hold.cond, &hold.lock);
    hold.saw_disposing = paglets_agent_is_disposing(agent);
    pthread_mutex_unlock(&hold.lock);
    return 0;
}

static const struct paglets_op hold_ops[] = {{"hold", op_hold}};

static const struct paglets_agent_type holder_type = {
    .name = "Holder",
    .state_size = 8,
    .state_decode = plain_decode,
    .state_release = plain_release,
    .ops = hold_ops,
    .n_ops = 1,
};

struct message {
    struct paglets_host *host;
    const char *id;
    int rc;
};

static void *message_main(void *arg)
{
    struct message *m = arg;
    json_t *body = json_pack("{s:{s:s}}", "message", "kind", "hold");
    json_t *reply = NULL;
    m->rc = paglets__host_message(m->host, m->id, body, &reply, NULL);
    json_decref(reply);
    json_decref(body);
    return NULL;
}

static void test_dispose_during_an_operation_frees_after_it(void **state)
{
    (void)state;
    struct paglets_host *host = new_host();
    assert_int_equal(paglets_host_register_type(host, &holder_type, NULL), 0);
    struct paglets_proxy proxy;
    assert_int_equal(paglets__host_create(host, "Holder", NULL, &proxy, NULL),
                     0);
    releases = 0;
    struct message m = {host, proxy.agent_id, 1};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, message_main, &m), 0);
    pthread_mutex_lock(&hold.lock);
    while (!hold.entered)
        pthread_cond_wait(&hold.cond, &hold.lock);
    pthread_mutex_unlock(&hold.lock);

    assert_int_equal(paglets__host_dispose_id(host, proxy.agent_id, NULL), 0);
    /* Out of view at once: later requests get 404 ... */
    assert_null(paglets__registry_get(&host->registry, proxy.agent_id));
    assert_int_equal(paglets__host_dispose_id(host, proxy.agent_id, NULL),
                     -ENOENT);
    /* ... but alive while the operation holds its reference. */
    assert_int_equal(releases, 0);
    assert_int_equal(live_agents(host), 1);

    pthread_mutex_lock(&hold.lock);
    hold.let_go = true;
    pthread_cond_broadcast(&hold.cond);
    pthread_mutex_unlock(&hold.lock);
    pthread_join(thread, NULL);
    assert_int_equal(m.rc, 0);
    assert_true(hold.saw_disposing);
    assert_int_equal(releases, 1);
    assert_int_equal(live_agents(host), 0);
    paglets_host_free(host);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_type_names_the_failed_check),
        cmocka_unit_test(test_run_hook_that_cannot_start_fails_the_create),
        cmocka_unit_test(test_run_hook_that_cannot_start_fails_the_clone),
        cmocka_unit_test(test_dispose_during_an_operation_frees_after_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
