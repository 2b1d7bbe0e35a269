/*
 * Host life: configuration, type registration, start and graceful stop,
 * and membership queries.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "runtime/admit.h"
#include "runtime/host_int.h"
#include "runtime/mesh.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/netaddr.h"
#include "wire/url.h"

/* What agent threads get to return once their calls are cancelled. */
#define CANCELLED_WAIT_S 0.5

/* Every default of a host, here alone: --help and the docs read them. */
static const struct paglets_host_config defaults = {
    .bind_host = "127.0.0.1",
    .port = PAGLETS_DEFAULT_PORT,
    .mesh = true,
    .mesh_multicast = -1,
    .offline_after_seconds = 10,
    .gossip_interval_seconds = 1,
    .max_body_bytes = 2u << 20,
    .max_agents = 1024,
    .max_connections = 256,
    .request_timeout_seconds = 30,
    .shutdown_grace_seconds = 5,
    .max_state_bytes = 1u << 20,
    .max_state_total_bytes = 64u << 20,
    .max_call_timeout_seconds = 300,
    .header_timeout_seconds = 10,
    .max_connections_per_address = 16,
    .max_members = 16384,
};

void paglets_host_config_init(struct paglets_host_config *c)
{
    *c = defaults;
}

/* Remember a block to free with the host. */
static void *keep(struct paglets_host *host, void *block)
{
    if (block == NULL)
        return NULL;
    char **grown =
        realloc(host->strings, (host->n_strings + 1) * sizeof(*grown));
    if (grown == NULL) {
        free(block);
        return NULL;
    }
    host->strings = grown;
    host->strings[host->n_strings++] = block;
    return block;
}

static int copy_string(struct paglets_host *host, const char **field)
{
    if (*field == NULL)
        return 0;
    *field = keep(host, strdup(*field));
    return *field ? 0 : -ENOMEM;
}

static int copy_array(struct paglets_host *host, const char *const **field,
                      size_t n)
{
    if (n == 0) {
        *field = NULL;
        return 0;
    }
    const char **copy = keep(host, calloc(n, sizeof(*copy)));
    if (copy == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        copy[i] = (*field)[i];
        if (copy_string(host, &copy[i]) != 0)
            return -ENOMEM;
    }
    *field = copy;
    return 0;
}

static int copy_config(struct paglets_host *host,
                       const struct paglets_host_config *src)
{
    struct paglets_host_config *c = &host->config;
    *c = *src;
    int rc = 0;
    rc |= copy_string(host, &c->name);
    rc |= copy_string(host, &c->bind_host);
    rc |= copy_string(host, &c->mesh_version);
    rc |= copy_string(host, &c->public_url); /* canonical, see host_new */
    rc |= copy_string(host, &c->api_key);
    rc |= copy_string(host, &c->metrics_key);
    rc |= copy_string(host, &c->tls_cert_file);
    rc |= copy_string(host, &c->tls_key_file);
    rc |= copy_string(host, &c->tls_ca_file);
    rc |= copy_array(host, &c->allow_hosts, c->n_allow_hosts);
    rc |= copy_array(host, &c->allow_origins, c->n_allow_origins);
    rc |= copy_array(host, &c->peers, c->n_peers);
    rc |= copy_array(host, &c->bind_public, c->n_bind_public);
    rc |= copy_array(host, &c->tags, c->n_tags);
    rc |= copy_array(host, &c->property_keys, c->n_properties);
    rc |= copy_array(host, &c->property_values, c->n_properties);
    if (c->mesh_version == NULL)
        c->mesh_version = paglets_build_id();
    if (c->bind_host == NULL)
        c->bind_host = defaults.bind_host;
    return rc ? -ENOMEM : 0;
}

static int build_labels(struct paglets_host *host)
{
    const struct paglets_host_config *c = &host->config;
    host->tags = json_array();
    host->properties = json_object();
    if (host->tags == NULL || host->properties == NULL)
        return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < c->n_tags; i++)
        rc |= json_array_append_new(host->tags, json_string(c->tags[i]));
    for (size_t i = 0; i < c->n_properties; i++)
        rc |= json_object_set_new(host->properties, c->property_keys[i],
                                  json_string(c->property_values[i]));
    return rc ? -EINVAL : 0;
}

