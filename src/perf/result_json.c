/*
 * JSON codec of the result structs (<paglets/perf_result.h>), driven by one
 * field table per type so encoding, decoding and freeing can never
 * disagree about a field: these tables are the schema of a host result.
 */
#include "perf_compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

enum kind {
    K_STR,      /* char *, owned; NULL encodes as "", null decodes as NULL */
    K_U64,      /* uint64_t */
    K_I64_NULL, /* int64_t, -1 is JSON null and what a missing field gets */
    K_DBL,      /* double; not finite is JSON null (and back) */
    K_BOOL,     /* bool */
    K_STRV,     /* struct paglets_perf_strings */
    K_VEC,      /* a list {`type` *items; size_t n;} */
    K_PTR,      /* pointer to `type`, NULL is JSON null */
    K_EMBED,    /* embedded struct of `type` */
};

struct type;
struct field {
    const char *key;
    enum kind kind;
    size_t offset; /* of the field; for K_VEC, of the list's items */
    const struct type *type;
    size_t count_offset; /* K_VEC: of the list's n */
};
struct type {
    size_t size;
    const struct field *fields;
    size_t n_fields;
};

#define FIELD(st, name, kind)                                                  \
    {                                                                          \
#name, kind, offsetof(st, name), NULL, 0                               \
    }
#define NESTED(st, name, kind, t)                                              \
    {                                                                          \
#name, kind, offsetof(st, name), &t, 0                                 \
    }
#define LIST(st, name, t)                                                      \
    {                                                                          \
#name, K_VEC, offsetof(st, name.items), &t, offsetof(st, name.n)       \
    }
#define TYPE(st, table)                                                        \
    {                                                                          \
        sizeof(st), table, sizeof(table) / sizeof(table[0])                    \
    }

#define M struct paglets_perf_metric
static const struct field metric_fields[] = {
    FIELD(M, name, K_STR),
    FIELD(M, duration_seconds, K_DBL),
    FIELD(M, operations, K_U64),
    FIELD(M, operations_per_second, K_DBL),
    FIELD(M, bytes_processed, K_U64),
    FIELD(M, bytes_per_second, K_DBL),
    FIELD(M, setup_seconds, K_DBL),
};
static const struct type metric_type = TYPE(M, metric_fields);
#undef M

#define C struct paglets_perf_cpu_result
static const struct field cpu_fields[] = {
    FIELD(C, workers, K_I64_NULL),       FIELD(C, logical_cpus, K_I64_NULL),
    FIELD(C, physical_cpus, K_I64_NULL), LIST(C, single_core, metric_type),
    LIST(C, multi_core, metric_type),    FIELD(C, errors, K_STRV),
};
static const struct type cpu_type = TYPE(C, cpu_fields);
#undef C

#define MR struct paglets_perf_memory_result
static const struct field memory_fields[] = {
    LIST(MR, metrics, metric_type),
    FIELD(MR, errors, K_STRV),
};
static const struct type memory_type = TYPE(MR, memory_fields);
#undef MR

#define S struct paglets_perf_disk_skip
static const struct field skip_fields[] = {
    FIELD(S, path, K_STR),       FIELD(S, reason, K_STR),
    FIELD(S, device, K_STR),     FIELD(S, filesystem, K_STR),
    FIELD(S, requested, K_BOOL),
};
static const struct type skip_type = TYPE(S, skip_fields);
#undef S

#define V struct paglets_perf_disk_volume
static const struct field volume_fields[] = {
    FIELD(V, path, K_STR),
    FIELD(V, device, K_STR),
    FIELD(V, filesystem, K_STR),
    FIELD(V, total_bytes, K_U64),
    FIELD(V, free_bytes_before, K_U64),
    FIELD(V, benchmark_size_bytes, K_U64),
    FIELD(V, write_seconds, K_DBL),
    FIELD(V, write_bytes_per_second, K_DBL),
    FIELD(V, fsync_seconds, K_DBL),
    FIELD(V, read_seconds, K_DBL),
    FIELD(V, read_bytes_per_second, K_DBL),
    FIELD(V, metadata_files_per_second, K_DBL),
    FIELD(V, read_cache_bypassed, K_BOOL),
    FIELD(V, notes, K_STRV),
};
static const struct type volume_type = TYPE(V, volume_fields);
#undef V

