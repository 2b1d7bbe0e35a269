/*
 * The remote half of struct paglets_fanout: choosing hosts, cloning,
 * waiting and disposing children. Remote calls are made with the agent's
 * state lock released; only the bookkeeping in between takes it.
 */
#include "compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/client.h>

#include "core/fanout_int.h"

/* Calls in flight at once: enough to hide round trips, few threads. */
#define PARALLEL_WIDTH 8
/*
 * Disposing a clone that returned after its round was cleaned up: the
 * cleanup's caller is gone, so this only bounds the worker's own wait.
 */
#define LATE_DISPOSE_S 2.0

static int compare_hosts(const void *a, const void *b)
{
    return strcmp(((const struct paglets_host_info *)a)->name,
                  ((const struct paglets_host_info *)b)->name);
}

int paglets_fanout_hosts(struct paglets_agent *agent,
                         struct paglets_host_info **hosts, size_t *n_hosts,
                         struct paglets_err *err)
{
    struct paglets_host_info *members;
    size_t n;
    int rc = paglets_host_members(paglets_agent_host(agent), &members, &n, err);
    if (rc != 0)
        return rc;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (members[i].online || members[i].self)
            members[kept++] = members[i];
    qsort(members, kept, sizeof(*members), compare_hosts);
    *hosts = members;
    *n_hosts = kept;
    return 0;
}

/*
 * Several calls at once: fn(arg, i) for i in 0..n-1 on up to
 * PARALLEL_WIDTH threads, the calling one included; returns when all have
 * returned. Each thread is a thread of its own for paglets_agent_client().
 */
struct parallel {
    size_t n;
    atomic_size_t next;
    void (*fn)(void *arg, size_t i);
    void *arg;
};

static void *parallel_worker(void *arg)
{
    struct parallel *p = arg;
    for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < p->n;)
        p->fn(p->arg, i);
    return NULL;
}

static void run_parallel(size_t n, void (*fn)(void *arg, size_t i), void *arg)
{
    struct parallel p = {n, 0, fn, arg};
    pthread_t threads[PARALLEL_WIDTH];
    size_t started = 0;
    /* The calling thread works too; helpers only when there is more. */
    while (started + 1 < PARALLEL_WIDTH && started + 1 < n &&
           pthread_create(&threads[started], NULL, parallel_worker, &p) == 0)
        started++;
    parallel_worker(&p);
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
}

/* A late clone (the round was closed meanwhile): dispose it at once. */
static void dispose_late(struct paglets_agent *agent,
                         const struct paglets_proxy *child)
{
    struct paglets_client *client = paglets_agent_client(agent);
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.timeout_seconds = LATE_DISPOSE_S;
    if (client != NULL)
        (void)paglets_client_dispose_with(client, child, &opts, NULL);
}

int paglets_fanout_clone(struct paglets_agent *agent,
                         struct paglets_fanout *fanout,
                         const struct paglets_host_info *host,
                         const json_t *child_state, struct paglets_err *err)
{
    paglets_agent_lock(agent);
    int rc = paglets_fanout_begin(fanout, host->name, host->url);
    /* The round's deadline bounds the clone: a silent host costs no more. */
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.deadline_seconds = fanout->deadline;
    paglets_agent_unlock(agent);
    if (rc != 0)
        return paglets_err_set(err, rc, "cannot add host '%s': %s", host->name,
                               paglets_strerror(rc));

    struct paglets_proxy proxy;
    struct paglets_err clone_err = {0};
    rc = paglets_agent_clone_with(agent, host->url, child_state, &opts, &proxy,
                                  &clone_err);
    char message[PAGLETS_ERR_MESSAGE_MAX + 32];
    if (rc != 0)
        snprintf(message, sizeof(message), "clone failed: %s",
                 clone_err.message[0] ? clone_err.message
                                      : paglets_strerror(rc));

    paglets_agent_lock(agent);
    int recorded = paglets_fanout_finish_clone(
        fanout, host->name, rc == 0 ? &proxy : NULL, message);
    struct paglets__fanout_child *child =
        paglets__fanout_find(fanout, host->name);
    bool late = rc == 0 && fanout->closed && child != NULL && !child->disposed;
    if (late)
        child->disposed = true;
    paglets_agent_unlock(agent);
    paglets_agent_notify(agent);
    if (late)
        dispose_late(agent, &proxy);
    if (rc != 0)
        return paglets_err_set(err, rc, "%s", message);
    return recorded;
}

struct clone_work {
    struct paglets_agent *agent;
    struct paglets_fanout *fanout;
    const struct paglets_host_info *hosts;
    paglets_fanout_state_fn make_state;
    void *arg;
};

/* Lock held. Settle host as failed without a clone, unless it is there. */
static void settle_unsent(struct paglets_fanout *fanout,
                          const struct paglets_host_info *host, const char *why)
{
    if (paglets_fanout_begin(fanout, host->name, host->url) == 0)
        paglets_fanout_finish_clone(fanout, host->name, NULL, why);
}