/* Check what the host cannot run with; url gets the canonical public URL. */
static int check_config(const struct paglets_host_config *c,
                        char url[PAGLETS_URL_MAX], struct paglets_err *err)
{
    if (c->name == NULL || *c->name == '\0' || strlen(c->name) >= 128)
        return paglets_err_set(err, -EINVAL,
                               "host name must be 1 to 127 characters");
    if (c->port < 0 || c->port > 65535)
        return paglets_err_set(err, -EINVAL, "port %d is out of range",
                               c->port);
    if (c->max_agents == 0 || c->max_connections == 0 ||
        c->max_body_bytes == 0 || c->max_state_bytes == 0 ||
        c->max_state_total_bytes == 0 || c->max_connections_per_address == 0)
        return paglets_err_set(err, -EINVAL, "host limits must be positive");
    if (!(c->max_call_timeout_seconds > 0) || !(c->header_timeout_seconds > 0))
        return paglets_err_set(err, -EINVAL,
                               "max_call_timeout_seconds and "
                               "header_timeout_seconds must be positive "
                               "(paglets_host_config_init)");
    if (c->max_members < 16 || c->max_members > 1000000)
        return paglets_err_set(err, -EINVAL,
                               "max_members must be 16 to 1000000");
    if (!(c->offline_after_seconds > 0) || !(c->gossip_interval_seconds > 0))
        return paglets_err_set(
            err, -EINVAL,
            "offline_after_seconds and gossip_interval_seconds must be "
            "positive (paglets_host_config_init)");
    if (c->metrics_key != NULL &&
        (c->api_key == NULL || strcmp(c->metrics_key, c->api_key) == 0))
        return paglets_err_set(err, -EINVAL,
                               "a metrics key needs an API key (without one "
                               "every endpoint is open) and must differ "
                               "from it");
    if ((c->tls_cert_file == NULL) != (c->tls_key_file == NULL))
        return paglets_err_set(err, -EINVAL,
                               "TLS needs both a certificate and its key");
    struct paglets_err why = {0};
    if (c->public_url != NULL &&
        paglets__url_normalize(c->public_url, url, &why) != 0)
        return paglets_err_set(err, -EINVAL, "public URL: %s", why.message);
    return 0;
}

/* A PEM file's contents, at most 1 MiB, NUL-terminated. */
#define PEM_MAX ((size_t)1 << 20)

static int read_pem(const char *path, const char *what, char **out,
                    struct paglets_err *err)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        int rc = -errno;
        return paglets_err_set(err, rc, "TLS %s '%s': %s", what, path,
                               paglets_strerror(rc));
    }
    char *text = malloc(PEM_MAX + 1);
    size_t n = text ? fread(text, 1, PEM_MAX + 1, f) : 0;
    int rc = text == NULL ? -ENOMEM : ferror(f) ? -EIO : 0;
    fclose(f);
    if (rc == 0 && (n == 0 || n > PEM_MAX || memchr(text, '\0', n) != NULL))
        rc = -EINVAL;
    if (rc != 0) {
        free(text);
        return paglets_err_set(err, rc, "TLS %s '%s': %s", what, path,
                               rc == -EINVAL ? "not a PEM file of at most 1 MiB"
                                             : paglets_strerror(rc));
    }
    text[n] = '\0';
    *out = text;
    return 0;
}

/* TLS files, the admission rules; paglets_host_free() undoes them. */
static int prepare_serving(struct paglets_host *host, struct paglets_err *err)
{
    const struct paglets_host_config *c = &host->config;
    int rc = 0;
    if (c->tls_cert_file != NULL)
        rc =
            read_pem(c->tls_cert_file, "certificate", &host->tls_cert_pem, err);
    if (rc == 0 && c->tls_key_file != NULL)
        rc = read_pem(c->tls_key_file, "key", &host->tls_key_pem, err);
    if (rc == 0 && c->tls_ca_file != NULL && access(c->tls_ca_file, R_OK)) {
        rc = -errno;
        paglets_err_set(err, rc, "TLS CA file '%s': %s", c->tls_ca_file,
                        paglets_strerror(rc));
    }
    if (rc == 0) {
        host->admit = paglets__admit_new(c, err);
        rc = host->admit ? 0 : -EINVAL;
    }
    return rc;
}

