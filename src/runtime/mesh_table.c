/*
 * The member table: a dense array in probe order, an open-addressing index
 * by name, and one string arena for names and URLs, so that a member costs
 * under 100 bytes (the simulation holds 10,000 tables of 10,000). Also the
 * state changes and their rate-limited log lines. Every function here runs
 * with the mesh lock held.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/mesh_int.h"
#include "util/log.h"
#include "wire/url.h"

/*
 * State-change lines per window; the rest are counted and summed up in one
 * line when the window closes, so a mesh in trouble cannot flood the log.
 */
#define LOG_WINDOW_S 10.0
#define LOG_LINES_PER_WINDOW 20

static size_t slot_of(const struct paglets__mesh *mesh, const char *name)
{
    return (size_t)paglets__mesh_hash(name) & mesh->index_mask;
}

struct paglets__mesh_member *paglets__mesh_find(struct paglets__mesh *mesh,
                                                const char *name)
{
    if (mesh->index == NULL)
        return NULL;
    for (size_t s = slot_of(mesh, name);; s = (s + 1) & mesh->index_mask) {
        uint32_t v = mesh->index[s];
        if (v == 0)
            return NULL;
        struct paglets__mesh_member *m = &mesh->members[v - 1];
        if (strcmp(paglets__mesh_name(mesh, m), name) == 0)
            return m;
    }
}

static void index_put(struct paglets__mesh *mesh, size_t i)
{
    const char *name = paglets__mesh_name(mesh, &mesh->members[i]);
    size_t s = slot_of(mesh, name);
    while (mesh->index[s] != 0)
        s = (s + 1) & mesh->index_mask;
    mesh->index[s] = (uint32_t)(i + 1);
}

static int index_rebuild(struct paglets__mesh *mesh, size_t slots)
{
    uint32_t *index = calloc(slots, sizeof(*index));
    if (index == NULL)
        return -ENOMEM;
    free(mesh->index);
    mesh->index = index;
    mesh->index_mask = slots - 1;
    for (size_t i = 0; i < mesh->n_members; i++)
        index_put(mesh, i);
    return 0;
}

/* The slot holding member index i (it must be there). */
static size_t index_slot(const struct paglets__mesh *mesh, size_t i)
{
    const char *name = paglets__mesh_name(mesh, &mesh->members[i]);
    size_t s = slot_of(mesh, name);
    while (mesh->index[s] != i + 1)
        s = (s + 1) & mesh->index_mask;
    return s;
}

/* Linear probing delete: shift later entries of the run back. */
static void index_delete(struct paglets__mesh *mesh, size_t s)
{
    size_t mask = mesh->index_mask;
    mesh->index[s] = 0;
    for (size_t j = (s + 1) & mask; mesh->index[j] != 0; j = (j + 1) & mask) {
        uint32_t v = mesh->index[j];
        size_t home =
            slot_of(mesh, paglets__mesh_name(mesh, &mesh->members[v - 1]));
        /* Move v back to s when s lies cyclically in [home, j). */
        if (((j - home) & mask) >= ((j - s) & mask)) {
            mesh->index[s] = v;
            mesh->index[j] = 0;
            s = j;
        }
    }
}

/* Compact the arena once half of it is garbage (rewrites offsets). */
static int arena_compact(struct paglets__mesh *mesh)
{
    size_t need = mesh->arena_len - mesh->arena_garbage;
    size_t cap = need < 256 ? 256 : need * 2;
    char *fresh = malloc(cap);
    if (fresh == NULL)
        return -ENOMEM;
    size_t len = 0;
    for (size_t i = 0; i < mesh->n_members; i++) {
        struct paglets__mesh_member *m = &mesh->members[i];
        uint32_t *fields[2] = {&m->name, &m->url};
        for (size_t f = 0; f < 2; f++) {
            const char *text = mesh->arena + *fields[f];
            size_t n = strlen(text) + 1;
            memcpy(fresh + len, text, n);
            *fields[f] = (uint32_t)len;
            len += n;
        }
    }
    free(mesh->arena);
    mesh->arena = fresh;
    mesh->arena_len = len;
    mesh->arena_cap = cap;
    mesh->arena_garbage = 0;
    return 0;
}

/*
 * Compact when half the arena is garbage. Called before storing strings,
 * never between two stores whose offsets are not yet in a member.
 */
static void arena_tidy(struct paglets__mesh *mesh)
{
    if (mesh->arena_garbage > mesh->arena_len / 2 && mesh->arena_len > 4096)
        arena_compact(mesh); /* on ENOMEM the arena just stays larger */
}

