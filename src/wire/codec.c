/*
 * Encoders and strict decoders for proxies, clone envelopes, creation
 * requests and messages.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wire/codec.h"
#include "wire/url.h"

json_t *paglets__proxy_to_json(const struct paglets_proxy *proxy)
{
    return json_pack("{s:s, s:s}", "host_url", proxy->host_url, "agent_id",
                     proxy->agent_id);
}

/* A string field of at most max-1 bytes, or -EINVAL naming it. */
static int get_string(const json_t *obj, const char *field, bool required,
                      size_t max, const char **out, struct paglets_err *err)
{
    const json_t *v = json_object_get(obj, field);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (!required) {
            *out = "";
            return 0;
        }
        return paglets_err_set(err, -EINVAL, "missing field '%s'", field);
    }
    if (!json_is_string(v))
        return paglets_err_set(err, -EINVAL, "field '%s' must be a string",
                               field);
    if (max != 0 && json_string_length(v) >= max)
        return paglets_err_set(err, -EINVAL, "field '%s' is too long", field);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return paglets_err_set(err, -EINVAL, "field '%s' contains NUL", field);
    *out = json_string_value(v);
    return 0;
}

int paglets__proxy_from_json(const json_t *json, struct paglets_proxy *proxy,
                             struct paglets_err *err)
{
    const char *url, *id;
    struct paglets__url parsed;
    struct paglets_err url_err = {0};
    if (!json_is_object(json))
        return paglets_err_set(err, -EINVAL, "proxy must be an object");
    int rc = get_string(json, "host_url", true, PAGLETS_URL_MAX, &url, err);
    if (rc == 0)
        rc = get_string(json, "agent_id", true, PAGLETS_ID_MAX, &id, err);
    if (rc != 0)
        return rc;
    if (paglets__url_parse(url, &parsed, &url_err) != 0)
        return paglets_err_set(err, -EINVAL, "field 'host_url': %s",
                               url_err.message);
    if (!paglets__id_is_valid(id))
        return paglets_err_set(err, -EINVAL, "field 'agent_id' is not valid");
    snprintf(proxy->host_url, sizeof(proxy->host_url), "%s", parsed.text);
    snprintf(proxy->agent_id, sizeof(proxy->agent_id), "%s", id);
    return 0;
}

json_t *paglets__envelope_to_json(const struct paglets__envelope *e)
{
    json_t *metadata =
        e->metadata ? json_deep_copy(e->metadata) : json_object();
    json_t *state = json_deep_copy(e->state);
    if (metadata == NULL || state == NULL) {
        json_decref(metadata);
        json_decref(state);
        return NULL;
    }
    /* "o" steals: the copies are owned by the envelope from here on. */
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, "
        "s:o}",
        "kind", e->kind, "agent_id", e->agent_id, "agent_class_name",
        e->agent_class_name, "state_class_name", e->state_class_name, "state",
        state, "source_host_name", e->source_host_name, "source_host_address",
        e->source_host_address, "target_host_name", e->target_host_name,
        "target_host_address", e->target_host_address, "clone_of", e->clone_of,
        "metadata", metadata);
}

bool paglets__is_envelope(const json_t *body)
{
    return json_object_get(body, "kind") != NULL;
}

int paglets__envelope_from_json(const json_t *json, struct paglets__envelope *e,
                                struct paglets_err *err)
{
    static const struct {
        const char *name;
        size_t offset;
        bool required;
        size_t max;
    } fields[] = {
        {"kind", offsetof(struct paglets__envelope, kind), true, 64},
        {"agent_id", offsetof(struct paglets__envelope, agent_id), false,
         PAGLETS_ID_MAX},
        {"agent_class_name",
         offsetof(struct paglets__envelope, agent_class_name), true, 256},
        {"state_class_name",
         offsetof(struct paglets__envelope, state_class_name), false, 256},
        {"source_host_name",
         offsetof(struct paglets__envelope, source_host_name), false, 256},
        {"source_host_address",
         offsetof(struct paglets__envelope, source_host_address), false,
         PAGLETS_URL_MAX},
        {"target_host_name",
         offsetof(struct paglets__envelope, target_host_name), false, 256},
        {"target_host_address",
         offsetof(struct paglets__envelope, target_host_address), false,
         PAGLETS_URL_MAX},
        {"clone_of", offsetof(struct paglets__envelope, clone_of), false,
         PAGLETS_ID_MAX},
    };
    if (!json_is_object(json))
        return paglets_err_set(err, -EINVAL, "envelope must be an object");
    memset(e, 0, sizeof(*e));
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char **slot =
            (const char **)(void *)((char *)e + fields[i].offset);
        int rc = get_string(json, fields[i].name, fields[i].required,
                            fields[i].max, slot, err);
        if (rc != 0)
            return rc;
    }
    if (strcmp(e->kind, PAGLETS_ENVELOPE_KIND_CLONE) != 0)
        return paglets_err_set(err, -EINVAL,
                               "unsupported envelope kind '%.64s'", e->kind);
    e->state = json_object_get(json, "state");
    if (e->state == NULL)
        return paglets_err_set(err, -EINVAL, "missing field 'state'");
    e->metadata = json_object_get(json, "metadata");
    if (e->metadata != NULL && !json_is_object(e->metadata) &&
        !json_is_null(e->metadata))
        return paglets_err_set(err, -EINVAL,
                               "field 'metadata' must be an object");
    return 0;
}

int paglets__create_from_json(const json_t *body, const char **type_name,
                              const json_t **state, struct paglets_err *err)
{
    if (!json_is_object(body))
        return paglets_err_set(err, -EINVAL, "request body must be an object");
    int rc = get_string(body, "agent_class_name", true, 256, type_name, err);
    if (rc != 0)
        return rc;
    *state = json_object_get(body, "state");
    if (*state != NULL && json_is_null(*state))
        *state = NULL;
    return 0;
}

int paglets__message_from_json(const json_t *body, struct paglets__message *m,
                               struct paglets_err *err)
{
    if (!json_is_object(body))
        return paglets_err_set(err, -EINVAL, "request body must be an object");
    const json_t *message = json_object_get(body, "message");
    if (!json_is_object(message))
        return paglets_err_set(err, -EINVAL,
                               "field 'message' must be an object");
    int rc = get_string(message, "kind", true, 256, &m->op, err);
    if (rc != 0)
        return rc;
    m->args = json_object_get(message, "args");
    if (m->args != NULL && json_is_null(m->args))
        m->args = NULL;
    const json_t *oneway = json_object_get(body, "oneway");
    if (oneway != NULL && !json_is_boolean(oneway) && !json_is_null(oneway))
        return paglets_err_set(err, -EINVAL,
                               "field 'oneway' must be a boolean");
    m->oneway = json_is_true(oneway);
    return 0;
}

json_t *paglets__message_to_json(const char *op, const json_t *args,
                                 bool oneway)
{
    json_t *copy = args ? json_deep_copy(args) : json_object();
    if (copy == NULL)
        return NULL;
    return json_pack("{s:{s:s, s:o}, s:b}", "message", "kind", op, "args", copy,
                     "oneway", oneway);
}
