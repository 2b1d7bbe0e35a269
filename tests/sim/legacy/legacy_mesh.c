/*
 * The mesh protocol of main before issue 12, frozen for the simulation's
 * before/after table (see legacy_mesh.h). Do not edit.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "legacy/legacy_mesh.h"
#include "util/log.h"
#include "wire/url.h"

static int copy_config_text(char *dst, size_t size, const char *text,
                            const char *what, struct paglets_err *err)
{
    if (text == NULL || text[0] == '\0')
        return paglets_err_set(err, -EINVAL, "mesh: %s is required", what);
    if (strlen(text) >= size)
        return paglets_err_set(err, -EINVAL, "mesh: %s '%.40s...' is too long",
                               what, text);
    memcpy(dst, text, strlen(text) + 1);
    return 0;
}

static int copy_seeds(struct legacy__mesh *mesh,
                      const struct legacy__mesh_config *config,
                      struct paglets_err *err)
{
    if (config->n_seeds == 0)
        return 0;
    mesh->seeds = calloc(config->n_seeds, sizeof(*mesh->seeds));
    if (mesh->seeds == NULL)
        return paglets_err_set(err, -ENOMEM, "mesh: out of memory");
    for (size_t i = 0; i < config->n_seeds; i++) {
        struct legacy__mesh_seed *seed = &mesh->seeds[mesh->n_seeds];
        struct paglets_err why = {0};
        /* Canonical, so "URL/hosts/join" is one path and self compares. */
        if (paglets__url_normalize(config->seeds[i], seed->url, &why) != 0)
            return paglets_err_set(err, -EINVAL, "mesh: peer URL: %s",
                                   why.message);
        if (strcmp(seed->url, mesh->self_url) != 0)
            mesh->n_seeds++;
    }
    return 0;
}

static int copy_labels(struct legacy__mesh *mesh,
                       const struct legacy__mesh_config *config,
                       struct paglets_err *err)
{
    mesh->tags = config->tags ? json_deep_copy(config->tags) : json_array();
    mesh->properties =
        config->properties ? json_deep_copy(config->properties) : json_object();
    if (mesh->tags == NULL || mesh->properties == NULL)
        return paglets_err_set(err, -ENOMEM, "mesh: out of memory");
    if (!json_is_array(mesh->tags) || !json_is_object(mesh->properties))
        return paglets_err_set(err, -EINVAL,
                               "mesh: tags must be an array and properties "
                               "an object");
    return 0;
}

static int init_sync(struct legacy__mesh *mesh)
{
    return -pthread_mutex_init(&mesh->lock, NULL);
}

static void release(struct legacy__mesh *mesh)
{
    for (size_t i = 0; i < mesh->n_members; i++) {
        json_decref(mesh->members[i].tags);
        json_decref(mesh->members[i].properties);
    }
    free(mesh->members);
    free(mesh->refused);
    free(mesh->seeds);
    json_decref(mesh->tags);
    json_decref(mesh->properties);
    free(mesh);
}

static int configure(struct legacy__mesh *mesh,
                     const struct legacy__mesh_config *config,
                     struct paglets_err *err)
{
    int rc = copy_config_text(mesh->self_name, sizeof(mesh->self_name),
                              config->self_name, "host name", err);
    if (rc == 0)
        rc = copy_config_text(mesh->self_url, sizeof(mesh->self_url),
                              config->self_url, "host URL", err);
    if (rc == 0)
        rc = copy_config_text(mesh->version, sizeof(mesh->version),
                              config->mesh_version, "mesh version", err);
    if (rc == 0)
        rc = copy_seeds(mesh, config, err);
    if (rc == 0)
        rc = copy_labels(mesh, config, err);
    if (rc < 0)
        return rc;
    /* The host's config holds the defaults (paglets_host_config_init). */
    if (!(config->offline_after_seconds > 0) || !(config->interval_s > 0))
        return paglets_err_set(
            err, -EINVAL,
            "mesh: offline_after_seconds and interval_s must be "
            "positive");
    mesh->offline_after_seconds = config->offline_after_seconds;
    mesh->interval_s = config->interval_s;
    mesh->multicast = config->multicast;
    mesh->self_counts = config->self_counts;
    mesh->self_counts_arg = config->self_counts_arg;
    mesh->refused = calloc(LEGACY__MESH_MAX_REFUSED, sizeof(*mesh->refused));
    if (mesh->refused == NULL)
        return paglets_err_set(err, -ENOMEM, "mesh: out of memory");
    return 0;
}

