/*
 * HTTP Message Signatures (RFC 9421) with hmac-sha256, as every paglets
 * client signs its requests and a keyed host signs its replies, and the
 * sha-256 Content-Digest (RFC 9530) both carry. The API key itself never
 * leaves the process: the MAC key is derived from it (HMAC-SHA256 of a
 * label under the API key), and a key id derived the same way with
 * another label names it, so a host can tell "another key" from "forged".
 *
 * A request covers ("@method" "@authority" "@path" "@query"
 * "content-digest") with created, nonce, keyid and alg; a reply covers
 * ("@status" "content-digest" "signature";req;key="paglets"): its status
 * and body, bound to the exact request (and so its nonce) it answers.
 * Both use the label "paglets" in Signature-Input and Signature.
 */
#ifndef PAGLETS_WIRE_SIG_H
#define PAGLETS_WIRE_SIG_H

#include <stddef.h>
#include <stdint.h>

#include <paglets/common.h>

#include "util/buf.h"
#include "wire/sf.h"

#define PAGLETS__SIG_LABEL "paglets"
#define PAGLETS__SIG_ALG "hmac-sha256"
/* A request's `created` may be this far from the host's clock, either way. */
#define PAGLETS__SIG_WINDOW_SECONDS 60
#define PAGLETS__SIG_MAC_BYTES 32
/* "pk-" and 16 hex digits, NUL. */
#define PAGLETS__SIG_KEYID_MAX 20
/* A nonce we accept: 1-64 characters (we send 32 hex digits). */
#define PAGLETS__SIG_NONCE_MAX 65
/* "sha-256=:" + 44 base64 characters + ":" + NUL. */
#define PAGLETS__SIG_DIGEST_MAX 56
/* Signature-Input and Signature values as we write them. */
#define PAGLETS__SIG_INPUT_MAX 384
#define PAGLETS__SIG_VALUE_MAX 64
/* The longest signature base we build: paths and queries are bounded by
 * the host's header memory (64 KiB per connection). */
#define PAGLETS__SIG_BASE_MAX ((size_t)96 * 1024)

struct paglets__sig_key {
    unsigned char mac_key[PAGLETS__SIG_MAC_BYTES];
    char keyid[PAGLETS__SIG_KEYID_MAX];
};

/* Derive the MAC key and key id from api_key (non-empty). 0 or -EIO. */
int paglets__sig_key_init(struct paglets__sig_key *key, const char *api_key);
/* Wipe the key from memory. */
void paglets__sig_key_wipe(struct paglets__sig_key *key);

/* What a request signature covers; the strings are borrowed. */
struct paglets__sig_request {
    const char *method;
    const char *authority;      /* canonical host[:port] (wire/url.h) */
    const char *path;           /* "/..." */
    const char *query;          /* "?" when there is none, else "?..." */
    const char *content_digest; /* the Content-Digest field value */
};

/* The two header values of one signature, labelled "paglets". */
struct paglets__sig_fields {
    char input[PAGLETS__SIG_INPUT_MAX];     /* Signature-Input */
    char signature[PAGLETS__SIG_VALUE_MAX]; /* Signature */
};

/*
 * Sign req at `created` (Unix seconds) with nonce (1-64 characters of
 * 0x20-0x7e): fill *out and the MAC (which the reply binds to) into mac.
 * 0, or -EINVAL / -ENOSPC / -EIO.
 */
int paglets__sig_sign_request(const struct paglets__sig_key *key,
                              const struct paglets__sig_request *req,
                              int64_t created, const char *nonce,
                              struct paglets__sig_fields *out,
                              unsigned char mac[PAGLETS__SIG_MAC_BYTES]);

/* What a verified request signature said. */
struct paglets__sig_checked {
    int64_t created;
    char nonce[PAGLETS__SIG_NONCE_MAX];
    unsigned char mac[PAGLETS__SIG_MAC_BYTES];
};

/*
 * Check the Signature-Input and Signature values of a request against
 * req: the covered components and parameters must be exactly ours, the
 * key id ours, the MAC right. The clock and the nonce are the caller's to
 * check (out->created, out->nonce). 0, or -EACCES with the reason in err.
 */
int paglets__sig_verify_request(const struct paglets__sig_key *key,
                                const struct paglets__sig_request *req,
                                const char *input, const char *signature,
                                struct paglets__sig_checked *out,
                                struct paglets_err *err);

/*
 * Sign a reply: its status, its Content-Digest value, and the MAC of the
 * request it answers. 0, or -ENOSPC / -EIO.
 */
int paglets__sig_sign_response(
    const struct paglets__sig_key *key, int status, const char *content_digest,
    const unsigned char req_mac[PAGLETS__SIG_MAC_BYTES], int64_t created,
    struct paglets__sig_fields *out);

/* Check a reply as paglets__sig_sign_response() signs it: 0 or -EPROTO. */
int paglets__sig_verify_response(
    const struct paglets__sig_key *key, int status, const char *content_digest,
    const unsigned char req_mac[PAGLETS__SIG_MAC_BYTES], const char *input,
    const char *signature, struct paglets_err *err);

/* The Content-Digest value of body: "sha-256=:BASE64:". */
void paglets__sig_content_digest(const void *body, size_t len,
                                 char out[PAGLETS__SIG_DIGEST_MAX]);

/*
 * Does the Content-Digest value `field` hold body's sha-256? 0 yes;
 * -EBADMSG it holds another; -ENOENT no sha-256 member; -EINVAL not a
 * dictionary of byte sequences.
 */
int paglets__sig_digest_check(const char *field, const void *body, size_t len);

/* A fresh nonce: 32 hex digits from getrandom(). 0 or -EIO. */
int paglets__sig_nonce(char out[33]);

/*
 * The RFC 9421 section 2.5 signature base of the signature parameters in
 * params (an inner list of component identifiers with its parameters),
 * appended to out. value() gives each component's value (borrowed until
 * its next call) or NULL when the message has none. 0, or -ENOENT for a
 * component without value, -EINVAL for an identifier that is not a
 * string, one listed twice or a value with CR or LF, -EMSGSIZE/-ENOMEM.
 */
typedef const char *(*paglets__sig_value_fn)(
    void *arg, const struct paglets__sf_item *component);
int paglets__sig_base(const struct paglets__sf_member *params,
                      paglets__sig_value_fn value, void *arg,
                      struct paglets__buf *out);

/* HMAC-SHA256 of data under key[key_len]. 0 or -EIO. */
int paglets__sig_hmac(const void *key, size_t key_len, const void *data,
                      size_t len, unsigned char out[PAGLETS__SIG_MAC_BYTES]);

#endif