/* Locks and counts; all or none are set up. Negative errno. */
static int init_locks(struct paglets_host *host)
{
    int rc = paglets__gauge_init(&host->live_agents);
    if (rc != 0)
        return rc;
    rc = paglets__gauge_init(&host->requests);
    if (rc != 0)
        goto no_requests;
    rc = paglets__cond_init_monotonic(&host->workers.done);
    if (rc != 0)
        goto no_workers;
    /* Default mutexes cannot fail to initialise on Linux. */
    pthread_mutex_init(&host->workers.lock, NULL);
    pthread_mutex_init(&host->clients.lock, NULL);
    paglets__metrics_init(&host->metrics);
    return 0;
no_workers:
    paglets__gauge_release(&host->requests);
no_requests:
    paglets__gauge_release(&host->live_agents);
    return rc;
}

static void release_locks(struct paglets_host *host)
{
    paglets__metrics_release(&host->metrics);
    pthread_mutex_destroy(&host->clients.lock);
    pthread_mutex_destroy(&host->workers.lock);
    pthread_cond_destroy(&host->workers.done);
    paglets__gauge_release(&host->requests);
    paglets__gauge_release(&host->live_agents);
}

struct paglets_host *paglets_host_new(const struct paglets_host_config *config,
                                      struct paglets_err *err)
{
    char public_url[PAGLETS_URL_MAX];
    if (check_config(config, public_url, err) != 0)
        return NULL;
    struct paglets_host *host = calloc(1, sizeof(*host));
    if (host == NULL) {
        paglets_err_set(err, -ENOMEM, "out of memory creating host");
        return NULL;
    }
    int rc = init_locks(host);
    if (rc != 0) {
        free(host);
        paglets_err_set(err, rc, "cannot create host locks: %s",
                        paglets_strerror(rc));
        return NULL;
    }
    host->workers.create = paglets__worker_thread_create;
    paglets__registry_init(&host->registry, config->max_agents);
    rc = paglets__clients_init(host, err);
    if (rc != 0) {
        paglets__registry_release(&host->registry);
        release_locks(host);
        free(host);
        return NULL;
    }
    /* From here on paglets_host_free() undoes everything. */
    struct paglets_host_config canonical = *config;
    if (config->public_url != NULL)
        canonical.public_url = public_url;
    rc = copy_config(host, &canonical);
    if (rc == 0)
        rc = build_labels(host);
    if (rc != 0) {
        paglets_err_set(err, rc, "cannot copy host configuration: %s",
                        paglets_strerror(rc));
        paglets_host_free(host);
        return NULL;
    }
    host->shutdown = paglets_cancel_new(err);
    if (host->shutdown == NULL || prepare_serving(host, err) != 0) {
        paglets_host_free(host);
        return NULL;
    }
    return host;
}

