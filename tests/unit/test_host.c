/*
 * Host shutdown through its seams, on a host listening on 127.0.0.1 with
 * an ephemeral port and no mesh: a request blocked in an operation is
 * released and answered, and an agent stuck in a call to a silent peer is
 * cancelled once the grace is over, so the host stops and frees. Waits are
 * for evidence (an operation entered, a call connected), never for time.
 */
#include "compat.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/client.h>
#include <paglets/host.h>

#include "runtime/host_int.h"
#include "silent_peer.h"

/* What the agents below report; guarded by seen.lock. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int entered;          /* operations inside op_block */
    int call_rc;          /* the run hook's call, 1 until it returned */
    const char *call_url; /* where the run hook calls */
} seen = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 1, NULL};

static void wait_entered(int n)
{
    pthread_mutex_lock(&seen.lock);
    while (seen.entered < n)
        pthread_cond_wait(&seen.cond, &seen.lock);
    pthread_mutex_unlock(&seen.lock);
}

static bool never(void *state, void *arg)
{
    (void)state;
    (void)arg;
    return false;
}

/* Block until the agent is disposed; reply whether that ended it. */
static int op_block(struct paglets_agent *agent, const json_t *request,
                    json_t **reply, struct paglets_err *err)
{
    (void)request;
    (void)err;
    pthread_mutex_lock(&seen.lock);
    seen.entered++;
    pthread_cond_broadcast(&seen.cond);
    pthread_mutex_unlock(&seen.lock);
    paglets_agent_lock(agent);
    int rc = paglets_agent_wait(agent, never, NULL, 60);
    paglets_agent_unlock(agent);
    *reply = json_pack("{s:b}", "interrupted", rc == -ECANCELED);
    return *reply ? 0 : -ENOMEM;
}

static const struct paglets_op block_ops[] = {{"block", op_block}};

static const struct paglets_agent_type blocker_type = {
    .name = "Blocker",
    .ops = block_ops,
    .n_ops = 1,
};

/* Call the silent peer with a minute's timeout, ignoring disposal. */
static void run_call(struct paglets_agent *agent)
{
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.timeout_seconds = 60;
    int rc = paglets_client_health_with(paglets_agent_client(agent),
                                        seen.call_url, &opts, NULL, NULL);
    pthread_mutex_lock(&seen.lock);
    seen.call_rc = rc;
    pthread_mutex_unlock(&seen.lock);
}

static const struct paglets_agent_type caller_type = {
    .name = "Caller",
    .run = run_call,
};

static struct paglets_host *start_host(double grace_s)
{
    struct paglets_host_config config;
    paglets_host_config_init(&config);
    config.name = "unit";
    config.port = 0;
    config.mesh = false;
    config.shutdown_grace_seconds = grace_s;
    struct paglets_err err = {0};
    struct paglets_host *host = paglets_host_new(&config, &err);
    assert_non_null(host);
    assert_int_equal(paglets_host_register_type(host, &blocker_type, &err), 0);
    assert_int_equal(paglets_host_register_type(host, &caller_type, &err), 0);
    if (paglets_host_start(host, &err) != 0)
        fail_msg("cannot start host: %s", err.message);
    return host;
}

struct request {
    struct paglets_proxy agent;
    int rc;
    json_t *reply;
};

static void *request_main(void *arg)
{
    struct request *r = arg;
    struct paglets_client *client = paglets_client_new(NULL, NULL);
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.timeout_seconds = 30;
    r->rc = paglets_client_call_with(client, &r->agent, "block", NULL, &opts,
                                     &r->reply, NULL);
    paglets_client_free(client);
    return NULL;
}

static void test_shutdown_releases_a_blocked_request(void **state)
{
    (void)state;
    struct paglets_host *host = start_host(5);
    struct request r = {.rc = 1};
    struct paglets_client *client = paglets_client_new(NULL, NULL);
    assert_int_equal(paglets_client_create(client, paglets_host_url(host),
                                           "Blocker", NULL, &r.agent, NULL),
                     0);
    paglets_client_free(client);
    seen.entered = 0;
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, request_main, &r), 0);
    wait_entered(1);
    double started = paglets_monotonic_seconds();
    paglets_host_stop(host);
    double took = paglets_monotonic_seconds() - started;
    pthread_join(thread, NULL);
    /* Answered before the server went: disposal woke the operation. */
    assert_int_equal(r.rc, 0);
    assert_true(json_is_true(json_object_get(r.reply, "interrupted")));
    assert_true(took < 2); /* not the 5 s grace */
    assert_int_equal(paglets__gauge_value(&host->live_agents), 0);
    assert_int_equal(paglets__gauge_value(&host->requests), 0);
    json_decref(r.reply);
    paglets_host_free(host);
}

static void test_shutdown_cancels_calls_after_the_grace(void **state)
{
    (void)state;
    struct silent peer;
    silent_open(&peer);
    seen.call_url = peer.url;
    seen.call_rc = 1;
    struct paglets_host *host = start_host(0.2);
    struct paglets_proxy agent;
    struct paglets_client *client = paglets_client_new(NULL, NULL);
    assert_int_equal(paglets_client_create(client, paglets_host_url(host),
                                           "Caller", NULL, &agent, NULL),
                     0);
    paglets_client_free(client);
    int conn = silent_wait_for_call(&peer); /* the run hook waits on it */
    double started = paglets_monotonic_seconds();
    paglets_host_stop(host);
    double took = paglets_monotonic_seconds() - started;
    /* The grace, then the cancel: not the call's 60 s timeout. */
    assert_true(took >= 0.2 && took < 2);
    pthread_mutex_lock(&seen.lock);
    assert_int_equal(seen.call_rc, -ECANCELED);
    pthread_mutex_unlock(&seen.lock);
    assert_int_equal(paglets__gauge_value(&host->live_agents), 0);
    assert_int_equal(paglets__worker_reap(host, false, 0), 0);
    paglets_host_free(host);
    close(conn);
    close(peer.fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shutdown_releases_a_blocked_request),
        cmocka_unit_test(test_shutdown_cancels_calls_after_the_grace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
