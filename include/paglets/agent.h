/*
 * Writing agent types. An agent type is a name, a state codec, an optional
 * run hook and a table of typed operations. Hosts create only types that
 * were registered with them: movement carries a type name and state, never
 * code.
 */
#ifndef PAGLETS_AGENT_H
#define PAGLETS_AGENT_H

#include <jansson.h>

#include <paglets/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct paglets_agent; /* a live agent on a host; opaque */
struct paglets_host;

#define PAGLETS_URL_MAX 256
#define PAGLETS_ID_MAX 64

/* Where an agent lives: usable the same way from agents and clients. */
struct paglets_proxy {
    char host_url[PAGLETS_URL_MAX];
    char agent_id[PAGLETS_ID_MAX];
};

/*
 * A typed operation handler. Called on an HTTP worker thread with the
 * agent's state lock NOT held; take it around bookkeeping only, never
 * around remote calls or long work. `request` is borrowed. On success
 * store a new reference in *reply (NULL means {}) and return 0; on failure
 * return a negative errno with a message in err (-EINVAL becomes HTTP 400,
 * -ENOENT 404, -EOPNOTSUPP 422, -ETIMEDOUT 504, others 500).
 */
typedef int (*paglets_op_fn)(struct paglets_agent *agent, const json_t *request,
                             json_t **reply, struct paglets_err *err);

struct paglets_op {
    const char *name;
    paglets_op_fn handler;
};

struct paglets_agent_type {
    const char *name;       /* agent_class_name on the wire */
    const char *state_name; /* state_class_name on the wire */
    size_t state_size;      /* the runtime allocates this much, zeroed */
    /*
     * Fill a zeroed state from JSON (the creation state or an arriving
     * clone's). Must reject wrong shapes with -EINVAL and a message.
     */
    int (*state_decode)(void *state, const json_t *json,
                        struct paglets_err *err);
    /* New reference to the state as JSON, or NULL on allocation failure. */
    json_t *(*state_encode)(const void *state);
    /* Free what state_decode allocated inside the state; may be NULL. */
    void (*state_release)(void *state);
    /*
     * Optional: called once, on a thread of its own, after creation or
     * after a clone has been accepted. The agent stays alive at least until
     * it returns; it should return soon after paglets_agent_is_disposing().
     * When the thread cannot be started, the agent is removed again and the
     * create or clone fails with that error.
     */
    void (*run)(struct paglets_agent *agent);
    const struct paglets_op *ops; /* sorted by name */
    size_t n_ops;
};

/* Identity. Borrowed strings, valid for the agent's life. Any thread. */
PAGLETS_EXTERN const char *paglets_agent_id(const struct paglets_agent *agent);
PAGLETS_EXTERN const struct paglets_agent_type *
paglets_agent_type_of(const struct paglets_agent *agent);
PAGLETS_EXTERN struct paglets_proxy
paglets_agent_proxy(const struct paglets_agent *agent);
PAGLETS_EXTERN struct paglets_host *
paglets_agent_host(const struct paglets_agent *agent);

/*
 * The state lock and its condition variable. paglets_agent_state() may be
 * read or written only while the lock is held (or from state codecs).
 */
PAGLETS_EXTERN void paglets_agent_lock(struct paglets_agent *agent);
PAGLETS_EXTERN void paglets_agent_unlock(struct paglets_agent *agent);
PAGLETS_EXTERN void *paglets_agent_state(struct paglets_agent *agent);

/*
 * With the lock held: wait until pred(state, arg) is true, up to
 * timeout_seconds. Returns 0 when it holds, -ETIMEDOUT when time ran out,
 * -ECANCELED when the agent is being disposed. The lock is held again on
 * return.
 */
PAGLETS_EXTERN int paglets_agent_wait(struct paglets_agent *agent,
                                      bool (*pred)(void *state, void *arg),
                                      void *arg, double timeout_seconds);

/* Wake every waiter to re-check its predicate (lock held or not). */
PAGLETS_EXTERN void paglets_agent_notify(struct paglets_agent *agent);

/*
 * Clone this agent to `target` (a host name known to the mesh, or a host
 * URL: http(s)://HOST[:PORT]). `state` is the state the clone starts from
 * (borrowed; NULL encodes the current state under the lock). Do not hold
 * the lock. On success fills *clone with the new agent's proxy; its run
 * hook starts there once the clone has been accepted. Errors: -EINVAL for
 * an empty target or a URL with a path, -ENOENT when no online host has
 * that name, -ENOTCONN for an agent without a host, and what creating the
 * clone there returns (client.h; -EBUSY when that host is full, -EAGAIN
 * when its run hook cannot start).
 */
PAGLETS_EXTERN PAGLETS_NODISCARD int
paglets_agent_clone(struct paglets_agent *agent, const char *target,
                    const json_t *state, struct paglets_proxy *clone,
                    struct paglets_err *err);

/*
 * paglets_agent_clone() within opts (<paglets/client.h>; NULL: the host's
 * client timeout): a deadline or timeout for this clone alone, a cancel
 * handle. A clone to the agent's own host is not a remote call and takes
 * no time to bound. An agent that must finish by a deadline (a fan-out
 * round, say) clones with it, so a host that accepts connections but
 * never answers costs no more than the time left.
 */
struct paglets_call_opts;
PAGLETS_EXTERN PAGLETS_NODISCARD int
paglets_agent_clone_with(struct paglets_agent *agent, const char *target,
                         const json_t *state,
                         const struct paglets_call_opts *opts,
                         struct paglets_proxy *clone, struct paglets_err *err);

/*
 * Ask the host to dispose this agent: it leaves the registry at once (later
 * calls get 404) and is freed when its run hook and running operations
 * have returned. Safe from the run hook or an operation; do not hold the
 * agent's lock. A second call does nothing.
 */
PAGLETS_EXTERN void paglets_agent_dispose(struct paglets_agent *agent);

/* True once disposal or host shutdown has begun. Any thread. */
PAGLETS_EXTERN bool paglets_agent_is_disposing(struct paglets_agent *agent);

/*
 * State accounting. A host counts the memory its agents' state takes
 * against --max-state-total (struct paglets_host_config's
 * max_state_total_bytes): what arrives when an agent is created or cloned
 * here is charged by the runtime, and agent code that keeps more as it
 * runs (a parent collecting its children's results, say) charges it
 * itself, before keeping it:
 *
 *     size_t n = paglets_agent_state_bytes(result);
 *     if (paglets_agent_charge(agent, n, err) != 0)
 *         return err->code;               (the host is full: refuse)
 *     ... keep result; paglets_agent_refund(agent, n) if it is dropped
 *
 * Whatever an agent still holds charged is given back when it is freed.
 */

/*
 * The bytes a JSON value counts as: an estimate of the memory jansson
 * holds for it (a 3-byte "{}" takes about 220), never less than a parse of
 * its text keeps. 0 for NULL. Any thread.
 */
PAGLETS_EXTERN size_t paglets_agent_state_bytes(const json_t *json);

/*
 * Charge bytes more of state to agent. Returns 0, or -ENOSPC (with the
 * host's limit in err) when the host's total would pass its limit; then
 * nothing is charged. An agent without a host (unit tests) is only
 * counted. Any thread; lock held or not.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD int
paglets_agent_charge(struct paglets_agent *agent, size_t bytes,
                     struct paglets_err *err);

/*
 * Give back bytes of what agent has charged (at most all of it): state it
 * no longer keeps. Any thread.
 */
PAGLETS_EXTERN void paglets_agent_refund(struct paglets_agent *agent,
                                         size_t bytes);

#ifdef __cplusplus
}
#endif

#endif