struct legacy__mesh *
legacy__mesh_new_with_ops(const struct legacy__mesh_config *config,
                          const struct legacy__mesh_ops *ops, void *ops_arg,
                          struct paglets_err *err)
{
    struct legacy__mesh *mesh = calloc(1, sizeof(*mesh));
    if (mesh == NULL) {
        paglets_err_set(err, -ENOMEM, "mesh: out of memory");
        return NULL;
    }
    mesh->ops = ops;
    mesh->ops_arg = ops_arg;
    if (configure(mesh, config, err) < 0) {
        release(mesh);
        return NULL;
    }
    int rc = init_sync(mesh);
    if (rc < 0) {
        paglets_err_set(err, rc, "mesh: cannot create lock: %s",
                        paglets_strerror(rc));
        release(mesh);
        return NULL;
    }
    /* A restarted host must outrank its old self: start time in us. */
    mesh->incarnation = (uint64_t)(ops->wall_now(ops_arg) * 1e6);
    return mesh;
}

void legacy__mesh_free(struct legacy__mesh *mesh)
{
    if (mesh == NULL)
        return;
    pthread_mutex_destroy(&mesh->lock);
    release(mesh);
}

json_t *legacy__mesh_hosts_json(struct legacy__mesh *mesh)
{
    size_t active = 0, inactive = 0;
    if (mesh->self_counts != NULL)
        mesh->self_counts(mesh->self_counts_arg, &active, &inactive);
    pthread_mutex_lock(&mesh->lock);
    legacy__mesh_expire(mesh, mesh->ops->mono_now(mesh->ops_arg));
    json_t *reply = legacy__mesh_list_json(mesh, active, inactive, false);
    struct legacy__mesh_stats st = mesh->stats;
    pthread_mutex_unlock(&mesh->lock);
    /* Counters for bench/mesh.sh; clients that do not know them ignore. */
    json_t *stats =
        json_pack("{s:I,s:I,s:I,s:I,s:I}", "rounds", (json_int_t)st.rounds,
                  "exchanges_sent", (json_int_t)st.exchanges_sent,
                  "exchanges_failed", (json_int_t)st.exchanges_failed,
                  "joins_received", (json_int_t)st.joins_received,
                  "beacons_received", (json_int_t)st.beacons_received);
    if (reply == NULL || json_object_set_new(reply, "mesh", stats) != 0) {
        json_decref(reply);
        return NULL;
    }
    return reply;
}

static void fill_info(struct paglets_host_info *info, const char *name,
                      const char *url, const char *version, bool online,
                      double last_seen)
{
    snprintf(info->name, sizeof(info->name), "%s", name);
    snprintf(info->url, sizeof(info->url), "%s", url);
    snprintf(info->code_version, sizeof(info->code_version), "%s", version);
    info->online = online;
    info->self = false;
    info->last_seen = last_seen;
}

int legacy__mesh_members(struct legacy__mesh *mesh,
                         struct paglets_host_info **hosts, size_t *n_hosts,
                         struct paglets_err *err)
{
    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    double wall = mesh->ops->wall_now(mesh->ops_arg);
    legacy__mesh_expire(mesh, mono);
    size_t n = mesh->n_members + 1;
    struct paglets_host_info *out = calloc(n, sizeof(*out));
    if (out == NULL) {
        pthread_mutex_unlock(&mesh->lock);
        return paglets_err_set(err, -ENOMEM, "mesh: out of memory");
    }
    fill_info(&out[0], mesh->self_name, mesh->self_url, mesh->version, true,
              wall);
    out[0].self = true;
    for (size_t i = 0; i < mesh->n_members; i++) {
        const struct legacy__mesh_member *m = &mesh->members[i];
        fill_info(&out[i + 1], m->name, m->url, m->version, m->online,
                  wall - (mono - m->fresh_mono));
    }
    pthread_mutex_unlock(&mesh->lock);
    *hosts = out;
    *n_hosts = n;
    return 0;
}

