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
};

#define O(field) offsetof(struct hosts_opts, field)
static const struct cli_opt hosts_options[] = {
    {"api-key-env", 0, CLI_OPT_STRING, "NAME",
     "environment variable holding the API key (default PAGLETS_API_KEY)",
     O(api_key_env), 0, 0},
    {"entry", 0, CLI_OPT_STRING, "NAME|URL",
     "host to ask: a URL, or a host name on 127.0.0.1:8765 or the LAN address",
     O(entry), 0, 0},
    {"json", 0, CLI_OPT_FLAG, NULL, "print the GET /hosts reply as JSON",
     O(json), 0, 0},
};

/* Every request is local or on the LAN: a host slower than this is down. */
#define TIMEOUT_S 5.0
#undef O

static void hosts_defaults(void *config)
{
    struct hosts_opts *o = config;
    o->api_key_env = "PAGLETS_API_KEY";
}

static const char *text_of(const json_t *host, const char *key)
{
    const char *text = json_string_value(json_object_get(host, key));
    return text != NULL ? text : "-";
}

static int by_name(const void *a, const void *b)
{
    const json_t *const *x = a;
    const json_t *const *y = b;
    return strcmp(text_of(*x, "name"), text_of(*y, "name"));
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

static size_t widest(const json_t **rows, size_t n, const char *key, size_t min)
{
    size_t w = min;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(text_of(rows[i], key));
        if (len > w)
            w = len;
    }
    return w;
}

static int print_table(const json_t *hosts)
{
    size_t n = json_array_size(hosts);
    const json_t **rows = calloc(n ? n : 1, sizeof(*rows));
    if (rows == NULL)
        return CLI_EXIT_USAGE;
    for (size_t i = 0; i < n; i++)
        rows[i] = json_array_get(hosts, i);
    qsort(rows, n, sizeof(*rows), by_name);
    int wn = (int)widest(rows, n, "name", 4);
    int wu = (int)widest(rows, n, "url", 3);
    int wv = (int)widest(rows, n, "code_version", 7);
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    printf("%-*s  %-*s  %-*s  %-6s  %-9s  %s\n", wn, "name", wu, "url", wv,
           "version", "online", "last seen", "agents");
    for (size_t i = 0; i < n; i++) {
        char age[32];
        format_age(age, sizeof(age), json_object_get(rows[i], "last_seen"),
                   now);
        const json_t *active = json_object_get(rows[i], "active_count");
        printf("%-*s  %-*s  %-*s  %-6s  %-9s  %lld\n", wn,
               text_of(rows[i], "name"), wu, text_of(rows[i], "url"), wv,
               text_of(rows[i], "code_version"),
               json_is_true(json_object_get(rows[i], "online")) ? "yes" : "no",
               age, (long long)json_integer_value(active));
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
    if (client == NULL)
        goto out;
    paglets_client_set_timeout(client, TIMEOUT_S);
    if (paglets_client_entry(client, o->entry, url, sizeof(url), NULL, &err) <
        0)
        goto out;
    /* The entry host answered /health: anything wrong now is its error. */
    status = CLI_EXIT_FAILURE;
    if (paglets_client_hosts(client, url, &reply, &err) < 0)
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
