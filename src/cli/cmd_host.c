/*
 * `paglets host`: run a host in the foreground until SIGINT or SIGTERM.
 */
/* sigset_t, sigwait and pthread_sigmask are POSIX, not C17. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/host.h>
#include <paglets/perf.h>

#include "agents.h"
#include "commands.h"

/*
 * The agent types every `paglets host` can create. New built-in types
 * are added here and nowhere else.
 */
static const struct paglets_agent_type *const builtin_types[] = {
    &paglets_perf_agent_type,
};

/*
 * Types for tests and demos, registered only with --test-agents:
 * EchoAgent calls any agent and inspects any host its caller names, which
 * no production host should offer.
 */
static const struct paglets_agent_type *const test_types[] = {
    &cli_echo_agent_type,
};

struct host_opts {
    bool accept_bearer;
    struct cli_list allow_hosts;
    struct cli_list allow_origins;
    const char *api_key_env;
    struct cli_list bind_public;
    const char *config;
    const char *debug;
    double gossip_interval;
    const char *host;
    double header_timeout;
    const char *log_level;
    long max_agents;
    uint64_t max_body;
    double max_call_timeout;
    long max_connections;
    long max_connections_per_address;
    uint64_t max_state;
    uint64_t max_state_total;
    long max_members;
    bool mesh;
    const char *metrics_key_env;
    /*
     * Negatable options store a bool; this byte starts at 2 ("auto": on
     * only off loopback) and reads 0 or 1 once --[no-]mesh-multicast set it.
     */
    unsigned char mesh_multicast;
    const char *mesh_version;
    const char *name;
    double offline_after;
    struct cli_list peers;
    long port;
    struct cli_list properties;
    const char *public_url;
    double request_timeout;
    double shutdown_grace;
    struct cli_list tags;
    bool test_agents;
    const char *tls_ca;
    const char *tls_cert;
    const char *tls_key;
};

