/*
 * JSON over HTTP with libcurl: one easy handle per client, so keep-alive
 * connections are reused between calls. Used by the public client, the
 * mesh and agents alike. Not thread-safe: one per thread.
 */
#ifndef PAGLETS_REMOTE_HTTP_H
#define PAGLETS_REMOTE_HTTP_H

#include <jansson.h>

#include <paglets/common.h>

struct paglets__http;

/* Reply bodies over this many bytes are refused with -EMSGSIZE. */
#define PAGLETS_HTTP_MAX_REPLY (16u * 1024u * 1024u)

/* api_key may be NULL. Caller frees with paglets__http_free(). */
struct paglets__http *paglets__http_new(const char *api_key,
                                        struct paglets_err *err);
void paglets__http_free(struct paglets__http *http);

/*
 * Send `method` to url with body (borrowed; NULL sends none) and wait up to
 * timeout_s. On 2xx returns 0 and stores the parsed reply (new reference)
 * in *reply when reply is non-NULL. Otherwise a negative errno: transport
 * failures as -ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH, ...; HTTP errors
 * as the status's errno (paglets__wire_errno_of) with the peer's error
 * message, escaped, in err. *status gets the HTTP status (0 when none) if
 * status is non-NULL.
 */
int paglets__http_request(struct paglets__http *http, const char *method,
                          const char *url, const json_t *body, double timeout_s,
                          json_t **reply, long *status,
                          struct paglets_err *err);

#endif
