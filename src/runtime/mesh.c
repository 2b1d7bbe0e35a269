/*
 * A host's mesh membership: creation from the host's config, the protocol
 * thread that runs paglets__mesh_tick() whenever a timer is due, leaving,
 * and the queries the host and its agents make (GET /hosts, members,
 * resolve by name).
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/mesh_int.h"
#include "util/clock.h"
#include "util/log.h"
#include "wire/url.h"

/*
 * Saying goodbye must not hold up the host's shutdown for long, but must
 * have time to reach someone: the wait ends as soon as the answers are in
 * (a few ms on a healthy mesh), so the bound only matters when peers are
 * slow. 0.25 s sometimes lost the goodbye on a loaded 2-CPU machine under
 * ThreadSanitizer (cancelled before a worker had sent it), and the mesh
 * then waited for a suspicion instead. 0.4 s (+ 0.05 s for the answers)
 * keeps a stop within --shutdown-grace + 1 s with the agents' 0.5 s.
 */
#define LEAVE_TIMEOUT_S 0.4

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

static int copy_seeds(struct paglets__mesh *mesh,
                      const struct paglets__mesh_config *config,
                      struct paglets_err *err)
{
    if (config->n_seeds == 0)
        return 0;
    mesh->seeds = calloc(config->n_seeds, sizeof(*mesh->seeds));
    if (mesh->seeds == NULL)
        return paglets_err_set(err, -ENOMEM, "mesh: out of memory");
    for (size_t i = 0; i < config->n_seeds; i++) {
        struct paglets__mesh_seed *seed = &mesh->seeds[mesh->n_seeds];
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

static int copy_labels(struct paglets__mesh *mesh,
                       const struct paglets__mesh_config *config,
                       struct paglets_err *err)
{
    mesh->tags = config->tags ? json_deep_copy(config->tags) : json_array();
    mesh->properties =
        config->properties ? json_deep_copy(config->properties) : json_object();
    if (mesh->tags == NULL || mesh->properties == NULL)
        return paglets_err_set(err, -ENOMEM, "mesh: out of memory");
    struct paglets_err why = {0};
    if (paglets__mesh_meta_check(mesh->tags, mesh->properties, NULL, &why) < 0)
        return paglets_err_set(err, -EINVAL, "mesh: %s", why.message);
    return 0;
}

static int init_sync(struct paglets__mesh *mesh)
{
    int rc = paglets__cond_init_monotonic(&mesh->wake);
    if (rc != 0)
        return rc;
    rc = pthread_cond_init(&mesh->calls_done, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&mesh->wake);
        return -rc;
    }
    rc = pthread_mutex_init(&mesh->lock, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&mesh->calls_done);
        pthread_cond_destroy(&mesh->wake);
        return -rc;
    }
    return 0;
}

static void release(struct paglets__mesh *mesh)
{
    while (mesh->n_members > 0)
        paglets__mesh_remove(mesh, mesh->n_members - 1);
    for (size_t i = 0; i < PAGLETS__MESH_MAX_PROBES; i++)
        free(mesh->probes[i]);
    paglets__mesh_bcast_clear(mesh);
    free(mesh->members);
    free(mesh->index);
    free(mesh->arena);
    free(mesh->suspicions);
    free(mesh->wanted);
    free(mesh->refused);
    free(mesh->seeds);
    json_decref(mesh->tags);
    json_decref(mesh->properties);
    free(mesh);
}

static int configure(struct paglets__mesh *mesh,
                     const struct paglets__mesh_config *config,
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
    mesh->max_members = config->max_members ? config->max_members
                                            : PAGLETS__MESH_DEFAULT_MAX_MEMBERS;
    if (mesh->max_members > UINT32_MAX / 4)
        return paglets_err_set(err, -EINVAL, "mesh: max_members is too large");
    mesh->multicast = config->multicast;
    mesh->self_counts = config->self_counts;
    mesh->self_counts_arg = config->self_counts_arg;
    mesh->refused = calloc(PAGLETS__MESH_MAX_REFUSED, sizeof(*mesh->refused));
    if (mesh->refused == NULL)
        return paglets_err_set(err, -ENOMEM, "mesh: out of memory");
    return 0;
}

