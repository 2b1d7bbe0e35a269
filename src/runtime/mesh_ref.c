/*
 * HostRef on the wire: strict validation of what peers send (sizes, types,
 * characters) and rendering of our own and our members' entries.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "runtime/mesh_int.h"
#include "wire/url.h"

/* Peers' counters are clamped here so arithmetic on them cannot overflow. */
#define MAX_COUNTER ((uint64_t)1 << 62)
#define MAX_AGE_S 1e6

static bool is_clean_text(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
    }
    return true;
}

/*
 * Copy string field `key` into dst. Missing is fine unless required;
 * present must be a clean string that fits.
 */
static int copy_text(const json_t *obj, const char *key, char *dst, size_t size,
                     bool required, struct paglets_err *err)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        if (required)
            return paglets_err_set(err, -EINVAL, "missing field '%s'", key);
        dst[0] = '\0';
        return 0;
    }
    if (!json_is_string(v))
        return paglets_err_set(err, -EINVAL, "field '%s' must be a string",
                               key);
    size_t len = json_string_length(v);
    const char *text = json_string_value(v);
    if (len >= size || strlen(text) != len || !is_clean_text(text))
        return paglets_err_set(err, -EINVAL,
                               "field '%s' is too long or not plain text", key);
    memcpy(dst, text, len + 1);
    return 0;
}

static int get_count(const json_t *obj, const char *key, uint64_t max,
                     uint64_t *out, struct paglets_err *err)
{
    const json_t *v = json_object_get(obj, key);
    *out = 0;
    if (v == NULL)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return paglets_err_set(
            err, -EINVAL, "field '%s' must be a non-negative integer", key);
    uint64_t n = (uint64_t)json_integer_value(v);
    *out = n > max ? max : n;
    return 0;
}

static bool is_short_string(const json_t *v)
{
    return json_is_string(v) &&
           json_string_length(v) <= PAGLETS__MESH_MAX_TEXT &&
           strlen(json_string_value(v)) == json_string_length(v);
}

static int check_tags(const json_t *tags, struct paglets_err *err)
{
    if (!json_is_array(tags) || json_array_size(tags) > PAGLETS__MESH_MAX_TAGS)
        return paglets_err_set(err, -EINVAL,
                               "field 'tags' must be a short array");
    size_t i;
    const json_t *v;
    json_array_foreach(tags, i, v)
    {
        if (!is_short_string(v))
            return paglets_err_set(err, -EINVAL,
                                   "field 'tags' must hold short strings");
    }
    return 0;
}

