/*
 * Agent lifecycle on one host: create, accept a clone, message, dispose.
 * HTTP handlers and agent code both come through here.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/host_int.h"
#include "util/json_mem.h"
#include "util/log.h"
#include "wire/codec.h"

/* paglets_agent_dispose() flagged it: it leaves the registry at once. */
static void agent_disposed(void *arg, struct paglets_agent *agent)
{
    struct paglets_host *host = arg;
    if (paglets__registry_remove(&host->registry, agent)) {
        paglets_log_info("disposed agent '%s'", agent->id);
        paglets__agent_unref(agent);
    }
}

/* Its last reference is gone: shutdown waits for this count. */
static void agent_freed(void *arg)
{
    struct paglets_host *host = arg;
    paglets__gauge_sub(&host->live_agents);
}

/* An agent charges state: within max_state_total for the whole host. */
static int charge_state(void *arg, size_t bytes, struct paglets_err *err)
{
    struct paglets_host *host = arg;
    size_t limit = host->config.max_state_total_bytes;
    size_t old = atomic_load(&host->state_bytes);
    do {
        if (bytes > limit || old > limit - bytes)
            return paglets_err_set(err, -ENOSPC,
                                   "agent state on host '%s' would take %zu "
                                   "bytes, over its limit of %zu "
                                   "(--max-state-total)",
                                   host->config.name, old + bytes, limit);
    } while (
        !atomic_compare_exchange_weak(&host->state_bytes, &old, old + bytes));
    return 0;
}

static void refund_state(void *arg, size_t bytes)
{
    struct paglets_host *host = arg;
    atomic_fetch_sub(&host->state_bytes, bytes);
}

/*
 * The state a new agent decodes from: an exact copy of what arrived,
 * within max_state. A parsed string keeps the length of its escaped text
 * (six bytes per "\u0041"); the copy's strings are as long as their
 * values, so what the agent keeps is what it is charged. *bytes: its
 * charge. NULL state (create without one) stays NULL and costs nothing.
 */
