/*
 * The live agent behind the opaque struct paglets_agent: references, the
 * state lock and its condition variable. agent.c is a leaf: it calls
 * nothing of the host. Whoever owns agents (the host) says where an agent
 * lives and what to do once it is freed when it creates it.
 */
#ifndef PAGLETS_RUNTIME_AGENT_INT_H
#define PAGLETS_RUNTIME_AGENT_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <paglets/agent.h>

/*
 * Where a new agent lives and what its owner wants to hear, given at
 * creation; all borrowed, valid for the agent's life.
 */
struct paglets__agent_home {
    struct paglets_host *host; /* opaque here */
    const char *host_url;      /* the host's URL, for proxies */
    /*
     * paglets_agent_dispose() flagged the agent (once, on the thread that
     * flipped the flag): the owner takes it out of view. May be NULL.
     */
    void (*on_dispose)(void *arg, struct paglets_agent *agent);
    /* The agent was freed: its last reference is gone. May be NULL. */
    void (*on_free)(void *arg);
    /*
     * paglets_agent_charge(): 0 when the owner takes bytes more, else a
     * negative errno with the reason in err. May be NULL (always takes).
     */
    int (*charge)(void *arg, size_t bytes, struct paglets_err *err);
    /* Bytes charged before are given back (by refund or on free). */
    void (*refund)(void *arg, size_t bytes);
    void *arg;
};

/*
 * References: the registry holds one while the agent is listed; every
 * running operation, run hook and one-way message holds one. The agent is
 * freed when the last is dropped, so disposing from inside an operation or
 * the run hook is safe. `lock` guards `state` only; `cond` (on
 * CLOCK_MONOTONIC) signals state changes and disposal. The other fields
 * are set at creation and read-only after (id may change once, before the
 * agent is registered).
 */
struct paglets_agent {
    struct paglets__agent_home home; /* host NULL, url "" in unit tests */
    const struct paglets_agent_type *type;
    char id[PAGLETS_ID_MAX];
    atomic_uint refs;
    atomic_bool disposing;
    atomic_size_t charged; /* state bytes charged to the owner */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    void *state;
};

/*
 * A new agent with one reference, its state decoded from json (NULL decodes
 * {}); home NULL for an agent without a host. NULL on failure with the
 * reason in err: -EINVAL (or the codec's code) when the type refuses the
 * state, -ENOMEM. No callback of home runs for an agent never made.
 */
struct paglets_agent *paglets__agent_new(const struct paglets__agent_home *home,
                                         const struct paglets_agent_type *type,
                                         const char *id, const json_t *state,
                                         struct paglets_err *err);

void paglets__agent_ref(struct paglets_agent *agent);

/*
 * Drop a reference; the last one releases the state, frees the agent and
 * then calls home.on_free.
 */
void paglets__agent_unref(struct paglets_agent *agent);

/*
 * Flag disposal and wake every waiter. Returns true for the caller that
 * flipped the flag (it owns removing the agent from the registry). Takes
 * the state lock: do not hold it.
 */
bool paglets__agent_mark_disposing(struct paglets_agent *agent);

/* The state as JSON, encoded under the lock. New reference or NULL. */
json_t *paglets__agent_encode_state(struct paglets_agent *agent);

/* The named operation (bsearch over the type's sorted table), or NULL. */
const struct paglets_op *
paglets__agent_find_op(const struct paglets_agent_type *type, const char *name);

#endif
