/*
 * The public client: typed calls on hosts and agents over one reusable
 * libcurl connection, each within its own limits (struct
 * paglets_call_opts) or the client's timeout.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remote/http.h"
#include "remote/transport.h"
#include "wire/codec.h"
#include "wire/url.h"

struct paglets_client {
    struct paglets__http *http;
    double timeout_seconds;                 /* for calls that name none */
    paglets__client_url_check_fn url_check; /* NULL: any host URL */
    void *url_check_arg;
};

#define PATH_MAX_LEN (PAGLETS_URL_MAX + PAGLETS_ID_MAX + 32)

void paglets_call_opts_init(struct paglets_call_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
}

struct paglets_client *paglets_client_new(const char *api_key,
                                          struct paglets_err *err)
{
    struct paglets_client *client = calloc(1, sizeof(*client));
    if (client == NULL) {
        paglets_err_set(err, -ENOMEM, "out of memory creating client");
        return NULL;
    }
    client->http = paglets__http_new(api_key, err);
    if (client->http == NULL) {
        free(client);
        return NULL;
    }
    client->timeout_seconds = PAGLETS_CLIENT_TIMEOUT_SECONDS;
    return client;
}

void paglets_client_free(struct paglets_client *client)
{
    if (client == NULL)
        return;
    paglets__http_free(client->http);
    free(client);
}

void paglets_client_set_timeout(struct paglets_client *client,
                                double timeout_seconds)
{
    if (timeout_seconds > 0)
        client->timeout_seconds = timeout_seconds;
}

int paglets_client_set_tls_ca(struct paglets_client *client, const char *file,
                              struct paglets_err *err)
{
    if (client == NULL)
        return paglets_err_set(err, -EINVAL, "no client");
    return paglets__http_set_tls_ca(client->http, file, err);
}

void paglets_client_set_cancel(struct paglets_client *client,
                               struct paglets_cancel *cancel)
{
    paglets__http_set_cancel(client->http, cancel);
}

void paglets__client_set_max_timeout(struct paglets_client *client,
                                     double seconds)
{
    paglets__http_set_max_timeout(client->http, seconds);
}

void paglets__client_set_url_check(struct paglets_client *client,
                                   paglets__client_url_check_fn check,
                                   void *arg)
{
    client->url_check = check;
    client->url_check_arg = arg;
}

/*
 * The canonical form of the host URL base, then suffix, once the client's
 * check (if any) allows that host.
 */
static int host_path(const struct paglets_client *client, char *out,
                     const char *base, const char *suffix,
                     struct paglets_err *err)
{
    char canonical[PAGLETS_URL_MAX];
    int rc = paglets__url_normalize(base, canonical, err);
    if (rc == 0 && client->url_check != NULL)
        rc = client->url_check(client->url_check_arg, canonical, err);
    if (rc != 0)
        return rc;
    int n = snprintf(out, PATH_MAX_LEN, "%s%s", canonical, suffix);
    if (n < 0 || n >= PATH_MAX_LEN)
        return paglets_err_set(err, -EINVAL, "URL too long");
    return 0;
}

static int agent_path(const struct paglets_client *client, char *out,
                      const struct paglets_proxy *agent, const char *action,
                      struct paglets_err *err)
{
    char suffix[PAGLETS_ID_MAX + 32];
    if (!paglets__id_is_valid(agent->agent_id))
        return paglets_err_set(err, -EINVAL, "invalid agent id '%.64s'",
                               agent->agent_id);
    snprintf(suffix, sizeof(suffix), "/agents/%s%s%s", agent->agent_id,
             *action ? "/" : "", action);
    return host_path(client, out, agent->host_url, suffix, err);
}

/* One request within opts (NULL: none), the client's timeout by default. */
static int request(struct paglets_client *client, const char *method,
                   const char *url, const json_t *body,
                   const struct paglets_call_opts *opts, json_t **reply,
                   struct paglets_err *err)
{
    struct paglets_call_opts limits;
    paglets_call_opts_init(&limits);
    if (opts != NULL)
        limits = *opts;
    if (!(limits.timeout_seconds > 0))
        limits.timeout_seconds = client->timeout_seconds;
    return paglets__http_request(client->http, method, url, body, &limits,
                                 reply, NULL, err);
}

/* Every public call starts here: a client to call with is required. */
static int need_client(const struct paglets_client *client,
                       struct paglets_err *err)
{
    return client ? 0 : paglets_err_set(err, -EINVAL, "no client");
}

/* The schemes libcurl takes for a proxy. */
static bool is_proxy_url(const char *url)
{
    static const char *const schemes[] = {"http://",   "https://",
                                          "socks4://", "socks4a://",
                                          "socks5://", "socks5h://"};
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
        if (strncmp(url, schemes[i], strlen(schemes[i])) == 0)
            return url[strlen(schemes[i])] != '\0';
    return false;
}

