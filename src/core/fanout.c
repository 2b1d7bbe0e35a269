/*
 * The bookkeeping half of struct paglets_fanout: one record per host of a
 * round, settled exactly once. Callers hold the agent's state lock; the
 * remote half (hosts, clones, waits, disposal) is in fanout_remote.c.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/fanout_int.h"
#include "util/clock.h"

struct paglets_fanout *paglets_fanout_new(void)
{
    return calloc(1, sizeof(struct paglets_fanout));
}

static void child_release(struct paglets__fanout_child *child)
{
    free(child->host_name);
    free(child->host_url);
    free(child->error);
    free(child->cleanup_error);
    json_decref(child->result);
}

static void forget_children(struct paglets_fanout *fanout)
{
    for (size_t i = 0; i < fanout->n_children; i++)
        child_release(&fanout->children[i]);
    fanout->n_children = 0;
}

void paglets_fanout_free(struct paglets_fanout *fanout)
{
    if (fanout == NULL)
        return;
    forget_children(fanout);
    free(fanout->children);
    free(fanout);
}

void paglets_fanout_reset(struct paglets_fanout *fanout, double timeout_seconds)
{
    forget_children(fanout);
    fanout->deadline = paglets__mono_now() + timeout_seconds;
    fanout->closed = false;
}

double paglets_fanout_deadline(const struct paglets_fanout *fanout)
{
    return fanout->deadline;
}

struct paglets__fanout_child *
paglets__fanout_find(const struct paglets_fanout *fanout, const char *host_name)
{
    for (size_t i = 0; i < fanout->n_children; i++)
        if (strcmp(fanout->children[i].host_name, host_name) == 0)
            return &fanout->children[i];
    return NULL;
}

int paglets_fanout_begin(struct paglets_fanout *fanout, const char *host_name,
                         const char *host_url)
{
    if (paglets__fanout_find(fanout, host_name) != NULL)
        return -EEXIST;
    if (fanout->n_children == fanout->cap) {
        size_t cap = fanout->cap ? 2 * fanout->cap : 8;
        struct paglets__fanout_child *children =
            realloc(fanout->children, cap * sizeof(*children));
        if (children == NULL)
            return -ENOMEM;
        fanout->children = children;
        fanout->cap = cap;
    }
    struct paglets__fanout_child child = {
        .host_name = strdup(host_name),
        .host_url = strdup(host_url),
        .status = PAGLETS__FANOUT_PENDING,
    };
    if (child.host_name == NULL || child.host_url == NULL) {
        child_release(&child);
        return -ENOMEM;
    }
    fanout->children[fanout->n_children++] = child;
    return 0;
}

/* Settle a pending child as failed; the message is copied. */
static int settle_failed(struct paglets__fanout_child *child,
                         const char *message)
{
    char *copy = strdup(message);
    if (copy == NULL)
        return -ENOMEM;
    child->error = copy;
    child->status = PAGLETS__FANOUT_FAILED;
    return 0;
}

int paglets_fanout_finish_clone(struct paglets_fanout *fanout,
                                const char *host_name,
                                const struct paglets_proxy *proxy,
                                const char *error)
{
    struct paglets__fanout_child *child =
        paglets__fanout_find(fanout, host_name);
    if (child == NULL)
        return -ENOENT;
    if (proxy != NULL) {
        child->proxy = *proxy;
        child->has_proxy = true;
        return 0;
    }
    if (child->status != PAGLETS__FANOUT_PENDING)
        return 0;
    return settle_failed(child, error ? error : "clone failed");
}

/* The child for an answer, or why the answer is not taken. */
static int answering_child(struct paglets_fanout *fanout, const char *host_name,
                           struct paglets__fanout_child **child)
{
    *child = paglets__fanout_find(fanout, host_name);
    if (*child == NULL)
        return -ENOENT;
    if ((*child)->answered || (*child)->status != PAGLETS__FANOUT_PENDING)
        return -EALREADY;
    return 0;
}

int paglets_fanout_record_result(struct paglets_fanout *fanout,
                                 const char *host_name, const json_t *result)
{
    struct paglets__fanout_child *child;
    int rc = answering_child(fanout, host_name, &child);
    if (rc != 0)
        return rc;
    json_t *copy = json_deep_copy(result);
    if (copy == NULL)
        return -ENOMEM;
    child->result = copy;
    child->answered = true;
    child->status = PAGLETS__FANOUT_DONE;
    return 0;
}

int paglets_fanout_record_error(struct paglets_fanout *fanout,
                                const char *host_name, const char *message)
{
    struct paglets__fanout_child *child;
    int rc = answering_child(fanout, host_name, &child);
    if (rc == 0)
        rc = settle_failed(child, message);
    if (rc == 0)
        child->answered = true;
    return rc;
}

size_t paglets_fanout_expire(struct paglets_fanout *fanout, double now,
                             const char *message)
{
    if (now < fanout->deadline)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < fanout->n_children; i++) {
        struct paglets__fanout_child *child = &fanout->children[i];
        if (child->status == PAGLETS__FANOUT_PENDING &&
            settle_failed(child, message) == 0)
            n++;
    }
    return n;
}

size_t paglets_fanout_pending_count(const struct paglets_fanout *fanout)
{
    size_t n = 0;
    for (size_t i = 0; i < fanout->n_children; i++)
        n += fanout->children[i].status == PAGLETS__FANOUT_PENDING;
    return n;
}

int paglets__fanout_set_cleanup_error(struct paglets_fanout *fanout,
                                      const char *host_name,
                                      const char *message)
{
    struct paglets__fanout_child *child =
        paglets__fanout_find(fanout, host_name);
    if (child == NULL)
        return -ENOENT;
    char *copy = strdup(message);
    if (copy == NULL)
        return -ENOMEM;
    free(child->cleanup_error);
    child->cleanup_error = copy;
    return 0;
}

static int add_child_to_summary(const struct paglets__fanout_child *child,
                                json_t *results, json_t *errors,
                                json_t *cleanup_errors, json_t *pending)
{
    int rc = 0;
    if (child->status == PAGLETS__FANOUT_DONE)
        rc |= json_object_set_new(
            results, child->host_name,
            /* A copy: replies are dumped after the state lock is gone. */
            json_pack("{s:s, s:o}", "host_url", child->host_url, "result",
                      json_deep_copy(child->result)));
    else if (child->status == PAGLETS__FANOUT_FAILED)
        rc |= json_object_set_new(errors, child->host_name,
                                  json_string(child->error));
    else
        rc |= json_array_append_new(pending, json_string(child->host_name));
    if (child->cleanup_error != NULL)
        rc |= json_object_set_new(cleanup_errors, child->host_name,
                                  json_string(child->cleanup_error));
    return rc;
}

json_t *paglets_fanout_summary(const struct paglets_fanout *fanout)
{
    json_t *results = json_object(), *errors = json_object();
    json_t *cleanup_errors = json_object(), *pending = json_array();
    json_t *summary =
        json_pack("{s:o, s:o, s:o, s:o}", "results", results, "errors", errors,
                  "cleanup_errors", cleanup_errors, "pending_hosts", pending);
    if (summary == NULL)
        return NULL;
    for (size_t i = 0; i < fanout->n_children; i++) {
        if (add_child_to_summary(&fanout->children[i], results, errors,
                                 cleanup_errors, pending) != 0) {
            json_decref(summary);
            return NULL;
        }
    }
    return summary;
}
