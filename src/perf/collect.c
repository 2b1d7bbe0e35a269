/*
 * paglets_perf_collect: one mesh-wide benchmark run driven from outside,
 * the way the CLI and embedding programs do it: note the hosts online,
 * create the parent agent on the entry host, collect, drain until done,
 * always clean up and dispose. The entry host's replies are merged into
 * one tally (tally.c) rather than trusted one by one.
 */
#include "perf_compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/client.h>
#include <paglets/perf.h>

#include "tally.h"

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
    struct paglets__perf_tally tally;
};

static void report_progress(const struct run *run)
{
    if (run->options->progress == NULL)
        return;
    const json_t *pending = paglets__perf_tally_pending(&run->tally);
    size_t done = paglets__perf_tally_settled(&run->tally);
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

/* A drain reply: {done: bool, summary: object}, merged into the tally. */
static int absorb_drain(struct run *run, const json_t *reply, bool *done,
                        struct paglets_err *err)
{
    const json_t *flag = json_object_get(reply, "done");
    if (!json_is_boolean(flag))
        return paglets_err_set(err, -EPROTO,
                               "drain reply: 'done' must be true or false");
    *done = json_is_true(flag);
    return paglets__perf_tally_absorb(&run->tally,
                                      json_object_get(reply, "summary"), err);
}

/*
 * collect, then drain until done. The agent's round ends timeout seconds
 * after collect, so a host that keeps saying "not done" past that (and the
 * slack) is not believed any longer.
 */
static int collect_and_drain(struct run *run,
                             const struct paglets_perf_request *request,
                             struct paglets_err *err)
{
    double timeout_seconds = run->options->timeout_seconds;
    double deadline =
        paglets_monotonic_seconds() + timeout_seconds + CALL_SLACK_S;
    json_t *reply = NULL;
    json_t *body = json_pack("{s:o, s:f}", "request",
                             paglets_perf_request_to_json(request), "timeout",
                             timeout_seconds);
    if (body == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    int rc =
        paglets_client_call(run->client, &run->parent, PAGLETS_PERF_COLLECT,
                            body, timeout_seconds + CALL_SLACK_S, &reply, err);
    json_decref(body);
    if (rc == 0)
        rc = paglets__perf_tally_absorb(&run->tally, reply, err);
    json_decref(reply);
    json_t *drain =
        json_pack("{s:f}", "wait_timeout", PAGLETS_PERF_DRAIN_WAIT_SECONDS);
    if (rc == 0 && drain == NULL)
        rc = paglets_err_set(err, -ENOMEM, "out of memory");
    for (bool done = false; rc == 0 && !done;) {
        if (is_cancelled(run)) {
            rc = paglets_err_set(err, -ECANCELED, "interrupted");
            break;
        }
        if (paglets_monotonic_seconds() > deadline) {
            rc = paglets_err_set(err, -ETIMEDOUT,
                                 "the entry host still reports the run "
                                 "unfinished %.0f s after its timeout",
                                 CALL_SLACK_S);
            break;
        }
        reply = NULL;
        rc = paglets_client_call(
            run->client, &run->parent, PAGLETS_PERF_DRAIN, drain,
            PAGLETS_PERF_DRAIN_WAIT_SECONDS + CALL_SLACK_S, &reply, err);
        if (rc == 0)
            rc = absorb_drain(run, reply, &done, err);
        json_decref(reply);
        if (rc == 0)
            report_progress(run);
    }
    json_decref(drain);
    return rc;
}

/*
 * cleanup (which disposes children that never answered) and dispose the
 * parent, whatever happened before. What cleanup says joins the tally; a
 * cleanup that fails leaves the tally as it was, but a malformed reply is
 * an error like any other.
 */
static int clean_up(struct run *run, struct paglets_err *err)
{
    json_t *reply = NULL;
    struct paglets_err why = {0};
    int rc = 0;
    if (paglets_client_call(run->client, &run->parent, PAGLETS_PERF_CLEANUP,
                            NULL, CALL_SLACK_S * 2, &reply, &why) == 0)
        rc = paglets__perf_tally_absorb(&run->tally, reply, err);
    json_decref(reply);
    paglets_client_dispose(run->client, &run->parent, NULL);
    return rc;
}

/*
 * Create the parent on the entry host. Only its id is taken from the
 * reply: every later call, and the key with it, goes to the URL this
 * caller chose, whatever host_url the reply names.
 */
static int create_parent(struct run *run, const char *entry_url,
                         struct paglets_err *err)
{
    json_t *state = json_object();
    int rc = state ? paglets_client_create(run->client, entry_url,
                                           PAGLETS_PERF_AGENT, state,
                                           &run->parent, err)
                   : paglets_err_set(err, -ENOMEM, "out of memory");
    json_decref(state);
    if (rc == 0 &&
        snprintf(run->parent.host_url, sizeof(run->parent.host_url), "%s",
                 entry_url) >= (int)sizeof(run->parent.host_url))
        rc = paglets_err_set(err, -EINVAL, "entry URL too long");
    return rc;
}

/* The client, its proxy and the hosts online at the start. */
static int start(struct run *run, const char *entry_url,
                 struct paglets_err *err)
{
    run->client = paglets_client_new(run->options->api_key, err);
    if (run->client == NULL)
        return err && err->code ? err->code : -ENOMEM;
    int rc = paglets_client_set_proxy(run->client, run->options->proxy, err);
    json_t *hosts = NULL;
    if (rc == 0)
        rc = paglets_client_hosts(run->client, entry_url, &hosts, err);
    if (rc == 0)
        rc = paglets__perf_tally_set_online(&run->tally, hosts, err);
    json_decref(hosts);
    return rc;
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
    int rc = paglets__perf_tally_init(&run.tally, &e);
    if (rc == 0)
        rc = start(&run, entry_url, &e);
    if (rc == 0)
        rc = create_parent(&run, entry_url, &e);
    if (rc == 0) {
        rc = collect_and_drain(&run, request, &e);
        int cleanup_rc = clean_up(&run, &e);
        if (rc == 0)
            rc = cleanup_rc;
    }
    if (rc == 0 &&
        (*summary = paglets__perf_tally_finish(&run.tally, &e)) == NULL)
        rc = e.code ? e.code : -EPROTO;
    paglets__perf_tally_release(&run.tally);
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
