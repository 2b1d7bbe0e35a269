/*
 * Mesh membership of one host: seeds, gossip rounds with heartbeat
 * counters, the offline window, LAN multicast beacons. The host owns one
 * (unless --no-mesh) and routes GET /hosts and POST /hosts/join to it.
 */
#ifndef PAGLETS_RUNTIME_MESH_H
#define PAGLETS_RUNTIME_MESH_H

#include <jansson.h>

#include <paglets/host.h>

struct paglets__mesh;

struct paglets__mesh_config {
    const char *self_name;
    const char *self_url;
    const char *mesh_version;
    const char *const *seeds;
    size_t n_seeds;
    const char *api_key;      /* for outgoing requests; may be NULL */
    const json_t *tags;       /* borrowed array of strings */
    const json_t *properties; /* borrowed object of strings */
    double offline_after_s;
    double interval_s;
    bool multicast;
    /* Live agent counts for this host's own HostRef; called from any thread. */
    void (*self_counts)(void *arg, size_t *active, size_t *inactive);
    void *self_counts_arg;
};

/* Copies the config. Caller frees with paglets__mesh_free(). */
struct paglets__mesh *
paglets__mesh_new(const struct paglets__mesh_config *config,
                  struct paglets_err *err);

/* Start the gossip thread (and multicast when configured). */
int paglets__mesh_start(struct paglets__mesh *mesh, struct paglets_err *err);

/* Stop threads and free. NULL is a no-op. */
void paglets__mesh_free(struct paglets__mesh *mesh);

/* GET /hosts reply: {"hosts": [HostRef, ...]}, new reference. */
json_t *paglets__mesh_hosts_json(struct paglets__mesh *mesh);

/*
 * POST /hosts/join: body is the caller's HostRef (plus any gossip payload);
 * *reply: new reference, {"hosts": [...]}. -EINVAL on a malformed body.
 */
int paglets__mesh_handle_join(struct paglets__mesh *mesh, const json_t *body,
                              json_t **reply, struct paglets_err *err);

/* Same-version members, self included; *hosts freed with free(). */
int paglets__mesh_members(struct paglets__mesh *mesh,
                          struct paglets_host_info **hosts, size_t *n_hosts,
                          struct paglets_err *err);

/* URL of an online member by name. 0, or -ENOENT. */
int paglets__mesh_resolve(struct paglets__mesh *mesh, const char *name,
                          char *url, size_t url_size);

#endif
