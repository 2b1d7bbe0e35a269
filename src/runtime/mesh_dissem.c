/*
 * Dissemination and admission: the queue of updates that ride on probes
 * and acks (each sent lambda*log10(N) times, least-sent first, under a
 * byte cap), the SWIM rules that fold received updates into the table,
 * refutation by incarnation, and the budget that limits how many unknown
 * members one source may introduce. Lock held throughout.
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

unsigned paglets__mesh_retransmit_limit(const struct paglets__mesh *mesh)
{
    double n = (double)paglets__mesh_live_count(mesh) + 2;
    unsigned limit = PAGLETS__MESH_RETRANSMIT_MULT * (unsigned)ceil(log10(n));
    return limit < PAGLETS__MESH_BUCKETS ? limit : PAGLETS__MESH_BUCKETS - 1;
}

static int bucket_push(struct paglets__mesh *mesh, unsigned t, uint32_t slot)
{
    if (mesh->bucket_len[t] == mesh->bucket_cap[t]) {
        size_t cap = mesh->bucket_cap[t] ? 2 * mesh->bucket_cap[t] : 8;
        uint32_t *grown = realloc(mesh->buckets[t], cap * sizeof(*grown));
        if (grown == NULL)
            return -ENOMEM;
        mesh->buckets[t] = grown;
        mesh->bucket_cap[t] = cap;
    }
    mesh->bcasts[slot].bucket_pos = (uint16_t)mesh->bucket_len[t];
    mesh->bcasts[slot].transmits = (uint16_t)t;
    mesh->buckets[t][mesh->bucket_len[t]++] = slot;
    return 0;
}

/* Remove slot from the bucket it sits in (its `home` transmits count). */
static void bucket_remove(struct paglets__mesh *mesh, unsigned home,
                          uint32_t slot)
{
    size_t pos = mesh->bcasts[slot].bucket_pos;
    size_t last = --mesh->bucket_len[home];
    if (pos != last) {
        uint32_t moved = mesh->buckets[home][last];
        mesh->buckets[home][pos] = moved;
        mesh->bcasts[moved].bucket_pos = (uint16_t)pos;
    }
}

/* Give a slot back, unlinking it from its owner. */
static void free_slot(struct paglets__mesh *mesh, uint32_t slot)
{
    struct paglets__mesh_bcast *b = &mesh->bcasts[slot];
    if (b->self) {
        if (mesh->self_bcast == slot + 1)
            mesh->self_bcast = 0;
    } else {
        const char *name = json_string_value(json_array_get(b->update, 1));
        struct paglets__mesh_member *m =
            name ? paglets__mesh_find(mesh, name) : NULL;
        if (m != NULL && m->bcast == slot + 1)
            m->bcast = 0;
    }
    json_decref(b->update);
    b->update = NULL;
    mesh->free_bcasts[mesh->n_free_bcasts++] = slot;
}

static int64_t alloc_slot(struct paglets__mesh *mesh)
{
    if (mesh->n_free_bcasts > 0)
        return mesh->free_bcasts[--mesh->n_free_bcasts];
    if (mesh->n_bcasts == mesh->cap_bcasts) {
        size_t cap = mesh->cap_bcasts ? 2 * mesh->cap_bcasts : 16;
        if (cap > UINT16_MAX)
            return -ENOSPC;
        struct paglets__mesh_bcast *grown =
            realloc(mesh->bcasts, cap * sizeof(*grown));
        uint32_t *free_grown =
            grown ? realloc(mesh->free_bcasts, cap * sizeof(*free_grown))
                  : NULL;
        if (grown != NULL)
            mesh->bcasts = grown;
        if (free_grown == NULL)
            return -ENOMEM;
        mesh->free_bcasts = free_grown;
        mesh->cap_bcasts = cap;
    }
    return (int64_t)mesh->n_bcasts++;
}

