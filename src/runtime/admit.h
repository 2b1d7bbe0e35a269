/*
 * Request admission: what a host checks before it reads a request's body,
 * in this order, and what it adds to the reply.
 *
 *   Host (421)     the authority of a URL this host listens on or
 *                  advertises, a local interface address when it listens
 *                  on a wildcard address, localhost when it listens on
 *                  loopback, or --allow-host; so DNS rebinding and
 *                  requests meant for another host are refused
 *   Origin (403)   absent (not a browser), or named by --allow-origin
 *   auth (401)     with an API key: an RFC 9421 signature (wire/sig.h)
 *                  whose @authority passes the Host rule, created within
 *                  +-60 s and a nonce not seen before (nonces.h); or,
 *                  with --accept-bearer only, "Authorization: Bearer KEY"
 *                  (and on GET /metrics alone, with --metrics-key-env,
 *                  "Authorization: Bearer METRICS_KEY" whatever
 *                  --accept-bearer says)
 *   type (415)     a POST with a body says Content-Type: application/json
 *
 * A signed request's body must then match its Content-Digest, and its
 * reply is signed, bound to it. server.c calls these once per request.
 */
#ifndef PAGLETS_RUNTIME_ADMIT_H
#define PAGLETS_RUNTIME_ADMIT_H

#include <stdbool.h>
#include <stddef.h>

#include <paglets/host.h>

#include "wire/sig.h"

struct MHD_Connection;
struct MHD_Response;
struct paglets__admit;

/* Replay cache size: nonces kept; see nonces.h for what happens beyond. */
#define PAGLETS__ADMIT_NONCES 32768

/*
 * The admission rules of config (copied): the API key, the metrics key,
 * --accept-bearer, --allow-host and --allow-origin (each must parse:
 * -EINVAL names the bad one). Caller frees with paglets__admit_free().
 */
struct paglets__admit *
paglets__admit_new(const struct paglets_host_config *config,
                   struct paglets_err *err);
void paglets__admit_free(struct paglets__admit *admit);

/*
 * Where the host listens, once bound and before it serves: the URL it
 * advertises, the addresses (as given to bind) and the port. 0, -EINVAL
 * or -ENOMEM.
 */
int paglets__admit_listening(struct paglets__admit *admit, const char *url,
                             const char *const *addresses, size_t n, int port,
                             struct paglets_err *err);

/* What admission learned about one request, for its body and reply. */
struct paglets__admission {
    bool preflight; /* an allowed CORS preflight: answer it, nothing else */
    bool signed_request;
    unsigned char mac[PAGLETS__SIG_MAC_BYTES]; /* the request's */
    char content_digest[256];                  /* as the request gave it */
    char origin[PAGLETS_URL_MAX];              /* allowed; "" for none */
};

/*
 * Check a request's headers (target: the request line's target as sent,
 * path and query). 0 to go on, with *out filled; or a negative errno
 * (-EADDRNOTAVAIL 421, -EPERM 403, -EACCES 401, -EMEDIUMTYPE 415, -EINVAL
 * 400) with the reason in err. Any thread.
 */
int paglets__admit_request(struct paglets__admit *admit,
                           struct MHD_Connection *conn, const char *method,
                           const char *target, struct paglets__admission *out,
                           struct paglets_err *err);

/* A signed request's whole body against its Content-Digest: 0 or -EINVAL. */
int paglets__admit_body(const struct paglets__admission *adm, const void *body,
                        size_t len, struct paglets_err *err);

/*
 * Add to a reply of status with body[len]: for a signed request its
 * Content-Digest and signature, for an allowed Origin the CORS headers.
 * Returns 0, or -ENOMEM / -EIO when the signature could not be added (the
 * reply must then not be sent as it is).
 */
int paglets__admit_reply(const struct paglets__admit *admit,
                         const struct paglets__admission *adm,
                         struct MHD_Response *resp, unsigned status,
                         const void *body, size_t len);

#endif
