/*
 * Gossip rounds and POST /hosts/join: each round bumps our heartbeat and
 * swaps membership lists (push-pull) with a few random online members, one
 * offline member due for a probe and the seeds we have not reached yet.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/mesh_int.h"
#include "util/log.h"

/* Backoff caps, in rounds, for seeds and offline members that do not answer. */
#define SEED_BACKOFF_ROUNDS 4
#define PROBE_BACKOFF_ROUNDS 16
/* Saying goodbye must not hold up the host's shutdown. */
#define LEAVE_TIMEOUT_S 0.25

enum target_kind { TARGET_MEMBER, TARGET_SEED };

struct target {
    enum target_kind kind;
    size_t seed;                       /* index, for TARGET_SEED */
    char name[PAGLETS__MESH_NAME_MAX]; /* for TARGET_MEMBER */
    char url[PAGLETS_URL_MAX];
};

static void own_counts(struct paglets__mesh *mesh, size_t *active,
                       size_t *inactive)
{
    *active = 0;
    *inactive = 0;
    /* Called without the mesh lock: the host may take its own locks. */
    if (mesh->self_counts != NULL)
        mesh->self_counts(mesh->self_counts_arg, active, inactive);
}

static double exchange_timeout_s(const struct paglets__mesh *mesh)
{
    double t = mesh->interval_s;
    return t < 0.5 ? 0.5 : t > 2 ? 2 : t;
}

static double grow_backoff(double backoff, double interval, size_t rounds)
{
    double next = backoff < interval ? interval : 2 * backoff;
    double cap = interval * (double)rounds;
    return next > cap ? cap : next;
}

/* The request body: our HostRef plus every member we know. */
static json_t *build_request(struct paglets__mesh *mesh, size_t active,
                             size_t inactive, double mono, double wall)
{
    json_t *req = paglets__mesh_self_json(mesh, active, inactive, wall);
    json_t *members = json_array();
    if (req == NULL || members == NULL ||
        json_object_set_new(req, "members", members) != 0) {
        json_decref(req);
        return NULL;
    }
    for (size_t i = 0; i < mesh->n_members; i++) {
        if (json_array_append_new(
                members, paglets__mesh_member_json(&mesh->members[i], mono,
                                                   wall, false)) != 0) {
            json_decref(req);
            return NULL;
        }
    }
    return req;
}

static void add_member_target(struct target *t, size_t *n,
                              const struct paglets__mesh_member *m)
{
    t[*n].kind = TARGET_MEMBER;
    snprintf(t[*n].name, sizeof(t[*n].name), "%s", m->name);
    snprintf(t[*n].url, sizeof(t[*n].url), "%s", m->url);
    (*n)++;
}

static size_t random_below(struct paglets__mesh *mesh, size_t n)
{
    return (size_t)(mesh->ops->random(mesh->ops_arg) % n);
}

/*
 * Up to FANOUT distinct online members at random (a partial Fisher-Yates
 * shuffle of their indices), then, if probe, one offline member due for a
 * probe.
 */
static size_t pick_members(struct paglets__mesh *mesh, struct target *t,
                           double mono, bool probe)
{
    uint16_t online[PAGLETS__MESH_MAX_MEMBERS];
    uint16_t offline[PAGLETS__MESH_MAX_MEMBERS];
    size_t n_on = 0, n_off = 0, n = 0;
    for (size_t i = 0; i < mesh->n_members; i++) {
        const struct paglets__mesh_member *m = &mesh->members[i];
        if (m->online)
            online[n_on++] = (uint16_t)i;
        else if (m->next_probe_mono <= mono)
            offline[n_off++] = (uint16_t)i;
    }
    for (size_t k = 0; k < PAGLETS__MESH_FANOUT && k < n_on; k++) {
        size_t j = k + random_below(mesh, n_on - k);
        uint16_t tmp = online[k];
        online[k] = online[j];
        online[j] = tmp;
        add_member_target(t, &n, &mesh->members[online[k]]);
    }
    if (probe && n_off > 0) {
        size_t j = offline[random_below(mesh, n_off)];
        add_member_target(t, &n, &mesh->members[j]);
    }
    return n;
}

