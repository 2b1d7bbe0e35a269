/*
 * Talking to hosts over HTTP: health, the mesh list, and agents through
 * proxies. Used the same way by CLIs, embedding programs and agents.
 */
#ifndef PAGLETS_CLIENT_H
#define PAGLETS_CLIENT_H

#include <jansson.h>

#include <paglets/agent.h>
#include <paglets/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A connection-reusing HTTP client. Not thread-safe: one per thread.
 * Inside an agent use paglets_agent_client(), which gives the calling
 * thread its own.
 */
struct paglets_client;

/* api_key may be NULL (no Authorization header). Caller frees. */
PAGLETS_EXTERN struct paglets_client *
paglets_client_new(const char *api_key, struct paglets_err *err);
PAGLETS_EXTERN void paglets_client_free(struct paglets_client *client);

/* Default per-call timeout in seconds (initially 10). */
PAGLETS_EXTERN void paglets_client_set_timeout(struct paglets_client *client,
                                               double timeout_s);

/* The calling thread's client for agent code; owned by the host. */
PAGLETS_EXTERN struct paglets_client *
paglets_agent_client(struct paglets_agent *agent);

/* GET /health. *health: new reference. */
PAGLETS_EXTERN int paglets_client_health(struct paglets_client *client,
                                         const char *url, json_t **health,
                                         struct paglets_err *err);

/* GET /hosts. *hosts: new reference to the {"hosts": [...]} reply. */
PAGLETS_EXTERN int paglets_client_hosts(struct paglets_client *client,
                                        const char *url, json_t **hosts,
                                        struct paglets_err *err);

/* POST /agents: create an agent of a registered type (state borrowed). */
PAGLETS_EXTERN int paglets_client_create(struct paglets_client *client,
                                         const char *url, const char *type_name,
                                         const json_t *state,
                                         struct paglets_proxy *agent,
                                         struct paglets_err *err);

/*
 * Call operation `op` synchronously (request borrowed, may be NULL for {}).
 * *reply: new reference. A negative timeout_s uses the client's default.
 */
PAGLETS_EXTERN int paglets_client_call(struct paglets_client *client,
                                       const struct paglets_proxy *agent,
                                       const char *op, const json_t *request,
                                       double timeout_s, json_t **reply,
                                       struct paglets_err *err);

/* Send operation `op` one-way: returns once the host accepted it. */
PAGLETS_EXTERN int paglets_client_send(struct paglets_client *client,
                                       const struct paglets_proxy *agent,
                                       const char *op, const json_t *request,
                                       struct paglets_err *err);

/* POST /agents/{id}/clone to a host name or URL. */
PAGLETS_EXTERN int paglets_client_clone(struct paglets_client *client,
                                        const struct paglets_proxy *agent,
                                        const char *target,
                                        struct paglets_proxy *clone,
                                        struct paglets_err *err);

/* POST /agents/{id}/dispose. -ENOENT when it is already gone. */
PAGLETS_EXTERN int paglets_client_dispose(struct paglets_client *client,
                                          const struct paglets_proxy *agent,
                                          struct paglets_err *err);

/* GET /agents/{id}. *info: new reference. */
PAGLETS_EXTERN int paglets_client_get(struct paglets_client *client,
                                      const struct paglets_proxy *agent,
                                      json_t **info, struct paglets_err *err);

/* GET /agents. *agents: new reference to the reply. */
PAGLETS_EXTERN int paglets_client_list(struct paglets_client *client,
                                       const char *url, json_t **agents,
                                       struct paglets_err *err);

/*
 * Pick the entry host for a command line. An entry containing "://" is
 * used directly once its /health answers. Otherwise the candidates are
 * 127.0.0.1 and this machine's LAN address, both on PAGLETS_DEFAULT_PORT:
 * with
 * entry NULL or "" the first that answers wins, else the one whose /health
 * name equals entry, else an online host of that name in the mesh of the
 * first candidate that answered. Writes the URL to url (url_size >=
 * PAGLETS_URL_MAX) and, if health is non-NULL, its /health reply (new
 * reference). Returns 0; -ENOENT when no host has that name; else the last
 * candidate's error. Same threading as the client.
 */
PAGLETS_EXTERN int paglets_client_entry(struct paglets_client *client,
                                        const char *entry, char *url,
                                        size_t url_size, json_t **health,
                                        struct paglets_err *err);

#ifdef __cplusplus
}
#endif

#endif
