/*
 * The per-host agent table: a small array under one mutex.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/registry.h"

void paglets__registry_init(struct paglets__registry *reg, size_t max)
{
    memset(reg, 0, sizeof(*reg));
    pthread_mutex_init(&reg->lock, NULL);
    reg->max = max;
}

void paglets__registry_release(struct paglets__registry *reg)
{
    for (size_t i = 0; i < reg->n; i++)
        paglets__agent_unref(reg->agents[i]);
    free(reg->agents);
    pthread_mutex_destroy(&reg->lock);
    memset(reg, 0, sizeof(*reg));
}

static ssize_t find(const struct paglets__registry *reg, const char *id)
{
    for (size_t i = 0; i < reg->n; i++)
        if (strcmp(reg->agents[i]->id, id) == 0)
            return (ssize_t)i;
    return -1;
}

int paglets__registry_add(struct paglets__registry *reg,
                          struct paglets_agent *agent)
{
    int rc = 0;
    pthread_mutex_lock(&reg->lock);
    if (find(reg, agent->id) >= 0) {
        rc = -EEXIST;
        goto out;
    }
    if (reg->n >= reg->max || reg->closed) {
        rc = -EBUSY;
        goto out;
    }
    if (reg->n == reg->cap) {
        size_t cap = reg->cap ? 2 * reg->cap : 16;
        struct paglets_agent **grown =
            realloc(reg->agents, cap * sizeof(*grown));
        if (grown == NULL) {
            rc = -ENOMEM;
            goto out;
        }
        reg->agents = grown;
        reg->cap = cap;
    }
    reg->agents[reg->n++] = agent;
out:
    pthread_mutex_unlock(&reg->lock);
    return rc;
}

struct paglets_agent *paglets__registry_get(struct paglets__registry *reg,
                                            const char *id)
{
    struct paglets_agent *agent = NULL;
    pthread_mutex_lock(&reg->lock);
    ssize_t i = find(reg, id);
    if (i >= 0) {
        agent = reg->agents[i];
        paglets__agent_ref(agent);
    }
    pthread_mutex_unlock(&reg->lock);
    return agent;
}

bool paglets__registry_remove(struct paglets__registry *reg,
                              struct paglets_agent *agent)
{
    bool found = false;
    pthread_mutex_lock(&reg->lock);
    for (size_t i = 0; i < reg->n; i++) {
        if (reg->agents[i] == agent) {
            reg->agents[i] = reg->agents[--reg->n];
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&reg->lock);
    return found;
}

size_t paglets__registry_count(struct paglets__registry *reg)
{
    pthread_mutex_lock(&reg->lock);
    size_t n = reg->n;
    pthread_mutex_unlock(&reg->lock);
    return n;
}

int paglets__registry_snapshot(struct paglets__registry *reg, bool take,
                               struct paglets_agent ***agents, size_t *n)
{
    int rc = 0;
    pthread_mutex_lock(&reg->lock);
    *n = reg->n;
    *agents = calloc(reg->n ? reg->n : 1, sizeof(**agents));
    if (*agents == NULL) {
        rc = -ENOMEM;
        *n = 0;
        goto out;
    }
    for (size_t i = 0; i < reg->n; i++) {
        (*agents)[i] = reg->agents[i];
        if (!take)
            paglets__agent_ref(reg->agents[i]);
    }
    if (take) {
        reg->n = 0;
        reg->closed = true;
    }
out:
    pthread_mutex_unlock(&reg->lock);
    return rc;
}