int legacy__mesh_resolve(struct legacy__mesh *mesh, const char *name, char *url,
                         size_t url_size)
{
    int rc = -ENOENT;
    pthread_mutex_lock(&mesh->lock);
    legacy__mesh_expire(mesh, mesh->ops->mono_now(mesh->ops_arg));
    const char *found = NULL;
    if (strcmp(name, mesh->self_name) == 0) {
        found = mesh->self_url;
    } else {
        const struct legacy__mesh_member *m = legacy__mesh_find(mesh, name);
        if (m != NULL && m->online)
            found = m->url;
    }
    if (found != NULL) {
        rc = strlen(found) < url_size ? 0 : -ENAMETOOLONG;
        if (rc == 0)
            memcpy(url, found, strlen(found) + 1);
    }
    pthread_mutex_unlock(&mesh->lock);
    return rc;
}

void legacy__mesh_get_stats(struct legacy__mesh *mesh,
                            struct legacy__mesh_stats *stats)
{
    pthread_mutex_lock(&mesh->lock);
    *stats = mesh->stats;
    pthread_mutex_unlock(&mesh->lock);
}

/* Backoff caps, in rounds, for seeds and offline members that do not answer. */
#define SEED_BACKOFF_ROUNDS 4
#define PROBE_BACKOFF_ROUNDS 16
/* Saying goodbye must not hold up the host's shutdown. */
#define LEAVE_TIMEOUT_S 0.25

enum target_kind { TARGET_MEMBER, TARGET_SEED };

struct target {
    enum target_kind kind;
    size_t seed;                      /* index, for TARGET_SEED */
    char name[LEGACY__MESH_NAME_MAX]; /* for TARGET_MEMBER */
    char url[PAGLETS_URL_MAX];
};

static void own_counts(struct legacy__mesh *mesh, size_t *active,
                       size_t *inactive)
{
    *active = 0;
    *inactive = 0;
    /* Called without the mesh lock: the host may take its own locks. */
    if (mesh->self_counts != NULL)
        mesh->self_counts(mesh->self_counts_arg, active, inactive);
}

static double exchange_timeout_s(const struct legacy__mesh *mesh)
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
static json_t *build_request(struct legacy__mesh *mesh, size_t active,
                             size_t inactive, double mono, double wall)
{
    json_t *req = legacy__mesh_self_json(mesh, active, inactive, wall);
    json_t *members = json_array();
    if (req == NULL || members == NULL ||
        json_object_set_new(req, "members", members) != 0) {
        json_decref(req);
        return NULL;
    }
    for (size_t i = 0; i < mesh->n_members; i++) {
        if (json_array_append_new(
                members, legacy__mesh_member_json(&mesh->members[i], mono, wall,
                                                  false)) != 0) {
            json_decref(req);
            return NULL;
        }
    }
    return req;
}

static void add_member_target(struct target *t, size_t *n,
                              const struct legacy__mesh_member *m)
{
    t[*n].kind = TARGET_MEMBER;
    snprintf(t[*n].name, sizeof(t[*n].name), "%s", m->name);
    snprintf(t[*n].url, sizeof(t[*n].url), "%s", m->url);
    (*n)++;
}

static size_t random_below(struct legacy__mesh *mesh, size_t n)
{
    return (size_t)(mesh->ops->random(mesh->ops_arg) % n);
}

/*
 * Up to FANOUT distinct online members at random (a partial Fisher-Yates
 * shuffle of their indices), then, if probe, one offline member due for a
 * probe.
 */
