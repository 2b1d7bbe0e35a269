/*
 * Threads that run agent code outside HTTP requests: run hooks and one-way
 * messages. Each holds an agent reference while it runs; finished threads
 * are joined by the next spawn or by shutdown, so none is ever leaked.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>

#include "remote/http.h"
#include "runtime/host_int.h"
#include "util/clock.h"
#include "util/log.h"

struct paglets__worker {
    struct paglets__worker *next;
    struct paglets_host *host;
    pthread_t thread;
    bool done; /* guarded by host->workers.lock */
    struct paglets_agent *agent;
    const struct paglets_op *op; /* NULL: the run hook */
    json_t *args;
    int hops; /* one-way: the Paglets-Hops of the request that sent it */
};

/* Run hooks may recurse deep in user code: keep glibc's default stack. */
static void *worker_main(void *arg)
{
    struct paglets__worker *w = arg;
    struct paglets_host *host = w->host;
    if (w->op == NULL) {
        w->agent->type->run(w->agent);
    } else {
        /* Calls it makes are still made on behalf of that request. */
        paglets__http_set_thread_hops(w->hops);
        paglets__host_run_oneway(w->agent, w->op, w->args);
    }
    json_decref(w->args);
    w->args = NULL;
    paglets__agent_unref(w->agent);
    w->agent = NULL;
    pthread_mutex_lock(&host->workers.lock);
    w->done = true;
    host->workers.running--;
    pthread_cond_broadcast(&host->workers.done);
    pthread_mutex_unlock(&host->workers.lock);
    return NULL;
}

int paglets__worker_thread_create(pthread_t *thread, void *(*main)(void *),
                                  void *arg)
{
    return pthread_create(thread, NULL, main, arg);
}

static int spawn(struct paglets_host *host, struct paglets__worker *w)
{
    paglets__worker_reap(host, false, 0);
    w->host = host;
    pthread_mutex_lock(&host->workers.lock);
    /* One-way messages are capped like connections; run hooks never are. */
    if (w->op != NULL &&
        host->workers.running >= host->config.max_connections) {
        pthread_mutex_unlock(&host->workers.lock);
        return -EBUSY;
    }
    int rc = host->workers.create(&w->thread, worker_main, w);
    if (rc == 0) {
        w->next = host->workers.list;
        host->workers.list = w;
        host->workers.running++;
    }
    pthread_mutex_unlock(&host->workers.lock);
    return -rc;
}

int paglets__worker_spawn_run(struct paglets_host *host,
                              struct paglets_agent *agent)
{
    struct paglets__worker *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return -ENOMEM;
    w->agent = agent;
    int rc = spawn(host, w);
    if (rc != 0)
        free(w);
    return rc;
}

int paglets__worker_spawn_oneway(struct paglets_host *host,
                                 struct paglets_agent *agent,
                                 const struct paglets_op *op,
                                 const json_t *args, struct paglets_err *err)
{
    struct paglets__worker *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    w->op = op;
    w->hops = paglets__http_thread_hops();
    w->args = args ? json_deep_copy(args) : json_object();
    w->agent = agent;
    if (w->args == NULL) {
        free(w);
        return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    paglets__agent_ref(agent);
    int rc = spawn(host, w);
    if (rc != 0) {
        paglets__agent_unref(agent);
        json_decref(w->args);
        free(w);
        return paglets_err_set(err, rc, "cannot start one-way '%s': %s",
                               op->name, paglets_strerror(rc));
    }
    return 0;
}

size_t paglets__worker_reap(struct paglets_host *host, bool wait,
                            double deadline_mono)
{
    struct paglets__worker *finished = NULL;
    pthread_mutex_lock(&host->workers.lock);
    if (wait) {
        struct timespec ts =
            paglets__deadline_after(deadline_mono - paglets__mono_now());
        while (host->workers.running > 0 &&
               pthread_cond_timedwait(&host->workers.done, &host->workers.lock,
                                      &ts) != ETIMEDOUT)
            ;
    }
    for (struct paglets__worker **p = &host->workers.list; *p != NULL;) {
        struct paglets__worker *w = *p;
        if (w->done) {
            *p = w->next;
            w->next = finished;
            finished = w;
        } else {
            p = &w->next;
        }
    }
    size_t running = host->workers.running;
    pthread_mutex_unlock(&host->workers.lock);
    while (finished != NULL) {
        struct paglets__worker *w = finished;
        finished = w->next;
        pthread_join(w->thread, NULL);
        free(w);
    }
    return running;
}
