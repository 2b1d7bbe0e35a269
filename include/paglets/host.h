/*
 * Embedding a host: the HTTP server that keeps agents, joins the mesh and
 * runs registered agent types. `paglets host` is a thin CLI over this.
 */
#ifndef PAGLETS_HOST_H
#define PAGLETS_HOST_H

#include <paglets/agent.h>
#include <paglets/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct paglets_host; /* opaque */

/*
 * How a host runs. Fill with paglets_host_config_init() first, then set
 * what differs: fields are only ever added at the end.
 */
struct paglets_host_config {
    const char *name;         /* required */
    const char *bind_host;    /* default "127.0.0.1" */
    int port;                 /* default 8765; 0 = ephemeral */
    const char *const *peers; /* seed URLs */
    size_t n_peers;
    const char *mesh_version;       /* NULL: paglets_build_id() */
    const char *const *bind_public; /* extra listen addresses; "auto" */
    size_t n_bind_public;
    /*
     * The URL others reach this host at; NULL derives one from the bound
     * address. http(s)://HOST[:PORT] and nothing else (no path, query or
     * user name; one trailing '/' is dropped): paglets_host_new() refuses
     * anything more with -EINVAL and advertises the canonical form.
     */
    const char *public_url;
    const char *api_key; /* NULL: no authentication */
    const char *const *tags;
    size_t n_tags;
    const char *const *property_keys;
    const char *const *property_values;
    size_t n_properties;
    bool mesh;                      /* take part in the mesh (default true) */
    int mesh_multicast;             /* 1 on, 0 off, -1 auto: on off loopback */
    double offline_after_seconds;   /* default 10 */
    double gossip_interval_seconds; /* default 1 */
    size_t max_body_bytes;          /* default 2 MiB */
    size_t max_agents;              /* default 1024 */
    unsigned max_connections;       /* default 256 */
    double request_timeout_seconds; /* idle connection timeout, default 30 */
    double shutdown_grace_seconds;  /* default 5 */
    /*
     * The memory one agent's state may take when it arrives (created or
     * cloned here), as paglets_agent_state_bytes() counts it; larger gets
     * -EMSGSIZE (413). Default 1 MiB.
     */
    size_t max_state_bytes;
    /*
     * All agents' state on this host: what arrived plus what agent code
     * charges with paglets_agent_charge(). Past it, creates, clones and
     * charges get -ENOSPC (507). Default 64 MiB.
     */
    size_t max_state_total_bytes;
    /*
     * The longest any outgoing call of agent code may take, whatever
     * timeout it asks for; calls also end at shutdown. Default 300.
     */
    double max_call_timeout_seconds;
    /*
     * A connection must complete its request headers within this many
     * seconds of being accepted (or of its previous request's end), however
     * slowly it trickles them; else it is closed. Default 10.
     */
    double header_timeout_seconds;
    /*
     * Connections one client address may hold at once; more are closed as
     * they arrive. Addresses of this host and of its mesh members (IP
     * literals in their URLs) are exempt. Default 16.
     */
    unsigned max_connections_per_address;
    /*
     * HTTPS: PEM files of the certificate (chain) and its private key,
     * both or neither; read by paglets_host_new(). The host's URL is then
     * https://. NULL: plain HTTP.
     */
    const char *tls_cert_file;
    const char *tls_key_file;
    /*
     * CA certificates (PEM) the host's own calls (gossip, clones, agents'
     * calls) verify https peers against; NULL: $PAGLETS_TLS_CA when set,
     * else the system's store.
     */
    const char *tls_ca_file;
    /*
     * With an API key, also accept "Authorization: Bearer KEY" (curl,
     * scripts). Weaker than the signatures paglets clients send: the key
     * crosses the wire and a captured request can be replayed. Default
     * false.
     */
    bool accept_bearer;
    /*
     * Host header values accepted besides this host's own addresses:
     * "name" (on the port it listens on) or "name:port". Requests naming
     * any other host get 421.
     */
    const char *const *allow_hosts;
    size_t n_allow_hosts;
    /*
     * Origins (scheme://host[:port]) of web pages allowed to call the
     * host; a request with any other Origin header gets 403.
     */
    const char *const *allow_origins;
    size_t n_allow_origins;
    /*
     * A second, read-only key for scrapers: "Authorization: Bearer KEY"
     * with it is accepted on GET /metrics alone, whatever accept_bearer
     * says, and refused everywhere else. Needs api_key (without one every
     * endpoint is open) and must differ from it. NULL: none.
     */
    const char *metrics_key;
    /* Mesh table size (members), default 16384, at least 16. */
    size_t max_members;
};

/*
 * Fill every field with its default; the defaults live here alone
 * (`paglets host --help` prints them). Required before setting fields:
 * fields are only ever added at the end, and _init gives them theirs.
 */
PAGLETS_EXTERN void
paglets_host_config_init(struct paglets_host_config *config);

