/*
 * `paglets hosts`: the mesh as the entry host sees it, as a table or JSON.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <paglets/client.h>

#include "commands.h"
#include "term.h"

struct hosts_opts {
    const char *api_key_env;
    const char *entry;
    bool json;
    const char *proxy;
    const char *tls_ca;
};

#define O(field) offsetof(struct hosts_opts, field)
static const struct cli_opt hosts_options[] = {
    {"api-key-env", 0, CLI_OPT_STRING, "NAME",
     "environment variable holding the API key (default " CLI_OPT_DEFAULT ")",
     O(api_key_env), 0, 0},
    {"entry", 0, CLI_OPT_STRING, "NAME|URL",
     "host to ask: a URL, or a host name on 127.0.0.1 or the LAN address, "
     "port " CLI_STR(PAGLETS_DEFAULT_PORT),
     O(entry), 0, 0},
    {"json", 0, CLI_OPT_FLAG, NULL, "print the GET /hosts reply as JSON",
     O(json), 0, 0},
    {"proxy", 0, CLI_OPT_STRING, "URL",
     "send requests through this proxy (proxy variables are ignored)", O(proxy),
     0, 0},
    {"tls-ca", 0, CLI_OPT_STRING, "FILE",
     "CA certificates to verify https hosts with (else $PAGLETS_TLS_CA, "
     "else the system's)",
     O(tls_ca), 0, 0},
};

/* Every request is local or on the LAN: a host slower than this is down. */
#define TIMEOUT_S 5.0
#undef O

static void hosts_defaults(void *config)
{
    struct hosts_opts *o = config;
    o->api_key_env = CLI_API_KEY_ENV;
}

/*
 * The table's cells. Names, URLs and versions come from peers: they are
 * shown escaped, so none can move the cursor or reorder the line, and cut
 * to these sizes, so one huge name cannot pad every row to its size (mesh
 * host names are at most 127 bytes; URLs 255).
 */
struct cells {
    char name[64], url[80], version[40], age[32], agents[24], state[16];
};

/*
 * A row is its host's JSON and name (borrowed from the reply): 16 bytes,
 * so a reply of a million tiny rows costs the table little beyond the
 * reply itself. The cells are made when the row is measured or printed.
 */
struct row {
    const json_t *host;
    const char *name; /* "-" when the host has no string name */
};

static void shown(const json_t *host, const char *key, char *out, size_t size)
{
    const char *text = json_string_value(json_object_get(host, key));
    cli_cell(out, size, text ? text : "-");
}

/* A count, or "-" for anything that is not a non-negative integer. */
static void format_count(char *out, size_t size, const json_t *count)
{
    if (json_is_integer(count) && json_integer_value(count) >= 0)
        snprintf(out, size, "%" JSON_INTEGER_FORMAT, json_integer_value(count));
    else
        snprintf(out, size, "-");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct row *)a)->name, ((const struct row *)b)->name);
}

/*
 * "now", "4s ago", "3m ago", "2h ago"; "-" when unknown or absurd (more
 * than 30 years either way: a peer's clock, or a peer lying).
 */
static void format_age(char *out, size_t size, const json_t *last_seen,
                       double now)
{
    if (!json_is_number(last_seen)) {
        snprintf(out, size, "-");
        return;
    }
    double age = now - json_number_value(last_seen);
    if (!isfinite(age) || fabs(age) > 1e9)
        snprintf(out, size, "-");
    else if (age < 1)
        snprintf(out, size, "now");
    else if (age < 120)
        snprintf(out, size, "%.0fs ago", age);
    else if (age < 7200)
        snprintf(out, size, "%.0fm ago", age / 60);
    else
        snprintf(out, size, "%.0fh ago", age / 3600);
}

static void make_cells(struct cells *c, const json_t *host, double now)
{
    shown(host, "name", c->name, sizeof(c->name));
    shown(host, "url", c->url, sizeof(c->url));
    shown(host, "code_version", c->version, sizeof(c->version));
    format_age(c->age, sizeof(c->age), json_object_get(host, "last_seen"), now);
    format_count(c->agents, sizeof(c->agents),
                 json_object_get(host, "active_count"));
    shown(host, "state", c->state, sizeof(c->state));
}

