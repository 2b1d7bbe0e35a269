/*
 * paglets_perf_collect: one mesh-wide benchmark run driven from outside,
 * the way the CLI and embedding programs do it: create the parent agent on
 * the entry host, collect, drain until done, always clean up and dispose.
 */
#include "perf_compat.h"

#include <errno.h>
#include <stdlib.h>

#include <paglets/client.h>
#include <paglets/perf.h>

/* Slack over the agent's own waits before a call counts as lost. */
#define CALL_SLACK_S 10.0

void paglets_perf_collect_options_init(
    struct paglets_perf_collect_options *options)
{
    *options = (struct paglets_perf_collect_options){
        .timeout_seconds = PAGLETS_PERF_DEFAULT_TIMEOUT_SECONDS,
    };
}

struct run {
    struct paglets_client *client;
    struct paglets_proxy parent;
    const struct paglets_perf_collect_options *options;
    double started;
};

static void report_progress(const struct run *run, const json_t *summary)
{
    if (run->options->progress == NULL)
        return;
    const json_t *pending = json_object_get(summary, "pending_hosts");
    size_t done = json_object_size(json_object_get(summary, "results")) +
                  json_object_size(json_object_get(summary, "errors"));
    struct paglets_perf_progress progress = {
        .done = done,
        .total = done + json_array_size(pending),
        .elapsed_seconds = paglets_monotonic_seconds() - run->started,
        .pending_hosts = pending,
    };
    run->options->progress(run->options->progress_arg, &progress);
}

static bool is_cancelled(const struct run *run)
{
    return run->options->cancelled != NULL &&
           run->options->cancelled(run->options->cancelled_arg);
}

/* collect, then drain until done. *summary: the last summary seen. */
static int collect_and_drain(struct run *run,
                             const struct paglets_perf_request *request,
                             json_t **summary, struct paglets_err *err)
{
    double timeout_seconds = run->options->timeout_seconds;
    json_t *body = json_pack("{s:o, s:f}", "request",
                             paglets_perf_request_to_json(request), "timeout",
                             timeout_seconds);
    if (body == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    int rc =
        paglets_client_call(run->client, &run->parent, PAGLETS_PERF_COLLECT,
                            body, timeout_seconds + CALL_SLACK_S, summary, err);
    json_decref(body);
    json_t *drain =
        json_pack("{s:f}", "wait_timeout", PAGLETS_PERF_DRAIN_WAIT_SECONDS);
    if (rc == 0 && drain == NULL)
        rc = paglets_err_set(err, -ENOMEM, "out of memory");
    while (rc == 0) {
        if (is_cancelled(run)) {
            rc = paglets_err_set(err, -ECANCELED, "interrupted");
            break;
        }
        json_t *reply = NULL;
        rc = paglets_client_call(
            run->client, &run->parent, PAGLETS_PERF_DRAIN, drain,
            PAGLETS_PERF_DRAIN_WAIT_SECONDS + CALL_SLACK_S, &reply, err);
        json_t *latest = json_object_get(reply, "summary");
        if (rc == 0 && json_is_object(latest)) {
            json_decref(*summary);
            *summary = json_incref(latest);
            report_progress(run, latest);
        }
        bool done = json_is_true(json_object_get(reply, "done"));
        json_decref(reply);
        if (done)
            break;
    }
    json_decref(drain);
    return rc;
}

/*
 * cleanup (which disposes children that never answered) and dispose the
 * parent, whatever happened before. The cleanup reply is the final
 * summary when it comes; else the last one seen stands.
 */
static void clean_up(struct run *run, json_t **summary)
{
    json_t *reply = NULL;
    struct paglets_err err = {0};
    if (paglets_client_call(run->client, &run->parent, PAGLETS_PERF_CLEANUP,
                            NULL, CALL_SLACK_S * 2, &reply, &err) == 0 &&
        json_is_object(reply)) {
        json_decref(*summary);
        *summary = reply;
        reply = NULL;
    }
    json_decref(reply);
    paglets_client_dispose(run->client, &run->parent, NULL);
}

int paglets_perf_collect_with(
    const char *entry_url, const struct paglets_perf_request *request,
    const struct paglets_perf_collect_options *options,
    struct paglets_perf_summary **summary, struct paglets_err *err)
{
    /* A local report, so the code survives when the caller passes none. */
    struct paglets_err e = {0};
    struct run run = {.options = options,
                      .started = paglets_monotonic_seconds()};
    json_t *state = json_object();
    json_t *last = NULL;
    int rc = state ? 0 : paglets_err_set(&e, -ENOMEM, "out of memory");
    if (rc == 0 &&
        (run.client = paglets_client_new(options->api_key, &e)) == NULL)
        rc = e.code ? e.code : -ENOMEM;
    if (rc == 0)
        rc = paglets_client_create(run.client, entry_url, PAGLETS_PERF_AGENT,
                                   state, &run.parent, &e);
    if (rc == 0) {
        rc = collect_and_drain(&run, request, &last, &e);
        clean_up(&run, &last);
    }
    if (rc == 0 &&
        (*summary = paglets_perf_summary_from_json(last, &e)) == NULL)
        rc = e.code ? e.code : -EPROTO;
    json_decref(last);
    json_decref(state);
    paglets_client_free(run.client);
    if (rc != 0)
        paglets_err_set(err, rc, "%s",
                        e.message[0] ? e.message : paglets_strerror(rc));
    return rc;
}

int paglets_perf_collect(const char *entry_url,
                         const struct paglets_perf_request *request,
                         double timeout_seconds,
                         struct paglets_perf_summary **summary,
                         struct paglets_err *err)
{
    struct paglets_perf_collect_options options;
    paglets_perf_collect_options_init(&options);
    options.timeout_seconds = timeout_seconds;
    return paglets_perf_collect_with(entry_url, request, &options, summary,
                                     err);
}
