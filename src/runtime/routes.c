/*
 * Endpoints of reference notes §6: /health, /hosts, /hosts/join, /agents
 * and /agents/{id}[/messages|/clone|/dispose].
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wire/codec.h"
#include "runtime/mesh.h"
#include "runtime/routes.h"

json_t *paglets__host_health_json(struct paglets_host *host)
{
    json_t *caps = json_array();
    if (caps == NULL)
        return NULL;
    for (size_t i = 0; i < host->n_types; i++)
        json_array_append_new(caps, json_string(host->types[i]->name));
    return json_pack("{s:s, s:s, s:I, s:I, s:s, s:i, s:o, s:O, s:O}", "name",
                     host->config.name, "address", host->url, "active_count",
                     (json_int_t)paglets__registry_count(&host->registry),
                     "inactive_count", (json_int_t)0, "code_version",
                     host->config.mesh_version, "api_version",
                     PAGLETS_API_VERSION, "capabilities", caps, "tags",
                     host->tags, "properties", host->properties);
}

static json_t *self_hosts_json(struct paglets_host *host)
{
    struct paglets_host_info *self;
    size_t n;
    if (paglets_host_members(host, &self, &n, NULL) != 0)
        return NULL;
    json_t *ref = json_pack(
        "{s:s, s:s, s:s, s:b, s:f, s:I, s:I, s:O, s:O}", "name", self->name,
        "url", self->url, "code_version", self->code_version, "online", 1,
        "last_seen", self->last_seen, "active_count",
        (json_int_t)paglets__registry_count(&host->registry), "inactive_count",
        (json_int_t)0, "tags", host->tags, "properties", host->properties);
    free(self);
    return ref ? json_pack("{s:[o]}", "hosts", ref) : NULL;
}

static json_t *agent_json(struct paglets_host *host,
                          struct paglets_agent *agent, bool with_state)
{
    json_t *json =
        json_pack("{s:s, s:s, s:s, s:s}", "agent_id", agent->id,
                  "agent_class_name", agent->type->name, "state_class_name",
                  agent->type->state_name ? agent->type->state_name : "",
                  "host_url", host->url);
    if (json != NULL && with_state)
        json_object_set_new(json, "state", paglets__agent_encode_state(agent));
    return json;
}

static json_t *agents_json(struct paglets_host *host)
{
    struct paglets_agent **agents;
    size_t n;
    if (paglets__registry_snapshot(&host->registry, false, &agents, &n) != 0)
        return NULL;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        if (list != NULL)
            json_array_append_new(list, agent_json(host, agents[i], false));
        paglets__agent_unref(agents[i]);
    }
    free(agents);
    return list ? json_pack("{s:o}", "agents", list) : NULL;
}

static int need_object(const json_t *body, struct paglets_err *err)
{
    if (!json_is_object(body))
        return paglets_err_set(err, -EINVAL,
                               "request body must be a JSON object");
    return 0;
}

static int post_agents(struct paglets_host *host, const json_t *body,
                       json_t **reply, struct paglets_err *err)
{
    struct paglets_proxy proxy;
    int rc = need_object(body, err);
    if (rc == 0 && paglets__is_envelope(body)) {
        rc = paglets__host_accept(host, body, &proxy, err);
    } else if (rc == 0) {
        const char *type;
        const json_t *state;
        rc = paglets__create_from_json(body, &type, &state, err);
        if (rc == 0)
            rc = paglets__host_create(host, type, state, &proxy, err);
    }
    if (rc != 0)
        return rc;
    *reply = paglets__proxy_to_json(&proxy);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

static int post_clone(struct paglets_host *host, const char *id,
                      const json_t *body, json_t **reply,
                      struct paglets_err *err)
{
    int rc = need_object(body, err);
    if (rc != 0)
        return rc;
    const char *target = json_string_value(json_object_get(body, "target"));
    if (target == NULL)
        return paglets_err_set(err, -EINVAL, "field 'target' must be a string");
    struct paglets_agent *agent = paglets__registry_get(&host->registry, id);
    if (agent == NULL)
        return paglets_err_set(err, -ENOENT, "no agent '%.64s'", id);
    struct paglets_proxy clone;
    rc = paglets__clone_agent(host, agent, target, NULL, &clone, err);
    paglets__agent_unref(agent);
    if (rc != 0)
        return rc;
    *reply = paglets__proxy_to_json(&clone);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

static int get_agent(struct paglets_host *host, const char *id, json_t **reply,
                     struct paglets_err *err)
{
    struct paglets_agent *agent = paglets__registry_get(&host->registry, id);
    if (agent == NULL)
        return paglets_err_set(err, -ENOENT, "no agent '%.64s'", id);
    *reply = agent_json(host, agent, true);
    paglets__agent_unref(agent);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

static int route_hosts(struct paglets_host *host, bool post, const json_t *body,
                       json_t **reply, struct paglets_err *err)
{
    if (!post) {
        *reply = host->mesh ? paglets__mesh_hosts_json(host->mesh)
                            : self_hosts_json(host);
        return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
    }
    if (host->mesh == NULL)
        return paglets_err_set(err, -EPERM, "host '%s' runs without a mesh",
                               host->config.name);
    int rc = need_object(body, err);
    return rc ? rc : paglets__mesh_handle_join(host->mesh, body, reply, err);
}

/* /agents/{id}[/action]: split into id and action ("" for none). */
static int split_agent_path(const char *rest, char *id, const char **action,
                            struct paglets_err *err)
{
    const char *slash = strchr(rest, '/');
    size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
    if (len == 0 || len >= PAGLETS_ID_MAX)
        return paglets_err_set(err, -ENOENT, "no such agent path");
    memcpy(id, rest, len);
    id[len] = '\0';
    *action = slash ? slash + 1 : "";
    return 0;
}