static int copy_state(struct paglets_host *host,
                      const struct paglets_agent_type *type,
                      const json_t *state, json_t **copy, size_t *bytes,
                      struct paglets_err *err)
{
    *copy = NULL;
    *bytes = 0;
    if (state == NULL)
        return 0;
    *copy = json_deep_copy(state);
    if (*copy == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory copying state");
    *bytes = paglets__json_footprint(*copy);
    if (*bytes > host->config.max_state_bytes) {
        json_decref(*copy);
        *copy = NULL;
        return paglets_err_set(err, -EMSGSIZE,
                               "state for '%s' takes %zu bytes, over the "
                               "limit of %zu (--max-state)",
                               type->name, *bytes,
                               host->config.max_state_bytes);
    }
    return 0;
}

/*
 * Take a new agent out again: its run hook could not start. It has been
 * listed (a request may hold a reference meanwhile), so it leaves like a
 * disposed agent and is freed with the last reference.
 */
static void withdraw(struct paglets_host *host, struct paglets_agent *agent)
{
    paglets__agent_mark_disposing(agent);
    if (paglets__registry_remove(&host->registry, agent))
        paglets__agent_unref(agent);
}

/*
 * Register agent, taking over the caller's reference on success; under a
 * fresh id when the sender's is taken.
 */
static int register_agent(struct paglets_host *host,
                          struct paglets_agent *agent, bool fresh_id,
                          struct paglets_err *err)
{
    int rc = paglets__registry_add(&host->registry, agent);
    if (rc == -EEXIST && !fresh_id) {
        /* The sender's id collides with one of ours: pick another. */
        if (paglets__id_generate(agent->id) == 0)
            rc = paglets__registry_add(&host->registry, agent);
    }
    if (rc == -EBUSY)
        return paglets_err_set(err, rc,
                               "too many agents on host '%s' (limit %zu)",
                               host->config.name, host->config.max_agents);
    if (rc != 0)
        return paglets_err_set(err, rc, "cannot register agent: %s",
                               paglets_strerror(rc));
    return 0;
}

/*
 * Build, register and start an agent. id NULL (or taken, for clones whose
 * sender picked an id we already hold) gets a fresh one. An agent whose
 * run hook cannot start is not kept: the create or clone fails.
 */
static int start_agent(struct paglets_host *host,
                       const struct paglets_agent_type *type, const char *id,
                       const json_t *state, struct paglets_proxy *proxy,
                       struct paglets_err *err)
{
    char fresh[PAGLETS_ID_MAX];
    struct paglets_err why = {0};
    if (atomic_load(&host->stopping))
        return paglets_err_set(err, -EBUSY, "host is shutting down");
    if (id == NULL || !paglets__id_is_valid(id)) {
        int rc = paglets__id_generate(fresh);
        if (rc != 0)
            return paglets_err_set(err, rc, "cannot generate agent id");
        id = fresh;
    }
    const struct paglets__agent_home home = {
        .host = host,
        .host_url = host->url,
        .on_dispose = agent_disposed,
        .on_free = agent_freed,
        .charge = charge_state,
        .refund = refund_state,
        .arg = host,
    };
    json_t *copy;
    size_t bytes;
    int rc = copy_state(host, type, state, &copy, &bytes, err);
    if (rc != 0)
        return rc;
    paglets__gauge_add(&host->live_agents);
    struct paglets_agent *agent =
        paglets__agent_new(&home, type, id, copy, &why);
    json_decref(copy);
    if (agent == NULL) {
        paglets__gauge_sub(&host->live_agents);
        return paglets_err_set(err, why.code, "%s", why.message);
    }
    rc = paglets_agent_charge(agent, bytes, err);
    if (rc == 0)
        rc = register_agent(host, agent, id == fresh, err);
    if (rc != 0) {
        paglets__agent_unref(agent);
        return rc;
    }
    *proxy = paglets_agent_proxy(agent);
    if (type->run == NULL)
        return 0;
    /* The worker takes its own reference; the registry keeps its one. */
    paglets__agent_ref(agent);
    rc = paglets__worker_spawn_run(host, agent);
    if (rc != 0) {
        paglets__agent_unref(agent);
        withdraw(host, agent);
        return paglets_err_set(err, rc,
                               "cannot start the run hook of agent '%s': %s",
                               proxy->agent_id, paglets_strerror(rc));
    }
    return 0;
}

int paglets__host_create(struct paglets_host *host, const char *type_name,
                         const json_t *state, struct paglets_proxy *proxy,
                         struct paglets_err *err)
{
    const struct paglets_agent_type *type =
        paglets__host_find_type(host, type_name);
    if (type == NULL)
        return paglets_err_set(
            err, -EINVAL, "agent type '%.128s' is not registered", type_name);
    int rc = start_agent(host, type, NULL, state, proxy, err);
    if (rc == 0)
        paglets_log_info("created agent '%s' of type '%s'", proxy->agent_id,
                         type->name);
    return rc;
}

int paglets__host_accept(struct paglets_host *host, const json_t *json,
                         struct paglets_proxy *proxy, struct paglets_err *err)
{
    struct paglets__envelope env;
    int rc = paglets__envelope_from_json(json, &env, err);
    if (rc != 0)
        return rc;
    const struct paglets_agent_type *type =
        paglets__host_find_type(host, env.agent_class_name);
    if (type == NULL)
        return paglets_err_set(err, -EINVAL,
                               "agent type '%.128s' is not registered",
                               env.agent_class_name);
    if (*env.state_class_name != '\0' && type->state_name != NULL &&
        strcmp(env.state_class_name, type->state_name) != 0)
        return paglets_err_set(err, -EINVAL,
                               "state class '%.128s' does not match type "
                               "'%s'",
                               env.state_class_name, type->name);
    rc = start_agent(host, type, *env.agent_id ? env.agent_id : NULL, env.state,
                     proxy, err);
    if (rc == 0) {
        /* Both names come from the sender: one log line, whatever they hold. */
        char of[4 * 64 + 1], from[4 * 128 + 1];
        paglets_escape(of, sizeof(of), env.clone_of, strnlen(env.clone_of, 64));
        paglets_escape(from, sizeof(from), env.source_host_name,
                       strnlen(env.source_host_name, 128));
        paglets_log_info("accepted clone '%s' of '%s' from '%s'",
                         proxy->agent_id, of, from);
    }
    return rc;
}

/* Run one operation with a borrowed request; *reply is never NULL on 0. */
static int call_op(struct paglets_agent *agent, const struct paglets_op *op,
                   const json_t *args, json_t **reply, struct paglets_err *err)
{
    json_t *empty = NULL;
    if (args == NULL) {
        empty = json_object();
        args = empty;
    }
    *reply = NULL;
    int rc = op->handler(agent, args, reply, err);
    json_decref(empty);
    if (rc != 0) {
        json_decref(*reply);
        *reply = NULL;
        return paglets_err_set(err, rc, "operation '%s' failed: %s", op->name,
                               paglets_strerror(rc));
    }
    if (*reply == NULL)
        *reply = json_object();
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

int paglets__host_message(struct paglets_host *host, const char *id,
                          const json_t *body, json_t **reply,
                          struct paglets_err *err)
{
    struct paglets__message msg;
    int rc = paglets__message_from_json(body, &msg, err);
    if (rc != 0)
        return rc;
    struct paglets_agent *agent = paglets__registry_get(&host->registry, id);
    if (agent == NULL)
        return paglets_err_set(err, -ENOENT, "no agent '%.64s'", id);
    const struct paglets_op *op = paglets__agent_find_op(agent->type, msg.op);
    json_t *result = NULL;
    if (op == NULL) {
        rc = paglets_err_set(err, -EOPNOTSUPP,
                             "agent type '%s' has no operation '%.128s'",
                             agent->type->name, msg.op);
    } else if (msg.oneway) {
        rc = paglets__worker_spawn_oneway(host, agent, op, msg.args, err);
        result = rc == 0 ? json_object() : NULL;
    } else {
        rc = call_op(agent, op, msg.args, &result, err);
    }
    paglets__agent_unref(agent);
    if (rc != 0)
        return rc;
    *reply = json_pack("{s:o}", "result", result);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

int paglets__host_run_oneway(struct paglets_agent *agent,
                             const struct paglets_op *op, const json_t *args)
{
    struct paglets_err err = {0};
    json_t *reply = NULL;
    int rc = call_op(agent, op, args, &reply, &err);
    if (rc != 0) {
        char why[4 * PAGLETS_ERR_MESSAGE_MAX];
        paglets_escape(why, sizeof(why), err.message, strlen(err.message));
        paglets_log_warn("one-way '%s' to agent '%s' failed: %s", op->name,
                         agent->id, why);
    }
    json_decref(reply);
    return rc;
}

int paglets__host_dispose_id(struct paglets_host *host, const char *id,
                             struct paglets_err *err)
{
    struct paglets_agent *agent = paglets__registry_get(&host->registry, id);
    if (agent == NULL)
        return paglets_err_set(err, -ENOENT, "no agent '%.64s'", id);
    paglets_agent_dispose(agent);
    paglets__agent_unref(agent);
    return 0;
}