/* Queue update (stolen), replacing *owner's previous one. */
static void enqueue(struct paglets__mesh *mesh, json_t *update, uint32_t *owner,
                    bool self)
{
    if (update == NULL)
        return;
    if (*owner != 0) {
        uint32_t old = *owner - 1;
        struct paglets__mesh_bcast *b = &mesh->bcasts[old];
        /* Replace in place and start its count again. */
        json_decref(b->update);
        b->update = update;
        b->bytes = (uint32_t)json_dumpb(update, NULL, 0, JSON_COMPACT);
        if (b->transmits < PAGLETS__MESH_BUCKETS) {
            bucket_remove(mesh, b->transmits, old);
        }
        if (bucket_push(mesh, 0, old) < 0)
            free_slot(mesh, old);
        return;
    }
    int64_t slot = alloc_slot(mesh);
    if (slot < 0) {
        json_decref(update);
        return;
    }
    struct paglets__mesh_bcast *b = &mesh->bcasts[slot];
    b->update = update;
    b->bytes = (uint32_t)json_dumpb(update, NULL, 0, JSON_COMPACT);
    b->self = self;
    if (bucket_push(mesh, 0, (uint32_t)slot) < 0) {
        json_decref(update);
        b->update = NULL;
        mesh->free_bcasts[mesh->n_free_bcasts++] = (uint32_t)slot;
        return;
    }
    *owner = (uint32_t)slot + 1;
}

static json_t *inc_json(uint64_t inc)
{
    return json_integer((json_int_t)inc);
}

/* The update that says what we know of m now. */
static json_t *update_of(struct paglets__mesh *mesh,
                         const struct paglets__mesh_member *m,
                         const char *accuser)
{
    const char *name = paglets__mesh_name(mesh, m);
    switch (m->state) {
    case PAGLETS__MESH_ALIVE:
        return json_pack("[s,s,s,o]", "a", name, paglets__mesh_url(mesh, m),
                         inc_json(m->incarnation));
    case PAGLETS__MESH_SUSPECT:
        return json_pack("[s,s,o,s]", "s", name, inc_json(m->incarnation),
                         accuser ? accuser : mesh->self_name);
    case PAGLETS__MESH_OFFLINE:
        return json_pack("[s,s,o]", (m->flags & PAGLETS__MESH_LEFT) ? "l" : "d",
                         name, inc_json(m->incarnation));
    default:
        return NULL;
    }
}

void paglets__mesh_broadcast_as(struct paglets__mesh *mesh,
                                struct paglets__mesh_member *m,
                                const char *accuser)
{
    uint32_t owner = m->bcast;
    enqueue(mesh, update_of(mesh, m, accuser), &owner, false);
    /* enqueue may have moved nothing in the table: m is still valid. */
    m->bcast = owner;
}

void paglets__mesh_broadcast(struct paglets__mesh *mesh,
                             struct paglets__mesh_member *m)
{
    paglets__mesh_broadcast_as(mesh, m, NULL);
}

void paglets__mesh_broadcast_self(struct paglets__mesh *mesh)
{
    json_t *u = json_pack("[s,s,s,o]", mesh->left ? "l" : "a", mesh->self_name,
                          mesh->self_url, inc_json(mesh->incarnation));
    if (mesh->left && u != NULL)
        json_array_remove(u, 2); /* ["l", name, inc] */
    enqueue(mesh, u, &mesh->self_bcast, true);
}

void paglets__mesh_bcast_clear(struct paglets__mesh *mesh)
{
    for (size_t i = 0; i < mesh->n_bcasts; i++)
        json_decref(mesh->bcasts[i].update);
    free(mesh->bcasts);
    free(mesh->free_bcasts);
    for (size_t t = 0; t < PAGLETS__MESH_BUCKETS; t++)
        free(mesh->buckets[t]);
}

/*
 * Pick updates for one message: the one about its recipient first (so a
 * suspect hears of it at once, Lifeguard's "buddy system"), then the
 * least-sent, up to the byte cap. Each picked update counts one transmit;
 * those sent often enough are dropped.
 */
