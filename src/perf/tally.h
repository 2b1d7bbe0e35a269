/*
 * The tally of one collection: every summary the entry host sends (the
 * collect reply, each drain's, cleanup's) merged into one, so no reply can
 * take back what an earlier one said, and checked at the end against the
 * hosts that were online when the run started.
 */
#ifndef PAGLETS_PERF_TALLY_H
#define PAGLETS_PERF_TALLY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include <paglets/perf.h>

/* All members owned; one collection, one thread. */
struct paglets__perf_tally {
    json_t *online;         /* {name: true}: online at the start */
    json_t *results;        /* {host: {host_url, result}}: first kept */
    json_t *errors;         /* {host: message}: first kept, never dropped */
    json_t *cleanup_errors; /* {host: message}: first kept */
    json_t *pending;        /* [host]: the latest reply's, minus settled */
    json_int_t refused;     /* the largest refused_results seen */
};

/* 0 or -ENOMEM. Release it either way. */
int paglets__perf_tally_init(struct paglets__perf_tally *t,
                             struct paglets_err *err);
void paglets__perf_tally_release(struct paglets__perf_tally *t);

/*
 * Remember the hosts online now from a GET /hosts reply (borrowed):
 * entries with a string name and "online": true. 0, -EPROTO when the
 * reply has no host list, -ENOMEM.
 */
int paglets__perf_tally_set_online(struct paglets__perf_tally *t,
                                   const json_t *hosts,
                                   struct paglets_err *err);

/*
 * Merge one summary reply (borrowed). A host's first result and first
 * error stand, an error always wins over a result, and a later reply that
 * leaves something out drops nothing. A member of the wrong type is
 * -EPROTO naming it (the tally is then unchanged); -ENOMEM.
 */
int paglets__perf_tally_absorb(struct paglets__perf_tally *t,
                               const json_t *summary, struct paglets_err *err);

/*
 * Record a cleanup error of host (the collector's own: the parent could
 * not be cleaned up on the entry host) unless host has one already. 0 or
 * -ENOMEM.
 */
int paglets__perf_tally_cleanup_error(struct paglets__perf_tally *t,
                                      const char *host, const char *message,
                                      struct paglets_err *err);

/* Hosts with a result or an error so far. */
size_t paglets__perf_tally_settled(const struct paglets__perf_tally *t);

/* The hosts still pending: an array of strings, borrowed from t. */
const json_t *paglets__perf_tally_pending(const struct paglets__perf_tally *t);

/*
 * The typed summary: hosts that were not online at the start are dropped
 * from every part and listed under ignored_hosts; hosts still pending stay
 * listed. Caller frees with paglets_perf_summary_free(); NULL with err on
 * failure (a result that does not decode is a host error, not a failure).
 */
struct paglets_perf_summary *
paglets__perf_tally_finish(struct paglets__perf_tally *t,
                           struct paglets_err *err);

#endif