int paglets_client_set_proxy(struct paglets_client *client,
                             const char *proxy_url, struct paglets_err *err)
{
    int rc = need_client(client, err);
    if (rc != 0)
        return rc;
    if (proxy_url != NULL && *proxy_url != '\0' &&
        (!is_proxy_url(proxy_url) || strlen(proxy_url) >= PAGLETS_URL_MAX ||
         strpbrk(proxy_url, " \t\r\n") != NULL))
        return paglets_err_set(err, -EINVAL,
                               "proxy URL must be http://, https:// or "
                               "socks5[h]://HOST[:PORT], shorter than %d "
                               "bytes",
                               PAGLETS_URL_MAX);
    rc = paglets__http_set_proxy(client->http, proxy_url);
    return rc ? paglets_err_set(err, rc, "out of memory") : 0;
}

static int get_json(struct paglets_client *client, const char *url,
                    const char *suffix, const struct paglets_call_opts *opts,
                    json_t **out, struct paglets_err *err)
{
    char full[PATH_MAX_LEN];
    int rc = need_client(client, err);
    if (rc == 0)
        rc = host_path(client, full, url, suffix, err);
    return rc ? rc : request(client, "GET", full, NULL, opts, out, err);
}

int paglets_client_health_with(struct paglets_client *client, const char *url,
                               const struct paglets_call_opts *opts,
                               json_t **health, struct paglets_err *err)
{
    return get_json(client, url, "/health", opts, health, err);
}

int paglets_client_health(struct paglets_client *client, const char *url,
                          json_t **health, struct paglets_err *err)
{
    return paglets_client_health_with(client, url, NULL, health, err);
}

int paglets_client_hosts_with(struct paglets_client *client, const char *url,
                              const struct paglets_call_opts *opts,
                              json_t **hosts, struct paglets_err *err)
{
    return get_json(client, url, "/hosts", opts, hosts, err);
}

int paglets_client_hosts(struct paglets_client *client, const char *url,
                         json_t **hosts, struct paglets_err *err)
{
    return paglets_client_hosts_with(client, url, NULL, hosts, err);
}

int paglets_client_list_with(struct paglets_client *client, const char *url,
                             const struct paglets_call_opts *opts,
                             json_t **agents, struct paglets_err *err)
{
    return get_json(client, url, "/agents", opts, agents, err);
}

int paglets_client_list(struct paglets_client *client, const char *url,
                        json_t **agents, struct paglets_err *err)
{
    return paglets_client_list_with(client, url, NULL, agents, err);
}

/* POST with body (stolen) and read a proxy from the reply. */
static int post_for_proxy(struct paglets_client *client, const char *url,
                          json_t *body, const struct paglets_call_opts *opts,
                          struct paglets_proxy *out, struct paglets_err *err)
{
    json_t *reply = NULL;
    int rc = body ? request(client, "POST", url, body, opts, &reply, err)
                  : paglets_err_set(err, -ENOMEM, "out of memory");
    if (rc == 0) {
        struct paglets_err perr = {0};
        rc = paglets__proxy_from_json(reply, out, &perr);
        if (rc != 0)
            rc = paglets_err_set(err, -EPROTO, "POST %s: bad proxy: %s", url,
                                 perr.message);
    }
    json_decref(reply);
    json_decref(body);
    return rc;
}

int paglets_client_create_with(struct paglets_client *client, const char *url,
                               const char *type_name, const json_t *state,
                               const struct paglets_call_opts *opts,
                               struct paglets_proxy *agent,
                               struct paglets_err *err)
{
    char full[PATH_MAX_LEN];
    int rc = need_client(client, err);
    if (rc == 0)
        rc = host_path(client, full, url, "/agents", err);
    if (rc != 0)
        return rc;
    json_t *copy = state ? json_deep_copy(state) : json_object();
    json_t *body = copy ? json_pack("{s:s, s:o}", "agent_class_name", type_name,
                                    "state", copy)
                        : NULL;
    return post_for_proxy(client, full, body, opts, agent, err);
}

int paglets_client_create(struct paglets_client *client, const char *url,
                          const char *type_name, const json_t *state,
                          struct paglets_proxy *agent, struct paglets_err *err)
{
    return paglets_client_create_with(client, url, type_name, state, NULL,
                                      agent, err);
}