static size_t pick_members(struct legacy__mesh *mesh, struct target *t,
                           double mono, bool probe)
{
    uint16_t online[LEGACY__MESH_MAX_MEMBERS];
    uint16_t offline[LEGACY__MESH_MAX_MEMBERS];
    size_t n_on = 0, n_off = 0, n = 0;
    for (size_t i = 0; i < mesh->n_members; i++) {
        const struct legacy__mesh_member *m = &mesh->members[i];
        if (m->online)
            online[n_on++] = (uint16_t)i;
        else if (m->next_probe_mono <= mono)
            offline[n_off++] = (uint16_t)i;
    }
    for (size_t k = 0; k < LEGACY__MESH_FANOUT && k < n_on; k++) {
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

static bool seed_is_known(struct legacy__mesh *mesh,
                          const struct legacy__mesh_seed *seed)
{
    if (seed->name[0] != '\0') {
        const struct legacy__mesh_member *m =
            legacy__mesh_find(mesh, seed->name);
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
static size_t pick_seeds(struct legacy__mesh *mesh, struct target *t, size_t n,
                         double mono)
{
    for (size_t s = 0; s < mesh->n_seeds; s++) {
        struct legacy__mesh_seed *seed = &mesh->seeds[s];
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

static void note_failure(struct legacy__mesh *mesh, const struct target *t,
                         const struct paglets_err *err, double mono)
{
    mesh->stats.exchanges_failed++;
    if (t->kind == TARGET_SEED) {
        struct legacy__mesh_seed *seed = &mesh->seeds[t->seed];
        if (seed->backoff_s == 0)
            paglets_log_info("cannot join seed %s: %s", seed->url,
                             err->message);
        seed->backoff_s = grow_backoff(seed->backoff_s, mesh->interval_s,
                                       SEED_BACKOFF_ROUNDS);
        seed->next_try_mono = mono + seed->backoff_s;
        return;
    }
    struct legacy__mesh_member *m = legacy__mesh_find(mesh, t->name);
    if (m == NULL)
        return;
    snprintf(m->error, sizeof(m->error), "%s", err->message);
    if (!m->online) {
        m->probe_backoff_s = grow_backoff(m->probe_backoff_s, mesh->interval_s,
                                          PROBE_BACKOFF_ROUNDS);
        m->next_probe_mono = mono + m->probe_backoff_s;
    }
}

static void note_reply(struct legacy__mesh *mesh, const struct target *t,
                       const json_t *reply, double mono)
{
    char name[LEGACY__MESH_NAME_MAX];
    const json_t *hosts = json_object_get(reply, "hosts");
    if (legacy__mesh_merge_list(mesh, hosts, t->url, name, mono) < 0) {
        struct paglets_err err = {0};
        paglets_err_set(&err, -EPROTO, "reply from %s has no host list",
                        t->url);
        note_failure(mesh, t, &err, mono);
        return;
    }
    if (t->kind != TARGET_SEED)
        return;
    struct legacy__mesh_seed *seed = &mesh->seeds[t->seed];
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

static void exchange_with(struct legacy__mesh *mesh, const struct target *t,
                          const json_t *request)
{
    json_t *reply = NULL;
    struct paglets_err err = {0};
    int rc = mesh->ops->exchange(mesh->ops_arg, t->url, request,
                                 exchange_timeout_s(mesh), &reply, &err);
    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    mesh->stats.exchanges_sent++;
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

int legacy__mesh_round(struct legacy__mesh *mesh)
{
    size_t active, inactive;
    own_counts(mesh, &active, &inactive);
    size_t max_targets = LEGACY__MESH_FANOUT + 1 + mesh->n_seeds;
    struct target *targets = calloc(max_targets, sizeof(*targets));
    if (targets == NULL)
        return -ENOMEM;

    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    double wall = mesh->ops->wall_now(mesh->ops_arg);
    mesh->heartbeat++;
    mesh->stats.rounds++;
    legacy__mesh_expire(mesh, mono);
    json_t *request = build_request(mesh, active, inactive, mono, wall);
    size_t n = pick_members(mesh, targets, mono, true);
    n = pick_seeds(mesh, targets, n, mono);
    pthread_mutex_unlock(&mesh->lock);

    if (request == NULL) {
        free(targets);
        return -ENOMEM;
    }
    /* Network I/O happens without the lock: joins keep being answered. */
    for (size_t i = 0; i < n; i++)
        exchange_with(mesh, &targets[i], request);
    paglets_log_debug(PAGLETS_LOG_CAT_MESH,
                      "mesh: round %llu sent %zu exchanges",
                      (unsigned long long)mesh->heartbeat, n);
    json_decref(request);
    free(targets);
    return (int)n;
}

int legacy__mesh_handle_join(struct legacy__mesh *mesh, const json_t *body,
                             json_t **reply, struct paglets_err *err)
{
    struct legacy__mesh_ref ref;
    struct paglets_err why = {0};
    *reply = NULL;
    if (legacy__mesh_ref_parse(body, &ref, &why) < 0)
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
    legacy__mesh_merge(mesh, &ref, true, mono);
    if (strcmp(ref.version, mesh->version) != 0) {
        /* Only our own entry, so the caller can see and log the mismatch. */
        *reply =
            json_pack("{s:[o]}", "hosts",
                      legacy__mesh_self_json(mesh, active, inactive, wall));
    } else if (members == NULL) {
        /* A reference-style join: the whole list, every field. */
        *reply = legacy__mesh_list_json(mesh, active, inactive, false);
    } else {
        /* A gossip peer: only what its list shows it lacks. */
        legacy__mesh_merge_list(mesh, members, NULL, NULL, mono);
        *reply = legacy__mesh_list_json(mesh, active, inactive, true);
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
 * effort with a short timeout; the window covers whatever it misses.
 */
void legacy__mesh_leave(struct legacy__mesh *mesh)
{
    struct target targets[LEGACY__MESH_FANOUT + 1];
    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    mesh->heartbeat++;
    json_t *request =
        legacy__mesh_self_json(mesh, 0, 0, mesh->ops->wall_now(mesh->ops_arg));
    size_t n = pick_members(mesh, targets, mono, false);
    pthread_mutex_unlock(&mesh->lock);
    if (request == NULL ||
        json_object_set_new(request, "online", json_false()) != 0) {
        json_decref(request);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *reply = NULL;
        mesh->ops->exchange(mesh->ops_arg, targets[i].url, request,
                            LEAVE_TIMEOUT_S, &reply, NULL);
        json_decref(reply);
    }
    json_decref(request);
}

/*
 * Members silent this long are forgotten. Kept well past the offline
 * window so GET /hosts shows a dead host as offline for a while, which is
 * what operators look for after a crash.
 */
static double purge_after_s(const struct legacy__mesh *mesh)
{
    double s = 30 * mesh->offline_after_seconds;
    return s < 60 ? 60 : s;
}

struct legacy__mesh_member *legacy__mesh_find(struct legacy__mesh *mesh,
                                              const char *name)
{
    for (size_t i = 0; i < mesh->n_members; i++) {
        if (strcmp(mesh->members[i].name, name) == 0)
            return &mesh->members[i];
    }
    return NULL;
}

static struct legacy__mesh_member *add(struct legacy__mesh *mesh,
                                       const char *name)
{
    if (mesh->n_members == LEGACY__MESH_MAX_MEMBERS)
        return NULL;
    if (mesh->n_members == mesh->cap_members) {
        size_t cap = mesh->cap_members ? 2 * mesh->cap_members : 16;
        struct legacy__mesh_member *grown =
            realloc(mesh->members, cap * sizeof(*grown));
        if (grown == NULL)
            return NULL;
        mesh->members = grown;
        mesh->cap_members = cap;
    }
    struct legacy__mesh_member *m = &mesh->members[mesh->n_members];
    memset(m, 0, sizeof(*m));
    m->tags = json_array();
    m->properties = json_object();
    if (m->tags == NULL || m->properties == NULL) {
        json_decref(m->tags);
        json_decref(m->properties);
        return NULL;
    }
    snprintf(m->name, sizeof(m->name), "%s", name);
    mesh->n_members++;
    return m;
}

static void remove_at(struct legacy__mesh *mesh, size_t i)
{
    json_decref(mesh->members[i].tags);
    json_decref(mesh->members[i].properties);
    mesh->members[i] = mesh->members[--mesh->n_members];
}

uint64_t legacy__mesh_went_offline;

static void set_online(struct legacy__mesh_member *m, bool online)
{
    if (m->online == online)
        return;
    m->online = online;
    if (!online)
        legacy__mesh_went_offline++;
    if (online)
        paglets_log_info("host '%s' at %s is online", m->name, m->url);
    else
        paglets_log_info("host '%s' at %s went offline", m->name, m->url);
}

void legacy__mesh_expire(struct legacy__mesh *mesh, double mono)
{
    double purge = purge_after_s(mesh);
    for (size_t i = mesh->n_members; i-- > 0;) {
        struct legacy__mesh_member *m = &mesh->members[i];
        double silent = mono - m->fresh_mono;
        set_online(m, silent <= mesh->offline_after_seconds);
        if (silent > purge)
            remove_at(mesh, i);
    }
}

/* Log the first refusal per (name, url); later ones stay quiet. */
static void refuse(struct legacy__mesh *mesh,
                   const struct legacy__mesh_ref *ref)
{
    char key[LEGACY__MESH_NAME_MAX + PAGLETS_URL_MAX];
    snprintf(key, sizeof(key), "%s %s", ref->name, ref->url);
    for (size_t i = 0; i < mesh->n_refused; i++) {
        if (strcmp(mesh->refused[i], key) == 0)
            return;
    }
    if (mesh->n_refused == LEGACY__MESH_MAX_REFUSED)
        return;
    snprintf(mesh->refused[mesh->n_refused++], sizeof(key), "%s", key);
    paglets_log_warn("refusing host '%s' at %s: mesh version '%s' is not "
                     "ours ('%s')",
                     ref->name, ref->url, ref->version, mesh->version);
}

static bool is_newer(const struct legacy__mesh_ref *ref,
                     const struct legacy__mesh_member *m)
{
    if (!ref->has_heartbeat)
        return false;
    if (ref->incarnation != m->incarnation)
        return ref->incarnation > m->incarnation;
    return ref->heartbeat > m->heartbeat;
}

/* Do we know m more recently than ref says? */
static bool is_newer_here(const struct legacy__mesh_member *m,
                          const struct legacy__mesh_ref *ref)
{
    if (!ref->has_heartbeat)
        return true;
    if (ref->incarnation != m->incarnation)
        return m->incarnation > ref->incarnation;
    return m->heartbeat > ref->heartbeat;
}

static void adopt(struct legacy__mesh *mesh, struct legacy__mesh_member *m,
                  const struct legacy__mesh_ref *ref, bool direct, double mono)
{
    snprintf(m->url, sizeof(m->url), "%s", ref->url);
    snprintf(m->version, sizeof(m->version), "%s", ref->version);
    m->active_count = ref->active_count;
    m->inactive_count = ref->inactive_count;
    json_t *tags = ref->tags ? json_deep_copy(ref->tags) : json_array();
    json_t *props =
        ref->properties ? json_deep_copy(ref->properties) : json_object();
    if (tags != NULL && props != NULL) {
        json_decref(m->tags);
        json_decref(m->properties);
        m->tags = tags;
        m->properties = props;
    } else {
        json_decref(tags);
        json_decref(props);
    }
    if (ref->has_heartbeat) {
        m->incarnation = ref->incarnation;
        m->heartbeat = ref->heartbeat;
    }
    if (!ref->online && ref->has_heartbeat) {
        /*
         * A newer heartbeat marked offline: the host said goodbye (or the
         * sender's window ran out), so it is offline now, even in person.
         */
        m->fresh_mono = mono - mesh->offline_after_seconds - ref->age_s - 1;
    } else {
        double fresh = direct ? mono : mono - ref->age_s;
        if (fresh > m->fresh_mono)
            m->fresh_mono = fresh;
    }
    m->error[0] = '\0';
    m->probe_backoff_s = 0;
    m->next_probe_mono = mono;
    set_online(m, mono - m->fresh_mono <= mesh->offline_after_seconds);
}

void legacy__mesh_merge(struct legacy__mesh *mesh,
                        const struct legacy__mesh_ref *ref, bool direct,
                        double mono)
{
    if (strcmp(ref->name, mesh->self_name) == 0)
        return;
    if (strcmp(ref->version, mesh->version) != 0) {
        refuse(mesh, ref);
        return;
    }
    struct legacy__mesh_member *m = legacy__mesh_find(mesh, ref->name);
    if (m != NULL && (direct || !is_newer_here(m, ref)))
        m->news_for_peer = false;
    if (m == NULL) {
        /* Hearsay about a host already silent elsewhere is not news. */
        if (!direct &&
            (!ref->online || ref->age_s > mesh->offline_after_seconds))
            return;
        m = add(mesh, ref->name);
        if (m == NULL)
            return;
        m->fresh_mono = -1e300;
        paglets_log_debug(PAGLETS_LOG_CAT_MESH, "mesh: new member '%s' at %s",
                          ref->name, ref->url);
        adopt(mesh, m, ref, direct, mono);
        return;
    }
    if (direct || is_newer(ref, m))
        adopt(mesh, m, ref, direct, mono);
}

static bool is_direct(const struct legacy__mesh_ref *ref, size_t index,
                      const char *direct_url)
{
    if (direct_url == NULL)
        return false;
    if (strcmp(ref->url, direct_url) == 0)
        return true;
    /* Our replies put the answering host first with a fresh heartbeat. */
    return index == 0 && ref->has_heartbeat && ref->age_s == 0;
}

int legacy__mesh_merge_list(struct legacy__mesh *mesh, const json_t *list,
                            const char *direct_url, char *direct_name,
                            double mono)
{
    if (direct_name != NULL)
        direct_name[0] = '\0';
    if (!json_is_array(list))
        return -EPROTO;
    size_t n = json_array_size(list);
    if (n > LEGACY__MESH_MAX_MEMBERS)
        n = LEGACY__MESH_MAX_MEMBERS;
    for (size_t i = 0; i < n; i++) {
        struct legacy__mesh_ref ref;
        if (legacy__mesh_ref_parse(json_array_get(list, i), &ref, NULL) < 0)
            continue;
        bool direct = is_direct(&ref, i, direct_url);
        if (direct && direct_name != NULL &&
            strcmp(ref.version, mesh->version) == 0)
            snprintf(direct_name, LEGACY__MESH_NAME_MAX, "%s", ref.name);
        legacy__mesh_merge(mesh, &ref, direct, mono);
    }
    return 0;
}

json_t *legacy__mesh_list_json(struct legacy__mesh *mesh, size_t active,
                               size_t inactive, bool delta)
{
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    double wall = mesh->ops->wall_now(mesh->ops_arg);
    json_t *hosts = json_array();
    json_t *reply = json_pack("{s:o}", "hosts", hosts);
    if (reply == NULL)
        return NULL;
    int rc = json_array_append_new(
        hosts, legacy__mesh_self_json(mesh, active, inactive, wall));
    for (size_t i = 0; i < mesh->n_members && rc == 0; i++) {
        const struct legacy__mesh_member *m = &mesh->members[i];
        if (!delta || m->news_for_peer)
            rc = json_array_append_new(
                hosts, legacy__mesh_member_json(m, mono, wall, !delta));
    }
    if (rc != 0) {
        json_decref(reply);
        return NULL;
    }
    return reply;
}

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
           json_string_length(v) <= LEGACY__MESH_MAX_TEXT &&
           strlen(json_string_value(v)) == json_string_length(v);
}

static int check_tags(const json_t *tags, struct paglets_err *err)
{
    if (!json_is_array(tags) || json_array_size(tags) > LEGACY__MESH_MAX_TAGS)
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
        json_object_size(props) > LEGACY__MESH_MAX_PROPERTIES)
        return paglets_err_set(err, -EINVAL,
                               "field 'properties' must be a small object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)props, key, v)
    {
        if (strlen(key) > LEGACY__MESH_MAX_TEXT || !is_short_string(v))
            return paglets_err_set(
                err, -EINVAL, "field 'properties' must map to short strings");
    }
    return 0;
}

static int parse_heartbeat(const json_t *json, struct legacy__mesh_ref *ref,
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

int legacy__mesh_ref_parse(const json_t *json, struct legacy__mesh_ref *ref,
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

json_t *legacy__mesh_self_json(struct legacy__mesh *mesh, size_t active,
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

json_t *legacy__mesh_member_json(const struct legacy__mesh_member *m,
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
