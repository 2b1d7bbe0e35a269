/*
 * The host's connections as libmicrohttpd accepts them: how many each
 * client address holds, how long each has been reading request headers,
 * and what happens when slow or idle ones would fill the connection limit.
 *
 * libmicrohttpd 0.9.75 closes a connection only after --request-timeout
 * of inactivity, so one that trickles a header line every few seconds
 * stays forever, and 256 of them hold every slot. Here:
 *
 *   - a connection gets --header-timeout (absolute) from being accepted,
 *     and again from the end of each request it made, to complete its
 *     next request's headers; a watchdog thread shuts down those that do
 *     not (TLS handshakes fall under the same clock);
 *   - a client address may hold --max-connections-per-address; further
 *     connections from it are closed as they arrive, unless it is the
 *     address of this host or of a mesh member (IP literals in their
 *     URLs, refreshed every second);
 *   - at --max-connections, a new connection evicts the oldest one still
 *     waiting for its headers (trickling or idle between requests) rather
 *     than being refused: a request in progress is never evicted, and a
 *     client that sends its request at once always finds a slot unless
 *     every slot serves a request. libmicrohttpd itself is given twice
 *     the limit, room for evicted connections to finish closing.
 */
#ifndef PAGLETS_RUNTIME_CONNS_H
#define PAGLETS_RUNTIME_CONNS_H

#include <sys/socket.h>

#include <microhttpd.h>

#include "runtime/host_int.h"

struct paglets__conns;

/*
 * Start tracking for host (its config and URL are read, never written)
 * and the watchdog thread. NULL with the reason in err. Freed with
 * paglets__conns_free() once no daemon runs.
 */
struct paglets__conns *paglets__conns_new(struct paglets_host *host,
                                          struct paglets_err *err);
void paglets__conns_free(struct paglets__conns *conns);

/* The connection limit to give libmicrohttpd (see above). */
unsigned paglets__conns_daemon_limit(const struct paglets_host *host);

/* libmicrohttpd's accept policy and connection notifications; cls: conns. */
enum MHD_Result paglets__conns_accept(void *cls, const struct sockaddr *addr,
                                      socklen_t len);
void paglets__conns_notify(void *cls, struct MHD_Connection *conn,
                           void **socket_context,
                           enum MHD_ConnectionNotificationCode code);

/* A request's headers are complete: its connection is no longer waiting. */
void paglets__conns_headers_done(struct MHD_Connection *conn);

/* A request ended: the connection waits for the next one's headers. */
void paglets__conns_request_done(struct MHD_Connection *conn);

/* Counters since start, for tests and logs. */
struct paglets__conns_stats {
    unsigned long long refused_per_address; /* over the per-address limit */
    unsigned long long evicted;             /* to make room at the limit */
    unsigned long long header_timeouts;     /* headers not complete in time */
};

void paglets__conns_get_stats(struct paglets__conns *conns,
                              struct paglets__conns_stats *stats);

#endif
