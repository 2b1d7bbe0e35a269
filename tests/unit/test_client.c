/*
 * The client's limits: per-call timeouts, absolute deadlines and cancel
 * handles (tripped before a call, from another thread, from a signal
 * handler, for the whole client). The peer is a socket on 127.0.0.1 that
 * accepts connections and never answers; the test waits for evidence (the
 * connection arriving), never for time to pass.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <paglets/client.h>

#include "silent_peer.h"

/*
 * A trip must end a call in flight within this. libcurl alone would notice
 * at its next wake-up, 0.2 s or more later while it waits for a reply.
 */
#define CANCEL_BOUND_S 0.15

/* Each test: a silent peer, a client, call options with no limits. */
struct fixture {
    struct silent peer;
    struct paglets_client *client;
    struct paglets_call_opts opts;
    struct paglets_err err;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    silent_open(&f->peer);
    f->client = paglets_client_new(NULL, &f->err);
    assert_non_null(f->client);
    paglets_call_opts_init(&f->opts);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    paglets_client_free(f->client);
    close(f->peer.fd);
    free(f);
    return 0;
}

static void test_client_call_times_out_per_call(void **state)
{
    struct fixture *f = *state;
    f->opts.timeout_seconds = 0.2;
    json_t *health = NULL;
    double started = paglets_monotonic_seconds();
    assert_int_equal(paglets_client_health_with(f->client, f->peer.url,
                                                &f->opts, &health, &f->err),
                     -ETIMEDOUT);
    double took = paglets_monotonic_seconds() - started;
    assert_true(took >= 0.19 && took < 5);
    assert_null(health);
    assert_non_null(strstr(f->err.message, "/health"));
}

static void test_client_deadline_cuts_a_longer_timeout(void **state)
{
    struct fixture *f = *state;
    f->opts.timeout_seconds = 60;
    f->opts.deadline_seconds = paglets_monotonic_seconds() + 0.2;
    double started = paglets_monotonic_seconds();
    assert_int_equal(paglets_client_health_with(f->client, f->peer.url,
                                                &f->opts, NULL, &f->err),
                     -ETIMEDOUT);
    assert_true(paglets_monotonic_seconds() - started < 5);
    assert_non_null(strstr(f->err.message, "deadline"));
}

static void test_client_past_deadline_sends_nothing(void **state)
{
    struct fixture *f = *state;
    f->opts.deadline_seconds = paglets_monotonic_seconds() - 1;
    assert_int_equal(paglets_client_list_with(f->client, f->peer.url, &f->opts,
                                              NULL, &f->err),
                     -ETIMEDOUT);
    assert_false(silent_was_reached(&f->peer));
}

static void test_client_tripped_handle_sends_nothing(void **state)
{
    struct fixture *f = *state;
    struct paglets_cancel *cancel = paglets_cancel_new(NULL);
    assert_non_null(cancel);
    assert_false(paglets_cancel_is_tripped(cancel));
    paglets_cancel_trip(cancel);
    paglets_cancel_trip(cancel); /* twice is harmless */
    assert_true(paglets_cancel_is_tripped(cancel));
    f->opts.cancel = cancel;
    assert_int_equal(paglets_client_health_with(f->client, f->peer.url,
                                                &f->opts, NULL, &f->err),
                     -ECANCELED);
    assert_false(silent_was_reached(&f->peer));
    paglets_cancel_free(cancel);
}

struct call {
    struct fixture *f;
    pthread_t thread;
    int rc;
    double ended;
};

static void *call_main(void *arg)
{
    struct call *c = arg;
    c->rc = paglets_client_health_with(c->f->client, c->f->peer.url,
                                       &c->f->opts, NULL, &c->f->err);
    c->ended = paglets_monotonic_seconds();
    return NULL;
}

/*
 * Start a call with a 60 s timeout on a thread of its own and return once
 * it waits for the reply; *conn gets the peer's end of it.
 */
static void start_call(struct call *c, struct fixture *f, int *conn)
{
    c->f = f;
    f->opts.timeout_seconds = 60;
    assert_int_equal(pthread_create(&c->thread, NULL, call_main, c), 0);
    *conn = silent_wait_for_call(&f->peer);
}

/* Trip cancel, or signal the call's thread; the call must end at once. */
static void end_call(struct call *c, struct paglets_cancel *cancel, int conn)
{
    double tripped = paglets_monotonic_seconds();
    if (cancel != NULL)
        paglets_cancel_trip(cancel);
    else
        assert_int_equal(pthread_kill(c->thread, SIGUSR1), 0);
    pthread_join(c->thread, NULL);
    assert_int_equal(c->rc, -ECANCELED);
    assert_non_null(strstr(c->f->err.message, "cancelled"));
    assert_true(c->ended - tripped < CANCEL_BOUND_S);
    close(conn);
}

static void test_client_trip_ends_a_call_in_flight(void **state)
{
    struct fixture *f = *state;
    struct call c;
    int conn;
    f->opts.cancel = paglets_cancel_new(NULL);
    start_call(&c, f, &conn);
    end_call(&c, f->opts.cancel, conn);
    paglets_cancel_free(f->opts.cancel);
}

