/*
 * A host's mesh membership: creation from the host's config, the gossip
 * thread that runs one round per interval, and the queries the host and
 * its agents make (GET /hosts, members, resolve by name).
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
    if (!json_is_array(mesh->tags) || !json_is_object(mesh->properties))
        return paglets_err_set(err, -EINVAL,
                               "mesh: tags must be an array and properties "
                               "an object");
    return 0;
}

static int init_sync(struct paglets__mesh *mesh)
{
    int rc = paglets__cond_init_monotonic(&mesh->wake);
    if (rc != 0)
        return rc;
    rc = pthread_mutex_init(&mesh->lock, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&mesh->wake);
        return -rc;
    }
    return 0;
}

static void release(struct paglets__mesh *mesh)
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

static void *gossip_main(void *arg)
{
    struct paglets__mesh *mesh = arg;
    pthread_mutex_lock(&mesh->lock);
    while (!mesh->stopping) {
        pthread_mutex_unlock(&mesh->lock);
        double started = paglets__mono_now();
        int rc = paglets__mesh_round(mesh);
        if (rc < 0)
            paglets_log_warn("mesh: gossip round failed: %s",
                             paglets_strerror(rc));
        double wait = started + mesh->interval_s - paglets__mono_now();
        struct timespec deadline = paglets__deadline_after(wait);
        pthread_mutex_lock(&mesh->lock);
        while (!mesh->stopping &&
               pthread_cond_timedwait(&mesh->wake, &mesh->lock, &deadline) !=
                   ETIMEDOUT) {
        }
    }
    pthread_mutex_unlock(&mesh->lock);
    return NULL;
}

int paglets__mesh_start(struct paglets__mesh *mesh, struct paglets_err *err)
{
    if (mesh->thread_running)
        return 0;
    int rc = pthread_create(&mesh->thread, NULL, gossip_main, mesh);
    if (rc != 0)
        return paglets_err_set(err, -rc, "mesh: cannot start gossip: %s",
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
        paglets__mesh_io_interrupt(mesh->io, true);
        pthread_join(mesh->thread, NULL);
        paglets__mesh_io_interrupt(mesh->io, false);
        paglets__mesh_leave(mesh);
    }
    pthread_cond_destroy(&mesh->wake);
    pthread_mutex_destroy(&mesh->lock);
    paglets__mesh_io_free(mesh->io);
    release(mesh);
}

json_t *paglets__mesh_hosts_json(struct paglets__mesh *mesh)
{
    size_t active = 0, inactive = 0;
    if (mesh->self_counts != NULL)
        mesh->self_counts(mesh->self_counts_arg, &active, &inactive);
    pthread_mutex_lock(&mesh->lock);
    paglets__mesh_expire(mesh, mesh->ops->mono_now(mesh->ops_arg));
    json_t *reply = paglets__mesh_list_json(mesh, active, inactive, false);
    struct paglets__mesh_stats st = mesh->stats;
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

int paglets__mesh_members(struct paglets__mesh *mesh,
                          struct paglets_host_info **hosts, size_t *n_hosts,
                          struct paglets_err *err)
{
    pthread_mutex_lock(&mesh->lock);
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    double wall = mesh->ops->wall_now(mesh->ops_arg);
    paglets__mesh_expire(mesh, mono);
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
        const struct paglets__mesh_member *m = &mesh->members[i];
        fill_info(&out[i + 1], m->name, m->url, m->version, m->online,
                  wall - (mono - m->fresh_mono));
    }
    pthread_mutex_unlock(&mesh->lock);
    *hosts = out;
    *n_hosts = n;
    return 0;
}

int paglets__mesh_resolve(struct paglets__mesh *mesh, const char *name,
                          char *url, size_t url_size)
{
    int rc = -ENOENT;
    pthread_mutex_lock(&mesh->lock);
    paglets__mesh_expire(mesh, mesh->ops->mono_now(mesh->ops_arg));
    const char *found = NULL;
    if (strcmp(name, mesh->self_name) == 0) {
        found = mesh->self_url;
    } else {
        const struct paglets__mesh_member *m = paglets__mesh_find(mesh, name);
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

void paglets__mesh_get_stats(struct paglets__mesh *mesh,
                             struct paglets__mesh_stats *stats)
{
    pthread_mutex_lock(&mesh->lock);
    *stats = mesh->stats;
    pthread_mutex_unlock(&mesh->lock);
}
