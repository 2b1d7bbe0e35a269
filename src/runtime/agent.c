/*
 * Agents: reference counting, the state lock and its condition variable,
 * and the public accessors agent code uses. A leaf: what needs the host
 * goes through the callbacks its owner gave at creation; clone and the
 * agent's client live in clone.c and clients.c.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/agent_int.h"
#include "util/clock.h"
#include "util/json_mem.h"

struct paglets_agent *paglets__agent_new(const struct paglets__agent_home *home,
                                         const struct paglets_agent_type *type,
                                         const char *id, const json_t *state,
                                         struct paglets_err *err)
{
    struct paglets_agent *agent = calloc(1, sizeof(*agent));
    if (agent == NULL)
        goto nomem;
    agent->state = calloc(1, type->state_size ? type->state_size : 1);
    if (agent->state == NULL)
        goto nomem;
    if (type->state_decode != NULL) {
        /* A creation without state decodes {}, so the type validates it. */
        json_t *empty = state == NULL ? json_object() : NULL;
        if (state == NULL && empty == NULL)
            goto nomem;
        int rc = type->state_decode(agent->state, state ? state : empty, err);
        json_decref(empty);
        if (rc != 0) {
            if (type->state_release != NULL)
                type->state_release(agent->state);
            paglets_err_set(err, rc, "invalid state for '%s'", type->name);
            free(agent->state);
            free(agent);
            return NULL;
        }
    }
    /* glibc's pthread_cond_init and pthread_mutex_init cannot fail. */
    paglets__cond_init_monotonic(&agent->cond);
    pthread_mutex_init(&agent->lock, NULL);
    if (home != NULL)
        agent->home = *home;
    if (agent->home.host_url == NULL)
        agent->home.host_url = "";
    agent->type = type;
    snprintf(agent->id, sizeof(agent->id), "%s", id);
    atomic_init(&agent->refs, 1);
    atomic_init(&agent->disposing, false);
    atomic_init(&agent->charged, 0);
    return agent;
nomem:
    if (agent != NULL)
        free(agent->state);
    free(agent);
    paglets_err_set(err, -ENOMEM, "out of memory creating agent");
    return NULL;
}

void paglets__agent_ref(struct paglets_agent *agent)
{
    atomic_fetch_add_explicit(&agent->refs, 1, memory_order_relaxed);
}

void paglets__agent_unref(struct paglets_agent *agent)
{
    if (agent == NULL ||
        atomic_fetch_sub_explicit(&agent->refs, 1, memory_order_acq_rel) != 1)
        return;
    struct paglets__agent_home home = agent->home;
    size_t charged = atomic_load(&agent->charged);
    if (agent->type->state_release != NULL)
        agent->type->state_release(agent->state);
    free(agent->state);
    pthread_mutex_destroy(&agent->lock);
    pthread_cond_destroy(&agent->cond);
    free(agent);
    if (charged > 0 && home.refund != NULL)
        home.refund(home.arg, charged);
    if (home.on_free != NULL)
        home.on_free(home.arg);
}

bool paglets__agent_mark_disposing(struct paglets_agent *agent)
{
    bool was = atomic_exchange(&agent->disposing, true);
    /*
     * Broadcast under the lock: a waiter that has checked the flag but not
     * yet blocked would otherwise miss the wake-up.
     */
    pthread_mutex_lock(&agent->lock);
    pthread_cond_broadcast(&agent->cond);
    pthread_mutex_unlock(&agent->lock);
    return !was;
}

json_t *paglets__agent_encode_state(struct paglets_agent *agent)
{
    if (agent->type->state_encode == NULL)
        return json_object();
    pthread_mutex_lock(&agent->lock);
    json_t *json = agent->type->state_encode(agent->state);
    pthread_mutex_unlock(&agent->lock);
    return json;
}

static int compare_op(const void *key, const void *member)
{
    return strcmp(key, ((const struct paglets_op *)member)->name);
}

const struct paglets_op *
paglets__agent_find_op(const struct paglets_agent_type *type, const char *name)
{
    if (type->ops == NULL || type->n_ops == 0)
        return NULL;
    return bsearch(name, type->ops, type->n_ops, sizeof(type->ops[0]),
                   compare_op);
}

const char *paglets_agent_id(const struct paglets_agent *agent)
{
    return agent->id;
}

const struct paglets_agent_type *
paglets_agent_type_of(const struct paglets_agent *agent)
{
    return agent->type;
}

struct paglets_proxy paglets_agent_proxy(const struct paglets_agent *agent)
{
    struct paglets_proxy proxy;
    memset(&proxy, 0, sizeof(proxy));
    snprintf(proxy.host_url, sizeof(proxy.host_url), "%s",
             agent->home.host_url);
    snprintf(proxy.agent_id, sizeof(proxy.agent_id), "%s", agent->id);
    return proxy;
}

struct paglets_host *paglets_agent_host(const struct paglets_agent *agent)
{
    return agent->home.host;
}

void paglets_agent_lock(struct paglets_agent *agent)
{
    pthread_mutex_lock(&agent->lock);
}

void paglets_agent_unlock(struct paglets_agent *agent)
{
    pthread_mutex_unlock(&agent->lock);
}

void *paglets_agent_state(struct paglets_agent *agent)
{
    return agent->state;
}

int paglets_agent_wait(struct paglets_agent *agent,
                       bool (*pred)(void *state, void *arg), void *arg,
                       double timeout_seconds)
{
    if (timeout_seconds != timeout_seconds || timeout_seconds < 0)
        timeout_seconds = 0;
    struct timespec deadline = paglets__deadline_after(timeout_seconds);
    for (;;) {
        if (atomic_load(&agent->disposing))
            return -ECANCELED;
        if (pred(agent->state, arg))
            return 0;
        int rc = pthread_cond_timedwait(&agent->cond, &agent->lock, &deadline);
        if (rc == ETIMEDOUT) {
            /* One last look: the change may have raced the timeout. */
            if (atomic_load(&agent->disposing))
                return -ECANCELED;
            return pred(agent->state, arg) ? 0 : -ETIMEDOUT;
        }
    }
}

void paglets_agent_notify(struct paglets_agent *agent)
{
    pthread_cond_broadcast(&agent->cond);
}

void paglets_agent_dispose(struct paglets_agent *agent)
{
    if (paglets__agent_mark_disposing(agent) && agent->home.on_dispose != NULL)
        agent->home.on_dispose(agent->home.arg, agent);
}

bool paglets_agent_is_disposing(struct paglets_agent *agent)
{
    return atomic_load(&agent->disposing);
}

size_t paglets_agent_state_bytes(const json_t *json)
{
    return json != NULL ? paglets__json_footprint(json) : 0;
}

int paglets_agent_charge(struct paglets_agent *agent, size_t bytes,
                         struct paglets_err *err)
{
    if (bytes == 0)
        return 0;
    if (agent->home.charge != NULL) {
        int rc = agent->home.charge(agent->home.arg, bytes, err);
        if (rc != 0)
            return rc;
    }
    atomic_fetch_add(&agent->charged, bytes);
    return 0;
}

void paglets_agent_refund(struct paglets_agent *agent, size_t bytes)
{
    size_t old = atomic_load(&agent->charged), take;
    do {
        take = bytes < old ? bytes : old;
    } while (take > 0 &&
             !atomic_compare_exchange_weak(&agent->charged, &old, old - take));
    if (take > 0 && agent->home.refund != NULL)
        agent->home.refund(agent->home.arg, take);
}
