/*
 * The mesh on the wire: strict validation of what peers send (HostRefs in
 * joins and beacons, compact entries in syncs and acks, metadata) and the
 * rendering of our own and our members' entries.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/mesh_int.h"
#include "wire/url.h"

/* Peers' counters are clamped here so arithmetic on them cannot overflow. */
#define MAX_COUNTER ((uint64_t)1 << 62)

uint64_t paglets__mesh_hash(const char *text)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

bool paglets__mesh_is_clean_text(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
    }
    return true;
}

/* A clean string of at most size - 1 bytes, no NUL inside, into dst. */
static int copy_string(const json_t *v, char *dst, size_t size)
{
    if (!json_is_string(v))
        return -EINVAL;
    size_t len = json_string_length(v);
    const char *text = json_string_value(v);
    if (len >= size || strlen(text) != len ||
        !paglets__mesh_is_clean_text(text))
        return -EINVAL;
    memcpy(dst, text, len + 1);
    return 0;
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
    if (copy_string(v, dst, size) < 0)
        return paglets_err_set(err, -EINVAL,
                               "field '%s' must be a short plain string", key);
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

/*
 * Tags and properties: the right shapes, and together at most META_MAX
 * bytes as compact JSON (-EMSGSIZE beyond: the join answers 413).
 */
int paglets__mesh_meta_check(const json_t *tags, const json_t *properties,
                             size_t *bytes, struct paglets_err *err)
{
    size_t total = 0;
    if (tags != NULL) {
        if (!json_is_array(tags) ||
            json_array_size(tags) > PAGLETS__MESH_MAX_TAGS)
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
        total += json_dumpb(tags, NULL, 0, JSON_COMPACT);
    }
    if (properties != NULL) {
        if (!json_is_object(properties) ||
            json_object_size(properties) > PAGLETS__MESH_MAX_PROPERTIES)
            return paglets_err_set(err, -EINVAL,
                                   "field 'properties' must be a small object");
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)properties, key, v)
        {
            if (strlen(key) > PAGLETS__MESH_MAX_TEXT || !is_short_string(v))
                return paglets_err_set(
                    err, -EINVAL,
                    "field 'properties' must map to short strings");
        }
        total += json_dumpb(properties, NULL, 0, JSON_COMPACT);
    }
    if (bytes != NULL)
        *bytes = total;
    if (total > PAGLETS__MESH_META_MAX)
        return paglets_err_set(err, -EMSGSIZE,
                               "tags and properties take %zu bytes, more "
                               "than %d",
                               total, PAGLETS__MESH_META_MAX);
    return 0;
}

uint32_t paglets__mesh_meta_hash(const json_t *tags, const json_t *properties,
                                 int64_t active, int64_t inactive)
{
    /* Nothing to say (the common case in big meshes): nothing to send. */
    if (json_array_size(tags) == 0 && json_object_size(properties) == 0 &&
        active == 0 && inactive == 0)
        return 0;
    uint64_t h = 0xcbf29ce484222325ULL;
    char *t = tags ? json_dumps(tags, JSON_COMPACT) : NULL;
    char *p = properties ? json_dumps(properties, JSON_COMPACT | JSON_SORT_KEYS)
                         : NULL;
    char counts[48];
    snprintf(counts, sizeof(counts), "%lld/%lld", (long long)active,
             (long long)inactive);
    const char *parts[] = {t ? t : "", p ? p : "", counts};
    for (size_t i = 0; i < 3; i++) {
        h ^= paglets__mesh_hash(parts[i]);
        h *= 0x100000001b3ULL;
    }
    free(t);
    free(p);
    uint32_t out = (uint32_t)(h ^ (h >> 32));
    return out ? out : 1;
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
    if (rc == 0)
        rc =
            get_count(json, "incarnation", MAX_COUNTER, &ref->incarnation, err);
    /* Main's old protocol sends these; unused here, still checked. */
    uint64_t heartbeat;
    if (rc == 0)
        rc = get_count(json, "heartbeat", MAX_COUNTER, &heartbeat, err);
    if (rc < 0)
        return rc;
    const json_t *age = json_object_get(json, "age_s");
    if (age != NULL && !(json_is_number(age) && json_number_value(age) >= 0 &&
                         isfinite(json_number_value(age))))
        return paglets_err_set(err, -EINVAL,
                               "field 'age_s' must be a number >= 0");
    const json_t *members = json_object_get(json, "members");
    if (members != NULL && !json_is_array(members))
        return paglets_err_set(err, -EINVAL,
                               "field 'members' must be an array");
    ref->has_incarnation = json_object_get(json, "incarnation") != NULL;
    ref->active_count = (int64_t)active;
    ref->inactive_count = (int64_t)inactive;
    const json_t *last_seen = json_object_get(json, "last_seen");
    if (last_seen != NULL && !json_is_number(last_seen) &&
        !json_is_null(last_seen))
        return paglets_err_set(err, -EINVAL,
                               "field 'last_seen' must be a number");
    ref->tags = json_object_get(json, "tags");
    ref->properties = json_object_get(json, "properties");
    return paglets__mesh_meta_check(ref->tags, ref->properties,
                                    &ref->meta_bytes, err);
}