#define O(field) offsetof(struct host_opts, field)
static const struct cli_opt host_options[] = {
    {"accept-bearer", 0, CLI_OPT_FLAG, NULL,
     "with an API key, also accept 'Authorization: Bearer KEY' (curl; "
     "weaker than signatures)",
     O(accept_bearer), 0, 0},
    {"allow-host", 0, CLI_OPT_LIST, "HOST[:PORT]",
     "also accept this Host header (repeatable); others get 421",
     O(allow_hosts), 0, 0},
    {"allow-origin", 0, CLI_OPT_LIST, "ORIGIN",
     "accept requests from web pages of this origin (repeatable)",
     O(allow_origins), 0, 0},
    {"api-key-env", 0, CLI_OPT_STRING, "NAME",
     "environment variable holding the API key (default " CLI_OPT_DEFAULT ")",
     O(api_key_env), 0, 0},
    {"bind-public", 0, CLI_OPT_LIST, "ADDR",
     "also listen on ADDR ('auto': default route's address); the first is "
     "advertised",
     O(bind_public), 0, 0},
    {"config", 'c', CLI_OPT_STRING, "FILE",
     "read 'key = value' settings (long option names); flags win", O(config), 0,
     0},
    {"debug", 0, CLI_OPT_STRING, "CATS",
     "debug output for categories: mesh,http,agent,bench or all", O(debug), 0,
     0},
    {"gossip-interval", 0, CLI_OPT_SECONDS, "SECONDS",
     "time between mesh probes (default " CLI_OPT_DEFAULT ")",
     O(gossip_interval), 0.01, 3600},
    {"header-timeout", 0, CLI_OPT_SECONDS, "SECONDS",
     "close connections still sending request headers after this long "
     "(default " CLI_OPT_DEFAULT ")",
     O(header_timeout), 1, 3600},
    {"host", 0, CLI_OPT_STRING, "ADDR",
     "address to bind (default " CLI_OPT_DEFAULT ")", O(host), 0, 0},
    {"log-level", 0, CLI_OPT_STRING, "LEVEL",
     "error, warn, info or debug (default " CLI_OPT_DEFAULT ")", O(log_level),
     0, 0},
    {"max-agents", 0, CLI_OPT_INT, "N",
     "agents this host keeps at once; more get 503 (default " CLI_OPT_DEFAULT
     ")",
     O(max_agents), 1, 1000000},
    {"max-body", 0, CLI_OPT_SIZE, "SIZE",
     "largest request body; larger get 413 (default " CLI_OPT_DEFAULT ")",
     O(max_body), 0, 0},
    {"max-call-timeout", 0, CLI_OPT_SECONDS, "SECONDS",
     "longest outgoing call of agent code, whatever it asks "
     "(default " CLI_OPT_DEFAULT ")",
     O(max_call_timeout), 1, 86400},
    {"max-connections", 0, CLI_OPT_INT, "N",
     "simultaneous HTTP connections (default " CLI_OPT_DEFAULT ")",
     O(max_connections), 1, 65536},
    {"max-connections-per-address", 0, CLI_OPT_INT, "N",
     "connections one client address may hold; mesh members exempt "
     "(default " CLI_OPT_DEFAULT ")",
     O(max_connections_per_address), 1, 65536},
    {"max-members", 0, CLI_OPT_INT, "N",
     "hosts the mesh table holds; offline ones make room first "
     "(default " CLI_OPT_DEFAULT ")",
     O(max_members), 16, 1000000},
    {"max-state", 0, CLI_OPT_SIZE, "SIZE",
     "memory one agent's arriving state may take; more get 413 "
     "(default " CLI_OPT_DEFAULT ")",
     O(max_state), 0, 0},
    {"max-state-total", 0, CLI_OPT_SIZE, "SIZE",
     "memory all agents' state may take; more get 507 (default " CLI_OPT_DEFAULT
     ")",
     O(max_state_total), 0, 0},
    {"mesh", 0, CLI_OPT_NEGATABLE, NULL,
     "take part in the mesh (default " CLI_OPT_DEFAULT ")", O(mesh), 0, 0},
    {"mesh-multicast", 0, CLI_OPT_NEGATABLE, NULL,
     "LAN discovery by UDP multicast (default: on off loopback, "
     "off with an API key)",
     O(mesh_multicast), 0, 0},
    {"mesh-version", 0, CLI_OPT_STRING, "VERSION",
     "only mesh with hosts of this version (else $PAGLETS_MESH_VERSION)",
     O(mesh_version), 0, 0},
    {"metrics-key-env", 0, CLI_OPT_STRING, "NAME",
     "environment variable holding a read-only key for scrapers: 'Bearer "
     "KEY' on GET /metrics alone",
     O(metrics_key_env), 0, 0},
    {"name", 'n', CLI_OPT_STRING, "NAME", "this host's name (required)",
     O(name), 0, 0},
    {"offline-after", 0, CLI_OPT_SECONDS, "SECONDS",
     "least time a suspected host has to refute before it is offline "
     "(default " CLI_OPT_DEFAULT ")",
     O(offline_after), 0.1, 86400},
    {"peer", 0, CLI_OPT_LIST, "URL", "seed host to join through (repeatable)",
     O(peers), 0, 0},
    {"port", 'p', CLI_OPT_INT, "PORT",
     "port to listen on, 0 = any (default " CLI_OPT_DEFAULT ")", O(port), 0,
     65535},
    {"property", 0, CLI_OPT_LIST, "KEY=VALUE",
     "advertised property (repeatable)", O(properties), 0, 0},
    {"public-url", 0, CLI_OPT_STRING, "URL",
     "URL other hosts reach this one at: http(s)://HOST[:PORT], no path",
     O(public_url), 0, 0},
    {"request-timeout", 0, CLI_OPT_SECONDS, "SECONDS",
     "close idle connections after this long (default " CLI_OPT_DEFAULT ")",
     O(request_timeout), 1, 3600},
    {"shutdown-grace", 0, CLI_OPT_SECONDS, "SECONDS",
     "time agents get to finish on SIGTERM (default " CLI_OPT_DEFAULT ")",
     O(shutdown_grace), 0, 600},
    {"tag", 0, CLI_OPT_LIST, "TAG", "advertised tag (repeatable)", O(tags), 0,
     0},
    {"test-agents", 0, CLI_OPT_FLAG, NULL,
     "also offer the test agent types (EchoAgent): for tests and demos only",
     O(test_agents), 0, 0},
    {"tls-ca", 0, CLI_OPT_STRING, "FILE",
     "CA certificates to verify https peers with (else $PAGLETS_TLS_CA, "
     "else the system's)",
     O(tls_ca), 0, 0},
    {"tls-cert", 0, CLI_OPT_STRING, "FILE",
     "serve HTTPS with this PEM certificate (needs --tls-key)", O(tls_cert), 0,
     0},
    {"tls-key", 0, CLI_OPT_STRING, "FILE", "the PEM private key of --tls-cert",
     O(tls_key), 0, 0},
};
#undef O

