/*
 * The endpoint table of a host: method and path to handler.
 */
#ifndef PAGLETS_RUNTIME_ROUTES_H
#define PAGLETS_RUNTIME_ROUTES_H

#include <jansson.h>

#include "runtime/host_int.h"

/*
 * Answer one request. body is the parsed JSON body or NULL when empty
 * (borrowed). On 0, *reply (new reference) is sent with *status; on a
 * negative errno, err holds the message and the status follows the errno.
 */
int paglets__route(struct paglets_host *host, const char *method,
                   const char *path, const json_t *body, json_t **reply,
                   int *status, struct paglets_err *err);

/* GET /health for this host. New reference, NULL on allocation failure. */
json_t *paglets__host_health_json(struct paglets_host *host);

#endif