#define D struct paglets_perf_disk_result
static const struct field disk_fields[] = {
    LIST(D, volumes, volume_type),
    LIST(D, skipped, skip_type),
    FIELD(D, errors, K_STRV),
};
static const struct type disk_type = TYPE(D, disk_fields);
#undef D

#define P struct paglets_perf_platform
static const struct field platform_fields[] = {
    FIELD(P, os, K_STR),
    FIELD(P, kernel_release, K_STR),
    FIELD(P, architecture, K_STR),
    FIELD(P, cpu_model, K_STR),
};
static const struct type platform_type = TYPE(P, platform_fields);
#undef P

#define H struct paglets_perf_host_result
static const struct field host_fields[] = {
    FIELD(H, host_name, K_STR),
    FIELD(H, host_url, K_STR),
    FIELD(H, platform, K_STR),
    NESTED(H, platform_details, K_EMBED, platform_type),
    FIELD(H, runtime_version, K_STR),
    FIELD(H, lock_wait_seconds, K_DBL),
    FIELD(H, memory_total_bytes, K_U64),
    NESTED(H, cpu, K_PTR, cpu_type),
    NESTED(H, memory, K_PTR, memory_type),
    NESTED(H, disk, K_PTR, disk_type),
    FIELD(H, errors, K_STRV),
};
static const struct type host_type = TYPE(H, host_fields);
#undef H

/*
 * Pointer fields are some T *; they are read and written through memcpy
 * as the void * they convert to, never through a void * lvalue.
 */
static void *load_ptr(const void *field)
{
    void *p;
    memcpy(&p, field, sizeof(p));
    return p;
}

static void store_ptr(void *field, void *p)
{
    memcpy(field, &p, sizeof(p));
}

/* A K_VEC field: its items and the address of its count. */
struct list {
    char *items;
    size_t *n;
};

static struct list list_of(const struct field *f, const void *base)
{
    return (struct list){
        load_ptr((const char *)base + f->offset),
        (size_t *)((char *)base + f->count_offset),
    };
}

/*
 * Paths and mount sources are bytes, JSON strings are UTF-8: a name that
 * is not valid UTF-8 is sent with '?' for each byte outside ASCII rather
 * than failing the whole result.
 */
