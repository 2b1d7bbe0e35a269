/*
 * The live agent behind the opaque struct paglets_agent, shared by the
 * registry, the host's lifecycle code and the public accessors.
 */
#ifndef PAGLETS_RUNTIME_AGENT_INT_H
#define PAGLETS_RUNTIME_AGENT_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <paglets/agent.h>

/*
 * References: the registry holds one while the agent is listed; every
 * running operation, run hook and one-way message holds one. The agent is
 * freed when the last is dropped, so disposing from inside an operation or
 * the run hook is safe. `lock` guards `state` only; `cond` (on
 * CLOCK_MONOTONIC) signals state changes and disposal.
 */
struct paglets_agent {
    struct paglets_host *host; /* NULL in unit tests */
    const struct paglets_agent_type *type;
    char id[PAGLETS_ID_MAX];
    atomic_uint refs;
    atomic_bool disposing;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    void *state;
};

/*
 * A new agent with one reference, its state decoded from json (NULL decodes
 * {}). -EINVAL from the codec leaves nothing behind.
 */
struct paglets_agent *paglets__agent_new(struct paglets_host *host,
                                         const struct paglets_agent_type *type,
                                         const char *id, const json_t *state,
                                         struct paglets_err *err);

void paglets__agent_ref(struct paglets_agent *agent);

/* Drop a reference; the last one releases the state and frees. */
void paglets__agent_unref(struct paglets_agent *agent);

/*
 * Flag disposal and wake every waiter. Returns true for the caller that
 * flipped the flag (it owns removing the agent from the registry).
 */
bool paglets__agent_mark_disposing(struct paglets_agent *agent);

/* The state as JSON, encoded under the lock. New reference or NULL. */
json_t *paglets__agent_encode_state(struct paglets_agent *agent);

/* The named operation (bsearch over the type's sorted table), or NULL. */
const struct paglets_op *
paglets__agent_find_op(const struct paglets_agent_type *type, const char *name);

/*
 * Host hooks the agent code calls; implemented by the host (host.c). In
 * unit tests, where agent->host is NULL, they are not reached.
 */
void paglets__host_agent_freed(struct paglets_host *host);
void paglets__host_forget(struct paglets_host *host,
                          struct paglets_agent *agent);
int paglets__host_clone(struct paglets_host *host, struct paglets_agent *agent,
                        const char *target, const json_t *state,
                        struct paglets_proxy *clone, struct paglets_err *err);
const char *paglets__host_url_of(const struct paglets_host *host);

#endif