static int widen(int width, const char *text)
{
    int len = (int)strlen(text);
    return len > width ? len : width;
}

static int print_table(const json_t *hosts)
{
    size_t n = json_array_size(hosts);
    struct row *rows = calloc(n ? n : 1, sizeof(*rows));
    if (rows == NULL)
        return CLI_EXIT_USAGE;
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    int wn = 4, wu = 3, wv = 7; /* the headers' widths */
    struct cells c;
    for (size_t i = 0; i < n; i++) {
        rows[i].host = json_array_get(hosts, i);
        rows[i].name = json_string_value(json_object_get(rows[i].host, "name"));
        if (rows[i].name == NULL)
            rows[i].name = "-";
        make_cells(&c, rows[i].host, now);
        wn = widen(wn, c.name);
        wu = widen(wu, c.url);
        wv = widen(wv, c.version);
    }
    qsort(rows, n, sizeof(*rows), by_name);
    printf("%-*s  %-*s  %-*s  %-6s  %-9s  %-6s  %s\n", wn, "name", wu, "url",
           wv, "version", "online", "last seen", "agents", "state");
    for (size_t i = 0; i < n; i++) {
        make_cells(&c, rows[i].host, now);
        printf("%-*s  %-*s  %-*s  %-6s  %-9s  %-6s  %s\n", wn, c.name, wu,
               c.url, wv, c.version,
               json_is_true(json_object_get(rows[i].host, "online")) ? "yes"
                                                                     : "no",
               c.age, c.agents, c.state);
    }
    free(rows);
    return CLI_EXIT_OK;
}

static int hosts_run(void *config, int argc, char **argv)
{
    const struct hosts_opts *o = config;
    (void)argv;
    if (argc > 0)
        return cli_usage_error("paglets hosts", "unexpected argument '%s'",
                               argv[0]);
    struct paglets_err err = {0};
    json_t *reply = NULL;
    char url[PAGLETS_URL_MAX];
    int status = CLI_EXIT_USAGE;
    struct paglets_client *client =
        paglets_client_new(getenv(o->api_key_env), &err);
    if (client == NULL ||
        paglets_client_set_proxy(client, o->proxy, &err) != 0 ||
        (o->tls_ca != NULL &&
         paglets_client_set_tls_ca(client, o->tls_ca, &err) != 0))
        goto out;
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.timeout_seconds = TIMEOUT_S;
    if (paglets_client_entry_with(client, o->entry, &opts, url, sizeof(url),
                                  NULL, &err) < 0) {
        /*
         * A host that refused the key (401, 403: nothing else gives these
         * codes) answered, with an error: that is status 1, as for /hosts.
         */
        if (err.code == -EACCES || err.code == -EPERM)
            status = CLI_EXIT_FAILURE;
        goto out;
    }
    /* The entry host answered /health: anything wrong now is its error. */
    status = CLI_EXIT_FAILURE;
    if (paglets_client_hosts_with(client, url, &opts, &reply, &err) < 0)
        goto out;
    const json_t *hosts = json_object_get(reply, "hosts");
    if (!json_is_array(hosts)) {
        paglets_err_set(&err, -EPROTO, "%s: GET /hosts has no host list", url);
        goto out;
    }
    if (o->json) {
        cli_json_print(reply, JSON_INDENT(2) | JSON_SORT_KEYS, stdout);
        putchar('\n');
        status = CLI_EXIT_OK;
    } else {
        status = print_table(hosts);
    }
out:
    if (err.code != 0)
        cli_error("paglets hosts: %s\n", err.message);
    json_decref(reply);
    paglets_client_free(client);
    return status;
}

const struct cli_command cli_hosts_command = {
    .name = "hosts",
    .summary = "List the hosts of the mesh as the entry host knows them.",
    .description =
        "Columns: name, url, mesh version, online, last seen, active agents, "
        "state (alive, suspect or offline).",
    .opts = hosts_options,
    .n_opts = sizeof(hosts_options) / sizeof(hosts_options[0]),
    .config_size = sizeof(struct hosts_opts),
    .defaults = hosts_defaults,
    .run = hosts_run,
};