/* Store text in the arena; its offset, or -ENOMEM. */
static int64_t arena_put(struct paglets__mesh *mesh, const char *text)
{
    size_t n = strlen(text) + 1;
    if (mesh->arena_len + n > mesh->arena_cap) {
        size_t cap = mesh->arena_cap ? mesh->arena_cap * 2 : 1024;
        while (cap < mesh->arena_len + n)
            cap *= 2;
        if (cap > UINT32_MAX)
            return -ENOMEM;
        char *grown = realloc(mesh->arena, cap);
        if (grown == NULL)
            return -ENOMEM;
        mesh->arena = grown;
        mesh->arena_cap = cap;
    }
    memcpy(mesh->arena + mesh->arena_len, text, n);
    mesh->arena_len += n;
    return (int64_t)(mesh->arena_len - n);
}

int paglets__mesh_set_url(struct paglets__mesh *mesh,
                          struct paglets__mesh_member *m, const char *raw)
{
    if (strcmp(paglets__mesh_url(mesh, m), raw) == 0)
        return 0;
    char url[PAGLETS_URL_MAX];
    if (paglets__url_normalize(raw, url, NULL) != 0)
        return -EINVAL;
    if (strcmp(paglets__mesh_url(mesh, m), url) == 0)
        return 0;
    arena_tidy(mesh);
    int64_t off = arena_put(mesh, url);
    if (off < 0)
        return (int)off;
    mesh->arena_garbage += strlen(paglets__mesh_url(mesh, m)) + 1;
    m->url = (uint32_t)off;
    m->seq = ++mesh->seq;
    return 0;
}

static void free_extra(struct paglets__mesh_member *m)
{
    if (m->extra == NULL)
        return;
    json_decref(m->extra->tags);
    json_decref(m->extra->properties);
    free(m->extra);
    m->extra = NULL;
}

struct paglets__mesh_extra *paglets__mesh_extra(struct paglets__mesh_member *m)
{
    if (m->extra == NULL)
        m->extra = calloc(1, sizeof(*m->extra));
    return m->extra;
}

void paglets__mesh_note_error(struct paglets__mesh_member *m, const char *what,
                              int rc)
{
    struct paglets__mesh_extra *x = paglets__mesh_extra(m);
    if (x != NULL)
        snprintf(x->error, sizeof(x->error), "%s: %s", what,
                 paglets_strerror(rc));
}

/* Pick a member to drop for a newcomer: pending, offline, then suspect. */
static ssize_t pick_victim(struct paglets__mesh *mesh)
{
    static const int order[] = {PAGLETS__MESH_PENDING, PAGLETS__MESH_OFFLINE,
                                PAGLETS__MESH_SUSPECT};
    for (size_t k = 0; k < 3; k++) {
        if (mesh->count[order[k]] == 0)
            continue;
        ssize_t best = -1;
        for (size_t i = 0; i < mesh->n_members; i++) {
            const struct paglets__mesh_member *m = &mesh->members[i];
            if (m->state == order[k] &&
                (best < 0 || m->changed < mesh->members[best].changed))
                best = (ssize_t)i;
        }
        return best;
    }
    return -1;
}

static int grow(struct paglets__mesh *mesh)
{
    if (mesh->n_members < mesh->cap_members)
        return 0;
    size_t cap = mesh->cap_members ? 2 * mesh->cap_members : 16;
    struct paglets__mesh_member *grown =
        realloc(mesh->members, cap * sizeof(*grown));
    if (grown == NULL)
        return -ENOMEM;
    mesh->members = grown;
    mesh->cap_members = cap;
    /* The index stays at most half full. */
    size_t slots = mesh->index_mask + 1;
    if (mesh->index == NULL || slots < 2 * cap) {
        size_t want = 32;
        while (want < 2 * cap)
            want *= 2;
        return index_rebuild(mesh, want);
    }
    return 0;
}