static int compare_type(const void *a, const void *b)
{
    const struct paglets_agent_type *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* Operations need names and handlers, sorted for bsearch, no name twice. */
static int check_ops(const struct paglets_agent_type *type,
                     struct paglets_err *err)
{
    if (type->n_ops > 0 && type->ops == NULL)
        return paglets_err_set(err, -EINVAL,
                               "agent type '%s': %zu operations but no table",
                               type->name, type->n_ops);
    for (size_t i = 0; i < type->n_ops; i++) {
        const struct paglets_op *op = &type->ops[i];
        if (op->name == NULL || op->handler == NULL)
            return paglets_err_set(err, -EINVAL,
                                   "agent type '%s': operation %zu has no "
                                   "name or no handler",
                                   type->name, i);
        int order = i > 0 ? strcmp(type->ops[i - 1].name, op->name) : -1;
        if (order == 0)
            return paglets_err_set(err, -EINVAL,
                                   "agent type '%s': operation '%s' is "
                                   "listed twice",
                                   type->name, op->name);
        if (order > 0)
            return paglets_err_set(err, -EINVAL,
                                   "agent type '%s': operations are not "
                                   "sorted by name ('%s' before '%s')",
                                   type->name, type->ops[i - 1].name, op->name);
    }
    return 0;
}

int paglets_host_register_type(struct paglets_host *host,
                               const struct paglets_agent_type *type,
                               struct paglets_err *err)
{
    if (host->started)
        return paglets_err_set(err, -EBUSY,
                               "host '%s' has started: register agent types "
                               "before paglets_host_start()",
                               host->config.name);
    if (type == NULL)
        return paglets_err_set(err, -EINVAL, "no agent type given");
    if (type->name == NULL)
        return paglets_err_set(err, -EINVAL, "agent type has no name");
    int rc = check_ops(type, err);
    if (rc != 0)
        return rc;
    if (paglets__host_find_type(host, type->name) != NULL)
        return paglets_err_set(
            err, -EEXIST, "agent type '%s' is registered already", type->name);
    const struct paglets_agent_type **grown =
        realloc(host->types, (host->n_types + 1) * sizeof(*grown));
    if (grown == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    host->types = grown;
    host->types[host->n_types++] = type;
    qsort(host->types, host->n_types, sizeof(*host->types), compare_type);
    return 0;
}

static int compare_type_name(const void *key, const void *member)
{
    return strcmp(key,
                  (*(const struct paglets_agent_type *const *)member)->name);
}

const struct paglets_agent_type *
paglets__host_find_type(const struct paglets_host *host, const char *name)
{
    if (host->n_types == 0)
        return NULL;
    const struct paglets_agent_type *const *found =
        bsearch(name, host->types, host->n_types, sizeof(*host->types),
                compare_type_name);
    return found != NULL ? *found : NULL;
}

static void self_counts(void *arg, size_t *active, size_t *inactive)
{
    struct paglets_host *host = arg;
    *active = paglets__registry_count(&host->registry);
    *inactive = 0;
}

static bool multicast_wanted(const struct paglets_host *host)
{
    if (host->config.mesh_multicast >= 0)
        return host->config.mesh_multicast == 1;
    /*
     * Beacons carry no credential: with a key, anyone on the link could
     * announce a host and we would gossip to it with our key. Discovery
     * then goes through authenticated joins only, unless asked for.
     */
    if (host->config.api_key != NULL)
        return false;
    /*
     * Only a host that listens off loopback: a beacon from one that does
     * not would announce an address no other machine can reach.
     */
    if (!paglets__is_loopback(host->config.bind_host))
        return true;
    for (size_t i = 0; i < host->config.n_bind_public; i++) {
        const char *addr = host->config.bind_public[i];
        if (strcmp(addr, "auto") == 0 || !paglets__is_loopback(addr))
            return true;
    }
    return false;
}

static int start_mesh(struct paglets_host *host, struct paglets_err *err)
{
    struct paglets__mesh_config mc = {
        .self_name = host->config.name,
        .self_url = host->url,
        .mesh_version = host->config.mesh_version,
        .seeds = host->config.peers,
        .n_seeds = host->config.n_peers,
        .api_key = host->config.api_key,
        .tags = host->tags,
        .properties = host->properties,
        .offline_after_seconds = host->config.offline_after_seconds,
        .interval_s = host->config.gossip_interval_seconds,
        .max_members = host->config.max_members,
        .multicast = multicast_wanted(host),
        .self_counts = self_counts,
        .self_counts_arg = host,
        .tls_ca = host->config.tls_ca_file,
    };
    struct paglets_err why = {0};
    host->mesh = paglets__mesh_new(&mc, &why);
    if (host->mesh == NULL)
        return paglets_err_set(err, why.code, "%s", why.message);
    return paglets__mesh_start(host->mesh, err);
}

int paglets_host_start(struct paglets_host *host, struct paglets_err *err)
{
    if (host->started)
        return paglets_err_set(err, -EALREADY, "host already started");
    host->started = true;
    host->metrics.started_mono = paglets__mono_now();
    /* Serve last: no request thread may exist while host->mesh is set. */
    int rc = paglets__server_listen(host, err);
    if (rc == 0 && host->config.mesh)
        rc = start_mesh(host, err);
    if (rc == 0)
        rc = paglets__server_serve(host, err);
    if (rc != 0) {
        paglets_host_stop(host);
        return rc;
    }
    return 0;
}

/* Dispose every agent, then wait for them and their threads to finish. */
static void drain_agents(struct paglets_host *host, double deadline)
{
    struct paglets_agent **agents;
    size_t n;
    if (paglets__registry_snapshot(&host->registry, true, &agents, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            paglets__agent_mark_disposing(agents[i]);
            paglets__agent_unref(agents[i]);
        }
        free(agents);
    }
    paglets__gauge_wait_zero(&host->live_agents, deadline);
}

void paglets_host_stop(struct paglets_host *host)
{
    if (!host->started || host->stopped)
        return;
    host->stopped = true;
    atomic_store(&host->stopping, true);
    bool serving = host->url[0] != '\0';
    double deadline = paglets__mono_now() + host->config.shutdown_grace_seconds;
    paglets__server_quiesce(host);
    drain_agents(host, deadline);
    /*
     * Requests released by the disposal (drain, sleep) still have to send
     * their replies; new ones on open connections get 503 meanwhile.
     */
    paglets__server_wait_idle(host, deadline);
    /*
     * The grace is over: calls agents still make (to a silent host, say)
     * end now, so their threads return and MHD_stop_daemon, which joins
     * connection threads, does not wait out their timeouts. Earlier, a
     * call that was about to be answered would have been lost.
     */
    paglets_cancel_trip(host->shutdown);
    paglets__server_stop(host);
    double after = paglets__mono_now() + CANCELLED_WAIT_S;
    size_t left =
        paglets__worker_reap(host, true, after > deadline ? after : deadline);
    size_t live = paglets__gauge_value(&host->live_agents);
    if (left > 0 || live > 0) {
        /* Their threads may still resolve names: keep the mesh for them. */
        paglets_log_warn("host '%s' stopped with %zu agents still running "
                         "after %.1f s grace",
                         host->config.name, live,
                         host->config.shutdown_grace_seconds);
        return;
    }
    paglets__mesh_free(host->mesh);
    host->mesh = NULL;
    if (serving)
        paglets_log_info("host '%s' stopped", host->config.name);
}

void paglets_host_free(struct paglets_host *host)
{
    if (host == NULL)
        return;
    paglets_host_stop(host);
    if (paglets__worker_reap(host, false, 0) > 0 ||
        paglets__gauge_value(&host->live_agents) > 0) {
        /*
         * A run hook ignored disposal past the grace period: freeing now
         * would pull the host from under it, so the host is left behind.
         */
        paglets_log_warn("host '%s' not freed: agent threads still running",
                         host->config.name);
        return;
    }
    paglets__registry_release(&host->registry);
    paglets__clients_release(host);
    paglets_cancel_free(host->shutdown);
    paglets__admit_free(host->admit);
    free(host->tls_cert_pem);
    if (host->tls_key_pem != NULL) {
        OPENSSL_cleanse(host->tls_key_pem, strlen(host->tls_key_pem));
        free(host->tls_key_pem);
    }
    json_decref(host->tags);
    json_decref(host->properties);
    for (size_t i = 0; i < host->n_strings; i++)
        free(host->strings[i]);
    free(host->strings);
    free(host->types);
    free(host->daemons);
    release_locks(host);
    free(host);
}

const char *paglets_host_name(const struct paglets_host *host)
{
    return host->config.name;
}

const char *paglets_host_url(const struct paglets_host *host)
{
    return host->url;
}

const char *paglets_host_mesh_version(const struct paglets_host *host)
{
    return host->config.mesh_version;
}

void paglets_host_info_free(struct paglets_host_info *hosts)
{
    free(hosts);
}

int paglets_host_members(struct paglets_host *host,
                         struct paglets_host_info **hosts, size_t *n_hosts,
                         struct paglets_err *err)
{
    if (host->mesh != NULL)
        return paglets__mesh_members(host->mesh, hosts, n_hosts, err);
    struct paglets_host_info *self = calloc(1, sizeof(*self));
    if (self == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    snprintf(self->name, sizeof(self->name), "%s", host->config.name);
    snprintf(self->url, sizeof(self->url), "%s", host->url);
    snprintf(self->code_version, sizeof(self->code_version), "%s",
             host->config.mesh_version);
    self->online = true;
    self->self = true;
    self->last_seen = paglets__wall_now();
    *hosts = self;
    *n_hosts = 1;
    return 0;
}
