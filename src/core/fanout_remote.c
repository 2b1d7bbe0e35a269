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

/* Clones in flight at once: enough to hide round trips, few threads. */
#define CLONE_WIDTH 8

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

int paglets_fanout_clone(struct paglets_agent *agent,
                         struct paglets_fanout *fanout,
                         const struct paglets_host_info *host,
                         const json_t *child_state, struct paglets_err *err)
{
    paglets_agent_lock(agent);
    int rc = paglets_fanout_begin(fanout, host->name, host->url);
    paglets_agent_unlock(agent);
    if (rc != 0)
        return paglets_err_set(err, rc, "cannot add host '%s': %s", host->name,
                               paglets_strerror(rc));

    struct paglets_proxy proxy;
    struct paglets_err clone_err = {0};
    rc = paglets_agent_clone(agent, host->url, child_state, &proxy, &clone_err);
    char message[PAGLETS_ERR_MESSAGE_MAX + 32];
    if (rc != 0)
        snprintf(message, sizeof(message), "clone failed: %s",
                 clone_err.message[0] ? clone_err.message
                                      : paglets_strerror(rc));

    paglets_agent_lock(agent);
    int recorded = paglets_fanout_finish_clone(
        fanout, host->name, rc == 0 ? &proxy : NULL, message);
    paglets_agent_unlock(agent);
    paglets_agent_notify(agent);
    if (rc != 0)
        return paglets_err_set(err, rc, "%s", message);
    return recorded;
}

struct clone_work {
    struct paglets_agent *agent;
    struct paglets_fanout *fanout;
    const struct paglets_host_info *hosts;
    size_t n_hosts;
    atomic_size_t next; /* the next host to clone to */
    paglets_fanout_state_fn make_state;
    void *arg;
};

static void *clone_worker(void *arg)
{
    struct clone_work *work = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&work->next, 1);
        if (i >= work->n_hosts)
            return NULL;
        const struct paglets_host_info *host = &work->hosts[i];
        json_t *state = work->make_state(work->arg, host);
        if (state != NULL) {
            paglets_fanout_clone(work->agent, work->fanout, host, state, NULL);
        } else {
            paglets_agent_lock(work->agent);
            if (paglets_fanout_begin(work->fanout, host->name, host->url) == 0)
                paglets_fanout_finish_clone(work->fanout, host->name, NULL,
                                            "clone failed: out of memory");
            paglets_agent_unlock(work->agent);
        }
        json_decref(state);
    }
}

void paglets_fanout_clone_all(struct paglets_agent *agent,
                              struct paglets_fanout *fanout,
                              const struct paglets_host_info *hosts,
                              size_t n_hosts,
                              paglets_fanout_state_fn make_state, void *arg)
{
    struct clone_work work = {agent, fanout,     hosts, n_hosts,
                              0,     make_state, arg};
    pthread_t threads[CLONE_WIDTH];
    size_t started = 0;
    /* The calling thread works too; helpers only when there is more. */
    while (started + 1 < CLONE_WIDTH && started + 1 < n_hosts &&
           pthread_create(&threads[started], NULL, clone_worker, &work) == 0)
        started++;
    clone_worker(&work);
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
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

size_t paglets_fanout_dispose_children(struct paglets_agent *agent,
                                       struct paglets_fanout *fanout,
                                       double timeout_seconds)
{
    paglets_agent_lock(agent);
    struct disposal *todo =
        calloc(fanout->n_children ? fanout->n_children : 1, sizeof(*todo));
    size_t n = todo != NULL ? take_disposable(fanout, todo) : 0;
    paglets_agent_unlock(agent);

    /* The thread's client is shared: the timeout goes with each call. */
    struct paglets_client *client = n > 0 ? paglets_agent_client(agent) : NULL;
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.timeout_seconds = timeout_seconds;
    size_t failures = 0;
    for (size_t i = 0; i < n; i++) {
        struct paglets_err err = {0};
        int rc = client ? paglets_client_dispose_with(client, &todo[i].proxy,
                                                      &opts, &err)
                        : paglets_err_set(&err, -ENOMEM,
                                          "no client for this thread");
        if (rc == 0 || rc == -ENOENT)
            continue;
        failures++;
        paglets_agent_lock(agent);
        paglets__fanout_set_cleanup_error(
            fanout, todo[i].host_name,
            err.message[0] ? err.message : paglets_strerror(rc));
        paglets_agent_unlock(agent);
    }
    free(todo);
    return failures;
}