struct paglets__mesh *
paglets__mesh_new_with_ops(const struct paglets__mesh_config *config,
                           const struct paglets__mesh_ops *ops, void *ops_arg,
                           struct paglets_err *err)
{
    struct paglets__mesh *mesh = calloc(1, sizeof(*mesh));
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
    mesh->self_hash = paglets__mesh_hash(mesh->self_name);
    double mono = ops->mono_now(ops_arg);
    mesh->log_window_start = mono;
    mesh->resync_backoff = 2 * mesh->interval_s;
    /* Spread the first probe and push-pull of hosts started together. */
    mesh->next_probe =
        mono + mesh->interval_s *
                   (double)paglets__mesh_random_below(mesh, 1000) / 1000.0;
    mesh->next_sync =
        mono + paglets__mesh_sync_interval(mesh) *
                   (double)paglets__mesh_random_below(mesh, 1000) / 1000.0;
    mesh->next_wake = mono;
    return mesh;
}

struct paglets__mesh *
paglets__mesh_new(const struct paglets__mesh_config *config,
                  struct paglets_err *err)
{
    struct paglets__mesh_io *io =
        paglets__mesh_io_new(config->api_key, config->tls_ca, err);
    if (io == NULL)
        return NULL;
    struct paglets__mesh *mesh =
        paglets__mesh_new_with_ops(config, &paglets__mesh_io_ops, io, err);
    if (mesh == NULL) {
        paglets__mesh_io_free(io);
        return NULL;
    }
    mesh->io = io;
    return mesh;
}

/* The earliest time any timer of ours is due (lock held). */
static double next_due(struct paglets__mesh *mesh, double mono)
{
    double next = mesh->next_probe;
    double cap = mono + mesh->interval_s;
    if (next > cap)
        next = cap;
    for (size_t i = 0; i < PAGLETS__MESH_MAX_PROBES; i++) {
        const struct paglets__mesh_probe *p = mesh->probes[i];
        if (p == NULL || p->concluded)
            continue;
        if (!p->indirect_sent && p->indirect_at < next)
            next = p->indirect_at;
        if (!p->retry_sent && p->retry_at < next)
            next = p->retry_at;
        if (p->ends_at < next)
            next = p->ends_at;
    }
    for (size_t i = 0; i < mesh->n_suspicions; i++)
        if (mesh->suspicions[i].deadline < next)
            next = mesh->suspicions[i].deadline;
    for (size_t i = 0; i < mesh->n_seeds; i++)
        if (mesh->seeds[i].next_try < next)
            next = mesh->seeds[i].next_try;
    if (mesh->next_sync < next)
        next = mesh->next_sync;
    if ((mesh->n_wanted > 0 || mesh->want_overflow) && mesh->next_resync < next)
        next = mesh->next_resync;
    return next;
}

double paglets__mesh_tick(struct paglets__mesh *mesh)
{
    size_t active = 0, inactive = 0;
    /* Called without the mesh lock: the host may take its own locks. */
    if (mesh->self_counts != NULL)
        mesh->self_counts(mesh->self_counts_arg, &active, &inactive);
    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    mesh->self_active = (int64_t)active;
    mesh->self_inactive = (int64_t)inactive;
    /* Verification may lower next_wake again while we work. */
    mesh->next_wake = mono + mesh->interval_s;
    if (!mesh->left) {
        paglets__mesh_suspicion_tick(mesh, mono);
        paglets__mesh_probe_tick(mesh, mono);
        paglets__mesh_verify_tick(mesh, mono);
        paglets__mesh_sync_tick(mesh, mono);
        paglets__mesh_purge(mesh, mono);
        paglets__mesh_log_flush(mesh, mono, false);
    }
    double next = next_due(mesh, mono);
    if (mesh->next_wake < next)
        next = mesh->next_wake;
    /* What is due now was done (or waits for an answer): never spin. */
    if (next < mono + 0.001)
        next = mono + 0.001;
    mesh->next_wake = next;
    mesh->last_tick = mono;
    pthread_mutex_unlock(&mesh->lock);
    return next;
}

