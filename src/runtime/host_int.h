/*
 * The host behind the opaque struct paglets_host: its copied config, agent
 * registry, HTTP daemons, mesh and the threads it runs agents on, and the
 * runtime's internal calls, grouped by the file that defines them.
 *
 * Locks. The host has one lock per concern, each guarding only the fields
 * listed under it, and none is held while calling out (into agent code,
 * over HTTP, into the mesh):
 *
 *   live_agents.lock  the count of agents not yet freed
 *   requests.lock     the count of HTTP requests being served
 *   workers.lock      the worker list and how many run
 *   clients.lock      the list of per-thread agent clients
 *
 * Lock order: an agent's state lock (paglets_agent_lock) comes first, since
 * agent code may hold it when it calls into the runtime (for instance
 * paglets_agent_client(), which takes clients.lock). Every other lock - the
 * four above, the registry's, the mesh's - is a leaf: code holding it takes
 * no other lock. Taking an agent's state lock while holding any of them is
 * a bug (paglets__agent_mark_disposing takes it: call it with none held).
 */
#ifndef PAGLETS_RUNTIME_HOST_INT_H
#define PAGLETS_RUNTIME_HOST_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <paglets/client.h>
#include <paglets/host.h>

#include "runtime/metrics.h"
#include "runtime/registry.h"
#include "util/gauge.h"

struct MHD_Daemon;
struct paglets__conns;
struct paglets__mesh;
struct paglets__worker;
struct paglets__client_slot;
struct paglets__admit;

/* Creates a worker thread: pthread_create's shape without attributes. */
typedef int (*paglets__thread_create_fn)(pthread_t *thread,
                                         void *(*main)(void *), void *arg);

struct paglets_host {
    /* Set by paglets_host_new and read-only after. */
    struct paglets_host_config config; /* strings point into `strings` */
    char **strings;                    /* owned copies of config strings */
    size_t n_strings;
    json_t *tags;       /* array of strings */
    json_t *properties; /* object of strings */
    /* Cancels agents' calls once the shutdown grace is over. */
    struct paglets_cancel *shutdown;

    /* Set before paglets_host_start returns, read-only after. */
    const struct paglets_agent_type **types; /* sorted by name */
    size_t n_types;
    char url[PAGLETS_URL_MAX];
    struct paglets__mesh *mesh; /* NULL with --no-mesh */
    int *listen_fds; /* bound by server_listen, handed to MHD by serve */
    size_t n_listen_fds;
    struct MHD_Daemon **daemons;
    size_t n_daemons;
    struct paglets__conns *conns; /* while serving; own lock */
    bool started, stopped;        /* the owner's thread only */
    atomic_bool stopping;         /* requests now get 503 */

    struct paglets__registry registry; /* thread-safe, own lock */
    struct paglets__gauge live_agents; /* created and not yet freed */
    struct paglets__gauge requests;    /* HTTP requests being served */
    atomic_size_t state_bytes; /* charged by all agents: max_state_total */
    struct paglets__metrics metrics; /* GET /metrics; own lock, atomics */

    struct {
        pthread_mutex_t lock;         /* guards list, running, w->done */
        pthread_cond_t done;          /* CLOCK_MONOTONIC: one finished */
        struct paglets__worker *list; /* run hooks and one-way messages */
        size_t running;
        /* Set once by paglets_host_new; unit tests make it fail. */
        paglets__thread_create_fn create;
    } workers;

    struct {
        pthread_mutex_t lock; /* guards list */
        struct paglets__client_slot *list;
        pthread_key_t key; /* the calling thread's slot */
    } clients;

    /* Set by paglets_host_new (and admit's listening part by
     * server_listen), read-only once serving. */
    struct paglets__admit *admit; /* Host, Origin, auth checks (admit.h) */
    char *tls_cert_pem;           /* the files' contents, or NULL */
    char *tls_key_pem;            /* wiped before it is freed */
};

/* host.c */

/* The registered type of that name (bsearch), or NULL. */
const struct paglets_agent_type *
paglets__host_find_type(const struct paglets_host *host, const char *name);

/* clients.c: the per-thread clients agents call out with. */

int paglets__clients_init(struct paglets_host *host, struct paglets_err *err);
/* Free every remaining client; no agent thread may run. */
void paglets__clients_release(struct paglets_host *host);
/*
 * The calling thread's client (host's API key, cancelled by shutdown),
 * made on first use. NULL with the reason in err (-ENOMEM).
 */
struct paglets_client *paglets__clients_get(struct paglets_host *host,
                                            struct paglets_err *err);

/* lifecycle.c: create, accept a clone, message, dispose. */

/* All fill *proxy on success. */
int paglets__host_create(struct paglets_host *host, const char *type_name,
                         const json_t *state, struct paglets_proxy *proxy,
                         struct paglets_err *err);
int paglets__host_accept(struct paglets_host *host, const json_t *envelope,
                         struct paglets_proxy *proxy, struct paglets_err *err);
int paglets__host_message(struct paglets_host *host, const char *id,
                          const json_t *body, json_t **reply,
                          struct paglets_err *err);
/* Body of a one-way worker: call op, log a failure. */
int paglets__host_run_oneway(struct paglets_agent *agent,
                             const struct paglets_op *op, const json_t *args);
int paglets__host_dispose_id(struct paglets_host *host, const char *id,
                             struct paglets_err *err);

/* clone.c: clones going out. */

/*
 * Resolve a clone target (a URL, or a member's name) to a canonical URL of
 * at most PAGLETS_URL_MAX bytes, and the name when known (else "").
 */
int paglets__clone_resolve(struct paglets_host *host, const char *target,
                           char *url, char *name, size_t name_size,
                           struct paglets_err *err);
/*
 * Clone agent to target with state (borrowed; NULL: its current state)
 * within opts (NULL: the host's client timeout) and fill *clone. A clone
 * to this host skips the socket.
 */
int paglets__clone_agent(struct paglets_host *host, struct paglets_agent *agent,
                         const char *target, const json_t *state,
                         const struct paglets_call_opts *opts,
                         struct paglets_proxy *clone, struct paglets_err *err);

/* worker.c: threads that hold an agent reference. */

/* The default workers.create: pthread_create with default attributes. */
int paglets__worker_thread_create(pthread_t *thread, void *(*main)(void *),
                                  void *arg);
int paglets__worker_spawn_run(struct paglets_host *host,
                              struct paglets_agent *agent);
int paglets__worker_spawn_oneway(struct paglets_host *host,
                                 struct paglets_agent *agent,
                                 const struct paglets_op *op,
                                 const json_t *args, struct paglets_err *err);
/*
 * Join finished workers; with wait, first wait until none runs or the
 * deadline. Returns how many still run.
 */
size_t paglets__worker_reap(struct paglets_host *host, bool wait,
                            double deadline_mono);

/*
 * server.c: the HTTP side. Listening and serving are two steps so the
 * host URL (known once the port is bound) can be given to the mesh before
 * any request thread exists: nothing a request reads is written later.
 */
int paglets__server_listen(struct paglets_host *host, struct paglets_err *err);
int paglets__server_serve(struct paglets_host *host, struct paglets_err *err);
void paglets__server_quiesce(struct paglets_host *host);
/* Wait until no request is being served, or until the deadline. */
void paglets__server_wait_idle(struct paglets_host *host, double deadline_mono);
void paglets__server_stop(struct paglets_host *host);

#endif