static void clone_one(void *arg, size_t i)
{
    struct clone_work *work = arg;
    const struct paglets_host_info *host = &work->hosts[i];
    /* Disposed or cleaned up meanwhile: nobody waits for more children. */
    paglets_agent_lock(work->agent);
    bool stopped =
        work->fanout->closed || paglets_agent_is_disposing(work->agent);
    if (stopped)
        settle_unsent(work->fanout, host,
                      "clone not started: the round was cleaned up");
    paglets_agent_unlock(work->agent);
    if (stopped)
        return;
    json_t *state = work->make_state(work->arg, host);
    if (state != NULL) {
        paglets_fanout_clone(work->agent, work->fanout, host, state, NULL);
    } else {
        paglets_agent_lock(work->agent);
        settle_unsent(work->fanout, host, "clone failed: out of memory");
        paglets_agent_unlock(work->agent);
    }
    json_decref(state);
}

void paglets_fanout_clone_all(struct paglets_agent *agent,
                              struct paglets_fanout *fanout,
                              const struct paglets_host_info *hosts,
                              size_t n_hosts,
                              paglets_fanout_state_fn make_state, void *arg)
{
    struct clone_work work = {agent, fanout, hosts, make_state, arg};
    run_parallel(n_hosts, clone_one, &work);
}

struct wait_arg {
    struct paglets_fanout *fanout;
};

static bool nothing_pending(void *state, void *arg)
{
    (void)state;
    return paglets_fanout_pending_count(((struct wait_arg *)arg)->fanout) == 0;
}

int paglets_fanout_wait(struct paglets_agent *agent,
                        struct paglets_fanout *fanout,
                        bool (*pred)(void *state, void *arg), void *arg,
                        double wait_seconds)
{
    struct wait_arg default_arg = {fanout};
    if (pred == NULL) {
        pred = nothing_pending;
        arg = &default_arg;
    }
    double left = fanout->deadline - paglets_monotonic_seconds();
    if (wait_seconds > left)
        wait_seconds = left;
    if (wait_seconds < 0)
        wait_seconds = 0;
    return paglets_agent_wait(agent, pred, arg, wait_seconds);
}

/* A child to dispose, copied out so no lock is needed while calling. */
struct disposal {
    struct paglets_proxy proxy;
    char host_name[sizeof(((struct paglets_host_info *)0)->name)];
};

/* Lock held. Take the children that still need disposing. */
static size_t take_disposable(struct paglets_fanout *fanout,
                              struct disposal *out)
{
    size_t n = 0;
    for (size_t i = 0; i < fanout->n_children; i++) {
        struct paglets__fanout_child *child = &fanout->children[i];
        if (!child->has_proxy || child->answered || child->disposed)
            continue;
        child->disposed = true;
        out[n].proxy = child->proxy;
        snprintf(out[n].host_name, sizeof(out[n].host_name), "%s",
                 child->host_name);
        n++;
    }
    return n;
}

struct dispose_work {
    struct paglets_agent *agent;
    struct paglets_fanout *fanout;
    const struct disposal *todo;
    struct paglets_call_opts opts; /* one deadline for all */
    atomic_size_t failures;
};

static void dispose_one(void *arg, size_t i)
{
    struct dispose_work *work = arg;
    const struct disposal *d = &work->todo[i];
    /* Each thread's client is its own; the limits go with each call. */
    struct paglets_client *client = paglets_agent_client(work->agent);
    struct paglets_err err = {0};
    int rc =
        client
            ? paglets_client_dispose_with(client, &d->proxy, &work->opts, &err)
            : paglets_err_set(&err, -ENOMEM, "no client for this thread");
    if (rc == 0 || rc == -ENOENT)
        return;
    atomic_fetch_add(&work->failures, 1);
    paglets_agent_lock(work->agent);
    paglets__fanout_set_cleanup_error(work->fanout, d->host_name,
                                      err.message[0] ? err.message
                                                     : paglets_strerror(rc));
    paglets_agent_unlock(work->agent);
}

size_t paglets_fanout_dispose_children(struct paglets_agent *agent,
                                       struct paglets_fanout *fanout,
                                       double timeout_seconds)
{
    struct dispose_work work = {.agent = agent, .fanout = fanout};
    paglets_call_opts_init(&work.opts);
    work.opts.timeout_seconds = timeout_seconds;
    work.opts.deadline_seconds = paglets_monotonic_seconds() + timeout_seconds;
    paglets_agent_lock(agent);
    fanout->closed = true;
    struct disposal *todo =
        calloc(fanout->n_children ? fanout->n_children : 1, sizeof(*todo));
    size_t n = todo != NULL ? take_disposable(fanout, todo) : 0;
    paglets_agent_unlock(agent);
    work.todo = todo;
    run_parallel(n, dispose_one, &work);
    free(todo);
    return atomic_load(&work.failures);
}
