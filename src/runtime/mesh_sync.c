/*
 * Push-pull and joins: the only messages that carry whole tables and
 * members' metadata. A join adds only its caller (pending until it answers
 * a probe) and answers with our table; a sync pushes our table and pulls
 * what the partner knows better. Syncs go to one random member at an
 * interval that grows with the mesh. When we had to turn unknown members
 * away (admission is rationed per source), we ask a seed about just those
 * names. Seeds not reached are retried.
 *
 *   join   HostRef + {"protocol": 2}
 *          -> {"hosts": [HostRef], "from": E, "v": V, "meta": M,
 *              "members": [E...]}
 *   sync   {"from": E, "v": V, "meta": M, "members": [E...]}
 *          -> the same shape, with only what the caller lacks
 *   sync   {"from": E, "v": V, "meta": M, "want": [NAME...]}
 *          -> the same shape, with the entries of those names we list
 *   sync   {"from": E, "v": V, "meta": M, "since": SEQ}
 *          -> the same shape, with what changed after its "seq" SEQ
 *
 * Every answer carries "seq", the answerer's count of changes to its
 * table, so a host that joined through a seed can later ask it for just
 * what changed since (who joined after it).
 * where E is [name, url, incarnation, state, meta_hash(, meta)].
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/mesh_int.h"
#include "util/log.h"

/* Base push-pull period in probe intervals (memberlist's 30 s at 1 s). */
#define SYNC_BASE_ROUNDS 30.0
#define SEED_BACKOFF_ROUNDS 4.0
/*
 * Asking seeds about turned-away members: by name at most once an
 * interval; for all changes since it last answered (when more names came
 * than one request carries) from every 2 intervals, backing off to one in
 * 30 while it keeps happening, so an attacker can make us ask, but
 * neither often nor much.
 */
#define RESYNC_MIN_ROUNDS 2.0
#define RESYNC_MAX_ROUNDS 30.0
#define POST_JOIN_ASKS 3
#define JOIN_PROTOCOL 2

double paglets__mesh_sync_interval(const struct paglets__mesh *mesh)
{
    double n = (double)paglets__mesh_live_count(mesh) + 1;
    double scale = n <= 32 ? 1 : ceil(log2(n) - log2(32)) + 1;
    return SYNC_BASE_ROUNDS * mesh->interval_s * scale;
}

static double sync_timeout(const struct paglets__mesh *mesh)
{
    double t = 2 * mesh->interval_s;
    return t < 2 ? 2 : t > 10 ? 10 : t;
}

static json_t *self_meta(struct paglets__mesh *mesh)
{
    return json_pack("{s:O,s:O,s:I,s:I}", "tags", mesh->tags, "properties",
                     mesh->properties, "active_count",
                     (json_int_t)mesh->self_active, "inactive_count",
                     (json_int_t)mesh->self_inactive);
}

/* {"from": E, "v": V, "meta": M, "seq": N}: the head of every sync. */
static json_t *sync_head(struct paglets__mesh *mesh)
{
    return json_pack("{s:o,s:s,s:o,s:I}", "from",
                     paglets__mesh_self_entry(mesh), "v", mesh->version, "meta",
                     self_meta(mesh), "seq", (json_int_t)mesh->seq);
}

/*
 * Append m's entry to list unless that passes SYNC_BYTES; false if full.
 * The size is an upper estimate: quotes, commas, two counters, a state.
 */
static bool add_entry(struct paglets__mesh *mesh, json_t *list, size_t *bytes,
                      const struct paglets__mesh_member *m, bool with_meta)
{
    size_t n = strlen(paglets__mesh_name(mesh, m)) +
               strlen(paglets__mesh_url(mesh, m)) + 48;
    if (with_meta && m->extra != NULL && m->extra->meta_hash != 0)
        n += m->extra->meta_bytes + 80;
    if (*bytes + n > PAGLETS__MESH_SYNC_BYTES)
        return false;
    json_t *e = paglets__mesh_member_entry(mesh, m, with_meta);
    if (e != NULL && json_array_append_new(list, e) == 0)
        *bytes += n;
    return true;
}

