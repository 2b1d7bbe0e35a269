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
#include <time.h>

#include <paglets/client.h>
#include <paglets/perf.h>

#include "tally.h"

/*
 * One deadline for the whole run (docs/PERF.md, "Bounds"): every call up
 * to the last drain ends by the results deadline, cleanup and the
 * parent's dispose at most CLEANUP_S after it (or after the run ended,
 * when that was earlier), whatever the hosts do.
 *
 * The agent's round ends REPLY_MARGIN_S before the results deadline, so
 * its last drain reply, which says "done", arrives by it.
 */
#define REPLY_MARGIN_S 0.25
#define MIN_CALLS_S PAGLETS_PERF_MIN_CALL_SECONDS
#define CLEANUP_S PAGLETS_PERF_CLEANUP_SECONDS
/* Of CLEANUP_S, the part the parent's dispose has to itself. */
#define DISPOSE_RESERVE_S 0.5
/*
 * A drain round takes at least the wait it asked for, and never less than
 * this: a host that answers "not done" at once is polled a few times a
 * second, not as fast as it answers.
 */
#define MIN_DRAIN_PACE_S 0.1
/* How often a paced pause looks at the cancellation predicate. */
#define PAUSE_SLICE_S 0.02

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
    double results_deadline; /* the hosts' results are due */
    double calls_deadline;   /* every call before cleanup ends */
    char entry_name[128];    /* the entry host's /health name */
    bool cleaned_up; /* cleanup and dispose worked, nothing left behind */
    char cleanup_failure[PAGLETS_ERR_MESSAGE_MAX]; /* why not, or "" */
    struct paglets__perf_tally tally;
};

static double min_of(double a, double b)
{
    return a < b ? a : b;
}

static double max_of(double a, double b)
{
    return a > b ? a : b;
}

/* The limits of a call before cleanup: the run's deadline and cancel. */
static struct paglets_call_opts results_opts(const struct run *run)
{
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.deadline_seconds = run->calls_deadline;
    opts.cancel = run->options->cancel;
    return opts;
}

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
    return paglets_cancel_is_tripped(run->options->cancel) ||
           (run->options->cancelled != NULL &&
            run->options->cancelled(run->options->cancelled_arg));
}

