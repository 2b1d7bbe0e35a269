/*
 * Mesh messages: sending through the ops seam with every call counted,
 * pings and acks (with their piggybacked updates), ping-reqs relayed for
 * another member's probe, and the dispatch of incoming messages. The
 * bodies are small JSON objects:
 *
 *   ping      {"from": [NAME, URL, INC], "to": NAME, "updates": [...],
 *             "you": [INC, STATE]}
 *   ack       {"ack": [NAME, URL, INC], "updates": [...]}
 *   ping-req  {"from": [NAME, URL, INC], "target": [NAME, URL],
 *             "timeout": SECONDS, "updates": [...]}
 *   its reply an ack of the target, or {"nack": true, "updates": [...]}
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/mesh_int.h"
#include "util/log.h"
#include "wire/url.h"

/* The longest a relay waits for the member it pings for someone else. */
#define RELAY_TIMEOUT_MAX_S 10.0

struct call {
    struct paglets__mesh *mesh;
    paglets__mesh_reply_fn fn;
    void *ctx;
};

static void call_done(void *arg, int rc, const json_t *reply, const char *why)
{
    struct call *c = arg;
    struct paglets__mesh *mesh = c->mesh;
    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    if (rc < 0)
        mesh->stats.exchanges_failed++;
    c->fn(mesh, c->ctx, rc, rc < 0 ? NULL : reply, why, mono);
    if (--mesh->calls_out == 0)
        pthread_cond_broadcast(&mesh->calls_done);
    pthread_mutex_unlock(&mesh->lock);
    free(c);
}

int paglets__mesh_send(struct paglets__mesh *mesh, const char *url,
                       const char *kind, json_t *body, double timeout_s,
                       paglets__mesh_reply_fn fn, void *ctx)
{
    struct call *c = malloc(sizeof(*c));
    if (c == NULL || body == NULL) {
        free(c);
        json_decref(body);
        return -ENOMEM;
    }
    *c = (struct call){mesh, fn, ctx};
    int rc = mesh->ops->send(mesh->ops_arg, url, kind, body, timeout_s,
                             call_done, c);
    json_decref(body);
    if (rc < 0) {
        free(c);
        return rc;
    }
    mesh->calls_out++;
    mesh->stats.exchanges_sent++;
    if (strcmp(kind, "sync") == 0 || strcmp(kind, "join") == 0)
        mesh->stats.syncs_sent++;
    return 0;
}

json_t *paglets__mesh_ping_body(struct paglets__mesh *mesh, const char *to)
{
    json_t *body = json_pack("{s:o,s:s}", "from",
                             paglets__mesh_self_entry(mesh), "to", to);
    if (body == NULL)
        return NULL;
    json_t *updates = paglets__mesh_piggyback(mesh, to);
    if (updates != NULL)
        json_object_set_new(body, "updates", updates);
    /* What we hold against it, so it can refute at once. */
    const struct paglets__mesh_member *m = paglets__mesh_find(mesh, to);
    if (m != NULL && (m->state == PAGLETS__MESH_SUSPECT ||
                      m->state == PAGLETS__MESH_OFFLINE))
        json_object_set_new(
            body, "you",
            json_pack("[I,i]", (json_int_t)m->incarnation, (int)m->state));
    return body;
}

int paglets__mesh_read_ack(struct paglets__mesh *mesh, const json_t *reply,
                           const char *expect_name, const char *from,
                           uint64_t *inc, char *url, double mono)
{
    struct paglets__mesh_source src = {0};
    snprintf(src.name, sizeof(src.name), "%s", from);
    paglets__mesh_apply_updates(mesh, json_object_get(reply, "updates"), &src,
                                mono);
    if (json_is_true(json_object_get(reply, "nack")))
        return -ENOENT;
    struct paglets__mesh_entry e;
    const json_t *ack = json_object_get(reply, "ack");
    if (paglets__mesh_entry_parse(ack, 0, &e) < 0 ||
        json_array_size(ack) != 3 || strcmp(e.name, expect_name) != 0)
        return -EPROTO;
    *inc = e.incarnation;
    memcpy(url, e.url, strlen(e.url) + 1);
    return 0;
}

static int read_name(const json_t *body, const char *key, char *out,
                     struct paglets_err *err)
{
    const json_t *v = json_object_get(body, key);
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0' ||
        json_string_length(v) >= PAGLETS__MESH_NAME_MAX ||
        strlen(s) != json_string_length(v) || !paglets__mesh_is_clean_text(s))
        return paglets_err_set(err, -EINVAL, "field '%s' must be a host name",
                               key);
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

/*
 * "from": [name, url, inc]: who sent a ping or ping-req. A sender we do
 * not know speaks for itself, as in a join: pending until it answers.
 */