/*
 * Our table (pending members left out) from the rotating window start, up
 * to SYNC_BYTES; the next call starts where this one stopped.
 */
static json_t *table_entries(struct paglets__mesh *mesh, bool with_meta)
{
    json_t *list = json_array();
    size_t n = mesh->n_members, bytes = 0;
    if (list == NULL || n == 0)
        return list;
    size_t start = mesh->sync_offset % n;
    for (size_t k = 0; k < n; k++) {
        size_t i = (start + k) % n;
        const struct paglets__mesh_member *m = &mesh->members[i];
        if (m->state == PAGLETS__MESH_PENDING)
            continue;
        if (!add_entry(mesh, list, &bytes, m, with_meta)) {
            mesh->sync_offset = i;
            return list;
        }
    }
    mesh->sync_offset = 0;
    return list;
}

static int rank(int state)
{
    return state == PAGLETS__MESH_ALIVE     ? 0
           : state == PAGLETS__MESH_SUSPECT ? 1
                                            : 2;
}

/* Store the tags, properties and counts a host sent about itself. */
static void take_own_meta(struct paglets__mesh *mesh, const char *name,
                          const json_t *tags, const json_t *props,
                          int64_t active, int64_t inactive)
{
    struct paglets__mesh_member *m = paglets__mesh_find(mesh, name);
    uint32_t hash = paglets__mesh_meta_hash(tags, props, active, inactive);
    if (m == NULL || (m->extra == NULL && hash == 0))
        return;
    struct paglets__mesh_extra *x = paglets__mesh_extra(m);
    if (x == NULL || x->meta_hash == hash)
        return;
    json_decref(x->tags);
    json_decref(x->properties);
    x->tags = tags ? json_deep_copy(tags) : NULL;
    x->properties = props ? json_deep_copy(props) : NULL;
    x->active_count = active;
    x->inactive_count = inactive;
    x->meta_hash = hash;
    x->meta_bytes = (uint32_t)((tags ? json_dumpb(tags, NULL, 0, 0) : 0) +
                               (props ? json_dumpb(props, NULL, 0, 0) : 0));
}

static int64_t count_of(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 0
               ? (int64_t)json_integer_value(v)
               : 0;
}

/* A "meta" object a host sent about itself; invalid ones are ignored. */
static void take_meta_object(struct paglets__mesh *mesh, const char *name,
                             const json_t *meta)
{
    const json_t *tags = json_object_get(meta, "tags");
    const json_t *props = json_object_get(meta, "properties");
    if (!json_is_object(meta) ||
        paglets__mesh_meta_check(tags, props, NULL, NULL) < 0)
        return;
    take_own_meta(mesh, name, tags, props,
                  count_of(json_object_get(meta, "active_count")),
                  count_of(json_object_get(meta, "inactive_count")));
}

/* Fold a list of entries from src. */
static void apply_entries(struct paglets__mesh *mesh, const json_t *list,
                          struct paglets__mesh_source *src, double mono)
{
    size_t n = json_array_size(list);
    if (n > mesh->max_members)
        n = mesh->max_members;
    for (size_t i = 0; i < n; i++) {
        struct paglets__mesh_entry e;
        if (paglets__mesh_entry_parse(json_array_get(list, i), 0, &e) == 0)
            paglets__mesh_apply_entry(mesh, &e, src, mono);
    }
}

/*
 * What the caller lacks: every listed member whose entry in its list was
 * older than ours (or missing), with metadata where its hash differed.
 */