/*
 * Create a host (not yet serving). The config and the strings it points to
 * are copied. Caller frees with paglets_host_free(). NULL on error, with
 * the reason in err: -EINVAL for a config it cannot run with (no name, a
 * port out of range, zero limits, non-positive mesh intervals, a public
 * URL that is not a host URL, a TLS certificate without its key or the
 * other way round, an allowed host or origin that does not parse), the
 * errno of a TLS file that cannot be read, -ENOMEM, -EMFILE.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD struct paglets_host *
paglets_host_new(const struct paglets_host_config *config,
                 struct paglets_err *err);

/*
 * Make an agent type creatable on this host. The type is borrowed and must
 * outlive the host. Call before paglets_host_start(), from the thread that
 * owns the host. Returns 0, or with the reason in err: -EBUSY when the host
 * has started, -EINVAL for a NULL type or name, an operation without name
 * or handler, operations not sorted by name or one listed twice, -EEXIST
 * when a type of that name is registered, -ENOMEM.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD int
paglets_host_register_type(struct paglets_host *host,
                           const struct paglets_agent_type *type,
                           struct paglets_err *err);

/*
 * Start listening and meshing; returns once /health can be answered.
 * -EALREADY when started before; the listening socket's errno
 * (-EADDRINUSE, -EACCES, -EADDRNOTAVAIL), a --peer URL that is not a host
 * URL (-EINVAL), -ENOMEM. On failure the host is stopped; free it.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD int
paglets_host_start(struct paglets_host *host, struct paglets_err *err);

/*
 * Stop accepting, dispose every agent, give them shutdown_grace_seconds to
 * finish, then cancel the calls they still make (-ECANCELED) and leave the
 * mesh. Idempotent. Any thread but an agent's.
 */
PAGLETS_EXTERN void paglets_host_stop(struct paglets_host *host);

/* Stop if needed and free. NULL is a no-op. */
PAGLETS_EXTERN void paglets_host_free(struct paglets_host *host);

/* Borrowed, valid for the host's life. */
PAGLETS_EXTERN const char *paglets_host_name(const struct paglets_host *host);
PAGLETS_EXTERN const char *paglets_host_url(const struct paglets_host *host);
PAGLETS_EXTERN const char *
paglets_host_mesh_version(const struct paglets_host *host);

/* One member of the mesh as this host knows it. */
struct paglets_host_info {
    char name[128];
    char url[PAGLETS_URL_MAX];
    char code_version[128];
    bool online;
    bool self;
    double last_seen; /* Unix time, seconds */
};

/*
 * The hosts this host knows, itself included, same mesh version only.
 * *hosts: an array of *n_hosts; caller frees with paglets_host_info_free().
 * Returns 0 or -ENOMEM. Any thread.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD int
paglets_host_members(struct paglets_host *host,
                     struct paglets_host_info **hosts, size_t *n_hosts,
                     struct paglets_err *err);

/* Free an array paglets_host_members() returned. NULL is a no-op. */
PAGLETS_EXTERN void paglets_host_info_free(struct paglets_host_info *hosts);

/*
 * Bounds of what agents may publish for GET /metrics: samples per group
 * and on the host, groups, labels per sample, and the bytes of a name
 * (metric or label, NUL included) and of a help text or label value.
 */
#define PAGLETS_METRICS_MAX_SAMPLES 1024
#define PAGLETS_METRICS_MAX_TOTAL 4096
#define PAGLETS_METRICS_MAX_GROUPS 16
#define PAGLETS_METRICS_MAX_LABELS 8
#define PAGLETS_METRICS_NAME_MAX 128
#define PAGLETS_METRICS_TEXT_MAX 256

/*
 * One gauge sample to publish. name is a Prometheus metric name without
 * colons ([a-zA-Z_][a-zA-Z0-9_]*, the family); help one line of UTF-8;
 * labels holds n_labels pairs, name then value ([a-zA-Z_][a-zA-Z0-9_]*,
 * not starting with "__"; any UTF-8 value). All borrowed.
 */
struct paglets_metric {
    const char *name;
    const char *help;
    const char *const *labels;
    size_t n_labels;
    double value; /* finite */
};

/*
 * Publish gauges on the host's GET /metrics, replacing everything group
 * published before in one step (a scrape sees the old set or the new one,
 * never a mix); n == 0 withdraws the group. What is published belongs to
 * the host and outlives the agent that published it (a benchmark child
 * publishes its result and is disposed). Everything is copied. Returns 0,
 * or with the reason in err: -EINVAL for a bad group or metric name, a
 * reserved family (paglets_host_*, paglets_http_*, paglets_mesh_*), a
 * family another group publishes, samples of one family with different
 * help, a label name given twice or a series twice, text that is not
 * UTF-8 or too long, a value that is not finite; -E2BIG past the bounds
 * above; -ENOMEM. On failure the group keeps what it had. Any thread.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD int
paglets_host_publish_metrics(struct paglets_host *host, const char *group,
                             const struct paglets_metric *metrics, size_t n,
                             struct paglets_err *err);

#ifdef __cplusplus
}
#endif

#endif