static int read_from(struct paglets__mesh *mesh, const json_t *body,
                     struct paglets__mesh_source *src, struct paglets_err *err,
                     double mono)
{
    struct paglets__mesh_entry e;
    const json_t *from = json_object_get(body, "from");
    if (json_array_size(from) != 3 ||
        paglets__mesh_entry_parse(from, 0, &e) < 0)
        return paglets_err_set(err, -EINVAL,
                               "field 'from' must be [name, url, "
                               "incarnation]");
    memcpy(src->name, e.name, sizeof(src->name));
    if (strcmp(e.name, mesh->self_name) != 0 &&
        paglets__mesh_find(mesh, e.name) == NULL && !mesh->left)
        paglets__mesh_introduce(mesh, e.name, e.url, e.incarnation, mono);
    return 0;
}

/* An ack of ours for a message from `from`; new reference or NULL. */
static json_t *ack_json(struct paglets__mesh *mesh, const char *from)
{
    json_t *ack = json_pack("{s:o}", "ack", paglets__mesh_self_entry(mesh));
    if (ack == NULL)
        return NULL;
    json_t *updates = paglets__mesh_piggyback(mesh, from);
    if (updates != NULL)
        json_object_set_new(ack, "updates", updates);
    return ack;
}

/* "you": [inc, state]: what the sender holds against us. */
static void take_you(struct paglets__mesh *mesh, const json_t *you)
{
    const json_t *inc = json_array_get(you, 0);
    const json_t *state = json_array_get(you, 1);
    if (!json_is_integer(inc) || json_integer_value(inc) < 0 ||
        !json_is_integer(state))
        return;
    json_int_t s = json_integer_value(state);
    if ((s == PAGLETS__MESH_SUSPECT || s == PAGLETS__MESH_OFFLINE) &&
        (uint64_t)json_integer_value(inc) >= mesh->incarnation) {
        paglets__mesh_refute(mesh, (uint64_t)json_integer_value(inc));
        if (s == PAGLETS__MESH_SUSPECT)
            paglets__mesh_health(mesh, +1);
    }
}

static int on_ping(struct paglets__mesh *mesh, const json_t *body,
                   json_t **reply, struct paglets_err *err, double mono)
{
    struct paglets__mesh_source src = {0};
    char to[PAGLETS__MESH_NAME_MAX];
    int rc = read_name(body, "to", to, err);
    if (rc == 0)
        rc = read_from(mesh, body, &src, err, mono);
    if (rc < 0)
        return rc;
    mesh->stats.pings_received++;
    /* A host that took over an old member's address must not ack for it. */
    if (strcmp(to, mesh->self_name) != 0)
        return paglets_err_set(err, -ENOENT, "this is '%s', not '%s'",
                               mesh->self_name, to);
    take_you(mesh, json_object_get(body, "you"));
    paglets__mesh_apply_updates(mesh, json_object_get(body, "updates"), &src,
                                mono);
    *reply = ack_json(mesh, src.name);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

/* A probe we make for another member's ping-req. */
struct relay {
    paglets__mesh_respond_fn respond;
    void *respond_arg;
    char target[PAGLETS__MESH_NAME_MAX];
    char from[PAGLETS__MESH_NAME_MAX];
};

static void relay_answer(struct paglets__mesh *mesh, struct relay *r,
                         json_t *answer)
{
    json_t *updates = answer ? paglets__mesh_piggyback(mesh, r->from) : NULL;
    if (updates != NULL)
        json_object_set_new(answer, "updates", updates);
    struct paglets_err err = {0};
    if (answer == NULL)
        paglets_err_set(&err, -ENOMEM, "out of memory");
    r->respond(r->respond_arg, answer ? 0 : -ENOMEM, answer, &err);
    free(r);
}

static void on_relay_ack(struct paglets__mesh *mesh, void *ctx, int rc,
                         const json_t *reply, const char *why, double mono)
{
    struct relay *r = ctx;
    uint64_t inc;
    char url[PAGLETS_URL_MAX];
    (void)why;
    if (rc == 0)
        rc = paglets__mesh_read_ack(mesh, reply, r->target, r->target, &inc,
                                    url, mono);
    json_t *answer;
    if (rc == 0) {
        struct paglets__mesh_member *m = paglets__mesh_find(mesh, r->target);
        if (m != NULL && strcmp(paglets__mesh_url(mesh, m), url) == 0)
            paglets__mesh_confirm_alive(mesh, m, NULL, inc, mono);
        answer =
            json_pack("{s:[s,s,I]}", "ack", r->target, url, (json_int_t)inc);
    } else {
        answer = json_pack("{s:b}", "nack", 1);
    }
    relay_answer(mesh, r, answer);
}

/* "target": [name, url]. */
static int read_target(const json_t *t, struct paglets__mesh_entry *e)
{
    if (json_array_size(t) != 2)
        return -EINVAL;
    json_t *full =
        json_pack("[O,O,i]", json_array_get(t, 0), json_array_get(t, 1), 0);
    int rc = full ? paglets__mesh_entry_parse(full, 0, e) : -EINVAL;
    json_decref(full);
    return rc;
}

static void on_ping_req(struct paglets__mesh *mesh, const json_t *body,
                        paglets__mesh_respond_fn respond, void *respond_arg,
                        double mono)
{
    struct paglets_err err = {0};
    struct paglets__mesh_source src = {0};
    struct paglets__mesh_entry target;
    json_t *t = json_object_get(body, "target");
    int rc = read_from(mesh, body, &src, &err, mono);
    if (rc == 0 && read_target(t, &target) < 0)
        rc = paglets_err_set(&err, -EINVAL,
                             "field 'target' must be [name, url]");
    if (rc < 0) {
        respond(respond_arg, rc, NULL, &err);
        return;
    }
    mesh->stats.pings_received++;
    paglets__mesh_apply_updates(mesh, json_object_get(body, "updates"), &src,
                                mono);
    struct relay *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        paglets_err_set(&err, -ENOMEM, "out of memory");
        respond(respond_arg, -ENOMEM, NULL, &err);
        return;
    }
    *r = (struct relay){.respond = respond, .respond_arg = respond_arg};
    memcpy(r->target, target.name, sizeof(r->target));
    memcpy(r->from, src.name, sizeof(r->from));
    if (strcmp(target.name, mesh->self_name) == 0) {
        relay_answer(mesh, r,
                     json_pack("{s:o}", "ack", paglets__mesh_self_entry(mesh)));
        return;
    }
    double timeout = json_number_value(json_object_get(body, "timeout"));
    if (!(timeout > 0.01) || !isfinite(timeout))
        timeout = mesh->interval_s;
    if (timeout > RELAY_TIMEOUT_MAX_S)
        timeout = RELAY_TIMEOUT_MAX_S;
    if (paglets__mesh_send(mesh, target.url, "ping",
                           paglets__mesh_ping_body(mesh, target.name), timeout,
                           on_relay_ack, r) < 0)
        relay_answer(mesh, r, json_pack("{s:b}", "nack", 1));
}

