/*
 * JSON over HTTP with libcurl: one easy handle on one multi handle per
 * client, so keep-alive connections are reused between calls and a
 * tripped cancel handle wakes a call blocked in poll(). Used by the public
 * client, the mesh and agents alike. Not thread-safe: one per thread.
 */
#ifndef PAGLETS_REMOTE_HTTP_H
#define PAGLETS_REMOTE_HTTP_H

#include <stdint.h>

#include <jansson.h>

#include <paglets/client.h>

struct paglets__http;

/*
 * api_key may be NULL. With a key, every request is signed (wire/sig.h)
 * and every reply must be signed with it; the key itself is never sent or
 * kept. https is verified against $PAGLETS_TLS_CA when set, else the
 * system store. Caller frees with paglets__http_free().
 */
struct paglets__http *paglets__http_new(const char *api_key,
                                        struct paglets_err *err);
void paglets__http_free(struct paglets__http *http);

/*
 * Verify https peers against the CA certificates in file (PEM) alone;
 * NULL or "" goes back to the system store. 0, or -ENOENT / -EACCES when
 * file cannot be read, -ENOMEM.
 */
int paglets__http_set_tls_ca(struct paglets__http *http, const char *file,
                             struct paglets_err *err);

/* A handle (borrowed; NULL for none) that cancels every request. */
void paglets__http_set_cancel(struct paglets__http *http,
                              struct paglets_cancel *cancel);

/*
 * Send every later request through proxy (a libcurl proxy URL, copied;
 * NULL or "" for none, the default). 0 or -ENOMEM.
 */
int paglets__http_set_proxy(struct paglets__http *http, const char *proxy);

/*
 * Cap every request's limit at seconds, whatever its opts or the default
 * ask for (<= 0: no cap). A host caps its agents' calls this way.
 */
void paglets__http_set_max_timeout(struct paglets__http *http, double seconds);

/*
 * Calls made on behalf of a request carry its hop count plus one in this
 * header; a host refuses a request that arrives with PAGLETS__MAX_HOPS or
 * more, so a chain of nested calls (an agent calling an agent calling ...,
 * through one host or many) ends there instead of taking every
 * connection.
 */
#define PAGLETS__HOPS_HEADER "Paglets-Hops"
#define PAGLETS__MAX_HOPS 8

/*
 * The hop count of the request the calling thread serves (-1: none, the
 * default). Requests this thread sends carry hops + 1. A host sets it
 * while a request is handled and hands it to the one-way workers it
 * starts.
 */
void paglets__http_set_thread_hops(int hops);
int paglets__http_thread_hops(void);

/*
 * Send `method` to url with body (borrowed; NULL sends none) within the
 * limits of opts (timeout_seconds <= 0 means PAGLETS_CLIENT_TIMEOUT_SECONDS;
 * opts NULL: that timeout alone). On 2xx returns 0 and stores the parsed reply
 * (new reference) in *reply when reply is non-NULL. Otherwise a negative
 * errno: -ECANCELED when opts' or the http's cancel handle was tripped
 * (before or during the request), -ETIMEDOUT when the timeout or the
 * deadline passed; transport failures as -ECONNREFUSED, -EHOSTUNREACH,
 * -EIO, ...; HTTP errors as the status's errno (paglets__wire_errno_of)
 * with the peer's error message, escaped, in err; -EMSGSIZE when the reply
 * is over PAGLETS_CLIENT_MAX_REPLY_BYTES or its parse needs more than
 * PAGLETS_CLIENT_MAX_REPLY_MEMORY_BYTES of jansson's memory (counted on
 * this thread: util/json_mem.h); with an API key, -EPROTO for a 2xx reply
 * that is not signed with it, and for any reply whose signature or
 * Content-Digest is wrong. *status gets the HTTP
 * status (0 when none) if status is non-NULL.
 */
int paglets__http_request(struct paglets__http *http, const char *method,
                          const char *url, const json_t *body,
                          const struct paglets_call_opts *opts, json_t **reply,
                          long *status, struct paglets_err *err);

/*
 * The HTTP bytes of the last request: request line, headers and body
 * sent; status line, headers and body received.
 */
void paglets__http_last_bytes(struct paglets__http *http, uint64_t *sent,
                              uint64_t *received);

/* The eventfd of a cancel handle, readable once it is tripped. */
int paglets__cancel_fd(const struct paglets_cancel *cancel);

#endif