static void test_client_wide_handle_ends_every_call(void **state)
{
    struct fixture *f = *state;
    struct call c;
    int conn;
    struct paglets_cancel *cancel = paglets_cancel_new(NULL);
    paglets_client_set_cancel(f->client, cancel);
    start_call(&c, f, &conn);
    end_call(&c, cancel, conn);
    /* Later calls end at once, before connecting. */
    assert_int_equal(paglets_client_health(f->client, f->peer.url, NULL, NULL),
                     -ECANCELED);
    assert_false(silent_was_reached(&f->peer));
    paglets_client_set_cancel(f->client, NULL);
    paglets_cancel_free(cancel);
}

static struct paglets_cancel *signal_cancel;

static void on_signal(int sig)
{
    (void)sig;
    paglets_cancel_trip(signal_cancel);
}

static void test_client_trip_from_signal_handler(void **state)
{
    struct fixture *f = *state;
    struct call c;
    int conn;
    signal_cancel = paglets_cancel_new(NULL);
    struct sigaction sa = {.sa_handler = on_signal}, old;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    f->opts.cancel = signal_cancel;
    start_call(&c, f, &conn);
    /* The handler runs on the calling thread, interrupting its poll(). */
    end_call(&c, NULL, conn);
    sigaction(SIGUSR1, &old, NULL);
    paglets_cancel_free(signal_cancel);
}

static void test_client_refuses_bad_arguments(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(paglets_client_health(NULL, "http://h", NULL, &f->err),
                     -EINVAL);
    assert_non_null(strstr(f->err.message, "no client"));
    paglets_err_clear(&f->err);
    assert_int_equal(
        paglets_client_health(f->client, "http://h:1/prefix", NULL, &f->err),
        -EINVAL);
    assert_non_null(strstr(f->err.message, "path"));
    struct paglets_proxy bad = {"http://127.0.0.1:1", ".."};
    assert_int_equal(paglets_client_dispose(f->client, &bad, NULL), -EINVAL);
    assert_false(paglets_cancel_is_tripped(NULL));
    paglets_cancel_free(NULL);
    paglets_client_free(NULL);
}

/*
 * libcurl reads http_proxy and ALL_PROXY for every transfer unless told
 * otherwise; a client must not: the call goes straight to the (closed)
 * host, and the "proxy", our silent peer, never sees it.
 */
static void test_client_ignores_proxy_variables(void **state)
{
    struct fixture *f = *state;
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    setenv("http_proxy", f->peer.url, 1);
    setenv("ALL_PROXY", f->peer.url, 1);
    f->opts.timeout_seconds = 0.5;
    int rc = paglets_client_health_with(f->client, "http://127.0.0.1:1",
                                        &f->opts, NULL, &f->err);
    unsetenv("http_proxy");
    unsetenv("ALL_PROXY");
    assert_int_equal(rc, -ECONNREFUSED);
    assert_false(silent_was_reached(&f->peer));
}

static void test_client_set_proxy_routes_every_call(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(paglets_client_set_proxy(f->client, f->peer.url, &f->err),
                     0);
    f->opts.timeout_seconds = 0.2;
    assert_int_equal(paglets_client_health_with(f->client, "http://127.0.0.1:1",
                                                &f->opts, NULL, &f->err),
                     -ETIMEDOUT);
    assert_true(silent_was_reached(&f->peer));
    /* "" turns it off again. */
    assert_int_equal(paglets_client_set_proxy(f->client, "", &f->err), 0);
    assert_int_equal(paglets_client_health_with(f->client, "http://127.0.0.1:1",
                                                &f->opts, NULL, &f->err),
                     -ECONNREFUSED);
}

static void test_client_set_proxy_refuses_other_urls(void **state)
{
    struct fixture *f = *state;
    static const char *const bad[] = {"127.0.0.1:3128", "ftp://p:21", "http://",
                                      "http://p:1\r\nX: y"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        paglets_err_clear(&f->err);
        assert_int_equal(paglets_client_set_proxy(f->client, bad[i], &f->err),
                         -EINVAL);
        assert_non_null(strstr(f->err.message, "proxy URL"));
    }
    assert_int_equal(paglets_client_set_proxy(NULL, NULL, &f->err), -EINVAL);
    assert_int_equal(
        paglets_client_set_proxy(f->client, "socks5h://p:1080", &f->err), 0);
    assert_int_equal(paglets_client_set_proxy(f->client, NULL, &f->err), 0);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_client_call_times_out_per_call),
        TEST(test_client_deadline_cuts_a_longer_timeout),
        TEST(test_client_past_deadline_sends_nothing),
        TEST(test_client_tripped_handle_sends_nothing),
        TEST(test_client_trip_ends_a_call_in_flight),
        TEST(test_client_wide_handle_ends_every_call),
        TEST(test_client_trip_from_signal_handler),
        TEST(test_client_refuses_bad_arguments),
        TEST(test_client_ignores_proxy_variables),
        TEST(test_client_set_proxy_routes_every_call),
        TEST(test_client_set_proxy_refuses_other_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