static void host_defaults(void *config)
{
    struct host_opts *o = config;
    struct paglets_host_config c;
    paglets_host_config_init(&c);
    o->api_key_env = CLI_API_KEY_ENV;
    o->gossip_interval = c.gossip_interval_seconds;
    o->header_timeout = c.header_timeout_seconds;
    o->host = c.bind_host;
    o->log_level = CLI_LOG_LEVEL;
    o->max_agents = (long)c.max_agents;
    o->max_body = c.max_body_bytes;
    o->max_call_timeout = c.max_call_timeout_seconds;
    o->max_connections = (long)c.max_connections;
    o->max_connections_per_address = (long)c.max_connections_per_address;
    o->max_state = c.max_state_bytes;
    o->max_state_total = c.max_state_total_bytes;
    o->max_members = (long)c.max_members;
    o->mesh = c.mesh;
    o->mesh_multicast = 2;
    o->offline_after = c.offline_after_seconds;
    o->port = c.port;
    o->request_timeout = c.request_timeout_seconds;
    o->shutdown_grace = c.shutdown_grace_seconds;
}

/* Split KEY=VALUE items; keys and values borrow from `storage`. */
static int split_properties(const struct cli_list *list, char **storage,
                            const char **keys, const char **values)
{
    for (size_t i = 0; i < list->n; i++) {
        const char *item = list->items[i];
        const char *eq = strchr(item, '=');
        if (eq == NULL || eq == item)
            return cli_usage_error("paglets host",
                                   "--property: '%s' is not KEY=VALUE", item);
        size_t len = strlen(item) + 1;
        storage[i] = malloc(len);
        if (storage[i] == NULL)
            return cli_usage_error("paglets host", "out of memory");
        memcpy(storage[i], item, len);
        storage[i][eq - item] = '\0';
        keys[i] = storage[i];
        values[i] = storage[i] + (eq - item) + 1;
    }
    return 0;
}

static int setup_logging(const struct host_opts *o)
{
    enum paglets_log_level level;
    if (paglets_log_parse_level(o->log_level, &level) != 0)
        return cli_usage_error("paglets host",
                               "--log-level: unknown level "
                               "'%s'",
                               o->log_level);
    paglets_log_set_level(level);
    struct paglets_err err = {0};
    if (o->debug != NULL && paglets_log_set_debug(o->debug, &err) != 0)
        return cli_usage_error("paglets host", "--debug: %s", err.message);
    return 0;
}

static const char *mesh_version(const struct host_opts *o)
{
    if (o->mesh_version != NULL)
        return o->mesh_version;
    const char *env = getenv("PAGLETS_MESH_VERSION");
    if (env != NULL && *env != '\0')
        return env;
    fprintf(stderr,
            "paglets host: warning: no --mesh-version or "
            "PAGLETS_MESH_VERSION; using build id '%s'\n",
            paglets_build_id());
    return NULL;
}

static void fill_config(const struct host_opts *o,
                        struct paglets_host_config *c)
{
    paglets_host_config_init(c);
    c->name = o->name;
    c->bind_host = o->host;
    c->port = (int)o->port;
    c->peers = o->peers.items;
    c->n_peers = o->peers.n;
    c->mesh_version = mesh_version(o);
    c->bind_public = o->bind_public.items;
    c->n_bind_public = o->bind_public.n;
    c->public_url = o->public_url;
    const char *key = getenv(o->api_key_env);
    c->api_key = key != NULL && *key != '\0' ? key : NULL;
    c->tags = o->tags.items;
    c->n_tags = o->tags.n;
    c->mesh = o->mesh;
    c->mesh_multicast = o->mesh_multicast > 1 ? -1 : o->mesh_multicast;
    c->offline_after_seconds = o->offline_after;
    c->gossip_interval_seconds = o->gossip_interval;
    c->max_body_bytes = (size_t)o->max_body;
    c->max_agents = (size_t)o->max_agents;
    c->max_connections = (unsigned)o->max_connections;
    c->max_members = (size_t)o->max_members;
    c->request_timeout_seconds = o->request_timeout;
    c->shutdown_grace_seconds = o->shutdown_grace;
    c->max_state_bytes = (size_t)o->max_state;
    c->max_state_total_bytes = (size_t)o->max_state_total;
    c->max_call_timeout_seconds = o->max_call_timeout;
    c->header_timeout_seconds = o->header_timeout;
    c->max_connections_per_address = (unsigned)o->max_connections_per_address;
    c->tls_cert_file = o->tls_cert;
    c->tls_key_file = o->tls_key;
    c->tls_ca_file = o->tls_ca;
    c->accept_bearer = o->accept_bearer;
    c->allow_hosts = o->allow_hosts.items;
    c->n_allow_hosts = o->allow_hosts.n;
    c->allow_origins = o->allow_origins.items;
    c->n_allow_origins = o->allow_origins.n;
    c->metrics_key = o->metrics_key_env ? getenv(o->metrics_key_env) : NULL;
}