/* Sleep until t (monotonic), or less when the run is cancelled meanwhile. */
static void pause_until(const struct run *run, double t)
{
    for (double left;
         !is_cancelled(run) && (left = t - paglets_monotonic_seconds()) > 0;) {
        double s = min_of(left, PAUSE_SLICE_S);
        struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
        nanosleep(&ts, NULL);
    }
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

/* The collect call: the agent's round gets what is left, less the margin. */
static int start_round(struct run *run,
                       const struct paglets_perf_request *request,
                       struct paglets_err *err)
{
    double round_seconds = max_of(0, run->results_deadline - REPLY_MARGIN_S -
                                         paglets_monotonic_seconds());
    json_t *reply = NULL;
    json_t *body = json_pack("{s:o, s:f}", "request",
                             paglets_perf_request_to_json(request), "timeout",
                             round_seconds);
    if (body == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    struct paglets_call_opts opts = results_opts(run);
    int rc = paglets_client_call_with(run->client, &run->parent,
                                      PAGLETS_PERF_COLLECT, body, &opts, &reply,
                                      err);
    json_decref(body);
    if (rc == 0)
        rc = paglets__perf_tally_absorb(&run->tally, reply, err);
    json_decref(reply);
    return rc;
}

/* One drain round, paced: it takes at least the wait it asks for. */
static int drain_once(struct run *run, bool *done, struct paglets_err *err)
{
    double began = paglets_monotonic_seconds();
    double wait = min_of(PAGLETS_PERF_DRAIN_WAIT_SECONDS,
                         max_of(0, run->results_deadline - began));
    json_t *body = json_pack("{s:f}", "wait_timeout", wait);
    if (body == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    json_t *reply = NULL;
    struct paglets_call_opts opts = results_opts(run);
    int rc =
        paglets_client_call_with(run->client, &run->parent, PAGLETS_PERF_DRAIN,
                                 body, &opts, &reply, err);
    json_decref(body);
    if (rc == 0)
        rc = absorb_drain(run, reply, done, err);
    json_decref(reply);
    if (rc == 0)
        report_progress(run);
    if (rc == 0 && !*done)
        pause_until(run, min_of(began + max_of(wait, MIN_DRAIN_PACE_S),
                                run->calls_deadline));
    return rc;
}

/*
 * collect, then drain until done. The agent's round ends before the
 * results deadline, so a host that still says "not done" when it has
 * passed is not believed any longer.
 */
static int collect_and_drain(struct run *run,
                             const struct paglets_perf_request *request,
                             struct paglets_err *err)
{
    int rc = start_round(run, request, err);
    for (bool done = false; rc == 0 && !done;) {
        if (is_cancelled(run))
            rc = paglets_err_set(err, -ECANCELED, "interrupted");
        else if (paglets_monotonic_seconds() >= run->calls_deadline)
            rc = paglets_err_set(err, -ETIMEDOUT,
                                 "the entry host did not finish the run "
                                 "within the timeout (%.3g s)",
                                 run->options->timeout_seconds);
        else
            rc = drain_once(run, &done, err);
    }
    return rc;
}

/* Note why cleanup failed (the first reason only) for the summary. */
static void cleanup_failed(struct run *run, const char *what,
                           const struct paglets_err *why, int rc)
{
    /* Cut to fit; PAGLETS_ERR_MESSAGE_MAX is what err can carry on. */
    if (run->cleanup_failure[0] == '\0')
        snprintf(run->cleanup_failure, sizeof(run->cleanup_failure),
                 "%s: %.200s", what,
                 why->message[0] ? why->message : paglets_strerror(rc));
}

/*
 * cleanup (which disposes children that never answered) and dispose the
 * parent, whatever happened before, by CLEANUP_S after the run ended (at
 * the results deadline at the latest). Neither takes the cancel handle: a
 * run interrupted still cleans up. What cleanup says joins the tally; a
 * malformed reply is an error like any other. A cleanup or dispose that
 * fails is a cleanup error of the entry host, so the run does not read as
 * clean.
 */
static int clean_up(struct run *run, struct paglets_err *err)
{
    double end =
        min_of(paglets_monotonic_seconds(), run->calls_deadline) + CLEANUP_S;
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.deadline_seconds = end - DISPOSE_RESERVE_S;
    json_t *body = json_pack("{s:f}", "timeout",
                             max_of(0, opts.deadline_seconds - REPLY_MARGIN_S -
                                           paglets_monotonic_seconds()));
    json_t *reply = NULL;
    struct paglets_err why = {0};
    int rc = 0;
    int called = body ? paglets_client_call_with(run->client, &run->parent,
                                                 PAGLETS_PERF_CLEANUP, body,
                                                 &opts, &reply, &why)
                      : paglets_err_set(&why, -ENOMEM, "out of memory");
    if (called == 0)
        rc = paglets__perf_tally_absorb(&run->tally, reply, err);
    else
        cleanup_failed(run, "cleanup failed", &why, called);
    json_decref(reply);
    json_decref(body);
    opts.deadline_seconds = end;
    paglets_err_clear(&why);
    int disposed =
        paglets_client_dispose_with(run->client, &run->parent, &opts, &why);
    if (disposed != 0 && disposed != -ENOENT)
        cleanup_failed(run, "cannot dispose the benchmark agent", &why,
                       disposed);
    if (rc == 0 && run->cleanup_failure[0] != '\0')
        rc = paglets__perf_tally_cleanup_error(&run->tally, run->entry_name,
                                               run->cleanup_failure, err);
    run->cleaned_up = run->cleanup_failure[0] == '\0' &&
                      json_object_size(run->tally.cleanup_errors) == 0;
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
    struct paglets_call_opts opts = results_opts(run);
    int rc = state ? paglets_client_create_with(run->client, entry_url,
                                                PAGLETS_PERF_AGENT, state,
                                                &opts, &run->parent, err)
                   : paglets_err_set(err, -ENOMEM, "out of memory");
    json_decref(state);
    if (rc == 0 &&
        snprintf(run->parent.host_url, sizeof(run->parent.host_url), "%s",
                 entry_url) >= (int)sizeof(run->parent.host_url))
        rc = paglets_err_set(err, -EINVAL, "entry URL too long");
    return rc;
}

/* The entry host's name, for a cleanup error of its own. */
static int read_entry_name(struct run *run, const char *entry_url,
                           struct paglets_err *err)
{
    json_t *health = NULL;
    struct paglets_call_opts opts = results_opts(run);
    int rc =
        paglets_client_health_with(run->client, entry_url, &opts, &health, err);
    const char *name = json_string_value(json_object_get(health, "name"));
    if (rc == 0 && name == NULL)
        rc = paglets_err_set(err, -EPROTO,
                             "the entry host's /health has no name");
    if (rc == 0)
        snprintf(run->entry_name, sizeof(run->entry_name), "%s", name);
    json_decref(health);
    return rc;
}

/* The client, its proxy, the entry's name and the hosts online now. */
static int start(struct run *run, const char *entry_url,
                 struct paglets_err *err)
{
    run->client = paglets_client_new(run->options->api_key, err);
    if (run->client == NULL)
        return err && err->code ? err->code : -ENOMEM;
    int rc = paglets_client_set_proxy(run->client, run->options->proxy, err);
    if (rc == 0)
        rc = read_entry_name(run, entry_url, err);
    json_t *hosts = NULL;
    struct paglets_call_opts opts = results_opts(run);
    if (rc == 0)
        rc = paglets_client_hosts_with(run->client, entry_url, &opts, &hosts,
                                       err);
    if (rc == 0)
        rc = paglets__perf_tally_set_online(&run->tally, hosts, err);
    json_decref(hosts);
    return rc;
}

enum phase {
    STARTING, /* nothing created yet */
    CREATING, /* the parent's creation was sent: it may exist */
    CREATED,  /* cleanup ran */
};

/* What an interrupted run says: whether the agents are gone. */
static void say_interrupted(const struct run *run, enum phase phase,
                            struct paglets_err *e)
{
    paglets_err_clear(e);
    if (phase == STARTING) {
        paglets_err_set(e, -ECANCELED,
                        "interrupted before the benchmark "
                        "started");
        return;
    }
    if (phase == CREATING) {
        paglets_err_set(e, -ECANCELED,
                        "interrupted while creating the benchmark agent; "
                        "it may remain on the entry host, idle");
        return;
    }
    if (run->cleaned_up) {
        paglets_err_set(e, -ECANCELED,
                        "interrupted; benchmark agents cleaned up");
        return;
    }
    if (run->cleanup_failure[0] != '\0') {
        paglets_err_set(e, -ECANCELED,
                        "interrupted; benchmark agents may still run: %s",
                        run->cleanup_failure);
        return;
    }
    const char *host = "";
    const json_t *message = NULL;
    void *first = json_object_iter(run->tally.cleanup_errors);
    if (first != NULL) {
        host = json_object_iter_key(first);
        message = json_object_iter_value(first);
    }
    paglets_err_set(e, -ECANCELED,
                    "interrupted; benchmark agents may still run: cannot "
                    "dispose the child on '%s': %s",
                    host, json_string_value(message));
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
    run.results_deadline = options->deadline_seconds > 0
                               ? options->deadline_seconds
                               : run.started + options->timeout_seconds;
    run.calls_deadline =
        max_of(run.results_deadline, run.started + MIN_CALLS_S);
    int rc = paglets__perf_tally_init(&run.tally, &e);
    if (rc == 0)
        rc = start(&run, entry_url, &e);
    enum phase phase = rc == 0 ? CREATING : STARTING;
    if (rc == 0 && (rc = create_parent(&run, entry_url, &e)) == 0)
        phase = CREATED;
    if (phase == CREATED) {
        rc = collect_and_drain(&run, request, &e);
        int cleanup_rc = clean_up(&run, &e);
        if (rc == 0)
            rc = cleanup_rc;
    }
    if (rc == -ECANCELED || (rc != 0 && is_cancelled(&run))) {
        say_interrupted(&run, phase, &e);
        rc = -ECANCELED;
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