static bool seed_is_known(struct paglets__mesh *mesh,
                          const struct paglets__mesh_seed *seed)
{
    if (seed->name[0] != '\0') {
        const struct paglets__mesh_member *m =
            paglets__mesh_find(mesh, seed->name);
        if (m != NULL && m->online)
            return true;
    }
    for (size_t i = 0; i < mesh->n_members; i++) {
        if (mesh->members[i].online &&
            strcmp(mesh->members[i].url, seed->url) == 0)
            return true;
    }
    return false;
}

/* Seeds neither online as members nor backing off; skips picked URLs. */
static size_t pick_seeds(struct paglets__mesh *mesh, struct target *t, size_t n,
                         double mono)
{
    for (size_t s = 0; s < mesh->n_seeds; s++) {
        struct paglets__mesh_seed *seed = &mesh->seeds[s];
        if (seed->next_try_mono > mono || seed_is_known(mesh, seed))
            continue;
        bool dup = false;
        for (size_t i = 0; i < n && !dup; i++)
            dup = strcmp(t[i].url, seed->url) == 0;
        if (dup)
            continue;
        t[n].kind = TARGET_SEED;
        t[n].seed = s;
        snprintf(t[n].url, sizeof(t[n].url), "%s", seed->url);
        n++;
    }
    return n;
}

static void note_failure(struct paglets__mesh *mesh, const struct target *t,
                         const struct paglets_err *err, double mono)
{
    mesh->stats.exchanges_failed++;
    if (t->kind == TARGET_SEED) {
        struct paglets__mesh_seed *seed = &mesh->seeds[t->seed];
        if (seed->backoff_s == 0)
            paglets_log_info("cannot join seed %s: %s", seed->url,
                             err->message);
        seed->backoff_s = grow_backoff(seed->backoff_s, mesh->interval_s,
                                       SEED_BACKOFF_ROUNDS);
        seed->next_try_mono = mono + seed->backoff_s;
        return;
    }
    struct paglets__mesh_member *m = paglets__mesh_find(mesh, t->name);
    if (m == NULL)
        return;
    snprintf(m->error, sizeof(m->error), "%s", err->message);
    if (!m->online) {
        m->probe_backoff_s = grow_backoff(m->probe_backoff_s, mesh->interval_s,
                                          PROBE_BACKOFF_ROUNDS);
        m->next_probe_mono = mono + m->probe_backoff_s;
    }
}

static void note_reply(struct paglets__mesh *mesh, const struct target *t,
                       const json_t *reply, double mono)
{
    char name[PAGLETS__MESH_NAME_MAX];
    const json_t *hosts = json_object_get(reply, "hosts");
    if (paglets__mesh_merge_list(mesh, hosts, t->url, name, mono) < 0) {
        struct paglets_err err = {0};
        paglets_err_set(&err, -EPROTO, "reply from %s has no host list",
                        t->url);
        note_failure(mesh, t, &err, mono);
        return;
    }
    if (t->kind != TARGET_SEED)
        return;
    struct paglets__mesh_seed *seed = &mesh->seeds[t->seed];
    if (name[0] != '\0') {
        snprintf(seed->name, sizeof(seed->name), "%s", name);
        seed->backoff_s = 0;
        return;
    }
    /* It answered but is not of our mesh: ask again only now and then. */
    seed->backoff_s =
        grow_backoff(seed->backoff_s, mesh->interval_s, SEED_BACKOFF_ROUNDS);
    seed->next_try_mono = mono + seed->backoff_s;
}

static void exchange_with(struct paglets__mesh *mesh, const struct target *t,
                          const json_t *request, size_t bytes)
{
    json_t *reply = NULL;
    struct paglets_err err = {0};
    int rc = mesh->ops->exchange(mesh->ops_arg, t->url, request,
                                 exchange_timeout_s(mesh), &reply, &err);
    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    mesh->stats.exchanges_sent++;
    mesh->stats.bytes_sent += bytes;
    if (rc < 0) {
        paglets_log_debug(PAGLETS_LOG_CAT_MESH, "mesh: exchange with %s: %s",
                          t->url, err.message);
        note_failure(mesh, t, &err, mono);
    } else {
        note_reply(mesh, t, reply, mono);
    }
    pthread_mutex_unlock(&mesh->lock);
    json_decref(reply);
}