int paglets__client_post_envelope(struct paglets_client *client,
                                  const char *url, const json_t *envelope,
                                  const struct paglets_call_opts *opts,
                                  struct paglets_proxy *clone,
                                  struct paglets_err *err)
{
    char full[PATH_MAX_LEN];
    int rc = need_client(client, err);
    if (rc == 0)
        rc = host_path(client, full, url, "/agents", err);
    if (rc != 0)
        return rc;
    return post_for_proxy(client, full, json_incref((json_t *)envelope), opts,
                          clone, err);
}

int paglets_client_clone_with(struct paglets_client *client,
                              const struct paglets_proxy *agent,
                              const char *target,
                              const struct paglets_call_opts *opts,
                              struct paglets_proxy *clone,
                              struct paglets_err *err)
{
    char full[PATH_MAX_LEN];
    int rc = need_client(client, err);
    if (rc == 0)
        rc = agent_path(client, full, agent, "clone", err);
    if (rc != 0)
        return rc;
    return post_for_proxy(client, full,
                          json_pack("{s:s}", "target", target ? target : ""),
                          opts, clone, err);
}

int paglets_client_clone(struct paglets_client *client,
                         const struct paglets_proxy *agent, const char *target,
                         struct paglets_proxy *clone, struct paglets_err *err)
{
    return paglets_client_clone_with(client, agent, target, NULL, clone, err);
}

static int message(struct paglets_client *client,
                   const struct paglets_proxy *agent, const char *op,
                   const json_t *req, bool oneway,
                   const struct paglets_call_opts *opts, json_t **reply,
                   struct paglets_err *err)
{
    char full[PATH_MAX_LEN];
    int rc = need_client(client, err);
    if (rc == 0)
        rc = agent_path(client, full, agent, "messages", err);
    if (rc != 0)
        return rc;
    json_t *body = paglets__message_to_json(op, req, oneway);
    if (body == NULL)
        return paglets_err_set(err, -ENOMEM, "cannot encode message");
    json_t *answer = NULL;
    rc = request(client, "POST", full, body, opts, &answer, err);
    json_decref(body);
    if (rc == 0 && reply != NULL) {
        json_t *result = json_object_get(answer, "result");
        if (result == NULL)
            rc = paglets_err_set(err, -EPROTO, "POST %s: reply has no 'result'",
                                 full);
        else
            *reply = json_incref(result);
    }
    json_decref(answer);
    return rc;
}

int paglets_client_call_with(struct paglets_client *client,
                             const struct paglets_proxy *agent, const char *op,
                             const json_t *request_json,
                             const struct paglets_call_opts *opts,
                             json_t **reply, struct paglets_err *err)
{
    return message(client, agent, op, request_json, false, opts, reply, err);
}

int paglets_client_call(struct paglets_client *client,
                        const struct paglets_proxy *agent, const char *op,
                        const json_t *request_json, double timeout_seconds,
                        json_t **reply, struct paglets_err *err)
{
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.timeout_seconds = timeout_seconds;
    return message(client, agent, op, request_json, false, &opts, reply, err);
}

int paglets_client_send_with(struct paglets_client *client,
                             const struct paglets_proxy *agent, const char *op,
                             const json_t *request_json,
                             const struct paglets_call_opts *opts,
                             struct paglets_err *err)
{
    return message(client, agent, op, request_json, true, opts, NULL, err);
}

int paglets_client_send(struct paglets_client *client,
                        const struct paglets_proxy *agent, const char *op,
                        const json_t *request_json, struct paglets_err *err)
{
    return message(client, agent, op, request_json, true, NULL, NULL, err);
}

int paglets_client_dispose_with(struct paglets_client *client,
                                const struct paglets_proxy *agent,
                                const struct paglets_call_opts *opts,
                                struct paglets_err *err)
{
    char full[PATH_MAX_LEN];
    int rc = need_client(client, err);
    if (rc == 0)
        rc = agent_path(client, full, agent, "dispose", err);
    return rc ? rc : request(client, "POST", full, NULL, opts, NULL, err);
}

int paglets_client_dispose(struct paglets_client *client,
                           const struct paglets_proxy *agent,
                           struct paglets_err *err)
{
    return paglets_client_dispose_with(client, agent, NULL, err);
}

int paglets_client_get_with(struct paglets_client *client,
                            const struct paglets_proxy *agent,
                            const struct paglets_call_opts *opts, json_t **info,
                            struct paglets_err *err)
{
    char full[PATH_MAX_LEN];
    int rc = need_client(client, err);
    if (rc == 0)
        rc = agent_path(client, full, agent, "", err);
    return rc ? rc : request(client, "GET", full, NULL, opts, info, err);
}

int paglets_client_get(struct paglets_client *client,
                       const struct paglets_proxy *agent, json_t **info,
                       struct paglets_err *err)
{
    return paglets_client_get_with(client, agent, NULL, info, err);
}