static json_t *delta_entries(struct paglets__mesh *mesh, const json_t *theirs)
{
    uint8_t *flags = calloc(mesh->n_members ? mesh->n_members : 1, 1);
    json_t *list = json_array();
    if (flags == NULL || list == NULL) {
        free(flags);
        json_decref(list);
        return NULL;
    }
    size_t n = json_array_size(theirs), bytes = 0;
    if (n > mesh->max_members)
        n = mesh->max_members;
    for (size_t i = 0; i < n; i++) {
        struct paglets__mesh_entry e;
        if (paglets__mesh_entry_parse(json_array_get(theirs, i), 0, &e) < 0)
            continue;
        const struct paglets__mesh_member *m = paglets__mesh_find(mesh, e.name);
        if (m == NULL)
            continue;
        bool as_new = e.incarnation > m->incarnation ||
                      (e.incarnation == m->incarnation &&
                       rank(e.state) >= rank(m->state));
        uint32_t ours = m->extra ? m->extra->meta_hash : 0;
        flags[m - mesh->members] =
            (uint8_t)((as_new ? 1 : 0) |
                      (ours == 0 || e.meta_hash == ours ? 2 : 0));
    }
    for (size_t i = 0; i < mesh->n_members; i++) {
        const struct paglets__mesh_member *m = &mesh->members[i];
        if (m->state == PAGLETS__MESH_PENDING || flags[i] == 3)
            continue;
        if (!add_entry(mesh, list, &bytes, m, !(flags[i] & 2)))
            break;
    }
    free(flags);
    return list;
}

/* The entries of the names asked for that we list (not pending). */
static json_t *wanted_entries(struct paglets__mesh *mesh, const json_t *want)
{
    json_t *list = json_array();
    size_t n = json_array_size(want), bytes = 0;
    if (n > PAGLETS__MESH_MAX_WANTED)
        n = PAGLETS__MESH_MAX_WANTED;
    for (size_t i = 0; i < n && list != NULL; i++) {
        const char *name = json_string_value(json_array_get(want, i));
        const struct paglets__mesh_member *m =
            name ? paglets__mesh_find(mesh, name) : NULL;
        if (m != NULL && m->state != PAGLETS__MESH_PENDING &&
            !add_entry(mesh, list, &bytes, m, true))
            break;
    }
    return list;
}

/*
 * Entries added or changed after the caller's "since" (a count it had from
 * us; larger than ours means we restarted since: everything). When they
 * do not all fit, *seq is set so that an ask from there gets the rest.
 */
static json_t *entries_since(struct paglets__mesh *mesh, const json_t *since,
                             uint64_t *seq)
{
    json_t *list = json_array();
    json_int_t from = json_is_integer(since) ? json_integer_value(since) : 0;
    if (from < 0 || from > (json_int_t)mesh->seq)
        from = 0;
    size_t bytes = 0;
    uint64_t left_out = UINT64_MAX;
    for (size_t i = 0; i < mesh->n_members && list != NULL; i++) {
        const struct paglets__mesh_member *m = &mesh->members[i];
        if (m->state == PAGLETS__MESH_PENDING || m->seq <= (uint64_t)from ||
            m->seq >= left_out)
            continue;
        if (!add_entry(mesh, list, &bytes, m, true))
            left_out = m->seq;
    }
    *seq = left_out == UINT64_MAX ? mesh->seq : left_out - 1;
    return list;
}