static int entry_count(const json_t *v, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -EINVAL;
    uint64_t n = (uint64_t)json_integer_value(v);
    *out = n > MAX_COUNTER ? MAX_COUNTER : n;
    return 0;
}

int paglets__mesh_entry_parse(const json_t *array, size_t first,
                              struct paglets__mesh_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->state = PAGLETS__MESH_ALIVE;
    size_t n = json_array_size(array);
    if (!json_is_array(array) || n < first + 3 || n > first + 6)
        return -EINVAL;
    n -= first;
    const json_t *v[6] = {NULL};
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(array, first + i);
    uint64_t state = PAGLETS__MESH_ALIVE, hash = 0;
    /*
     * The URL is left as sent: the table makes it canonical when it stores
     * one (most entries name a member we hold at that very URL already).
     */
    if (copy_string(v[0], e->name, sizeof(e->name)) < 0 || e->name[0] == '\0' ||
        copy_string(v[1], e->url, sizeof(e->url)) < 0 ||
        entry_count(v[2], &e->incarnation) < 0)
        return -EINVAL;
    if (n > 3 && (entry_count(v[3], &state) < 0 ||
                  state < PAGLETS__MESH_ALIVE || state > 4))
        return -EINVAL;
    if (n > 4 && (entry_count(v[4], &hash) < 0 || hash > UINT32_MAX))
        return -EINVAL;
    e->left = state == 4;
    e->state = e->left ? PAGLETS__MESH_OFFLINE : (int)state;
    e->meta_hash = (uint32_t)hash;
    if (n > 5) {
        const json_t *meta = v[5];
        if (!json_is_object(meta) ||
            paglets__mesh_meta_check(json_object_get(meta, "tags"),
                                     json_object_get(meta, "properties"), NULL,
                                     NULL) < 0)
            return -EINVAL;
        e->meta = meta;
    }
    return 0;
}

static json_t *counter(uint64_t n)
{
    return json_integer((json_int_t)n);
}

json_t *paglets__mesh_self_entry(struct paglets__mesh *mesh)
{
    return json_pack("[s,s,o]", mesh->self_name, mesh->self_url,
                     counter(mesh->incarnation));
}