double paglets__mesh_next_wake(struct paglets__mesh *mesh)
{
    pthread_mutex_lock(&mesh->lock);
    double next = mesh->next_wake;
    pthread_mutex_unlock(&mesh->lock);
    return next;
}

static void *protocol_main(void *arg)
{
    struct paglets__mesh *mesh = arg;
    for (;;) {
        paglets__mesh_tick(mesh);
        pthread_mutex_lock(&mesh->lock);
        /* Until the next timer, or until a message makes one earlier. */
        while (!mesh->stopping) {
            double wait = mesh->next_wake - paglets__mono_now();
            if (wait <= 0)
                break;
            struct timespec deadline = paglets__deadline_after(wait);
            pthread_cond_timedwait(&mesh->wake, &mesh->lock, &deadline);
        }
        bool stop = mesh->stopping;
        pthread_mutex_unlock(&mesh->lock);
        if (stop)
            return NULL;
    }
}

int paglets__mesh_start(struct paglets__mesh *mesh, struct paglets_err *err)
{
    if (mesh->thread_running)
        return 0;
    int rc = pthread_create(&mesh->thread, NULL, protocol_main, mesh);
    if (rc != 0)
        return paglets_err_set(err, -rc, "mesh: cannot start: %s",
                               paglets_strerror(-rc));
    mesh->thread_running = true;
    if (mesh->multicast) {
        rc = paglets__mesh_multicast_start(mesh, err);
        if (rc < 0)
            return rc;
    }
    paglets_log_info("mesh: joined as '%s' (version '%s', %zu seed%s)",
                     mesh->self_name, mesh->version, mesh->n_seeds,
                     mesh->n_seeds == 1 ? "" : "s");
    return 0;
}

static void on_leave_reply(struct paglets__mesh *mesh, void *ctx, int rc,
                           const json_t *reply, const char *why, double mono)
{
    (void)mesh;
    (void)ctx;
    (void)rc;
    (void)reply;
    (void)why;
    (void)mono;
}

/*
 * Tell a few alive members we are going, so the mesh lists us offline now
 * rather than a suspicion later: a ping whose only update is our "left",
 * which they then spread like any news.
 */
int paglets__mesh_leave(struct paglets__mesh *mesh, double timeout_seconds)
{
    pthread_mutex_lock(&mesh->lock);
    mesh->left = true;
    paglets__mesh_broadcast_self(mesh);
    json_t *left = json_pack("[[s,s,I]]", "l", mesh->self_name,
                             (json_int_t)mesh->incarnation);
    int told = 0;
    size_t n = mesh->n_members;
    size_t start = paglets__mesh_random_below(mesh, n ? n : 1);
    for (size_t k = 0; k < n && told < PAGLETS__MESH_INDIRECT && left; k++) {
        const struct paglets__mesh_member *m = &mesh->members[(start + k) % n];
        if (m->state != PAGLETS__MESH_ALIVE)
            continue;
        json_t *body =
            json_pack("{s:o,s:s,s:O}", "from", paglets__mesh_self_entry(mesh),
                      "to", paglets__mesh_name(mesh, m), "updates", left);
        if (paglets__mesh_send(mesh, paglets__mesh_url(mesh, m), "ping", body,
                               timeout_seconds, on_leave_reply, NULL) == 0)
            told++;
    }
    json_decref(left);
    pthread_mutex_unlock(&mesh->lock);
    return told;
}

