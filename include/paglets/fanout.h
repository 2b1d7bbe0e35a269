/*
 * Fan-out bookkeeping for agent types that clone themselves to every host
 * of the mesh and wait for one answer per clone (the reference's
 * MeshFanoutMixin). The parent keeps one struct paglets_fanout in its
 * state; children report back through an operation of the agent type,
 * which records what arrived here. Any agent type can use it unchanged.
 *
 * Locking: functions marked "lock held" read or change the bookkeeping and
 * must be called with paglets_agent_lock() held on the agent whose state
 * holds the fanout. Functions marked "lock not held" make remote calls and
 * take the lock themselves only around bookkeeping.
 */
#ifndef PAGLETS_FANOUT_H
#define PAGLETS_FANOUT_H

#include <jansson.h>

#include <paglets/agent.h>
#include <paglets/common.h>
#include <paglets/host.h>

#ifdef __cplusplus
extern "C" {
#endif

struct paglets_fanout; /* opaque */

/*
 * Empty bookkeeping with no deadline. Caller frees with
 * paglets_fanout_free(); NULL when out of memory.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD struct paglets_fanout *
paglets_fanout_new(void);

/* NULL is a no-op. */
PAGLETS_EXTERN void paglets_fanout_free(struct paglets_fanout *fanout);

/*
 * Lock held. Forget every child and start a new round that ends
 * timeout_seconds from now.
 */
PAGLETS_EXTERN void paglets_fanout_reset(struct paglets_fanout *fanout,
                                         double timeout_seconds);

/* Lock held. The round's deadline on the paglets_monotonic_seconds() clock. */
PAGLETS_EXTERN double
paglets_fanout_deadline(const struct paglets_fanout *fanout);

/*
 * Lock not held. The hosts a round should reach: the online members of
 * the agent's host's mesh with its mesh version, itself included, sorted
 * by name. *hosts: caller frees with paglets_host_info_free(). Returns 0 or
 * -ENOMEM.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD int
paglets_fanout_hosts(struct paglets_agent *agent,
                     struct paglets_host_info **hosts, size_t *n_hosts,
                     struct paglets_err *err);

/*
 * Lock held. Prepare a clone: add host_name as pending (strings copied).
 * -EEXIST when the round already has it, -ENOMEM.
 */
PAGLETS_EXTERN int paglets_fanout_begin(struct paglets_fanout *fanout,
                                        const char *host_name,
                                        const char *host_url);

/*
 * Lock held. Finish a clone: record the child's proxy, or (proxy NULL) the
 * clone failure `error`, which settles the host as failed. A child that
 * already answered keeps its answer. -ENOENT for a host not begun.
 */
PAGLETS_EXTERN int paglets_fanout_finish_clone(
    struct paglets_fanout *fanout, const char *host_name,
    const struct paglets_proxy *proxy, const char *error);

/*
 * Lock not held. begin, paglets_agent_clone_with() to the host's URL with
 * child_state (borrowed) and the round's deadline, finish. Returns 0 or
 * the clone's error, which is also recorded for that host only (a host
 * that never answers: -ETIMEDOUT at the deadline). A clone that returns
 * after paglets_fanout_dispose_children() closed the round is disposed at
 * once.
 */
PAGLETS_EXTERN int paglets_fanout_clone(struct paglets_agent *agent,
                                        struct paglets_fanout *fanout,
                                        const struct paglets_host_info *host,
                                        const json_t *child_state,
                                        struct paglets_err *err);

/* Builds the state a clone to host starts from: a new reference, or NULL. */
typedef json_t *(*paglets_fanout_state_fn)(
    void *arg, const struct paglets_host_info *host);

/*
 * Lock not held. paglets_fanout_clone() to every host, several at a time
 * (clone arrival on one host never waits for another), each with the
 * state make_state(arg, host) returns; it is called from several threads
 * at once. Failures are recorded per host. Once the round is closed
 * (paglets_fanout_dispose_children()) or the agent is being disposed, the
 * hosts not reached yet are settled as failed without a clone. Returns
 * when every clone call has returned: by the round's deadline.
 */
PAGLETS_EXTERN void
paglets_fanout_clone_all(struct paglets_agent *agent,
                         struct paglets_fanout *fanout,
                         const struct paglets_host_info *hosts, size_t n_hosts,
                         paglets_fanout_state_fn make_state, void *arg);

/*
 * Lock held. A child's answer: a result (borrowed, copied) or an error
 * message. Settles a pending host. -ENOENT for a host
 * outside the round, -EALREADY when it was settled already (a duplicate
 * or a late answer after expiry): the first answer is kept. -ENOMEM.
 * Call paglets_agent_notify() afterwards to wake paglets_fanout_wait().
 */
PAGLETS_EXTERN int paglets_fanout_record_result(struct paglets_fanout *fanout,
                                                const char *host_name,
                                                const json_t *result);
PAGLETS_EXTERN int paglets_fanout_record_error(struct paglets_fanout *fanout,
                                               const char *host_name,
                                               const char *message);

/*
 * Lock held. When now is past the deadline, settle every pending host as
 * failed with message. Returns how many it settled.
 */
PAGLETS_EXTERN size_t paglets_fanout_expire(struct paglets_fanout *fanout,
                                            double now, const char *message);

/* Lock held. Hosts not settled yet. */
PAGLETS_EXTERN size_t
paglets_fanout_pending_count(const struct paglets_fanout *fanout);

/*
 * Lock held. Wait until pred(state, arg) holds (pred NULL: until no host
 * is pending), for at most wait_seconds and never past the deadline. Returns 0,
 * -ETIMEDOUT or -ECANCELED as paglets_agent_wait().
 */
PAGLETS_EXTERN int paglets_fanout_wait(struct paglets_agent *agent,
                                       struct paglets_fanout *fanout,
                                       bool (*pred)(void *state, void *arg),
                                       void *arg, double wait_seconds);

/*
 * Lock not held. Close the round and dispose every child that has not
 * answered (answered children dispose themselves), several at a time,
 * all by one deadline timeout_seconds from now, so the call returns
 * within it however many hosts are silent. A child already gone (404) is
 * not a failure; any other failure is recorded as that host's cleanup
 * error. Returns the number of failures.
 */
PAGLETS_EXTERN size_t paglets_fanout_dispose_children(
    struct paglets_agent *agent, struct paglets_fanout *fanout,
    double timeout_seconds);

/*
 * Lock held. The round as JSON (new reference, NULL when out of memory):
 * {results: {HOST: {host_url, result}}, errors: {HOST: message},
 * cleanup_errors: {HOST: message}, pending_hosts: [HOST, ...]}.
 */
PAGLETS_EXTERN json_t *
paglets_fanout_summary(const struct paglets_fanout *fanout);

#ifdef __cplusplus
}
#endif

#endif