json_t *paglets__mesh_self_json(struct paglets__mesh *mesh, double wall)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    int rc = json_object_set_new(o, "name", json_string(mesh->self_name));
    rc |= json_object_set_new(o, "url", json_string(mesh->self_url));
    rc |= json_object_set_new(o, "code_version", json_string(mesh->version));
    rc |= json_object_set_new(o, "online", json_true());
    rc |= json_object_set_new(o, "state", json_string("alive"));
    rc |= json_object_set_new(o, "last_seen", json_real(wall));
    rc |= json_object_set_new(o, "active_count", counter(mesh->self_active));
    rc |=
        json_object_set_new(o, "inactive_count", counter(mesh->self_inactive));
    rc |= json_object_set_new(o, "tags", json_deep_copy(mesh->tags));
    rc |=
        json_object_set_new(o, "properties", json_deep_copy(mesh->properties));
    rc |= json_object_set_new(o, "heartbeat", counter(mesh->stats.rounds));
    rc |= json_object_set_new(o, "incarnation", counter(mesh->incarnation));
    rc |= json_object_set_new(o, "age_s", json_real(0));
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static const char *const state_names[] = {"pending", "alive", "suspect",
                                          "offline"};

json_t *paglets__mesh_member_json(struct paglets__mesh *mesh,
                                  const struct paglets__mesh_member *m,
                                  double mono, double wall)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    const struct paglets__mesh_extra *x = m->extra;
    double age = m->seen > 0 ? mono - m->seen : -1;
    int rc = json_object_set_new(o, "name",
                                 json_string(paglets__mesh_name(mesh, m)));
    rc |=
        json_object_set_new(o, "url", json_string(paglets__mesh_url(mesh, m)));
    rc |= json_object_set_new(o, "code_version", json_string(mesh->version));
    rc |= json_object_set_new(o, "online",
                              json_boolean(m->state == PAGLETS__MESH_ALIVE));
    rc |= json_object_set_new(o, "state", json_string(state_names[m->state]));
    if (m->state == PAGLETS__MESH_OFFLINE && (m->flags & PAGLETS__MESH_LEFT))
        rc |= json_object_set_new(o, "left", json_true());
    rc |= json_object_set_new(o, "last_seen",
                              age >= 0 ? json_real(wall - age) : json_null());
    rc |= json_object_set_new(o, "active_count",
                              json_integer(x ? x->active_count : 0));
    rc |= json_object_set_new(o, "inactive_count",
                              json_integer(x ? x->inactive_count : 0));
    rc |= json_object_set_new(
        o, "tags", x && x->tags ? json_deep_copy(x->tags) : json_array());
    rc |= json_object_set_new(o, "properties",
                              x && x->properties ? json_deep_copy(x->properties)
                                                 : json_object());
    rc |= json_object_set_new(o, "incarnation", counter(m->incarnation));
    if (age >= 0)
        rc |= json_object_set_new(o, "age_s", json_real(age));
    if (x != NULL && x->error[0] != '\0')
        rc |= json_object_set_new(o, "error", json_string(x->error));
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *paglets__mesh_member_entry(struct paglets__mesh *mesh,
                                   const struct paglets__mesh_member *m,
                                   bool with_meta)
{
    const struct paglets__mesh_extra *x = m->extra;
    int state = m->state;
    if (state == PAGLETS__MESH_OFFLINE && (m->flags & PAGLETS__MESH_LEFT))
        state = 4;
    json_t *e =
        json_pack("[s,s,o,i]", paglets__mesh_name(mesh, m),
                  paglets__mesh_url(mesh, m), counter(m->incarnation), state);
    if (e == NULL || x == NULL || x->meta_hash == 0)
        return e;
    int rc = json_array_append_new(e, json_integer(x->meta_hash));
    if (with_meta) {
        json_t *meta =
            json_pack("{s:I,s:I}", "active_count", (json_int_t)x->active_count,
                      "inactive_count", (json_int_t)x->inactive_count);
        if (meta != NULL && x->tags != NULL)
            rc |= json_object_set_new(meta, "tags", json_deep_copy(x->tags));
        if (meta != NULL && x->properties != NULL)
            rc |= json_object_set_new(meta, "properties",
                                      json_deep_copy(x->properties));
        rc |= json_array_append_new(e, meta);
    }
    if (rc != 0) {
        json_decref(e);
        return NULL;
    }
    return e;
}