struct paglets__mesh_member *paglets__mesh_add(struct paglets__mesh *mesh,
                                               const char *name,
                                               const char *raw, int state,
                                               double mono)
{
    char url[PAGLETS_URL_MAX];
    if (paglets__url_normalize(raw, url, NULL) != 0)
        return NULL;
    if (mesh->n_members >= mesh->max_members) {
        ssize_t victim = pick_victim(mesh);
        if (victim < 0)
            return NULL;
        char gone[PAGLETS__MESH_SHOWN_MAX], shown[PAGLETS__MESH_SHOWN_MAX];
        paglets_log_debug(
            PAGLETS_LOG_CAT_MESH, "mesh: table full, dropping '%s' for '%s'",
            paglets__mesh_shown(
                gone, paglets__mesh_name(mesh, &mesh->members[victim])),
            paglets__mesh_shown(shown, name));
        mesh->stats.evictions++;
        paglets__mesh_remove(mesh, (size_t)victim);
    }
    if (grow(mesh) < 0)
        return NULL;
    arena_tidy(mesh);
    int64_t name_off = arena_put(mesh, name);
    int64_t url_off = name_off < 0 ? name_off : arena_put(mesh, url);
    if (url_off < 0)
        return NULL;
    size_t i = mesh->n_members++;
    struct paglets__mesh_member *m = &mesh->members[i];
    memset(m, 0, sizeof(*m));
    m->name = (uint32_t)name_off;
    m->url = (uint32_t)url_off;
    m->state = (uint8_t)state;
    m->seq = ++mesh->seq;
    m->changed = mono;
    mesh->count[state]++;
    index_put(mesh, i);
    /*
     * Into the rest of this probe cycle at a random place, so a newcomer
     * is probed within one cycle and not always last.
     */
    if (i > mesh->probe_next) {
        size_t j = mesh->probe_next +
                   paglets__mesh_random_below(mesh, i - mesh->probe_next + 1);
        paglets__mesh_swap(mesh, i, j);
        return &mesh->members[j];
    }
    return m;
}

void paglets__mesh_swap(struct paglets__mesh *mesh, size_t i, size_t j)
{
    if (i == j)
        return;
    size_t si = index_slot(mesh, i), sj = index_slot(mesh, j);
    struct paglets__mesh_member tmp = mesh->members[i];
    mesh->members[i] = mesh->members[j];
    mesh->members[j] = tmp;
    mesh->index[si] = (uint32_t)(j + 1);
    mesh->index[sj] = (uint32_t)(i + 1);
}

static void drop_bcast(struct paglets__mesh *mesh,
                       struct paglets__mesh_member *m);

void paglets__mesh_remove(struct paglets__mesh *mesh, size_t i)
{
    struct paglets__mesh_member *m = &mesh->members[i];
    if (m->state == PAGLETS__MESH_SUSPECT)
        paglets__mesh_unsuspect(mesh, m);
    drop_bcast(mesh, m);
    mesh->count[m->state]--;
    mesh->arena_garbage += strlen(paglets__mesh_name(mesh, m)) + 1 +
                           strlen(paglets__mesh_url(mesh, m)) + 1;
    free_extra(m);
    index_delete(mesh, index_slot(mesh, i));
    size_t last = --mesh->n_members;
    if (i != last) {
        size_t s = index_slot(mesh, last);
        mesh->members[i] = mesh->members[last];
        mesh->index[s] = (uint32_t)(i + 1);
    }
    if (mesh->probe_next > mesh->n_members)
        mesh->probe_next = mesh->n_members;
}

/* The queued update of a member goes with it (it names it). */
static void drop_bcast(struct paglets__mesh *mesh,
                       struct paglets__mesh_member *m)
{
    if (m->bcast == 0)
        return;
    struct paglets__mesh_bcast *b = &mesh->bcasts[m->bcast - 1];
    /* Expire it: the next piggyback pass frees it. */
    b->transmits = UINT16_MAX;
    m->bcast = 0;
}

void paglets__mesh_shuffle(struct paglets__mesh *mesh)
{
    for (size_t i = mesh->n_members; i > 1; i--) {
        size_t j = paglets__mesh_random_below(mesh, i);
        struct paglets__mesh_member tmp = mesh->members[i - 1];
        mesh->members[i - 1] = mesh->members[j];
        mesh->members[j] = tmp;
    }
    if (mesh->index != NULL) {
        memset(mesh->index, 0, (mesh->index_mask + 1) * sizeof(*mesh->index));
        for (size_t i = 0; i < mesh->n_members; i++)
            index_put(mesh, i);
    }
}

size_t paglets__mesh_random_below(struct paglets__mesh *mesh, size_t n)
{
    return n ? (size_t)(mesh->ops->random(mesh->ops_arg) % n) : 0;
}

size_t paglets__mesh_live_count(const struct paglets__mesh *mesh)
{
    return mesh->count[PAGLETS__MESH_ALIVE] +
           mesh->count[PAGLETS__MESH_SUSPECT];
}

static const char *const verbs[] = {"is pending", "is alive", "is suspect",
                                    "went offline"};

