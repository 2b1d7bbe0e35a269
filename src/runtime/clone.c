/*
 * Clones going out: resolving the target, building the envelope, and
 * delivering it over HTTP or, for this very host, to the local accept
 * path, so a same-host clone takes the remote path minus the socket.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "remote/transport.h"
#include "runtime/host_int.h"
#include "runtime/mesh.h"
#include "wire/codec.h"
#include "wire/url.h"

int paglets__clone_resolve(struct paglets_host *host, const char *target,
                           char *url, char *name, size_t name_size,
                           struct paglets_err *err)
{
    *name = '\0';
    if (target == NULL || *target == '\0')
        return paglets_err_set(err, -EINVAL, "empty clone target");
    if (paglets__url_has_http_scheme(target)) {
        int rc = paglets__url_normalize(target, url, err);
        if (rc != 0)
            return rc;
        if (strcmp(url, host->url) == 0)
            snprintf(name, name_size, "%s", host->config.name);
        return 0;
    }
    snprintf(name, name_size, "%s", target);
    if (strcmp(target, host->config.name) == 0) {
        snprintf(url, PAGLETS_URL_MAX, "%s", host->url);
        return 0;
    }
    if (host->mesh != NULL &&
        paglets__mesh_resolve(host->mesh, target, url, PAGLETS_URL_MAX) == 0)
        return 0;
    return paglets_err_set(err, -ENOENT, "no online host named '%.128s'",
                           target);
}

/* Send the envelope to url (or hand it to ourselves) and read the proxy. */
static int deliver(struct paglets_host *host, const char *url,
                   const json_t *envelope, const struct paglets_call_opts *opts,
                   struct paglets_proxy *clone, struct paglets_err *err)
{
    if (strcmp(url, host->url) == 0)
        return paglets__host_accept(host, envelope, clone, err);
    struct paglets_err why = {0};
    struct paglets_client *client = paglets__clients_get(host, &why);
    if (client == NULL)
        return paglets_err_set(err, why.code, "%s", why.message);
    return paglets__client_post_envelope(client, url, envelope, opts, clone,
                                         err);
}

int paglets__clone_agent(struct paglets_host *host, struct paglets_agent *agent,
                         const char *target, const json_t *state,
                         const struct paglets_call_opts *opts,
                         struct paglets_proxy *clone, struct paglets_err *err)
{
    char url[PAGLETS_URL_MAX], name[128], id[PAGLETS_ID_MAX];
    json_t *own = NULL, *envelope = NULL;
    int rc = paglets__clone_resolve(host, target, url, name, sizeof(name), err);
    if (rc != 0)
        return rc;
    if (state == NULL) {
        own = paglets__agent_encode_state(agent);
        if (own == NULL)
            return paglets_err_set(err, -ENOMEM, "cannot encode state of '%s'",
                                   agent->id);
        state = own;
    }
    rc = paglets__id_generate(id);
    if (rc != 0) {
        paglets_err_set(err, rc, "cannot generate agent id");
        goto out;
    }
    struct paglets__envelope env = {
        .kind = PAGLETS_ENVELOPE_KIND_CLONE,
        .agent_id = id,
        .agent_class_name = agent->type->name,
        .state_class_name =
            agent->type->state_name ? agent->type->state_name : "",
        .state = state,
        .source_host_name = host->config.name,
        .source_host_address = host->url,
        .target_host_name = name,
        .target_host_address = url,
        .clone_of = agent->id,
    };
    envelope = paglets__envelope_to_json(&env);
    if (envelope == NULL) {
        rc = paglets_err_set(err, -ENOMEM, "cannot encode envelope");
        goto out;
    }
    rc = deliver(host, url, envelope, opts, clone, err);
out:
    json_decref(envelope);
    json_decref(own);
    return rc;
}

int paglets_agent_clone_with(struct paglets_agent *agent, const char *target,
                             const json_t *state,
                             const struct paglets_call_opts *opts,
                             struct paglets_proxy *clone,
                             struct paglets_err *err)
{
    struct paglets_host *host = paglets_agent_host(agent);
    if (host == NULL)
        return paglets_err_set(err, -ENOTCONN, "agent '%s' has no host",
                               agent->id);
    return paglets__clone_agent(host, agent, target, state, opts, clone, err);
}

int paglets_agent_clone(struct paglets_agent *agent, const char *target,
                        const json_t *state, struct paglets_proxy *clone,
                        struct paglets_err *err)
{
    return paglets_agent_clone_with(agent, target, state, NULL, clone, err);
}