static json_t *string_to_json(const char *s)
{
    if (s == NULL)
        s = "";
    json_t *j = json_string(s);
    if (j != NULL)
        return j;
    char *copy = strdup(s);
    if (copy == NULL)
        return NULL;
    for (char *p = copy; *p != '\0'; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

json_t *paglets__perf_strv_to_json(const struct paglets_perf_strings *v)
{
    json_t *array = json_array();
    int rc = array == NULL;
    for (size_t i = 0; rc == 0 && i < v->n; i++)
        rc |= json_array_append_new(array, string_to_json(v->items[i]));
    if (rc != 0) {
        json_decref(array);
        return NULL;
    }
    return array;
}

static json_t *encode(const struct type *type, const void *base);

static json_t *list_to_json(const struct type *type, struct list list)
{
    json_t *array = json_array();
    int rc = array == NULL;
    for (size_t i = 0; rc == 0 && i < *list.n; i++)
        rc |= json_array_append_new(array,
                                    encode(type, list.items + i * type->size));
    if (rc != 0) {
        json_decref(array);
        return NULL;
    }
    return array;
}

static json_t *encode_field(const struct field *f, const void *base)
{
    const void *p = (const char *)base + f->offset;
    switch (f->kind) {
    case K_STR:
        return string_to_json(load_ptr(p));
    case K_U64:
        return json_integer((json_int_t) * (const uint64_t *)p);
    case K_I64_NULL: {
        int64_t v = *(const int64_t *)p;
        return v < 0 ? json_null() : json_integer((json_int_t)v);
    }
    case K_DBL: {
        double v = *(const double *)p;
        return isfinite(v) ? json_real(v) : json_null();
    }
    case K_BOOL:
        return json_boolean(*(const bool *)p);
    case K_STRV:
        return paglets__perf_strv_to_json(p);
    case K_VEC:
        return list_to_json(f->type, list_of(f, base));
    case K_PTR: {
        const void *target = load_ptr(p);
        return target == NULL ? json_null() : encode(f->type, target);
    }
    case K_EMBED:
        return encode(f->type, p);
    }
    return NULL;
}

static json_t *encode(const struct type *type, const void *base)
{
    json_t *obj = json_object();
    int rc = obj == NULL;
    for (size_t i = 0; rc == 0 && i < type->n_fields; i++)
        rc |= json_object_set_new(obj, type->fields[i].key,
                                  encode_field(&type->fields[i], base));
    if (rc != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static void release(const struct type *type, void *base);

static void release_field(const struct field *f, void *base)
{
    void *p = (char *)base + f->offset;
    switch (f->kind) {
    case K_STR:
        free(load_ptr(p));
        store_ptr(p, NULL);
        break;
    case K_STRV:
        paglets__perf_strv_release(p);
        break;
    case K_VEC: {
        struct list list = list_of(f, base);
        for (size_t i = 0; i < *list.n; i++)
            release(f->type, list.items + i * f->type->size);
        free(list.items);
        store_ptr(p, NULL);
        *list.n = 0;
        break;
    }
    case K_PTR: {
        void *target = load_ptr(p);
        if (target != NULL)
            release(f->type, target);
        free(target);
        store_ptr(p, NULL);
        break;
    }
    case K_EMBED:
        release(f->type, p);
        break;
    default:
        break;
    }
}

static void release(const struct type *type, void *base)
{
    for (size_t i = 0; i < type->n_fields; i++)
        release_field(&type->fields[i], base);
}

/* Decoding: `where` is the dotted path of the value, for the message. */
static int decode(const struct type *type, const json_t *json, void *base,
                  const char *where, struct paglets_err *err);

static int bad(struct paglets_err *err, const char *where, const char *what)
{
    return paglets_err_set(err, -EINVAL, "field '%s' must be %s", where, what);
}

static int decode_strv(const json_t *json, struct paglets_perf_strings *v,
                       const char *where, struct paglets_err *err)
{
    if (!json_is_array(json))
        return bad(err, where, "an array of strings");
    size_t i;
    const json_t *item;
    json_array_foreach(json, i, item)
    {
        if (!json_is_string(item))
            return bad(err, where, "an array of strings");
        if (paglets__perf_strv_add(v, "%s", json_string_value(item)) != 0)
            return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    return 0;
}

static int decode_list(const struct field *f, const json_t *json, void *base,
                       const char *where, struct paglets_err *err)
{
    if (!json_is_array(json))
        return bad(err, where, "an array of objects");
    size_t i;
    const json_t *item;
    size_t *n = (size_t *)((char *)base + f->count_offset);
    json_array_foreach(json, i, item)
    {
        void *elem =
            paglets__perf_push((char *)base + f->offset, n, f->type->size);
        if (elem == NULL)
            return paglets_err_set(err, -ENOMEM, "out of memory");
        char inner[160];
        if (snprintf(inner, sizeof(inner), "%s[%zu]", where, i) < 0)
            inner[0] = '\0';
        int rc = decode(f->type, item, elem, inner, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int decode_scalar(const struct field *f, const json_t *json, void *p,
                         const char *where, struct paglets_err *err)
{
    switch (f->kind) {
    case K_STR: {
        if (json_is_null(json))
            return 0;
        if (!json_is_string(json))
            return bad(err, where, "a string");
        char *copy = strdup(json_string_value(json));
        if (copy == NULL)
            return paglets_err_set(err, -ENOMEM, "out of memory");
        free(load_ptr(p));
        store_ptr(p, copy);
        return 0;
    }
    case K_U64:
        if (!json_is_integer(json) || json_integer_value(json) < 0)
            return bad(err, where, "a non-negative integer");
        *(uint64_t *)p = (uint64_t)json_integer_value(json);
        return 0;
    case K_I64_NULL:
        if (json_is_null(json)) {
            *(int64_t *)p = -1;
            return 0;
        }
        if (!json_is_integer(json) || json_integer_value(json) < 0)
            return bad(err, where, "null or a non-negative integer");
        *(int64_t *)p = json_integer_value(json);
        return 0;
    case K_DBL:
        if (json_is_null(json)) {
            *(double *)p = NAN;
            return 0;
        }
        if (!json_is_number(json))
            return bad(err, where, "a number");
        *(double *)p = json_number_value(json);
        return 0;
    case K_BOOL:
        if (!json_is_boolean(json))
            return bad(err, where, "true or false");
        *(bool *)p = json_is_true(json);
        return 0;
    default:
        return bad(err, where, "known");
    }
}

static int decode_field(const struct field *f, const json_t *json, void *base,
                        const char *where, struct paglets_err *err)
{
    void *p = (char *)base + f->offset;
    switch (f->kind) {
    case K_STRV:
        return decode_strv(json, p, where, err);
    case K_VEC:
        return decode_list(f, json, base, where, err);
    case K_EMBED:
        return decode(f->type, json, p, where, err);
    case K_PTR: {
        if (json_is_null(json))
            return 0;
        void *target = calloc(1, f->type->size);
        if (target == NULL)
            return paglets_err_set(err, -ENOMEM, "out of memory");
        store_ptr(p, target);
        return decode(f->type, json, target, where, err);
    }
    default:
        return decode_scalar(f, json, p, where, err);
    }
}

/* Unknown keys of json are not looked at: they are dropped. */
static int decode(const struct type *type, const json_t *json, void *base,
                  const char *where, struct paglets_err *err)
{
    if (!json_is_object(json))
        return bad(err, where[0] ? where : "result", "an object");
    for (size_t i = 0; i < type->n_fields; i++) {
        const struct field *f = &type->fields[i];
        const json_t *value = json_object_get(json, f->key);
        if (value == NULL) {
            if (f->kind == K_I64_NULL)
                *(int64_t *)((char *)base + f->offset) = -1;
            continue;
        }
        char inner[160];
        if (snprintf(inner, sizeof(inner), "%s%s%s", where, where[0] ? "." : "",
                     f->key) < 0)
            inner[0] = '\0';
        int rc = decode_field(f, value, base, inner, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

json_t *
paglets_perf_host_result_to_json(const struct paglets_perf_host_result *r)
{
    return encode(&host_type, r);
}

int paglets_perf_host_result_from_json(struct paglets_perf_host_result *r,
                                       const json_t *json,
                                       struct paglets_err *err)
{
    int rc = decode(&host_type, json, r, "", err);
    if (rc != 0)
        paglets_perf_host_result_release(r);
    return rc;
}

void paglets_perf_host_result_release(struct paglets_perf_host_result *r)
{
    if (r == NULL)
        return;
    release(&host_type, r);
    memset(r, 0, sizeof(*r));
}

void paglets__perf_cpu_result_release(struct paglets_perf_cpu_result *r)
{
    release(&cpu_type, r);
}

void paglets__perf_memory_result_release(struct paglets_perf_memory_result *r)
{
    release(&memory_type, r);
}

void paglets__perf_disk_result_release(struct paglets_perf_disk_result *r)
{
    release(&disk_type, r);
}

void paglets__perf_disk_volume_release(struct paglets_perf_disk_volume *v)
{
    release(&volume_type, v);
}