void paglets__mesh_free(struct paglets__mesh *mesh)
{
    if (mesh == NULL)
        return;
    paglets__mesh_multicast_stop(mesh);
    if (mesh->thread_running) {
        pthread_mutex_lock(&mesh->lock);
        mesh->stopping = true;
        pthread_cond_broadcast(&mesh->wake);
        pthread_mutex_unlock(&mesh->lock);
        pthread_join(mesh->thread, NULL);
        if (paglets__mesh_leave(mesh, LEAVE_TIMEOUT_S) > 0) {
            /* Their answers, briefly; what is still out is cancelled. */
            struct timespec deadline =
                paglets__deadline_after(LEAVE_TIMEOUT_S + 0.05);
            pthread_mutex_lock(&mesh->lock);
            while (mesh->calls_out > 0 &&
                   pthread_cond_timedwait(&mesh->calls_done, &mesh->lock,
                                          &deadline) == 0) {
            }
            pthread_mutex_unlock(&mesh->lock);
        }
    }
    /* Every done runs before the workers go: none may outlive the mesh. */
    paglets__mesh_io_stop(mesh->io);
    pthread_mutex_lock(&mesh->lock);
    paglets__mesh_log_flush(mesh, mesh->ops->mono_now(mesh->ops_arg), true);
    pthread_mutex_unlock(&mesh->lock);
    pthread_cond_destroy(&mesh->calls_done);
    pthread_cond_destroy(&mesh->wake);
    pthread_mutex_destroy(&mesh->lock);
    paglets__mesh_io_free(mesh->io);
    release(mesh);
}

size_t paglets__mesh_body_max(const char *path, size_t limit)
{
    static const char *const small[] = {"/hosts/join", "/hosts/ping",
                                        "/hosts/ping-req"};
    for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
        if (path != NULL && strcmp(path, small[i]) == 0)
            return limit < PAGLETS__MESH_SMALL_BODY_MAX
                       ? limit
                       : PAGLETS__MESH_SMALL_BODY_MAX;
    return limit;
}

