/*
 * Entry host selection for `paglets examples perf`, and the embedded host
 * that makes a first run on a bare machine just work.
 */
/* realpath, gethostname, sigaction: POSIX.1-2008 with XSI. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <paglets/paglets.h>

#include "opt.h"
#include "perf_entry.h"

#define DEFAULT_ENTRY_URL "http://127.0.0.1:8765"
/* A local host answers /health in milliseconds; do not wait long. */
#define HEALTH_TIMEOUT_S 2.0

static bool is_url(const char *text)
{
    return strncmp(text, "http://", 7) == 0 ||
           strncmp(text, "https://", 8) == 0;
}

/* The health name of the host at url, or -errno with err filled. */
static int health_name(struct paglets_client *client, const char *url,
                       char *name, size_t size, struct paglets_err *err)
{
    json_t *health = NULL;
    int rc = paglets_client_health(client, url, &health, err);
    const char *text = json_string_value(json_object_get(health, "name"));
    if (rc == 0)
        snprintf(name, size, "%s", text ? text : "");
    json_decref(health);
    return rc;
}

/* The URL of the online mesh member `name`, as the host at url knows it. */
static int member_url(struct paglets_client *client, const char *url,
                      const char *name, char *out, size_t size)
{
    json_t *reply = NULL;
    int rc = paglets_client_hosts(client, url, &reply, NULL);
    size_t i;
    json_t *ref;
    bool found = false;
    json_array_foreach(json_object_get(reply, "hosts"), i, ref)
    {
        const char *ref_name = json_string_value(json_object_get(ref, "name"));
        const char *ref_url = json_string_value(json_object_get(ref, "url"));
        if (!found && ref_name && ref_url && strcmp(ref_name, name) == 0 &&
            json_is_true(json_object_get(ref, "online"))) {
            snprintf(out, size, "%s", ref_url);
            found = true;
        }
    }
    json_decref(reply);
    return rc != 0 ? rc : found ? 0 : -ENOENT;
}

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
    int rc = e->embedded ? paglets_host_register_type(e->embedded,
                                                      &paglets_perf_agent_type)
                         : err.code;
    if (rc == 0)
        rc = paglets_host_start(e->embedded, &err);
    if (rc != 0) {
        fprintf(stderr,
                "%s: no host answered at %s and an embedded host "
                "could not start: %s\n",
                path, DEFAULT_ENTRY_URL,
                err.message[0] ? err.message : paglets_strerror(rc));
        return CLI_EXIT_USAGE;
    }
    snprintf(e->url, sizeof(e->url), "%s", paglets_host_url(e->embedded));
    fprintf(stderr,
            "%s: no host answered at %s; running on embedded host "
            "'%s' at %s\n",
            path, DEFAULT_ENTRY_URL, name, e->url);
    return 0;
}

static int open_with(struct perf_entry *e, struct paglets_client *client,
                     const char *entry, const char *api_key, const char *path)
{
    struct paglets_err err = {0};
    char name[128];
    const char *url = entry && is_url(entry) ? entry : DEFAULT_ENTRY_URL;
    int rc = health_name(client, url, name, sizeof(name), &err);
    if (rc != 0 && entry == NULL)
        return start_embedded(e, api_key, path);
    if (rc != 0) {
        fprintf(stderr, "%s: entry host %s does not answer: %s\n", path, url,
                err.message);
        return CLI_EXIT_USAGE;
    }
    snprintf(e->url, sizeof(e->url), "%s", url);
    if (entry == NULL || is_url(entry) || strcmp(name, entry) == 0)
        return 0;
    /* --entry NAME: another member of the mesh the local host knows. */
    if (member_url(client, url, entry, e->url, sizeof(e->url)) != 0) {
        fprintf(stderr,
                "%s: no online host named '%s' (the host at %s is "
                "'%s')\n",
                path, entry, url, name);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int perf_entry_open(struct perf_entry *e, const char *entry,
                    const char *api_key, const char *path)
{
    struct paglets_err err = {0};
    struct paglets_client *client = paglets_client_new(api_key, &err);
    if (client == NULL) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        return CLI_EXIT_USAGE;
    }
    paglets_client_set_timeout(client, HEALTH_TIMEOUT_S);
    int status = open_with(e, client, entry, api_key, path);
    paglets_client_free(client);
    return status;
}

void perf_entry_close(struct perf_entry *e)
{
    paglets_host_free(e->embedded);
    e->embedded = NULL;
}
