/*
 * Talking to hosts over HTTP: health, the mesh list, and agents through
 * proxies. Used the same way by CLIs, embedding programs and agents.
 *
 * Every call that talks to a host comes in two forms: the plain one uses
 * the client's timeout, and the _with one takes struct paglets_call_opts
 * for this call alone (a timeout, an absolute deadline, a cancel handle),
 * so code that borrows a client never has to change it.
 *
 * Errors: each call returns 0 or a negative errno, and fills the optional
 * err with a message naming the request. The errno values are:
 *   -EINVAL      an argument is wrong (client NULL, a URL that is not a
 *                host URL: http(s)://host[:port] with no path, an invalid
 *                agent id), or the host answered 400 or another 4xx
 *   -ECANCELED   a cancel handle of the call or the client was tripped
 *   -ETIMEDOUT   the timeout or the deadline passed first, or HTTP 504
 *   -ECONNREFUSED, -EHOSTUNREACH, -EIO: the host could not be reached
 *   -EMSGSIZE    the reply is over PAGLETS_CLIENT_MAX_REPLY_BYTES or would
 *                take over PAGLETS_CLIENT_MAX_REPLY_MEMORY_BYTES to parse,
 *                or 413
 *   -EPROTO      the reply is not the JSON this call expects; with an API
 *                key, also a 2xx reply not signed with that key, or any
 *                reply whose signature or Content-Digest is wrong
 *   -EACCES 401 (API key, signature, clock skew, replay), -EPERM 403
 *   (also a refused Origin, or a keyed host's agent calling a URL outside
 *   its mesh), -ENOENT 404, -ENOSYS 405, -EMEDIUMTYPE 415 (a body that is
 *   not JSON), -EADDRNOTAVAIL 421 (a Host that is not the host's),
 *   -EOPNOTSUPP 422 (no such operation), -EBUSY 503, -ENOSPC 507 (no room
 *   for more state), -ELOOP 508 (too many nested calls), -EIO other 5xx
 *   -ENOMEM
 *
 * Threads: a client is used by one thread at a time (it keeps one
 * keep-alive connection); make one per thread. Inside an agent use
 * paglets_agent_client(), which gives the calling thread its own. A cancel
 * handle may be tripped from any thread and from a signal handler.
 */
#ifndef PAGLETS_CLIENT_H
#define PAGLETS_CLIENT_H

#include <jansson.h>

#include <paglets/agent.h>
#include <paglets/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The timeout of a call that names none, in seconds. */
#define PAGLETS_CLIENT_TIMEOUT_SECONDS 10.0

/* Reply bodies over this many bytes are refused with -EMSGSIZE. */
#define PAGLETS_CLIENT_MAX_REPLY_BYTES (16u * 1024u * 1024u)

/*
 * A reply whose parse would take more memory than this is refused with
 * -EMSGSIZE too: 15 MB of tiny JSON objects would otherwise become over a
 * gigabyte of parsed values in the caller. Counted per thread as jansson
 * allocates, so a program that replaces jansson's allocator with
 * json_set_alloc_funcs() turns this check off.
 */
#define PAGLETS_CLIENT_MAX_REPLY_MEMORY_BYTES (64u * 1024u * 1024u)

/*
 * A cancel handle: once tripped, every call it was given to (in
 * struct paglets_call_opts or with paglets_client_set_cancel()) fails with
 * -ECANCELED, a call in flight within a few milliseconds. It stays
 * tripped. Several calls and clients may share one.
 */
struct paglets_cancel;

/* Caller frees with paglets_cancel_free(). NULL (-ENOMEM, -EMFILE) on
 * error. */
PAGLETS_EXTERN PAGLETS_NODISCARD struct paglets_cancel *
paglets_cancel_new(struct paglets_err *err);

/* Free a handle no call uses any more. NULL is a no-op. */
PAGLETS_EXTERN void paglets_cancel_free(struct paglets_cancel *cancel);

/*
 * Trip the handle. Any thread; async-signal-safe (an atomic store and a
 * write(2)), so a SIGINT handler may call it. Tripping twice is harmless.
 */
PAGLETS_EXTERN void paglets_cancel_trip(struct paglets_cancel *cancel);

/* True once tripped; false for NULL. Any thread, async-signal-safe. */
PAGLETS_EXTERN bool
paglets_cancel_is_tripped(const struct paglets_cancel *cancel);

/*
 * Limits of one call. Fill with paglets_call_opts_init() first: fields are
 * only ever added at the end, and _init gives them their defaults.
 */
struct paglets_call_opts {
    double timeout_seconds;  /* > 0: this call's limit; else the client's */
    double deadline_seconds; /* > 0: paglets_monotonic_seconds() time the call
                          must end by */
    struct paglets_cancel *cancel; /* borrowed; NULL: none */
};

