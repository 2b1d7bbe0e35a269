/*
 * The host behind the opaque struct paglets_host: its copied config, agent
 * registry, HTTP daemons, mesh and the threads it runs agents on.
 */
#ifndef PAGLETS_RUNTIME_HOST_INT_H
#define PAGLETS_RUNTIME_HOST_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <paglets/client.h>
#include <paglets/host.h>

#include "runtime/registry.h"

struct MHD_Daemon;
struct paglets__mesh;
struct paglets__worker;
struct paglets__client_slot;

struct paglets_host {
    struct paglets_host_config config; /* strings point into `strings` */
    char **strings;                    /* owned copies of config strings */
    size_t n_strings;
    json_t *tags;       /* array of strings */
    json_t *properties; /* object of strings */
    char url[PAGLETS_URL_MAX];
    unsigned char key_digest[32]; /* SHA-256 of the API key */

    const struct paglets_agent_type **types; /* sorted by name */
    size_t n_types;

    struct paglets__registry registry;
    int *listen_fds; /* bound by server_listen, handed to MHD by serve */
    size_t n_listen_fds;
    struct MHD_Daemon **daemons;
    size_t n_daemons;
    struct paglets__mesh *mesh;      /* NULL with --no-mesh */
    atomic_bool stopping;            /* requests now get 503 */
    struct paglets_cancel *shutdown; /* tripped by stop: agents' calls end */
    bool started, stopped;

    /*
     * `lock` guards what follows; `cond` (CLOCK_MONOTONIC) is broadcast
     * when an agent is freed or a worker finishes, for shutdown to wait on.
     */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t live_agents;              /* created and not yet freed */
    size_t requests;                 /* HTTP requests being served */
    struct paglets__worker *workers; /* run hooks and one-way messages */
    size_t running_workers;
    /* pthread_create for workers; unit tests make it fail. Set once. */
    int (*thread_create)(pthread_t *thread, void *(*main)(void *), void *arg);
    struct paglets__client_slot *clients; /* per-thread agent clients */
    pthread_key_t client_key;
};

/* The registered type of that name, or NULL. */
const struct paglets_agent_type *
paglets__host_find_type(const struct paglets_host *host, const char *name);

/* The calling thread's client for outgoing calls (host's API key). */
struct paglets_client *paglets__host_thread_client(struct paglets_host *host,
                                                   struct paglets_err *err);

/*
 * Resolve a clone target (URL, or member name) to a URL of at most
 * PAGLETS_URL_MAX bytes and the name when known (else "").
 */
int paglets__host_resolve(struct paglets_host *host, const char *target,
                          char *url, char *name, size_t name_size,
                          struct paglets_err *err);

/* Agent lifecycle (lifecycle.c). All fill *proxy on success. */
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

/* Workers (worker.c): threads that hold an agent reference. */
/* The default thread_create: pthread_create with default attributes. */
int paglets__thread_create(pthread_t *thread, void *(*main)(void *), void *arg);
int paglets__host_spawn_run(struct paglets_host *host,
                            struct paglets_agent *agent);
int paglets__host_spawn_oneway(struct paglets_host *host,
                               struct paglets_agent *agent,
                               const struct paglets_op *op, const json_t *args,
                               struct paglets_err *err);
/* Join finished workers; with wait, wait until none runs or deadline. */
size_t paglets__host_reap(struct paglets_host *host, bool wait,
                          double deadline_mono);

/*
 * The HTTP side (server.c). Listening and serving are two steps so the
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