static int route_agent(struct paglets_host *host, bool post, const char *rest,
                       const json_t *body, json_t **reply, int *status,
                       struct paglets_err *err)
{
    char id[PAGLETS_ID_MAX];
    const char *action = "";
    int rc = split_agent_path(rest, id, &action, err);
    if (rc != 0)
        return rc;
    if (!post && *action == '\0')
        return get_agent(host, id, reply, err);
    if (post && strcmp(action, "messages") == 0)
        return paglets__host_message(host, id, body, reply, err);
    if (post && strcmp(action, "clone") == 0) {
        *status = 201;
        return post_clone(host, id, body, reply, err);
    }
    if (post && strcmp(action, "dispose") == 0) {
        rc = paglets__host_dispose_id(host, id, err);
        *reply = rc == 0 ? json_pack("{s:s}", "disposed", id) : NULL;
        return rc;
    }
    return paglets_err_set(err, -ENOENT, "no endpoint %s /agents/%s",
                           post ? "POST" : "GET", rest);
}

int paglets__route(struct paglets_host *host, const char *method,
                   const char *path, const json_t *body, json_t **reply,
                   int *status, struct paglets_err *err)
{
    bool get = strcmp(method, "GET") == 0;
    bool post = strcmp(method, "POST") == 0;
    *status = 200;
    if (!get && !post)
        return paglets_err_set(err, -EINVAL, "method %.16s not allowed",
                               method);
    if (get && strcmp(path, "/health") == 0) {
        *reply = paglets__host_health_json(host);
        return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
    }
    if (strcmp(path, "/hosts") == 0 && get)
        return route_hosts(host, false, body, reply, err);
    if (strcmp(path, "/hosts/join") == 0 && post)
        return route_hosts(host, true, body, reply, err);
    if (strcmp(path, "/agents") == 0 && get) {
        *reply = agents_json(host);
        return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
    }
    if (strcmp(path, "/agents") == 0 && post) {
        *status = 201;
        return post_agents(host, body, reply, err);
    }
    if (strncmp(path, "/agents/", 8) == 0)
        return route_agent(host, post, path + 8, body, reply, status, err);
    return paglets_err_set(err, -ENOENT, "no endpoint %s %.128s", method, path);
}