/* Register n types; 0, or prints why and returns the exit status. */
static int register_types(struct paglets_host *host,
                          const struct paglets_agent_type *const *types,
                          size_t n)
{
    struct paglets_err err = {0};
    for (size_t i = 0; i < n; i++) {
        if (paglets_host_register_type(host, types[i], &err) != 0) {
            fprintf(stderr, "paglets host: %s\n", err.message);
            return CLI_EXIT_FAILURE;
        }
    }
    return 0;
}

/* Serve until SIGINT/SIGTERM; those are blocked in every host thread. */
static int serve(struct paglets_host_config *c, bool test_agents)
{
    struct paglets_err err = {0};
    struct paglets_host *host = paglets_host_new(c, &err);
    if (host == NULL) {
        fprintf(stderr, "paglets host: %s\n", err.message);
        return CLI_EXIT_USAGE;
    }
    int failed = register_types(
        host, builtin_types, sizeof(builtin_types) / sizeof(builtin_types[0]));
    if (failed == 0 && test_agents)
        failed = register_types(host, test_types,
                                sizeof(test_types) / sizeof(test_types[0]));
    if (failed != 0) {
        paglets_host_free(host);
        return failed;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    int status = CLI_EXIT_OK;
    if (paglets_host_start(host, &err) != 0) {
        fprintf(stderr, "paglets host: %s\n", err.message);
        status = CLI_EXIT_USAGE;
    } else {
        int sig = 0;
        sigwait(&stop, &sig);
        fprintf(stderr, "paglets host: received %s, stopping\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    paglets_host_free(host);
    return status;
}

static int host_run(void *config, int argc, char **argv)
{
    struct host_opts *o = config;
    (void)argv;
    if (argc > 0)
        return cli_usage_error("paglets host", "unexpected argument '%s'",
                               argv[0]);
    if (o->name == NULL || *o->name == '\0')
        return cli_usage_error("paglets host", "--name is required");
    const char *mkey = o->metrics_key_env ? getenv(o->metrics_key_env) : NULL;
    if (o->metrics_key_env != NULL && (mkey == NULL || *mkey == '\0'))
        return cli_usage_error("paglets host",
                               "--metrics-key-env: variable '%s' is unset "
                               "or empty",
                               o->metrics_key_env);
    int status = setup_logging(o);
    if (status != 0)
        return status;
    size_t n = o->properties.n;
    char **storage = calloc(n + 1, sizeof(*storage));
    const char **keys = calloc(n + 1, sizeof(*keys));
    const char **values = calloc(n + 1, sizeof(*values));
    if (storage == NULL || keys == NULL || values == NULL)
        status = cli_usage_error("paglets host", "out of memory");
    if (status == 0)
        status = split_properties(&o->properties, storage, keys, values);
    if (status == 0) {
        struct paglets_host_config c;
        fill_config(o, &c);
        c.property_keys = keys;
        c.property_values = values;
        c.n_properties = n;
        status = serve(&c, o->test_agents);
    }
    for (size_t i = 0; storage != NULL && i < n; i++)
        free(storage[i]);
    free(storage);
    free(keys);
    free(values);
    return status;
}

const struct cli_command cli_host_command = {
    .name = "host",
    .summary = "Run a host: keep agents, join the mesh, serve HTTP.",
    .description =
        "Runs in the foreground; logs one line per event on stderr: warnings\n"
        "about the configuration and the mesh's 'joined as' line first, then\n"
        "\"host 'NAME' listening on URL\" once it serves. SIGINT or SIGTERM\n"
        "stop it: agents get --shutdown-grace to finish, then the host exits\n"
        "0.\n"
        "The API key is read from the variable named by --api-key-env;\n"
        "with a key, requests must be signed (paglets clients sign them).\n"
        "GET /metrics answers in the Prometheus text format, under the same\n"
        "auth; --metrics-key-env adds a key only /metrics accepts.",
    .opts = host_options,
    .n_opts = sizeof(host_options) / sizeof(host_options[0]),
    .config_size = sizeof(struct host_opts),
    .defaults = host_defaults,
    .run = host_run,
    .file_option = "config",
};
