/*
 * Fuzz what a host does with one HTTP request after libmicrohttpd has
 * framed it: the JSON body decoding of server.c and every route of
 * routes.c (agents, messages, envelopes, dispose), on a host that is
 * configured but not listening. Input: one byte selecting the method, the
 * path up to a newline, then the body. "@" in the path stands for the id
 * of an agent created for each input, so the agent routes are reachable.
 * The agent is an EchoAgent with the operations that return at once.
 * Clone requests are skipped: they make outgoing HTTP calls to the target.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/host.h>

#include "cli/agents.h"
#include "runtime/host_int.h"
#include "runtime/routes.h"
#include "util/log.h"

#define RESIDENT_ID "fuzz-resident"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The echo agent's own type and operations (src/cli/agent_echo.c), less
 * what would make an input wait or leave the process: the run hook (it
 * lingers), sleep and wait (they block), call, clone and inspect (HTTP).
 */
static const char *const kept_ops[] = {"counter", "dispose", "echo",
                                       "increment"};
static struct paglets_op fuzz_ops[sizeof(kept_ops) / sizeof(kept_ops[0])];
static struct paglets_agent_type fuzz_type;

static void make_type(void)
{
    const struct paglets_agent_type *echo = &cli_echo_agent_type;
    size_t n = 0;
    for (size_t i = 0; i < echo->n_ops; i++)
        for (size_t k = 0; k < sizeof(kept_ops) / sizeof(kept_ops[0]); k++)
            if (strcmp(echo->ops[i].name, kept_ops[k]) == 0)
                fuzz_ops[n++] = echo->ops[i]; /* the order stays sorted */
    if (n != sizeof(kept_ops) / sizeof(kept_ops[0]))
        abort(); /* the echo agent lost an operation this harness drives */
    fuzz_type = *echo;
    fuzz_type.run = NULL;
    fuzz_type.ops = fuzz_ops;
    fuzz_type.n_ops = n;
}

static struct paglets_host *fuzz_host(void)
{
    static struct paglets_host *host;
    if (host != NULL)
        return host;
    paglets_log_set_level(PAGLETS_LOG_ERROR);
    struct paglets_host_config config;
    paglets_host_config_init(&config);
    config.name = "fuzz";
    config.mesh = false;
    config.max_agents = 16;
    make_type();
    host = paglets_host_new(&config, NULL);
    if (host == NULL || paglets_host_register_type(host, &fuzz_type, NULL) != 0)
        abort();
    return host;
}

static void add_resident(struct paglets_host *host)
{
    json_t *envelope = json_pack("{s:s, s:s, s:s, s:{s:i}}", "kind", "clone",
                                 "agent_id", RESIDENT_ID, "agent_class_name",
                                 "EchoAgent", "state", "counter", 1);
    struct paglets_proxy proxy;
    if (envelope == NULL ||
        paglets__host_accept(host, envelope, &proxy, NULL) != 0)
        abort();
    json_decref(envelope);
}

/* Dispose every agent and join one-way workers: inputs start alike. */
static void reset(struct paglets_host *host)
{
    struct paglets_agent **agents;
    size_t n;
    if (paglets__registry_snapshot(&host->registry, false, &agents, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            paglets_agent_dispose(agents[i]);
            paglets__agent_unref(agents[i]);
        }
        free(agents);
    }
    paglets__worker_reap(host, true, 1e12);
}

/* path with each "@" replaced by the resident id; NULL for clone paths. */
static char *expand_path(const uint8_t *data, size_t len)
{
    char *path = malloc(len * sizeof(RESIDENT_ID) + 1);
    if (path == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '@') {
            memcpy(path + n, RESIDENT_ID, sizeof(RESIDENT_ID) - 1);
            n += sizeof(RESIDENT_ID) - 1;
        } else {
            path[n++] = (char)data[i];
        }
    }
    path[n] = '\0';
    if (strlen(path) != n || strstr(path, "/clone") != NULL) {
        free(path);
        return NULL;
    }
    return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE"};
    if (size < 1)
        return 0;
    const uint8_t *nl = memchr(data + 1, '\n', size - 1);
    size_t path_len = nl ? (size_t)(nl - data - 1) : size - 1;
    char *path = expand_path(data + 1, path_len);
    if (path == NULL)
        return 0;
    const uint8_t *body_start = nl ? nl + 1 : data + size;
    size_t body_len = (size_t)(data + size - body_start);
    struct paglets_host *host = fuzz_host();
    add_resident(host);
    json_t *body = NULL;
    if (body_len > 0)
        body = json_loadb((const char *)body_start, body_len,
                          JSON_REJECT_DUPLICATES, NULL);
    if (body_len == 0 || body != NULL) {
        struct paglets_err err = {0};
        struct paglets__route_reply reply;
        int rc = paglets__route(host, methods[data[0] & 3], path, body, &reply,
                                &err);
        if (rc == 0 && reply.body != NULL) {
            char *text = json_dumps(reply.body, JSON_COMPACT);
            free(text);
        } else if (rc != 0 && (rc >= 0 || err.message[0] == '\0')) {
            abort(); /* every failure must be a negative errno and a reason */
        } else if (rc == -ENOSYS && reply.allow[0] == '\0') {
            abort(); /* a 405 names the methods the path allows */
        }
        if (rc == 0) {
            json_decref(reply.body);
            free(reply.text); /* GET /metrics answers text */
        }
    }
    json_decref(body);
    free(path);
    reset(host);
    return 0;
}
