/*
 * Routing one request of a host to its endpoint (routes.c), and the
 * /health reply.
 */
#ifndef PAGLETS_RUNTIME_ROUTES_H
#define PAGLETS_RUNTIME_ROUTES_H

#include <jansson.h>

#include "runtime/host_int.h"

/* What a routed request answers. */
struct paglets__route_reply {
    json_t *body; /* on success: new reference, to send with status */
    /* Or, for an endpoint that answers text: malloc()ed, and its type. */
    char *text;
    const char *content_type;
    int status;
    /* With -ENOSYS: the methods the path allows, for the Allow header. */
    char allow[32];
};

/*
 * Answer one request. body is the parsed JSON body or NULL when empty
 * (borrowed). On 0, reply->body is sent with reply->status; on a negative
 * errno, err holds the message and the status follows the errno: -ENOENT
 * (404) for a path no endpoint has, -ENOSYS (405) for a known path and
 * another method.
 */
int paglets__route(struct paglets_host *host, const char *method,
                   const char *path, const json_t *body,
                   struct paglets__route_reply *reply, struct paglets_err *err);

/* GET /health for this host. New reference, NULL on allocation failure. */
json_t *paglets__host_health_json(struct paglets_host *host);

#endif