json_t *paglets__mesh_piggyback(struct paglets__mesh *mesh, const char *to)
{
    uint32_t picked[PAGLETS__MESH_PIGGYBACK_MAX];
    size_t n = 0, bytes = 0;
    unsigned limit = paglets__mesh_retransmit_limit(mesh);
    if (to != NULL) {
        struct paglets__mesh_member *m = paglets__mesh_find(mesh, to);
        if (m != NULL && m->bcast != 0) {
            uint32_t slot = m->bcast - 1;
            if (mesh->bcasts[slot].transmits < limit) {
                picked[n++] = slot;
                bytes += mesh->bcasts[slot].bytes + 1;
            }
        }
    }
    for (unsigned t = 0;
         t < PAGLETS__MESH_BUCKETS && n < PAGLETS__MESH_PIGGYBACK_MAX; t++) {
        for (size_t k = mesh->bucket_len[t]; k-- > 0;) {
            if (k >= mesh->bucket_len[t])
                continue;
            uint32_t slot = mesh->buckets[t][k];
            struct paglets__mesh_bcast *b = &mesh->bcasts[slot];
            if (n > 0 && picked[0] == slot)
                continue;
            if (t >= limit || b->transmits == UINT16_MAX) {
                bucket_remove(mesh, t, slot);
                free_slot(mesh, slot);
                continue;
            }
            if (bytes + b->bytes + 1 > PAGLETS__MESH_PIGGYBACK_BYTES ||
                n == PAGLETS__MESH_PIGGYBACK_MAX)
                break;
            picked[n++] = slot;
            bytes += b->bytes + 1;
        }
        if (bytes + 64 > PAGLETS__MESH_PIGGYBACK_BYTES)
            break;
    }
    if (n == 0)
        return NULL;
    json_t *out = json_array();
    for (size_t i = 0; i < n && out != NULL; i++) {
        struct paglets__mesh_bcast *b = &mesh->bcasts[picked[i]];
        /* A copy: the reply leaves the mesh lock (a server thread dumps it)
         * while this thread may free the slot, and jansson's reference
         * counts do not order that free after the other thread's reads. */
        if (json_array_append_new(out, json_deep_copy(b->update)) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t slot = picked[i];
        struct paglets__mesh_bcast *b = &mesh->bcasts[slot];
        unsigned t = b->transmits;
        bucket_remove(mesh, t, slot);
        if (t + 1 >= limit || bucket_push(mesh, t + 1, slot) < 0)
            free_slot(mesh, slot);
    }
    return out;
}

/*
 * We heard again what we are spreading about m: count it as one more
 * transmission of ours (rumor mongering with feedback). Once most of the
 * mesh knows, updates stop circulating quickly instead of each node
 * sending each of them lambda*log(N) times: a join storm's tail is short.
 */
static void heard_again(struct paglets__mesh *mesh,
                        struct paglets__mesh_member *m)
{
    if (m->bcast == 0)
        return;
    uint32_t slot = m->bcast - 1;
    unsigned t = mesh->bcasts[slot].transmits;
    if (t >= PAGLETS__MESH_BUCKETS)
        return;
    bucket_remove(mesh, t, slot);
    if (t + 1 >= paglets__mesh_retransmit_limit(mesh) ||
        bucket_push(mesh, t + 1, slot) < 0)
        free_slot(mesh, slot);
}

/* ---- admission ---- */

/*
 * May source s introduce one more member now? At most K in any 60 s: the
 * oldest of its last K introductions must be a minute old. Takes the
 * slot when it may.
 */
static bool may_introduce(struct paglets__mesh_member *s, double mono)
{
    struct paglets__mesh_extra *x = paglets__mesh_extra(s);
    if (x == NULL)
        return false;
    double *oldest = &x->introduced[x->introduced_next];
    if (*oldest != 0 && mono - *oldest < 60)
        return false;
    *oldest = mono > 0 ? mono : 1e-9;
    x->introduced_next = (x->introduced_next + 1) % PAGLETS__MESH_UNKNOWN_K;
    return true;
}

/*
 * An unknown member we did not take from its source. With seeds we ask one
 * about it soon: a seed's answer to our own request is trusted, so a join
 * storm converges through the seeds while strangers' gossip cannot put
 * anyone in our table.
 */
static void drop_unknown(struct paglets__mesh *mesh, const char *name)
{
    mesh->stats.unknown_dropped++;
    if (mesh->n_seeds == 0)
        return;
    for (size_t i = 0; i < mesh->n_wanted; i++)
        if (strcmp(mesh->wanted[i], name) == 0)
            return;
    if (mesh->wanted == NULL)
        mesh->wanted = calloc(PAGLETS__MESH_MAX_WANTED, sizeof(*mesh->wanted));
    if (mesh->wanted == NULL || mesh->n_wanted == PAGLETS__MESH_MAX_WANTED) {
        mesh->want_overflow = true;
    } else {
        snprintf(mesh->wanted[mesh->n_wanted++], PAGLETS__MESH_NAME_MAX, "%s",
                 name);
    }
    paglets__mesh_wake_at(mesh, mesh->next_resync);
}

/*
 * A member we have never heard of, named by src: from a seed answering our
 * own sync it is alive at once (the seed verified it). Otherwise, while a
 * seed is reachable, we ask the seed about it instead. Without one it may
 * be one of the K this message and this source's budget allow, and then
 * it is pending until it answers a probe itself.
 */
static void admit_unknown(struct paglets__mesh *mesh, const char *name,
                          const char *url, uint64_t inc,
                          struct paglets__mesh_source *src, double mono)
{
    if (src->trusted) {
        struct paglets__mesh_member *m =
            paglets__mesh_add(mesh, name, url, PAGLETS__MESH_ALIVE, mono);
        if (m == NULL) {
            drop_unknown(mesh, name);
            return;
        }
        m->incarnation = inc;
        m->seen = mono;
        char shown[PAGLETS__MESH_SHOWN_MAX], seed[PAGLETS__MESH_SHOWN_MAX];
        paglets_log_debug(PAGLETS_LOG_CAT_MESH,
                          "mesh: '%s' at %s alive by the word of seed '%s'",
                          paglets__mesh_shown(shown, name), url,
                          paglets__mesh_shown(seed, src->name));
        /* News to us is news to pass on (a whole table at join is not). */
        if (!src->bootstrap)
            paglets__mesh_broadcast(mesh, m);
        return;
    }
    if (paglets__mesh_seed_reachable(mesh)) {
        drop_unknown(mesh, name);
        return;
    }
    struct paglets__mesh_member *s =
        src->name[0] ? paglets__mesh_find(mesh, src->name) : NULL;
    if (s == NULL || s->state != PAGLETS__MESH_ALIVE ||
        src->unknown_taken >= PAGLETS__MESH_UNKNOWN_K ||
        mesh->count[PAGLETS__MESH_PENDING] >= PAGLETS__MESH_MAX_PENDING ||
        !may_introduce(s, mono)) {
        drop_unknown(mesh, name);
        return;
    }
    src->unknown_taken++;
    /* s may move when the table makes room: do not use it below. */
    struct paglets__mesh_member *m =
        paglets__mesh_add(mesh, name, url, PAGLETS__MESH_PENDING, mono);
    if (m == NULL) {
        drop_unknown(mesh, name);
        return;
    }
    m->incarnation = inc;
    m->due = mono;
    paglets__mesh_wake_at(mesh, mono);
}

int paglets__mesh_introduce(struct paglets__mesh *mesh, const char *name,
                            const char *raw, uint64_t inc, double mono)
{
    char url[PAGLETS_URL_MAX];
    if (strcmp(name, mesh->self_name) == 0)
        return 0;
    if (paglets__url_normalize(raw, url, NULL) != 0)
        return -EINVAL;
    struct paglets__mesh_member *m = paglets__mesh_find(mesh, name);
    if (m == NULL) {
        m = paglets__mesh_add(mesh, name, url, PAGLETS__MESH_PENDING, mono);
        if (m == NULL)
            return -EAGAIN;
        m->incarnation = inc;
        m->due = mono;
        paglets__mesh_wake_at(mesh, mono);
        return 0;
    }
    bool same_url = strcmp(paglets__mesh_url(mesh, m), url) == 0;
    if (m->state == PAGLETS__MESH_ALIVE && same_url) {
        if (inc > m->incarnation) {
            m->incarnation = inc;
            paglets__mesh_broadcast(mesh, m);
        }
        return 0;
    }
    if (m->state == PAGLETS__MESH_PENDING && same_url) {
        if (inc > m->incarnation)
            m->incarnation = inc;
        return 0;
    }
    /*
     * A new address, or a member we hold suspect or offline: believe it
     * once it answers a probe there (its ack also refutes what we hold).
     */
    if (!same_url) {
        if (paglets__mesh_set_url(mesh, m, url) < 0)
            return -ENOMEM;
        if (m->state != PAGLETS__MESH_PENDING)
            paglets__mesh_set_state(mesh, m, PAGLETS__MESH_PENDING, mono);
        m->incarnation = inc;
    }
    m->tries = 0;
    m->due = mono;
    if (m->state == PAGLETS__MESH_OFFLINE)
        m->due = mono;
    paglets__mesh_wake_at(mesh, mono);
    return 0;
}

void paglets__mesh_refute(struct paglets__mesh *mesh, uint64_t inc)
{
    if (mesh->left)
        return;
    if (inc < mesh->incarnation)
        inc = mesh->incarnation;
    mesh->incarnation = inc + 1;
    mesh->stats.refutations++;
    paglets_log_debug(PAGLETS_LOG_CAT_MESH,
                      "mesh: refuting with incarnation %llu",
                      (unsigned long long)mesh->incarnation);
    paglets__mesh_broadcast_self(mesh);
}

void paglets__mesh_confirm_alive(struct paglets__mesh *mesh,
                                 struct paglets__mesh_member *m,
                                 const char *url, uint64_t inc, double mono)
{
    m->seen = mono;
    m->flags &= (uint8_t)~PAGLETS__MESH_PROBING;
    if (m->extra != NULL)
        m->extra->error[0] = '\0';
    bool newer = inc > m->incarnation;
    switch (m->state) {
    case PAGLETS__MESH_PENDING:
        /* Its own word, from its own address: now we list it. */
        m->incarnation = inc;
        if (url != NULL && paglets__mesh_set_url(mesh, m, url) < 0)
            return;
        paglets__mesh_set_state(mesh, m, PAGLETS__MESH_ALIVE, mono);
        paglets__mesh_broadcast(mesh, m);
        return;
    case PAGLETS__MESH_ALIVE:
        if (newer) {
            m->incarnation = inc;
            paglets__mesh_broadcast(mesh, m);
        }
        return;
    default:
        /* Suspect or offline: only a refutation (newer) brings it back. */
        if (!newer)
            return;
        m->incarnation = inc;
        paglets__mesh_set_state(mesh, m, PAGLETS__MESH_ALIVE, mono);
        paglets__mesh_broadcast(mesh, m);
        return;
    }
}

/* ---- the SWIM rules ---- */

static void on_alive(struct paglets__mesh *mesh, const char *name,
                     const char *raw, uint64_t inc,
                     struct paglets__mesh_source *src, double mono)
{
    char url[PAGLETS_URL_MAX];
    snprintf(url, sizeof(url), "%s", raw);
    if (strcmp(name, mesh->self_name) == 0) {
        /* Someone holds us at a later life than ours: outrank it. */
        if (inc > mesh->incarnation)
            paglets__mesh_refute(mesh, inc);
        return;
    }
    struct paglets__mesh_member *m = paglets__mesh_find(mesh, name);
    if (m == NULL) {
        admit_unknown(mesh, name, url, inc, src, mono);
        return;
    }
    bool same_url = strcmp(paglets__mesh_url(mesh, m), url) == 0;
    if (!same_url) {
        /* Rare: another address, or this one spelt differently. */
        if (paglets__url_normalize(url, url, NULL) != 0)
            return;
        same_url = strcmp(paglets__mesh_url(mesh, m), url) == 0;
    }
    if (m->state == PAGLETS__MESH_PENDING) {
        if (inc >= m->incarnation && src->trusted && same_url) {
            paglets__mesh_confirm_alive(mesh, m, NULL, inc, mono);
        } else if (inc > m->incarnation) {
            m->incarnation = inc;
            if (!same_url && paglets__mesh_set_url(mesh, m, url) == 0)
                m->tries = 0;
        }
        return;
    }
    if (inc <= m->incarnation) {
        if (inc == m->incarnation && m->state == PAGLETS__MESH_ALIVE)
            heard_again(mesh, m);
        return;
    }
    if (!same_url && !src->trusted) {
        /* A new address is believed once it answers there. */
        if (paglets__mesh_set_url(mesh, m, url) < 0)
            return;
        m->incarnation = inc;
        paglets__mesh_set_state(mesh, m, PAGLETS__MESH_PENDING, mono);
        m->due = mono;
        m->tries = 0;
        paglets__mesh_wake_at(mesh, mono);
        return;
    }
    if (!same_url && paglets__mesh_set_url(mesh, m, url) < 0)
        return;
    m->incarnation = inc;
    m->seen = mono;
    paglets__mesh_set_state(mesh, m, PAGLETS__MESH_ALIVE, mono);
    paglets__mesh_broadcast(mesh, m);
}

static void on_suspect(struct paglets__mesh *mesh, const char *name,
                       uint64_t inc, const char *accuser, double mono)
{
    if (strcmp(name, mesh->self_name) == 0) {
        if (inc >= mesh->incarnation && !mesh->left) {
            paglets__mesh_refute(mesh, inc);
            paglets__mesh_health(mesh, +1);
        }
        return;
    }
    struct paglets__mesh_member *m = paglets__mesh_find(mesh, name);
    if (m == NULL || m->state == PAGLETS__MESH_PENDING || inc < m->incarnation)
        return;
    if (m->state == PAGLETS__MESH_OFFLINE && inc == m->incarnation)
        return;
    if (paglets__mesh_suspect(mesh, m, inc, accuser, mono) > 0)
        paglets__mesh_broadcast_as(mesh, m, accuser);
    else if (m->state == PAGLETS__MESH_SUSPECT && inc == m->incarnation)
        heard_again(mesh, m);
}

static void on_dead(struct paglets__mesh *mesh, const char *name, uint64_t inc,
                    bool left, double mono)
{
    if (strcmp(name, mesh->self_name) == 0) {
        if (inc >= mesh->incarnation && !mesh->left)
            paglets__mesh_refute(mesh, inc);
        return;
    }
    struct paglets__mesh_member *m = paglets__mesh_find(mesh, name);
    if (m == NULL || m->state == PAGLETS__MESH_PENDING || inc < m->incarnation)
        return;
    if (m->state == PAGLETS__MESH_OFFLINE && inc == m->incarnation) {
        heard_again(mesh, m);
        return;
    }
    m->incarnation = inc;
    if (left)
        m->flags |= PAGLETS__MESH_LEFT;
    paglets__mesh_set_state(mesh, m, PAGLETS__MESH_OFFLINE, mono);
    if (left)
        m->flags |= PAGLETS__MESH_LEFT;
    paglets__mesh_broadcast(mesh, m);
}

static int read_inc(const json_t *v, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -EINVAL;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static void apply_update(struct paglets__mesh *mesh, const json_t *u,
                         struct paglets__mesh_source *src, double mono)
{
    const char *type = json_string_value(json_array_get(u, 0));
    if (type == NULL || type[0] == '\0' || type[1] != '\0')
        return;
    if (type[0] == 'a') {
        struct paglets__mesh_entry e;
        if (json_array_size(u) == 4 && paglets__mesh_entry_parse(u, 1, &e) == 0)
            on_alive(mesh, e.name, e.url, e.incarnation, src, mono);
        return;
    }
    const char *name = json_string_value(json_array_get(u, 1));
    uint64_t inc;
    if (name == NULL || strlen(name) >= PAGLETS__MESH_NAME_MAX ||
        read_inc(json_array_get(u, 2), &inc) < 0)
        return;
    if (type[0] == 's') {
        const char *accuser = json_string_value(json_array_get(u, 3));
        if (accuser == NULL || strlen(accuser) >= PAGLETS__MESH_NAME_MAX)
            return;
        on_suspect(mesh, name, inc, accuser, mono);
    } else if (type[0] == 'd' || type[0] == 'l') {
        on_dead(mesh, name, inc, type[0] == 'l', mono);
    }
}

void paglets__mesh_apply_updates(struct paglets__mesh *mesh,
                                 const json_t *updates,
                                 struct paglets__mesh_source *src, double mono)
{
    if (!json_is_array(updates))
        return;
    size_t n = json_array_size(updates);
    if (n > PAGLETS__MESH_PIGGYBACK_MAX)
        n = PAGLETS__MESH_PIGGYBACK_MAX;
    for (size_t i = 0; i < n; i++)
        apply_update(mesh, json_array_get(updates, i), src, mono);
}

/* Store what an entry says of m's tags, properties and counts. */
static void take_meta(struct paglets__mesh_member *m,
                      const struct paglets__mesh_entry *e)
{
    if (e->meta == NULL)
        return;
    if (m->extra != NULL && m->extra->meta_hash == e->meta_hash)
        return;
    struct paglets__mesh_extra *x = paglets__mesh_extra(m);
    if (x == NULL)
        return;
    const json_t *tags = json_object_get(e->meta, "tags");
    const json_t *props = json_object_get(e->meta, "properties");
    const json_t *active = json_object_get(e->meta, "active_count");
    const json_t *inactive = json_object_get(e->meta, "inactive_count");
    json_decref(x->tags);
    json_decref(x->properties);
    x->tags = tags ? json_deep_copy(tags) : NULL;
    x->properties = props ? json_deep_copy(props) : NULL;
    x->active_count = json_is_integer(active) && json_integer_value(active) >= 0
                          ? json_integer_value(active)
                          : 0;
    x->inactive_count =
        json_is_integer(inactive) && json_integer_value(inactive) >= 0
            ? json_integer_value(inactive)
            : 0;
    x->meta_hash = e->meta_hash;
    x->meta_bytes = (uint32_t)((tags ? json_dumpb(tags, NULL, 0, 0) : 0) +
                               (props ? json_dumpb(props, NULL, 0, 0) : 0));
}

void paglets__mesh_apply_entry(struct paglets__mesh *mesh,
                               const struct paglets__mesh_entry *e,
                               struct paglets__mesh_source *src, double mono)
{
    bool self = strcmp(e->name, mesh->self_name) == 0;
    if (self && e->state != PAGLETS__MESH_ALIVE) {
        if (e->incarnation >= mesh->incarnation && !mesh->left)
            paglets__mesh_refute(mesh, e->incarnation);
        return;
    }
    switch (e->state) {
    case PAGLETS__MESH_ALIVE:
        on_alive(mesh, e->name, e->url, e->incarnation, src, mono);
        break;
    case PAGLETS__MESH_SUSPECT:
        on_suspect(mesh, e->name, e->incarnation,
                   src->name[0] ? src->name : "?", mono);
        break;
    case PAGLETS__MESH_OFFLINE:
        on_dead(mesh, e->name, e->incarnation, e->left, mono);
        break;
    default:
        break;
    }
    if (!self && e->meta != NULL) {
        struct paglets__mesh_member *m = paglets__mesh_find(mesh, e->name);
        if (m != NULL)
            take_meta(m, e);
    }
}
