/*
 * The agents one host holds, by id, with a cap. Thread-safe; every agent
 * in it carries one reference owned by the registry.
 */
#ifndef PAGLETS_RUNTIME_REGISTRY_H
#define PAGLETS_RUNTIME_REGISTRY_H

#include <pthread.h>

#include "runtime/agent_int.h"

/*
 * An open-addressing table would be faster for huge counts, but hosts cap
 * agents (1024 by default) and the hot path is one lookup per request, so
 * an array scanned under one mutex stays simple and well under a
 * microsecond at the cap.
 */
struct paglets__registry {
    pthread_mutex_t lock; /* guards the fields below */
    struct paglets_agent **agents;
    size_t n, cap, max;
    bool closed; /* after a taking snapshot: adds fail with -EBUSY */
};

void paglets__registry_init(struct paglets__registry *reg, size_t max);

/* Drop every remaining agent's registry reference and free the table. */
void paglets__registry_release(struct paglets__registry *reg);

/*
 * Add agent, taking over the caller's reference on success. -EEXIST when
 * the id is taken, -EBUSY at the cap or once closed, -ENOMEM.
 */
int paglets__registry_add(struct paglets__registry *reg,
                          struct paglets_agent *agent);

/* The agent with a new reference for the caller, or NULL. */
struct paglets_agent *paglets__registry_get(struct paglets__registry *reg,
                                            const char *id);

/*
 * Remove agent if listed and return true; the registry's reference passes
 * to the caller, who must drop it.
 */
bool paglets__registry_remove(struct paglets__registry *reg,
                              struct paglets_agent *agent);

size_t paglets__registry_count(struct paglets__registry *reg);

/*
 * Snapshot: *agents gets every listed agent with a reference each; the
 * caller unrefs each and frees the array. With `take`, the agents leave
 * the registry too (its references pass to the caller instead) and the
 * registry closes: shutdown cannot miss an agent added meanwhile.
 */
int paglets__registry_snapshot(struct paglets__registry *reg, bool take,
                               struct paglets_agent ***agents, size_t *n);

#endif