static int check_properties(const json_t *props, struct paglets_err *err)
{
    if (!json_is_object(props) ||
        json_object_size(props) > PAGLETS__MESH_MAX_PROPERTIES)
        return paglets_err_set(err, -EINVAL,
                               "field 'properties' must be a small object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)props, key, v)
    {
        if (strlen(key) > PAGLETS__MESH_MAX_TEXT || !is_short_string(v))
            return paglets_err_set(
                err, -EINVAL, "field 'properties' must map to short strings");
    }
    return 0;
}

static int parse_heartbeat(const json_t *json, struct paglets__mesh_ref *ref,
                           struct paglets_err *err)
{
    const json_t *hb = json_object_get(json, "heartbeat");
    const json_t *inc = json_object_get(json, "incarnation");
    int rc = get_count(json, "heartbeat", MAX_COUNTER, &ref->heartbeat, err);
    if (rc == 0)
        rc =
            get_count(json, "incarnation", MAX_COUNTER, &ref->incarnation, err);
    if (rc < 0)
        return rc;
    ref->has_heartbeat = hb != NULL && inc != NULL;
    ref->age_s = 0;
    const json_t *age = json_object_get(json, "age_s");
    if (age == NULL)
        return 0;
    double a = json_is_number(age) ? json_number_value(age) : -1;
    if (!(a >= 0) || !isfinite(a))
        return paglets_err_set(err, -EINVAL,
                               "field 'age_s' must be a non-negative number");
    ref->age_s = a > MAX_AGE_S ? MAX_AGE_S : a;
    return 0;
}

int paglets__mesh_ref_parse(const json_t *json, struct paglets__mesh_ref *ref,
                            struct paglets_err *err)
{
    memset(ref, 0, sizeof(*ref));
    if (!json_is_object(json))
        return paglets_err_set(err, -EINVAL, "host entry must be an object");
    int rc = copy_text(json, "name", ref->name, sizeof(ref->name), true, err);
    if (rc == 0)
        rc = copy_text(json, "url", ref->url, sizeof(ref->url), true, err);
    if (rc == 0)
        rc = copy_text(json, "code_version", ref->version, sizeof(ref->version),
                       false, err);
    if (rc < 0)
        return rc;
    struct paglets_err why = {0};
    if (ref->name[0] == '\0')
        return paglets_err_set(err, -EINVAL, "host entry needs a name");
    if (paglets__url_normalize(ref->url, ref->url, &why) != 0)
        return paglets_err_set(err, -EINVAL, "host entry: %s", why.message);
    const json_t *online = json_object_get(json, "online");
    if (online != NULL && !json_is_boolean(online))
        return paglets_err_set(err, -EINVAL, "field 'online' must be boolean");
    ref->online = online == NULL || json_is_true(online);
    uint64_t active, inactive;
    rc = get_count(json, "active_count", INT64_MAX, &active, err);
    if (rc == 0)
        rc = get_count(json, "inactive_count", INT64_MAX, &inactive, err);
    if (rc < 0)
        return rc;
    ref->active_count = (int64_t)active;
    ref->inactive_count = (int64_t)inactive;
    const json_t *last_seen = json_object_get(json, "last_seen");
    if (last_seen != NULL && !json_is_number(last_seen) &&
        !json_is_null(last_seen))
        return paglets_err_set(err, -EINVAL,
                               "field 'last_seen' must be a number");
    ref->tags = json_object_get(json, "tags");
    ref->properties = json_object_get(json, "properties");
    if (ref->tags != NULL)
        rc = check_tags(ref->tags, err);
    if (rc == 0 && ref->properties != NULL)
        rc = check_properties(ref->properties, err);
    if (rc < 0)
        return rc;
    return parse_heartbeat(json, ref, err);
}

static json_t *counter(uint64_t n)
{
    return json_integer((json_int_t)n);
}

json_t *paglets__mesh_self_json(struct paglets__mesh *mesh, size_t active,
                                size_t inactive, double wall)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    int rc = json_object_set_new(o, "name", json_string(mesh->self_name));
    rc |= json_object_set_new(o, "url", json_string(mesh->self_url));
    rc |= json_object_set_new(o, "code_version", json_string(mesh->version));
    rc |= json_object_set_new(o, "online", json_true());
    rc |= json_object_set_new(o, "last_seen", json_real(wall));
    rc |= json_object_set_new(o, "active_count", counter(active));
    rc |= json_object_set_new(o, "inactive_count", counter(inactive));
    rc |= json_object_set_new(o, "tags", json_deep_copy(mesh->tags));
    rc |=
        json_object_set_new(o, "properties", json_deep_copy(mesh->properties));
    rc |= json_object_set_new(o, "heartbeat", counter(mesh->heartbeat));
    rc |= json_object_set_new(o, "incarnation", counter(mesh->incarnation));
    rc |= json_object_set_new(o, "age_s", json_real(0));
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *paglets__mesh_member_json(const struct paglets__mesh_member *m,
                                  double mono, double wall, bool full)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    double age = mono - m->fresh_mono;
    if (age < 0)
        age = 0;
    int rc = json_object_set_new(o, "name", json_string(m->name));
    rc |= json_object_set_new(o, "url", json_string(m->url));
    rc |= json_object_set_new(o, "code_version", json_string(m->version));
    rc |= json_object_set_new(o, "active_count", json_integer(m->active_count));
    rc |= json_object_set_new(o, "inactive_count",
                              json_integer(m->inactive_count));
    rc |= json_object_set_new(o, "heartbeat", counter(m->heartbeat));
    rc |= json_object_set_new(o, "incarnation", counter(m->incarnation));
    rc |= json_object_set_new(o, "age_s", json_real(age));
    /*
     * Gossip entries leave out what readers default or derive (online
     * unless false, last_seen, empty tags and properties, our error): at
     * 64 hosts every exchange carries 64 entries, and each field costs.
     */
    if (full || !m->online)
        rc |= json_object_set_new(o, "online", json_boolean(m->online));
    if (full)
        rc |= json_object_set_new(o, "last_seen", json_real(wall - age));
    if (full || json_array_size(m->tags) > 0)
        rc |= json_object_set_new(o, "tags", json_deep_copy(m->tags));
    if (full || json_object_size(m->properties) > 0)
        rc |=
            json_object_set_new(o, "properties", json_deep_copy(m->properties));
    if (full && m->error[0] != '\0')
        rc |= json_object_set_new(o, "error", json_string(m->error));
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}
