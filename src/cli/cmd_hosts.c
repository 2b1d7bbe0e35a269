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

struct hosts_opts {
    const char *api_key_env;
    const char *entry;
    bool json;
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
 * One line of the table. Names, URLs and versions come from peers: they
 * are shown escaped, so none can move the cursor or reorder the line.
 */
struct row {
    char name[256], url[256], version[256], age[32];
    bool online;
    long long agents;
};

static void shown(const json_t *host, const char *key, char *out, size_t size)
{
    const char *text = json_string_value(json_object_get(host, key));
    if (text == NULL)
        text = "-";
    paglets_escape(out, size, text, strlen(text));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct row *)a)->name, ((const struct row *)b)->name);
}

/* "now", "4s ago", "3m ago", "2h ago"; "-" when unknown. */
static void format_age(char *out, size_t size, const json_t *last_seen,
                       double now)
{
    if (!json_is_number(last_seen)) {
        snprintf(out, size, "-");
        return;
    }
    double age = now - json_number_value(last_seen);
    if (!isfinite(age) || age < 1)
        snprintf(out, size, "now");
    else if (age < 120)
        snprintf(out, size, "%.0fs ago", age);
    else if (age < 7200)
        snprintf(out, size, "%.0fm ago", age / 60);
    else
        snprintf(out, size, "%.0fh ago", age / 3600);
}

/* The widest text at offset (a char array of struct row), at least min. */
static int widest(const struct row *rows, size_t n, size_t offset, size_t min)
{
    size_t w = min;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen((const char *)&rows[i] + offset);
        if (len > w)
            w = len;
    }
    return (int)w;
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
    for (size_t i = 0; i < n; i++) {
        const json_t *host = json_array_get(hosts, i);
        shown(host, "name", rows[i].name, sizeof(rows[i].name));
        shown(host, "url", rows[i].url, sizeof(rows[i].url));
        shown(host, "code_version", rows[i].version, sizeof(rows[i].version));
        format_age(rows[i].age, sizeof(rows[i].age),
                   json_object_get(host, "last_seen"), now);
        rows[i].online = json_is_true(json_object_get(host, "online"));
        rows[i].agents = (long long)json_integer_value(
            json_object_get(host, "active_count"));
    }
    qsort(rows, n, sizeof(*rows), by_name);
    int wn = widest(rows, n, offsetof(struct row, name), 4);
    int wu = widest(rows, n, offsetof(struct row, url), 3);
    int wv = widest(rows, n, offsetof(struct row, version), 7);
    printf("%-*s  %-*s  %-*s  %-6s  %-9s  %s\n", wn, "name", wu, "url", wv,
           "version", "online", "last seen", "agents");
    for (size_t i = 0; i < n; i++)
        printf("%-*s  %-*s  %-*s  %-6s  %-9s  %lld\n", wn, rows[i].name, wu,
               rows[i].url, wv, rows[i].version, rows[i].online ? "yes" : "no",
               rows[i].age, rows[i].agents);
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
        (o->tls_ca != NULL &&
         paglets_client_set_tls_ca(client, o->tls_ca, &err) != 0))
        goto out;
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.timeout_seconds = TIMEOUT_S;
    if (paglets_client_entry_with(client, o->entry, &opts, url, sizeof(url),
                                  NULL, &err) < 0)
        goto out;
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
        json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
        putchar('\n');
        status = CLI_EXIT_OK;
    } else {
        status = print_table(hosts);
    }
out:
    if (err.code != 0)
        fprintf(stderr, "paglets hosts: %s\n", err.message);
    json_decref(reply);
    paglets_client_free(client);
    return status;
}

const struct cli_command cli_hosts_command = {
    .name = "hosts",
    .summary = "List the hosts of the mesh as the entry host knows them.",
    .description =
        "Columns: name, url, mesh version, online, last seen, active agents.",
    .opts = hosts_options,
    .n_opts = sizeof(hosts_options) / sizeof(hosts_options[0]),
    .config_size = sizeof(struct hosts_opts),
    .defaults = hosts_defaults,
    .run = hosts_run,
};