int paglets__mesh_on_sync(struct paglets__mesh *mesh, const json_t *body,
                          json_t **reply, struct paglets_err *err, double mono)
{
    struct paglets__mesh_entry from;
    const json_t *f = json_object_get(body, "from");
    const char *v = json_string_value(json_object_get(body, "v"));
    if (paglets__mesh_entry_parse(f, 0, &from) < 0 || json_array_size(f) != 3 ||
        v == NULL)
        return paglets_err_set(err, -EINVAL,
                               "a sync needs 'from' [name, url, incarnation] "
                               "and 'v'");
    if (strcmp(v, mesh->version) != 0) {
        paglets__mesh_refuse(mesh, from.name, from.url, v);
        return paglets_err_set(err, -EPROTO,
                               "mesh version '%.100s' is not ours ('%s')", v,
                               mesh->version);
    }
    mesh->stats.syncs_received++;
    struct paglets__mesh_source src = {0};
    memcpy(src.name, from.name, sizeof(src.name));
    const json_t *members = json_object_get(body, "members");
    apply_entries(mesh, members, &src, mono);
    if (strcmp(from.name, mesh->self_name) != 0) {
        /* It speaks for itself: pending until it answers our probe. */
        paglets__mesh_introduce(mesh, from.name, from.url, from.incarnation,
                                mono);
        take_meta_object(mesh, from.name, json_object_get(body, "meta"));
    }
    const json_t *want = json_object_get(body, "want");
    const json_t *since = json_object_get(body, "since");
    uint64_t seq = mesh->seq;
    json_t *out = sync_head(mesh);
    json_t *delta = want    ? wanted_entries(mesh, want)
                    : since ? entries_since(mesh, since, &seq)
                            : delta_entries(mesh, members);
    if (out == NULL || delta == NULL ||
        json_object_set_new(out, "members", delta) != 0 ||
        json_object_set_new(out, "seq", json_integer((json_int_t)seq)) != 0) {
        json_decref(out);
        return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    if (seq != mesh->seq)
        json_object_set_new(out, "more", json_true());
    *reply = out;
    return 0;
}

/* The reference's join reply: every host we list, with every field. */
static json_t *reference_hosts(struct paglets__mesh *mesh, double mono)
{
    double wall = mesh->ops->wall_now(mesh->ops_arg);
    json_t *hosts = json_array();
    json_t *out = json_pack("{s:o}", "hosts", hosts);
    if (out == NULL)
        return NULL;
    int rc = json_array_append_new(hosts, paglets__mesh_self_json(mesh, wall));
    for (size_t i = 0; i < mesh->n_members && rc == 0; i++) {
        const struct paglets__mesh_member *m = &mesh->members[i];
        if (m->state != PAGLETS__MESH_PENDING)
            rc = json_array_append_new(
                hosts, paglets__mesh_member_json(mesh, m, mono, wall));
    }
    if (rc != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

int paglets__mesh_on_join(struct paglets__mesh *mesh, const json_t *body,
                          json_t **reply, struct paglets_err *err, double mono)
{
    struct paglets__mesh_ref ref;
    struct paglets_err why = {0};
    int rc = paglets__mesh_ref_parse(body, &ref, &why);
    if (rc < 0)
        return paglets_err_set(err, rc, "invalid host: %s", why.message);
    double wall = mesh->ops->wall_now(mesh->ops_arg);
    mesh->stats.joins_received++;
    if (strcmp(ref.version, mesh->version) != 0) {
        paglets__mesh_refuse(mesh, ref.name, ref.url, ref.version);
        /* Only our own entry, so the caller can see and log the mismatch. */
        *reply =
            json_pack("{s:[o]}", "hosts", paglets__mesh_self_json(mesh, wall));
        return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
    }
    /* A join adds its caller and nobody else it may list. */
    if (strcmp(ref.name, mesh->self_name) != 0) {
        if (paglets__mesh_introduce(mesh, ref.name, ref.url, ref.incarnation,
                                    mono) < 0)
            return paglets_err_set(err, -EAGAIN,
                                   "mesh table is full (%zu live members)",
                                   mesh->n_members);
        take_own_meta(mesh, ref.name, ref.tags, ref.properties,
                      ref.active_count, ref.inactive_count);
    }
    const json_t *protocol = json_object_get(body, "protocol");
    if (!json_is_integer(protocol) ||
        json_integer_value(protocol) < JOIN_PROTOCOL) {
        *reply = reference_hosts(mesh, mono);
        return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
    }
    json_t *out = sync_head(mesh);
    json_t *list = table_entries(mesh, true);
    if (out == NULL || list == NULL ||
        json_object_set_new(out, "members", list) != 0 ||
        json_object_set_new(
            out, "hosts",
            json_pack("[o]", paglets__mesh_self_json(mesh, wall))) != 0) {
        json_decref(out);
        return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    *reply = out;
    return 0;
}

/* ---- the client side ---- */

struct sync_call {
    char url[PAGLETS_URL_MAX];
    bool trusted;
    bool join;
    bool to_seed;
    bool since; /* an ask for all changes: its "seq" counts for the next */
    size_t seed;
};

/*
 * A sync reply from the member at url: its own entry (it answered there,
 * so it is alive), its metadata, then its entries. -EPROTO when the reply
 * is not one, or of another mesh version.
 */
static int take_sync_reply(struct paglets__mesh *mesh, const json_t *reply,
                           const char *url, bool trusted, bool bootstrap,
                           double mono)
{
    struct paglets__mesh_entry from;
    const json_t *f = json_object_get(reply, "from");
    const char *v = json_string_value(json_object_get(reply, "v"));
    if (paglets__mesh_entry_parse(f, 0, &from) < 0 || v == NULL)
        return -EPROTO;
    if (strcmp(v, mesh->version) != 0) {
        paglets__mesh_refuse(mesh, from.name, from.url, v);
        return -EPROTO;
    }
    if (strcmp(from.name, mesh->self_name) == 0)
        return -EPROTO;
    if (strcmp(from.url, url) == 0 &&
        paglets__mesh_introduce(mesh, from.name, from.url, from.incarnation,
                                mono) == 0) {
        struct paglets__mesh_member *m = paglets__mesh_find(mesh, from.name);
        if (m != NULL)
            paglets__mesh_confirm_alive(mesh, m, NULL, from.incarnation, mono);
        take_meta_object(mesh, from.name, json_object_get(reply, "meta"));
    }
    /*
     * A seed's answer naming a few members is news we relay (somebody
     * joined); one naming many is a catch-up after a storm, and relaying
     * it would keep every host's gossip full for minutes.
     */
    const json_t *members = json_object_get(reply, "members");
    if (json_array_size(members) > PAGLETS__MESH_UNKNOWN_K)
        bootstrap = true;
    struct paglets__mesh_source src = {.trusted = trusted,
                                       .bootstrap = bootstrap};
    memcpy(src.name, from.name, sizeof(src.name));
    apply_entries(mesh, members, &src, mono);
    return 0;
}

static double grow_backoff(double backoff, double interval, double rounds)
{
    double next = backoff < interval ? interval : 2 * backoff;
    double cap = interval * rounds;
    return next > cap ? cap : next;
}

static void seed_failed(struct paglets__mesh *mesh,
                        struct paglets__mesh_seed *seed, const char *why,
                        double mono)
{
    if (seed->backoff_s == 0)
        paglets_log_info("cannot join seed %s: %s", seed->url, why);
    seed->backoff_s =
        grow_backoff(seed->backoff_s, mesh->interval_s, SEED_BACKOFF_ROUNDS);
    seed->next_try = mono + seed->backoff_s;
}

/* Remember the answering seed's change count for later asks. */
static void note_seq(struct paglets__mesh_seed *seed, const json_t *reply)
{
    const json_t *seq = json_object_get(reply, "seq");
    if (json_is_integer(seq) && json_integer_value(seq) >= 0)
        seed->seq = (uint64_t)json_integer_value(seq);
}

static void on_join_reply(struct paglets__mesh *mesh,
                          struct paglets__mesh_seed *seed, const json_t *reply,
                          double mono)
{
    struct paglets__mesh_ref first;
    const json_t *hosts = json_object_get(reply, "hosts");
    if (paglets__mesh_ref_parse(json_array_get(hosts, 0), &first, NULL) < 0) {
        seed_failed(mesh, seed, "the reply lists no host", mono);
        return;
    }
    if (strcmp(first.version, mesh->version) != 0) {
        /* It answered but is not of our mesh: ask again only now and then. */
        paglets__mesh_refuse(mesh, first.name, first.url, first.version);
        seed->backoff_s = grow_backoff(seed->backoff_s, mesh->interval_s,
                                       SEED_BACKOFF_ROUNDS);
        seed->next_try = mono + seed->backoff_s;
        return;
    }
    snprintf(seed->name, sizeof(seed->name), "%s", first.name);
    seed->backoff_s = 0;
    seed->next_try = mono + mesh->interval_s;
    note_seq(seed, reply);
    /*
     * Whoever joins after us is in the seed's table but not in the one it
     * just sent: ask it what changed since, a few times (2, 4, 8 intervals
     * on). A join storm settles in seconds.
     */
    mesh->since_asks = POST_JOIN_ASKS;
    /* The join was our push-pull; the next comes at the mesh's pace. */
    mesh->next_sync =
        mono +
        paglets__mesh_sync_interval(mesh) *
            (0.5 + (double)paglets__mesh_random_below(mesh, 1000) / 1000.0);
    mesh->want_overflow = true;
    mesh->resync_backoff = RESYNC_MIN_ROUNDS * mesh->interval_s;
    mesh->next_resync = mono + mesh->resync_backoff;
    if (take_sync_reply(mesh, reply, seed->url, true, true, mono) < 0)
        paglets__mesh_introduce(mesh, first.name, first.url, first.incarnation,
                                mono);
}

static void on_sync_reply(struct paglets__mesh *mesh, void *ctx, int rc,
                          const json_t *reply, const char *why, double mono)
{
    struct sync_call *c = ctx;
    if (c->join) {
        struct paglets__mesh_seed *seed = &mesh->seeds[c->seed];
        if (rc < 0)
            seed_failed(mesh, seed, why ? why : paglets_strerror(rc), mono);
        else
            on_join_reply(mesh, seed, reply, mono);
    } else if (rc < 0) {
        paglets_log_debug(PAGLETS_LOG_CAT_MESH, "mesh: sync with %s: %s",
                          c->url, why ? why : paglets_strerror(rc));
    } else {
        take_sync_reply(mesh, reply, c->url, c->trusted, false, mono);
        if (c->since)
            note_seq(&mesh->seeds[c->seed], reply);
    }
    free(c);
}

int paglets__mesh_sync_with(struct paglets__mesh *mesh, const char *url,
                            bool trusted, double mono)
{
    struct sync_call *c = calloc(1, sizeof(*c));
    json_t *body = sync_head(mesh);
    json_t *list = table_entries(mesh, false);
    (void)mono;
    if (c == NULL || body == NULL || list == NULL ||
        json_object_set_new(body, "members", list) != 0) {
        free(c);
        json_decref(body);
        return -ENOMEM;
    }
    snprintf(c->url, sizeof(c->url), "%s", url);
    c->trusted = trusted;
    int rc = paglets__mesh_send(mesh, url, "sync", body, sync_timeout(mesh),
                                on_sync_reply, c);
    if (rc < 0)
        free(c);
    return rc;
}

/*
 * Ask seed i about the members we turned away, by name, or (when more came
 * than one request names) for everything that changed since it last
 * answered us. Its answer to our own request is trusted.
 */
static int ask_seed(struct paglets__mesh *mesh, size_t i)
{
    struct paglets__mesh_seed *seed = &mesh->seeds[i];
    struct sync_call *c = calloc(1, sizeof(*c));
    json_t *body = sync_head(mesh);
    json_t *ask = json_array();
    for (size_t k = 0; k < mesh->n_wanted && ask != NULL; k++)
        json_array_append_new(ask, json_string(mesh->wanted[k]));
    if (mesh->want_overflow) {
        json_decref(ask);
        ask = json_integer((json_int_t)seed->seq);
    }
    if (c == NULL || body == NULL || ask == NULL ||
        json_object_set_new(body, mesh->want_overflow ? "since" : "want",
                            ask) != 0) {
        free(c);
        json_decref(body);
        return -ENOMEM;
    }
    c->since = mesh->want_overflow;
    c->since = mesh->want_overflow;
    mesh->n_wanted = 0;
    mesh->want_overflow = false;
    snprintf(c->url, sizeof(c->url), "%s", seed->url);
    c->trusted = true;
    c->to_seed = true;
    c->seed = i;
    int rc = paglets__mesh_send(mesh, seed->url, "sync", body,
                                sync_timeout(mesh), on_sync_reply, c);
    if (rc < 0)
        free(c);
    return rc;
}

int paglets__mesh_join_seed(struct paglets__mesh *mesh, size_t i, double mono)
{
    struct sync_call *c = calloc(1, sizeof(*c));
    json_t *body =
        paglets__mesh_self_json(mesh, mesh->ops->wall_now(mesh->ops_arg));
    if (c == NULL || body == NULL ||
        json_object_set_new(body, "protocol", json_integer(JOIN_PROTOCOL)) !=
            0) {
        free(c);
        json_decref(body);
        return -ENOMEM;
    }
    struct paglets__mesh_seed *seed = &mesh->seeds[i];
    snprintf(c->url, sizeof(c->url), "%s", seed->url);
    c->join = true;
    c->seed = i;
    /* No second join while this one is out. */
    seed->next_try = mono + sync_timeout(mesh) + mesh->interval_s;
    int rc = paglets__mesh_send(mesh, seed->url, "join", body,
                                sync_timeout(mesh), on_sync_reply, c);
    if (rc < 0)
        free(c);
    return rc;
}

static bool seed_is_alive(struct paglets__mesh *mesh,
                          const struct paglets__mesh_seed *seed)
{
    if (seed->name[0] == '\0')
        return false;
    const struct paglets__mesh_member *m = paglets__mesh_find(mesh, seed->name);
    return m != NULL && m->state == PAGLETS__MESH_ALIVE;
}

bool paglets__mesh_seed_reachable(struct paglets__mesh *mesh)
{
    for (size_t i = 0; i < mesh->n_seeds; i++)
        if (seed_is_alive(mesh, &mesh->seeds[i]))
            return true;
    return false;
}

static bool is_seed_name(const struct paglets__mesh *mesh, const char *name)
{
    for (size_t i = 0; i < mesh->n_seeds; i++)
        if (strcmp(mesh->seeds[i].name, name) == 0)
            return true;
    return false;
}

/* A random alive member, if a few picks find one. */
static struct paglets__mesh_member *random_alive(struct paglets__mesh *mesh)
{
    if (mesh->count[PAGLETS__MESH_ALIVE] == 0)
        return NULL;
    for (unsigned tries = 0; tries < 16; tries++) {
        struct paglets__mesh_member *m =
            &mesh->members[paglets__mesh_random_below(mesh, mesh->n_members)];
        if (m->state == PAGLETS__MESH_ALIVE)
            return m;
    }
    return NULL;
}

void paglets__mesh_sync_tick(struct paglets__mesh *mesh, double mono)
{
    for (size_t i = 0; i < mesh->n_seeds; i++) {
        struct paglets__mesh_seed *seed = &mesh->seeds[i];
        if (seed->next_try > mono)
            continue;
        if (seed_is_alive(mesh, seed))
            seed->next_try = mono + mesh->interval_s;
        else
            paglets__mesh_join_seed(mesh, i, mono);
    }
    if (mono >= mesh->next_sync) {
        struct paglets__mesh_member *m = random_alive(mesh);
        if (m != NULL)
            paglets__mesh_sync_with(
                mesh, paglets__mesh_url(mesh, m),
                is_seed_name(mesh, paglets__mesh_name(mesh, m)), mono);
        double jitter =
            0.75 + (double)paglets__mesh_random_below(mesh, 1000) / 2000.0;
        mesh->next_sync = mono + paglets__mesh_sync_interval(mesh) * jitter;
    }
    if (mono - mesh->next_resync > RESYNC_MAX_ROUNDS * mesh->interval_s)
        mesh->resync_backoff = RESYNC_MIN_ROUNDS * mesh->interval_s;
    if ((mesh->n_wanted == 0 && !mesh->want_overflow) || mesh->n_seeds == 0 ||
        mono < mesh->next_resync)
        return;
    /* A seed that answered us before, else any. */
    size_t pick = paglets__mesh_random_below(mesh, mesh->n_seeds);
    for (size_t k = 0; k < mesh->n_seeds; k++)
        if (mesh->seeds[k].seq > 0 && seed_is_alive(mesh, &mesh->seeds[k]))
            pick = k;
    bool all = mesh->want_overflow;
    ask_seed(mesh, pick);
    if (mesh->since_asks > 0 && --mesh->since_asks > 0)
        mesh->want_overflow = true;
    if (!all) {
        mesh->next_resync = mono + mesh->interval_s;
        return;
    }
    mesh->next_resync = mono + mesh->resync_backoff;
    mesh->resync_backoff *= 2;
    if (mesh->resync_backoff > RESYNC_MAX_ROUNDS * mesh->interval_s)
        mesh->resync_backoff = RESYNC_MAX_ROUNDS * mesh->interval_s;
}
