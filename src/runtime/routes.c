/*
 * Endpoints of reference notes §6: /health, /hosts, /hosts/join (and the
 * mesh's own /hosts/ping, /hosts/ping-req, /hosts/sync), /agents and
 * /agents/{id}[/messages|/clone|/dispose], and /metrics (Prometheus
 * text): one table that routing, 404 and 405 with its Allow header read.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runtime/conns.h"
#include "runtime/expo.h"
#include "runtime/mesh.h"
#include "runtime/metrics.h"
#include "runtime/routes.h"
#include "wire/codec.h"

/* Connections refused, evicted and timed out since start (conns.h). */
static json_t *connections_json(struct paglets_host *host)
{
    struct paglets__conns_stats st = {0};
    if (host->conns != NULL)
        paglets__conns_get_stats(host->conns, &st);
    return json_pack("{s:I, s:I, s:I}", "refused_per_address",
                     (json_int_t)st.refused_per_address, "evicted",
                     (json_int_t)st.evicted, "header_timeouts",
                     (json_int_t)st.header_timeouts);
}

json_t *paglets__host_health_json(struct paglets_host *host)
{
    json_t *caps = json_array();
    if (caps == NULL)
        return NULL;
    for (size_t i = 0; i < host->n_types; i++)
        json_array_append_new(caps, json_string(host->types[i]->name));
    return json_pack(
        "{s:s, s:s, s:I, s:I, s:s, s:i, s:o, s:O, s:O, s:o}", "name",
        host->config.name, "address", host->url, "active_count",
        (json_int_t)paglets__registry_count(&host->registry), "inactive_count",
        (json_int_t)0, "code_version", host->config.mesh_version, "api_version",
        PAGLETS_API_VERSION, "capabilities", caps, "tags", host->tags,
        "properties", host->properties, "connections", connections_json(host));
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
    paglets_host_info_free(self);
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

static int post_agents(struct paglets_host *host, const char *id,
                       const json_t *body, json_t **reply,
                       struct paglets_err *err)
{
    (void)id;
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
    rc = paglets__clone_agent(host, agent, target, NULL, NULL, &clone, err);
    paglets__agent_unref(agent);
    if (rc != 0)
        return rc;
    *reply = paglets__proxy_to_json(&clone);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

static int get_agent(struct paglets_host *host, const char *id,
                     const json_t *body, json_t **reply,
                     struct paglets_err *err)
{
    (void)body;
    struct paglets_agent *agent = paglets__registry_get(&host->registry, id);
    if (agent == NULL)
        return paglets_err_set(err, -ENOENT, "no agent '%.64s'", id);
    *reply = agent_json(host, agent, true);
    paglets__agent_unref(agent);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

static int get_health(struct paglets_host *host, const char *id,
                      const json_t *body, json_t **reply,
                      struct paglets_err *err)
{
    (void)id;
    (void)body;
    *reply = paglets__host_health_json(host);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

static int get_hosts(struct paglets_host *host, const char *id,
                     const json_t *body, json_t **reply,
                     struct paglets_err *err)
{
    (void)id;
    (void)body;
    *reply = host->mesh ? paglets__mesh_hosts_json(host->mesh)
                        : self_hosts_json(host);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

/* POST /hosts/KIND: the mesh's messages (docs/MESH.md). */
static int post_mesh(struct paglets_host *host, const char *kind,
                     const json_t *body, json_t **reply,
                     struct paglets_err *err)
{
    if (host->mesh == NULL)
        return paglets_err_set(err, -EPERM, "host '%s' runs without a mesh",
                               host->config.name);
    int rc = need_object(body, err);
    return rc ? rc : paglets__mesh_handle(host->mesh, kind, body, reply, err);
}

static int post_join(struct paglets_host *host, const char *id,
                     const json_t *body, json_t **reply,
                     struct paglets_err *err)
{
    (void)id;
    return post_mesh(host, "join", body, reply, err);
}

static int post_ping(struct paglets_host *host, const char *id,
                     const json_t *body, json_t **reply,
                     struct paglets_err *err)
{
    (void)id;
    return post_mesh(host, "ping", body, reply, err);
}

static int post_ping_req(struct paglets_host *host, const char *id,
                         const json_t *body, json_t **reply,
                         struct paglets_err *err)
{
    (void)id;
    return post_mesh(host, "ping-req", body, reply, err);
}

static int post_sync(struct paglets_host *host, const char *id,
                     const json_t *body, json_t **reply,
                     struct paglets_err *err)
{
    (void)id;
    return post_mesh(host, "sync", body, reply, err);
}

static int get_agents(struct paglets_host *host, const char *id,
                      const json_t *body, json_t **reply,
                      struct paglets_err *err)
{
    (void)id;
    (void)body;
    *reply = agents_json(host);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

static int post_message(struct paglets_host *host, const char *id,
                        const json_t *body, json_t **reply,
                        struct paglets_err *err)
{
    return paglets__host_message(host, id, body, reply, err);
}

static int post_dispose(struct paglets_host *host, const char *id,
                        const json_t *body, json_t **reply,
                        struct paglets_err *err)
{
    (void)body;
    int rc = paglets__host_dispose_id(host, id, err);
    if (rc != 0)
        return rc;
    *reply = json_pack("{s:s}", "disposed", id);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

typedef int (*route_fn)(struct paglets_host *host, const char *id,
                        const json_t *body, json_t **reply,
                        struct paglets_err *err);

/* GET /metrics: text, not JSON (expo.h). */
static int get_metrics(struct paglets_host *host,
                       struct paglets__route_reply *reply,
                       struct paglets_err *err)
{
    reply->text = paglets__metrics_text(host);
    reply->content_type = PAGLETS__EXPO_CONTENT_TYPE;
    return reply->text ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

/*
 * The endpoint table. "{id}" in a path matches one non-empty segment of
 * fewer than PAGLETS_ID_MAX bytes, handed to the handler as id (else "").
 */
static const struct route {
    const char *method;
    const char *path;
    int status; /* on success */
    route_fn handler;
    /* Instead of handler, for a reply that is not JSON. */
    int (*text)(struct paglets_host *host, struct paglets__route_reply *reply,
                struct paglets_err *err);
} routes[] = {
    {"GET", "/health", 200, get_health, NULL},
    {"GET", "/hosts", 200, get_hosts, NULL},
    {"POST", "/hosts/join", 200, post_join, NULL},
    {"POST", "/hosts/ping", 200, post_ping, NULL},
    {"POST", "/hosts/ping-req", 200, post_ping_req, NULL},
    {"POST", "/hosts/sync", 200, post_sync, NULL},
    {"GET", "/agents", 200, get_agents, NULL},
    {"POST", "/agents", 201, post_agents, NULL},
    {"GET", "/agents/{id}", 200, get_agent, NULL},
    {"POST", "/agents/{id}/messages", 200, post_message, NULL},
    {"POST", "/agents/{id}/clone", 201, post_clone, NULL},
    {"POST", "/agents/{id}/dispose", 200, post_dispose, NULL},
    {"GET", "/metrics", 200, NULL, get_metrics},
};

#define ID_SEGMENT "{id}"

/* Does path match pattern? The {id} segment goes to id[PAGLETS_ID_MAX]. */
static bool path_matches(const char *pattern, const char *path, char *id)
{
    id[0] = '\0';
    const char *hole = strstr(pattern, ID_SEGMENT);
    if (hole == NULL)
        return strcmp(pattern, path) == 0;
    size_t head = (size_t)(hole - pattern);
    if (strncmp(pattern, path, head) != 0)
        return false;
    const char *segment = path + head;
    size_t len = strcspn(segment, "/");
    if (len == 0 || len >= PAGLETS_ID_MAX)
        return false;
    if (strcmp(hole + strlen(ID_SEGMENT), segment + len) != 0)
        return false;
    memcpy(id, segment, len);
    id[len] = '\0';
    return true;
}

/* The methods the table has for path, "GET, POST" style, into allow. */
static void allowed_methods(const char *path, char *allow, size_t size)
{
    char id[PAGLETS_ID_MAX];
    size_t n = 0;
    allow[0] = '\0';
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (!path_matches(routes[i].path, path, id) ||
            strstr(allow, routes[i].method) != NULL)
            continue;
        int w = snprintf(allow + n, size - n, "%s%s", n ? ", " : "",
                         routes[i].method);
        if (w > 0 && (size_t)w < size - n)
            n += (size_t)w;
    }
}

int paglets__route(struct paglets_host *host, const char *method,
                   const char *path, const json_t *body,
                   struct paglets__route_reply *reply, struct paglets_err *err)
{
    char id[PAGLETS_ID_MAX];
    reply->body = NULL;
    reply->text = NULL;
    reply->content_type = NULL;
    reply->status = 200;
    reply->allow[0] = '\0';
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const struct route *r = &routes[i];
        if (strcmp(r->method, method) != 0 || !path_matches(r->path, path, id))
            continue;
        reply->status = r->status;
        if (r->text != NULL)
            return r->text(host, reply, err);
        return r->handler(host, id, body, &reply->body, err);
    }
    allowed_methods(path, reply->allow, sizeof(reply->allow));
    if (reply->allow[0] != '\0')
        return paglets_err_set(err, -ENOSYS,
                               "method %.16s not allowed on %.128s (allowed: "
                               "%s)",
                               method, path, reply->allow);
    return paglets_err_set(err, -ENOENT, "no endpoint %.16s %.128s", method,
                           path);
}
