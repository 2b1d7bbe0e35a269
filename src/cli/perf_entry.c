/*
 * Entry host selection for `paglets examples perf` (paglets_client_entry,
 * as every command does it), and the embedded host that makes a first run
 * on a bare machine just work.
 */
/* gethostname: POSIX.1-2008 with XSI. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <paglets/paglets.h>
#include <paglets/perf.h>

#include "opt.h"
#include "perf_entry.h"
#include "term.h"

/* A local host answers /health in milliseconds; do not wait long. */
#define HEALTH_TIMEOUT_S 2.0

static int start_embedded(struct perf_entry *e, const char *api_key,
                          const char *path)
{
    char name[128] = "localhost";
    if (gethostname(name, sizeof(name)) != 0 || name[0] == '\0')
        snprintf(name, sizeof(name), "localhost");
    name[sizeof(name) - 1] = '\0';
    struct paglets_host_config config;
    paglets_host_config_init(&config);
    config.name = name;
    config.bind_host = "127.0.0.1";
    config.port = 0;
    config.mesh = false;
    config.mesh_multicast = 0;
    config.api_key = api_key;
    struct paglets_err err = {0};
    e->embedded = paglets_host_new(&config, &err);
    int rc = e->embedded ? paglets_host_register_type(
                               e->embedded, &paglets_perf_agent_type, &err)
                         : err.code;
    if (rc == 0)
        rc = paglets_host_start(e->embedded, &err);
    if (rc != 0) {
        cli_error("%s: no entry host answered and an embedded host could not "
                  "start: %s\n",
                  path, err.message[0] ? err.message : paglets_strerror(rc));
        return CLI_EXIT_USAGE;
    }
    snprintf(e->url, sizeof(e->url), "%s", paglets_host_url(e->embedded));
    cli_error("%s: no host answered on port %d; running on embedded host "
              "'%s' at %s\n",
              path, PAGLETS_DEFAULT_PORT, name, e->url);
    return 0;
}

static int open_with(struct perf_entry *e, struct paglets_client *client,
                     const char *entry, const char *api_key, double deadline,
                     const char *path)
{
    struct paglets_err err = {0};
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.timeout_seconds = HEALTH_TIMEOUT_S;
    opts.deadline_seconds = deadline;
    int rc = paglets_client_entry_with(client, entry, &opts, e->url,
                                       sizeof(e->url), NULL, &err);
    if (rc == 0)
        return 0;
    if (entry == NULL)
        return start_embedded(e, api_key, path);
    cli_error("%s: entry host '%s': %s\n", path, entry,
              err.message[0] ? err.message : paglets_strerror(rc));
    return CLI_EXIT_USAGE;
}

int perf_entry_open(struct perf_entry *e, const char *entry,
                    const char *api_key, const char *proxy, double deadline,
                    const char *path)
{
    struct paglets_err err = {0};
    struct paglets_client *client = paglets_client_new(api_key, &err);
    if (client == NULL || paglets_client_set_proxy(client, proxy, &err) != 0) {
        paglets_client_free(client);
        return cli_usage_error(path, "%s", err.message);
    }
    int status = open_with(e, client, entry, api_key, deadline, path);
    paglets_client_free(client);
    return status;
}

void perf_entry_close(struct perf_entry *e)
{
    paglets_host_free(e->embedded);
    e->embedded = NULL;
}