void paglets__mesh_log_flush(struct paglets__mesh *mesh, double mono,
                             bool force)
{
    if (!force && mono - mesh->log_window_start < LOG_WINDOW_S)
        return;
    unsigned *s = mesh->log_suppressed;
    unsigned total = s[1] + s[2] + s[3];
    if (total > 0)
        paglets_log_info("mesh: %u more state changes in the last %.0f s "
                         "(%u alive, %u suspect, %u offline)",
                         total, mono - mesh->log_window_start, s[1], s[2],
                         s[3]);
    memset(mesh->log_suppressed, 0, sizeof(mesh->log_suppressed));
    mesh->log_lines = 0;
    mesh->log_window_start = mono;
}

static void log_change(struct paglets__mesh *mesh,
                       const struct paglets__mesh_member *m, int state,
                       double mono)
{
    if (state == PAGLETS__MESH_PENDING)
        return;
    paglets__mesh_log_flush(mesh, mono, false);
    if (mesh->log_lines >= LOG_LINES_PER_WINDOW) {
        mesh->log_suppressed[state]++;
        return;
    }
    mesh->log_lines++;
    const char *why =
        state == PAGLETS__MESH_OFFLINE && (m->flags & PAGLETS__MESH_LEFT)
            ? " (it left)"
            : "";
    char shown[PAGLETS__MESH_SHOWN_MAX];
    paglets_log_info("host '%s' at %s %s%s",
                     paglets__mesh_shown(shown, paglets__mesh_name(mesh, m)),
                     paglets__mesh_url(mesh, m), verbs[state], why);
}

void paglets__mesh_set_state(struct paglets__mesh *mesh,
                             struct paglets__mesh_member *m, int state,
                             double mono)
{
    if (m->state == state)
        return;
    if (m->state == PAGLETS__MESH_SUSPECT)
        paglets__mesh_unsuspect(mesh, m);
    mesh->count[m->state]--;
    mesh->count[state]++;
    log_change(mesh, m, state, mono);
    m->state = (uint8_t)state;
    m->seq = ++mesh->seq;
    m->changed = mono;
    if (state != PAGLETS__MESH_OFFLINE)
        m->flags &= (uint8_t)~PAGLETS__MESH_LEFT;
    if (state == PAGLETS__MESH_ALIVE)
        m->seen = mono;
    if (state == PAGLETS__MESH_OFFLINE) {
        m->tries = 0;
        m->due = mono + mesh->interval_s;
    }
}

const char *paglets__mesh_shown(char buf[PAGLETS__MESH_SHOWN_MAX],
                                const char *text)
{
    paglets_escape(buf, PAGLETS__MESH_SHOWN_MAX, text, strlen(text));
    return buf;
}

void paglets__mesh_refuse(struct paglets__mesh *mesh, const char *name,
                          const char *url, const char *version)
{
    char key[PAGLETS__MESH_NAME_MAX + PAGLETS_URL_MAX];
    snprintf(key, sizeof(key), "%s %s", name, url);
    for (size_t i = 0; i < mesh->n_refused; i++) {
        if (strcmp(mesh->refused[i], key) == 0)
            return;
    }
    if (mesh->n_refused == PAGLETS__MESH_MAX_REFUSED)
        return;
    snprintf(mesh->refused[mesh->n_refused++], sizeof(key), "%s", key);
    char shown_name[PAGLETS__MESH_SHOWN_MAX];
    char shown_version[PAGLETS__MESH_SHOWN_MAX];
    paglets_log_warn("refusing host '%s' at %s: mesh version '%s' is not "
                     "ours ('%s')",
                     paglets__mesh_shown(shown_name, name), url,
                     paglets__mesh_shown(shown_version, version),
                     mesh->version);
}

/*
 * Members offline this long are forgotten. Kept well past the suspicion
 * so GET /hosts shows a dead host as offline for a while, which is what
 * operators look for after a crash.
 */
static double purge_after_s(const struct paglets__mesh *mesh)
{
    double s = 30 * mesh->offline_after_seconds;
    return s < 60 ? 60 : s;
}

void paglets__mesh_purge(struct paglets__mesh *mesh, double mono)
{
    if (mono < mesh->next_purge)
        return;
    double after = purge_after_s(mesh);
    mesh->next_purge = mono + after / 4;
    if (mesh->count[PAGLETS__MESH_OFFLINE] == 0)
        return;
    for (size_t i = mesh->n_members; i-- > 0;) {
        const struct paglets__mesh_member *m = &mesh->members[i];
        if (m->state == PAGLETS__MESH_OFFLINE && mono - m->changed > after)
            paglets__mesh_remove(mesh, i);
    }
}

void paglets__mesh_wake_at(struct paglets__mesh *mesh, double t)
{
    if (t < mesh->next_wake) {
        mesh->next_wake = t;
        pthread_cond_signal(&mesh->wake);
    }
}