/*
 * No limits of its own: the client's timeout, no deadline, no cancel
 * handle. A deadline bounds a whole sequence of calls: set it once
 * (paglets_monotonic_seconds() + budget) and pass the same opts to each; a call
 * that starts after it fails with -ETIMEDOUT without sending anything.
 */
PAGLETS_EXTERN void paglets_call_opts_init(struct paglets_call_opts *opts);

/*
 * A connection-reusing HTTP client. With api_key (NULL or "" for none),
 * every request is signed (HTTP Message Signatures, RFC 9421, hmac-sha256
 * with a key derived from api_key, which itself is never sent or kept)
 * and every reply must carry the host's signature bound to the request.
 * https hosts are verified against $PAGLETS_TLS_CA when set, else the
 * system's CA store (see paglets_client_set_tls_ca()). Caller frees with
 * paglets_client_free(). NULL (-ENOMEM, -EIO when libcurl cannot start) on
 * error.
 */
struct paglets_client;
PAGLETS_EXTERN PAGLETS_NODISCARD struct paglets_client *
paglets_client_new(const char *api_key, struct paglets_err *err);

/* NULL is a no-op. Not while a call of this client runs. */
PAGLETS_EXTERN void paglets_client_free(struct paglets_client *client);

/*
 * The timeout of calls that name none (initially
 * PAGLETS_CLIENT_TIMEOUT_SECONDS; values <= 0 are ignored). Configuration for
 * the client's owner: code that borrows a client, such as
 * paglets_agent_client()'s, passes a per-call timeout instead.
 */
PAGLETS_EXTERN void paglets_client_set_timeout(struct paglets_client *client,
                                               double timeout_seconds);

/*
 * Verify https hosts against the CA certificates (PEM) in file alone,
 * instead of $PAGLETS_TLS_CA or the system store; NULL or "" goes back to
 * the system store. Returns 0, or -ENOENT / -EACCES when file cannot be
 * read, -ENOMEM. Not while a call of this client runs.
 */
PAGLETS_EXTERN int paglets_client_set_tls_ca(struct paglets_client *client,
                                             const char *file,
                                             struct paglets_err *err);

/*
 * Abort every call of this client, from now on and in flight, when cancel
 * (borrowed; NULL removes it) is tripped, in addition to a call's own
 * handle. The handle must outlive the client or be removed first. A host
 * gives its agents' clients its shutdown handle this way.
 */
PAGLETS_EXTERN void paglets_client_set_cancel(struct paglets_client *client,
                                              struct paglets_cancel *cancel);

/*
 * Send every call of this client through a proxy: proxy_url (copied) is
 * http://, https://, socks4[a]:// or socks5[h]://HOST[:PORT]; NULL or ""
 * means none, the default. A client never reads the proxy variables of
 * the environment (http_proxy, HTTPS_PROXY, ALL_PROXY, NO_PROXY): a
 * variable meant for a browser must not route mesh traffic, and the key
 * with it, through a third party. Returns 0, -EINVAL for another URL (the
 * client keeps its proxy), -ENOMEM. Not while a call of this client runs.
 */
PAGLETS_EXTERN int paglets_client_set_proxy(struct paglets_client *client,
                                            const char *proxy_url,
                                            struct paglets_err *err);

/*
 * The calling thread's client for agent code: owned by the host, freed
 * when the thread exits or with the host. It carries the host's API key
 * and is cancelled when the host shuts down. NULL when out of memory (or
 * for an agent without a host, in unit tests): check it.
 */
PAGLETS_EXTERN struct paglets_client *
paglets_agent_client(struct paglets_agent *agent);

/* GET url/health. *health: new reference. */
PAGLETS_EXTERN int paglets_client_health(struct paglets_client *client,
                                         const char *url, json_t **health,
                                         struct paglets_err *err);
PAGLETS_EXTERN int
paglets_client_health_with(struct paglets_client *client, const char *url,
                           const struct paglets_call_opts *opts,
                           json_t **health, struct paglets_err *err);

/* GET url/hosts. *hosts: new reference to the {"hosts": [...]} reply. */
PAGLETS_EXTERN int paglets_client_hosts(struct paglets_client *client,
                                        const char *url, json_t **hosts,
                                        struct paglets_err *err);
PAGLETS_EXTERN int
paglets_client_hosts_with(struct paglets_client *client, const char *url,
                          const struct paglets_call_opts *opts, json_t **hosts,
                          struct paglets_err *err);

/*
 * POST url/agents: create an agent of a registered type from state
 * (borrowed; NULL for the type's default) and fill *agent. -EINVAL also
 * when the type is not registered there or refuses the state.
 */
PAGLETS_EXTERN int paglets_client_create(struct paglets_client *client,
                                         const char *url, const char *type_name,
                                         const json_t *state,
                                         struct paglets_proxy *agent,
                                         struct paglets_err *err);
