/*
 * Fuzz what a host does with one HTTP request after libmicrohttpd has
 * framed it: the JSON body decoding of server.c and every route of
 * routes.c (agents, messages, envelopes, dispose), on a host that is
 * configured but not listening. Input: one byte selecting the method, the
 * path up to a newline, then the body. "@" in the path stands for the id
 * of an agent created for each input, so the agent routes are reachable.
 * Clone requests are skipped: they make outgoing HTTP calls to the target.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/host.h>

#include "runtime/host_int.h"
#include "runtime/routes.h"
#include "util/log.h"

#define RESIDENT_ID "fuzz-resident"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
    json_int_t counter;
    json_t *data;
};

static int fuzz_decode(void *state, const json_t *json, struct paglets_err *err)
{
    struct fuzz_state *s = state;
    json_t *counter = NULL, *data = NULL;
    if (json_unpack((json_t *)json, "{s?o, s?o}", "counter", &counter, "data",
                    &data) != 0 ||
        (counter != NULL && !json_is_integer(counter)))
        return paglets_err_set(err, -EINVAL, "bad state");
    s->counter = counter ? json_integer_value(counter) : 0;
    s->data = data ? json_incref(data) : NULL;
    return 0;
}

static json_t *fuzz_encode(const void *state)
{
    const struct fuzz_state *s = state;
    return json_pack("{s:I, s:O?}", "counter", s->counter, "data", s->data);
}

static void fuzz_release(void *state)
{
    struct fuzz_state *s = state;
    json_decref(s->data);
    s->data = NULL;
}

static int op_dispose(struct paglets_agent *agent, const json_t *request,
                      json_t **reply, struct paglets_err *err)
{
    (void)request;
    (void)err;
    paglets_agent_dispose(agent);
    *reply = NULL;
    return 0;
}

static int op_echo(struct paglets_agent *agent, const json_t *request,
                   json_t **reply, struct paglets_err *err)
{
    (void)agent;
    (void)err;
    *reply = json_deep_copy(request);
    return *reply ? 0 : -ENOMEM;
}

static int op_increment(struct paglets_agent *agent, const json_t *request,
                        json_t **reply, struct paglets_err *err)
{
    json_int_t by = 1;
    if (json_unpack((json_t *)request, "{s?I}", "by", &by) != 0)
        return paglets_err_set(err, -EINVAL, "'by' must be an integer");
    paglets_agent_lock(agent);
    struct fuzz_state *s = paglets_agent_state(agent);
    s->counter += by;
    paglets_agent_unlock(agent);
    *reply = json_object();
    return *reply ? 0 : -ENOMEM;
}

static const struct paglets_op fuzz_ops[] = {
    {"dispose", op_dispose},
    {"echo", op_echo},
    {"increment", op_increment},
};

static const struct paglets_agent_type fuzz_type = {
    .name = "FuzzAgent",
    .state_name = "FuzzState",
    .state_size = sizeof(struct fuzz_state),
    .state_decode = fuzz_decode,
    .state_encode = fuzz_encode,
    .state_release = fuzz_release,
    .ops = fuzz_ops,
    .n_ops = sizeof(fuzz_ops) / sizeof(fuzz_ops[0]),
};

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
    host = paglets_host_new(&config, NULL);
    if (host == NULL || paglets_host_register_type(host, &fuzz_type, NULL) != 0)
        abort();
    return host;
}

static void add_resident(struct paglets_host *host)
{
    json_t *envelope = json_pack("{s:s, s:s, s:s, s:{s:i}}", "kind", "clone",
                                 "agent_id", RESIDENT_ID, "agent_class_name",
                                 "FuzzAgent", "state", "counter", 1);
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
        json_t *reply = NULL;
        int status = 0;
        int rc = paglets__route(host, methods[data[0] & 3], path, body, &reply,
                                &status, &err);
        if (rc == 0 && reply != NULL) {
            char *text = json_dumps(reply, JSON_COMPACT);
            free(text);
        } else if (rc != 0 && (rc >= 0 || err.message[0] == '\0')) {
            abort(); /* every failure must be a negative errno and a reason */
        }
        json_decref(reply);
    }
    json_decref(body);
    free(path);
    reset(host);
    return 0;
}