json_t *paglets__mesh_hosts_json(struct paglets__mesh *mesh)
{
    size_t active = 0, inactive = 0;
    if (mesh->self_counts != NULL)
        mesh->self_counts(mesh->self_counts_arg, &active, &inactive);
    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    double wall = mesh->ops->wall_now(mesh->ops_arg);
    mesh->self_active = (int64_t)active;
    mesh->self_inactive = (int64_t)inactive;
    json_t *hosts = json_array();
    json_t *reply = json_pack("{s:o}", "hosts", hosts);
    int rc = reply ? json_array_append_new(hosts,
                                           paglets__mesh_self_json(mesh, wall))
                   : -1;
    for (size_t i = 0; i < mesh->n_members && rc == 0; i++) {
        const struct paglets__mesh_member *m = &mesh->members[i];
        if (m->state != PAGLETS__MESH_PENDING)
            rc = json_array_append_new(
                hosts, paglets__mesh_member_json(mesh, m, mono, wall));
    }
    struct paglets__mesh_stats st = mesh->stats;
    size_t counts[4];
    memcpy(counts, mesh->count, sizeof(counts));
    unsigned health = mesh->health;
    pthread_mutex_unlock(&mesh->lock);
    if (mesh->io != NULL)
        paglets__mesh_io_bytes(mesh->io, &st.bytes_sent, &st.bytes_received);
    /* Counters for bench/mesh.sh; clients that do not know them ignore. */
    json_t *stats = json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
        "s:I,s:I,s:i}",
        "rounds", (json_int_t)st.rounds, "exchanges_sent",
        (json_int_t)st.exchanges_sent, "exchanges_failed",
        (json_int_t)st.exchanges_failed, "joins_received",
        (json_int_t)st.joins_received, "beacons_received",
        (json_int_t)st.beacons_received, "pings_received",
        (json_int_t)st.pings_received, "syncs_sent", (json_int_t)st.syncs_sent,
        "syncs_received", (json_int_t)st.syncs_received, "suspicions",
        (json_int_t)st.suspicions, "offline_verdicts",
        (json_int_t)st.offline_verdicts, "refutations",
        (json_int_t)st.refutations, "unknown_dropped",
        (json_int_t)st.unknown_dropped, "evictions", (json_int_t)st.evictions,
        "bytes_sent", (json_int_t)st.bytes_sent, "bytes_received",
        (json_int_t)st.bytes_received, "alive",
        (json_int_t)counts[PAGLETS__MESH_ALIVE], "suspect",
        (json_int_t)counts[PAGLETS__MESH_SUSPECT], "offline",
        (json_int_t)counts[PAGLETS__MESH_OFFLINE], "pending",
        (json_int_t)counts[PAGLETS__MESH_PENDING], "local_health", (int)health);
    if (rc != 0 || reply == NULL ||
        json_object_set_new(reply, "mesh", stats) != 0) {
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

int paglets__mesh_members(struct paglets__mesh *mesh,
                          struct paglets_host_info **hosts, size_t *n_hosts,
                          struct paglets_err *err)
{
    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    double wall = mesh->ops->wall_now(mesh->ops_arg);
    size_t n = mesh->n_members + 1;
    struct paglets_host_info *out = calloc(n, sizeof(*out));
    if (out == NULL) {
        pthread_mutex_unlock(&mesh->lock);
        return paglets_err_set(err, -ENOMEM, "mesh: out of memory");
    }
    fill_info(&out[0], mesh->self_name, mesh->self_url, mesh->version, true,
              wall);
    out[0].self = true;
    size_t k = 1;
    for (size_t i = 0; i < mesh->n_members; i++) {
        const struct paglets__mesh_member *m = &mesh->members[i];
        if (m->state == PAGLETS__MESH_PENDING)
            continue;
        fill_info(&out[k++], paglets__mesh_name(mesh, m),
                  paglets__mesh_url(mesh, m), mesh->version,
                  m->state == PAGLETS__MESH_ALIVE,
                  m->seen > 0 ? wall - (mono - m->seen) : 0);
    }
    pthread_mutex_unlock(&mesh->lock);
    *hosts = out;
    *n_hosts = k;
    return 0;
}

int paglets__mesh_resolve(struct paglets__mesh *mesh, const char *name,
                          char *url, size_t url_size)
{
    int rc = -ENOENT;
    pthread_mutex_lock(&mesh->lock);
    const char *found = NULL;
    if (strcmp(name, mesh->self_name) == 0) {
        found = mesh->self_url;
    } else {
        const struct paglets__mesh_member *m = paglets__mesh_find(mesh, name);
        if (m != NULL && m->state == PAGLETS__MESH_ALIVE)
            found = paglets__mesh_url(mesh, m);
    }
    if (found != NULL) {
        rc = strlen(found) < url_size ? 0 : -ENAMETOOLONG;
        if (rc == 0)
            memcpy(url, found, strlen(found) + 1);
    }
    pthread_mutex_unlock(&mesh->lock);
    return rc;
}

enum paglets__mesh_state paglets__mesh_state_of(struct paglets__mesh *mesh,
                                                const char *name)
{
    pthread_mutex_lock(&mesh->lock);
    int state = PAGLETS__MESH_UNKNOWN;
    if (strcmp(name, mesh->self_name) == 0) {
        state = PAGLETS__MESH_ALIVE;
    } else {
        const struct paglets__mesh_member *m = paglets__mesh_find(mesh, name);
        if (m != NULL)
            state = m->state;
    }
    pthread_mutex_unlock(&mesh->lock);
    return (enum paglets__mesh_state)state;
}

void paglets__mesh_get_stats(struct paglets__mesh *mesh,
                             struct paglets__mesh_stats *stats)
{
    pthread_mutex_lock(&mesh->lock);
    *stats = mesh->stats;
    stats->alive = mesh->count[PAGLETS__MESH_ALIVE];
    stats->suspect = mesh->count[PAGLETS__MESH_SUSPECT];
    stats->offline = mesh->count[PAGLETS__MESH_OFFLINE];
    stats->pending = mesh->count[PAGLETS__MESH_PENDING];
    stats->local_health = mesh->health;
    pthread_mutex_unlock(&mesh->lock);
    if (mesh->io != NULL)
        paglets__mesh_io_bytes(mesh->io, &stats->bytes_sent,
                               &stats->bytes_received);
}