PAGLETS_EXTERN int paglets_client_create_with(
    struct paglets_client *client, const char *url, const char *type_name,
    const json_t *state, const struct paglets_call_opts *opts,
    struct paglets_proxy *agent, struct paglets_err *err);

/*
 * Call operation `op` synchronously (request borrowed, may be NULL for {}).
 * *reply: new reference. A timeout_seconds <= 0 uses the client's timeout.
 * -EOPNOTSUPP when the agent's type has no such operation; an error the
 * operation returned arrives as its HTTP status's errno.
 */
PAGLETS_EXTERN int paglets_client_call(struct paglets_client *client,
                                       const struct paglets_proxy *agent,
                                       const char *op, const json_t *request,
                                       double timeout_seconds, json_t **reply,
                                       struct paglets_err *err);
PAGLETS_EXTERN int paglets_client_call_with(
    struct paglets_client *client, const struct paglets_proxy *agent,
    const char *op, const json_t *request, const struct paglets_call_opts *opts,
    json_t **reply, struct paglets_err *err);

/* Send operation `op` one-way: returns once the host accepted it. */
PAGLETS_EXTERN int paglets_client_send(struct paglets_client *client,
                                       const struct paglets_proxy *agent,
                                       const char *op, const json_t *request,
                                       struct paglets_err *err);
PAGLETS_EXTERN int paglets_client_send_with(
    struct paglets_client *client, const struct paglets_proxy *agent,
    const char *op, const json_t *request, const struct paglets_call_opts *opts,
    struct paglets_err *err);

/*
 * POST /agents/{id}/clone to target, a host name or URL, and fill *clone.
 * -ENOENT when the agent or a target name is unknown.
 */
PAGLETS_EXTERN int paglets_client_clone(struct paglets_client *client,
                                        const struct paglets_proxy *agent,
                                        const char *target,
                                        struct paglets_proxy *clone,
                                        struct paglets_err *err);
PAGLETS_EXTERN int
paglets_client_clone_with(struct paglets_client *client,
                          const struct paglets_proxy *agent, const char *target,
                          const struct paglets_call_opts *opts,
                          struct paglets_proxy *clone, struct paglets_err *err);

/* POST /agents/{id}/dispose. -ENOENT when it is already gone. */
PAGLETS_EXTERN int paglets_client_dispose(struct paglets_client *client,
                                          const struct paglets_proxy *agent,
                                          struct paglets_err *err);
PAGLETS_EXTERN int paglets_client_dispose_with(
    struct paglets_client *client, const struct paglets_proxy *agent,
    const struct paglets_call_opts *opts, struct paglets_err *err);

/* GET /agents/{id}. *info: new reference. -ENOENT for an unknown agent. */
PAGLETS_EXTERN int paglets_client_get(struct paglets_client *client,
                                      const struct paglets_proxy *agent,
                                      json_t **info, struct paglets_err *err);
PAGLETS_EXTERN int paglets_client_get_with(struct paglets_client *client,
                                           const struct paglets_proxy *agent,
                                           const struct paglets_call_opts *opts,
                                           json_t **info,
                                           struct paglets_err *err);

/* GET url/agents. *agents: new reference to the reply. */
PAGLETS_EXTERN int paglets_client_list(struct paglets_client *client,
                                       const char *url, json_t **agents,
                                       struct paglets_err *err);
PAGLETS_EXTERN int
paglets_client_list_with(struct paglets_client *client, const char *url,
                         const struct paglets_call_opts *opts, json_t **agents,
                         struct paglets_err *err);

/*
 * Pick the entry host for a command line. An entry containing "://" is
 * used directly once its /health answers. Otherwise the candidates are
 * 127.0.0.1 and this machine's LAN address, both on PAGLETS_DEFAULT_PORT:
 * with entry NULL or "" the first that answers wins, else the one whose
 * /health name equals entry, else an online host of that name in the mesh
 * of the first candidate that answered, whose own /health must then answer
 * with that name (else -ENOENT: a mesh list is a hint, not a proof). Writes the
 * canonical URL to url (url_size >= PAGLETS_URL_MAX, else -ENAMETOOLONG) and,
 * if health is non-NULL, its /health reply (new reference). Returns 0; -ENOENT
 * when no host has that name; else the last candidate's error. With opts, each
 * request gets opts' timeout and the deadline bounds them all.
 */
PAGLETS_EXTERN int paglets_client_entry(struct paglets_client *client,
                                        const char *entry, char *url,
                                        size_t url_size, json_t **health,
                                        struct paglets_err *err);
PAGLETS_EXTERN int
paglets_client_entry_with(struct paglets_client *client, const char *entry,
                          const struct paglets_call_opts *opts, char *url,
                          size_t url_size, json_t **health,
                          struct paglets_err *err);

#ifdef __cplusplus
}
#endif

#endif
