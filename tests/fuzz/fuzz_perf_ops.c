/*
 * Fuzz the benchmark agent's network input: the state a child arrives with
 * (decoded, encoded, released as a clone's would be), the child_result,
 * drain and summary payloads a parent agent receives, and the summary the
 * CLI decodes and prints from the entry host's reply, with its outliers.
 * Input: one selector byte, then JSON. collect is left out: it clones over
 * HTTP (its BenchmarkRequest is fuzz_perf_request's).
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/host.h>
#include <paglets/perf.h>
#include <paglets/perf_answers.h>

#include "runtime/host_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct paglets_host *host;
static char parent_id[PAGLETS_ID_MAX];
static FILE *sink;

static void setup(void)
{
    if (host != NULL)
        return;
    paglets_log_set_level(PAGLETS_LOG_ERROR);
    struct paglets_host_config config;
    paglets_host_config_init(&config);
    config.name = "fuzz";
    config.mesh = false;
    host = paglets_host_new(&config, NULL);
    struct paglets_proxy proxy;
    if (host == NULL ||
        paglets_host_register_type(host, &paglets_perf_agent_type, NULL) != 0 ||
        paglets__host_create(host, PAGLETS_PERF_AGENT, NULL, &proxy, NULL) != 0)
        abort();
    memcpy(parent_id, proxy.agent_id, sizeof(parent_id));
    sink = fopen("/dev/null", "w");
    if (sink == NULL)
        abort();
}

static void child_state(const json_t *json)
{
    const struct paglets_agent_type *t = &paglets_perf_agent_type;
    void *state = calloc(1, t->state_size);
    if (state == NULL)
        abort();
    if (t->state_decode(state, json, NULL) == 0)
        json_decref(t->state_encode(state));
    t->state_release(state);
    free(state);
}

static void parent_op(const char *op, json_t *args)
{
    /* drain waits for children: never here, there are none to wait on */
    if (strcmp(op, PAGLETS_PERF_DRAIN) == 0 && json_is_object(args))
        json_object_set_new(args, "wait_timeout", json_real(0));
    json_t *body =
        json_pack("{s:{s:s, s:O}}", "message", "kind", op, "args", args);
    json_t *reply = NULL;
    struct paglets_err err = {0};
    if (body == NULL)
        abort();
    if (paglets__host_message(host, parent_id, body, &reply, &err) != 0 &&
        err.message[0] == '\0')
        abort();
    json_decref(reply);
    json_decref(body);
}

static void summary(const json_t *json)
{
    struct paglets_perf_summary *s = paglets_perf_summary_from_json(json, NULL);
    if (s == NULL)
        return;
    (void)paglets_perf_summary_write_text(s, 0, sink);
    (void)paglets_perf_summary_write_json(s, sink);
    /* The outliers of whatever the hosts sent, as the CLI prints them. */
    struct paglets_perf_outliers o;
    if (paglets_perf_outliers_find(s, NULL, &o, NULL) == 0) {
        char line[512];
        for (size_t i = 0; i < o.n; i++)
            paglets_perf_outlier_format(&o.items[i], line, sizeof(line));
        json_decref(paglets_perf_outliers_to_json(&o));
        struct paglets_perf_text_options options;
        paglets_perf_text_options_init(&options);
        options.outliers = &o;
        (void)paglets_perf_summary_write_text_with(s, &options, sink);
        paglets_perf_outliers_release(&o);
    }
    paglets_perf_summary_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ops[] = {PAGLETS_PERF_CHILD_RESULT,
                                      PAGLETS_PERF_DRAIN, PAGLETS_PERF_SUMMARY};
    if (size < 1)
        return 0;
    setup();
    json_t *json = json_loadb((const char *)data + 1, size - 1, 0, NULL);
    if (json == NULL)
        return 0;
    switch (data[0] % 5) {
    case 0:
        child_state(json);
        break;
    case 4:
        summary(json);
        break;
    default:
        parent_op(ops[data[0] % 5 - 1], json);
        break;
    }
    json_decref(json);
    return 0;
}