int paglets__mesh_round(struct paglets__mesh *mesh)
{
    size_t active, inactive;
    own_counts(mesh, &active, &inactive);
    size_t max_targets = PAGLETS__MESH_FANOUT + 1 + mesh->n_seeds;
    struct target *targets = calloc(max_targets, sizeof(*targets));
    if (targets == NULL)
        return -ENOMEM;

    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    double wall = mesh->ops->wall_now(mesh->ops_arg);
    mesh->heartbeat++;
    mesh->stats.rounds++;
    paglets__mesh_expire(mesh, mono);
    json_t *request = build_request(mesh, active, inactive, mono, wall);
    size_t n = pick_members(mesh, targets, mono, true);
    n = pick_seeds(mesh, targets, n, mono);
    pthread_mutex_unlock(&mesh->lock);

    if (request == NULL) {
        free(targets);
        return -ENOMEM;
    }
    /* Network I/O happens without the lock: joins keep being answered. */
    size_t bytes = json_dumpb(request, NULL, 0, JSON_COMPACT);
    for (size_t i = 0; i < n; i++)
        exchange_with(mesh, &targets[i], request, bytes);
    paglets_log_debug(PAGLETS_LOG_CAT_MESH,
                      "mesh: round %llu sent %zu exchanges",
                      (unsigned long long)mesh->heartbeat, n);
    json_decref(request);
    free(targets);
    return (int)n;
}

int paglets__mesh_handle_join(struct paglets__mesh *mesh, const json_t *body,
                              json_t **reply, struct paglets_err *err)
{
    struct paglets__mesh_ref ref;
    struct paglets_err why = {0};
    *reply = NULL;
    if (paglets__mesh_ref_parse(body, &ref, &why) < 0)
        return paglets_err_set(err, -EINVAL, "invalid host: %s", why.message);
    const json_t *members = json_object_get(body, "members");
    if (members != NULL && !json_is_array(members))
        return paglets_err_set(err, -EINVAL,
                               "field 'members' must be an array");
    size_t active, inactive;
    own_counts(mesh, &active, &inactive);

    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    double wall = mesh->ops->wall_now(mesh->ops_arg);
    mesh->stats.joins_received++;
    for (size_t i = 0; i < mesh->n_members; i++)
        mesh->members[i].news_for_peer = true;
    paglets__mesh_merge(mesh, &ref, true, mono);
    if (strcmp(ref.version, mesh->version) != 0) {
        /* Only our own entry, so the caller can see and log the mismatch. */
        *reply =
            json_pack("{s:[o]}", "hosts",
                      paglets__mesh_self_json(mesh, active, inactive, wall));
    } else if (members == NULL) {
        /* A reference-style join: the whole list, every field. */
        *reply = paglets__mesh_list_json(mesh, active, inactive, false);
    } else {
        /* A gossip peer: only what its list shows it lacks. */
        paglets__mesh_merge_list(mesh, members, NULL, NULL, mono);
        *reply = paglets__mesh_list_json(mesh, active, inactive, true);
    }
    pthread_mutex_unlock(&mesh->lock);
    if (*reply == NULL)
        return paglets_err_set(err, -ENOMEM, "cannot build the host list");
    return 0;
}

/*
 * Tell a couple of online members we are going, so the mesh lists us
 * offline now rather than one window later: our entry with a newer
 * heartbeat and "online": false, which then spreads like any news. Best
 * effort within a short time; the window covers whatever it misses.
 */
void paglets__mesh_leave(struct paglets__mesh *mesh)
{
    struct target targets[PAGLETS__MESH_FANOUT + 1];
    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    mesh->heartbeat++;
    json_t *request =
        paglets__mesh_self_json(mesh, 0, 0, mesh->ops->wall_now(mesh->ops_arg));
    size_t n = pick_members(mesh, targets, mono, false);
    pthread_mutex_unlock(&mesh->lock);
    if (request == NULL ||
        json_object_set_new(request, "online", json_false()) != 0) {
        json_decref(request);
        return;
    }
    /*
     * LEAVE_TIMEOUT_S for all of them together: a host that stops must not
     * wait out one timeout per silent member (shutdown ends within the
     * grace period plus a second, whatever the peers do).
     */
    double end = mesh->ops->mono_now(mesh->ops_arg) + LEAVE_TIMEOUT_S;
    for (size_t i = 0; i < n; i++) {
        double left = end - mesh->ops->mono_now(mesh->ops_arg);
        if (!(left > 0.001))
            break;
        json_t *reply = NULL;
        mesh->ops->exchange(mesh->ops_arg, targets[i].url, request, left,
                            &reply, NULL);
        json_decref(reply);
    }
    json_decref(request);
}