void paglets__mesh_receive(struct paglets__mesh *mesh, const char *kind,
                           const json_t *body, paglets__mesh_respond_fn respond,
                           void *respond_arg)
{
    struct paglets_err err = {0};
    json_t *reply = NULL;
    int rc;
    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    if (!json_is_object(body)) {
        rc = paglets_err_set(&err, -EINVAL, "body must be a JSON object");
    } else if (strcmp(kind, "ping") == 0) {
        rc = on_ping(mesh, body, &reply, &err, mono);
    } else if (strcmp(kind, "ping-req") == 0) {
        /* Answered when its own probe ends. */
        on_ping_req(mesh, body, respond, respond_arg, mono);
        pthread_mutex_unlock(&mesh->lock);
        return;
    } else if (strcmp(kind, "sync") == 0) {
        rc = paglets__mesh_on_sync(mesh, body, &reply, &err, mono);
    } else if (strcmp(kind, "join") == 0) {
        rc = paglets__mesh_on_join(mesh, body, &reply, &err, mono);
    } else {
        rc = paglets_err_set(&err, -ENOENT, "no mesh message '%s'", kind);
    }
    pthread_mutex_unlock(&mesh->lock);
    respond(respond_arg, rc, reply, &err);
}

/* paglets__mesh_handle() waits for its answer here. */
struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    int rc;
    json_t *reply;
    struct paglets_err err;
};

static void wake_waiter(void *arg, int rc, json_t *reply,
                        const struct paglets_err *err)
{
    struct waiter *w = arg;
    pthread_mutex_lock(&w->lock);
    w->rc = rc;
    w->reply = reply;
    if (rc < 0 && err != NULL)
        w->err = *err;
    w->done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

int paglets__mesh_handle(struct paglets__mesh *mesh, const char *kind,
                         const json_t *body, json_t **reply,
                         struct paglets_err *err)
{
    struct waiter w = {.done = false};
    *reply = NULL;
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    paglets__mesh_receive(mesh, kind, body, wake_waiter, &w);
    /*
     * A ping-req is answered by the I/O thread that ends its probe; the
     * probe's own timeout (at most RELAY_TIMEOUT_MAX_S) bounds this wait.
     */
    pthread_mutex_lock(&w.lock);
    while (!w.done)
        pthread_cond_wait(&w.cond, &w.lock);
    pthread_mutex_unlock(&w.lock);
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
    if (w.rc < 0)
        return paglets_err_set(err, w.rc, "%s", w.err.message);
    *reply = w.reply;
    return 0;
}
