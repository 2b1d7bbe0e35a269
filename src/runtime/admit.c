/*
 * Request admission (admit.h): the Host, Origin, authentication and
 * Content-Type checks a host makes on a request's headers, the body's
 * digest, and the signature and CORS headers of the reply.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "runtime/admit.h"
#include "runtime/nonces.h"
#include "util/clock.h"
#include "util/netaddr.h"
#include "wire/sig.h"
#include "wire/url.h"

/* One accepted authority: a host alone (any port is ours) or host:port. */
struct allowed {
    char host[PAGLETS__URL_HOST_MAX];
    int port; /* 0: the port this host listens on */
};

struct paglets__admit {
    /* Set by _new and _listening, read-only once the host serves. */
    bool https;
    bool keyed, accept_bearer;
    struct paglets__sig_key key;
    unsigned char key_digest[32]; /* SHA-256 of the key, for bearer */
    bool metrics_keyed;
    unsigned char metrics_digest[32]; /* SHA-256 of the metrics key */
    struct paglets__nonces *nonces;
    struct allowed *hosts; /* listening addresses, --allow-host */
    size_t n_hosts;
    char (*origins)[PAGLETS_URL_MAX]; /* canonical --allow-origin */
    size_t n_origins;
    char advertised[PAGLETS_URL_MAX]; /* authority of the host's URL */
    int port;
    bool wildcard; /* listens on 0.0.0.0 or :: */
    bool loopback; /* listens on a loopback address */
};

static int add_host(struct paglets__admit *a, const char *host, int port)
{
    struct allowed *grown =
        realloc(a->hosts, (a->n_hosts + 1) * sizeof(*grown));
    if (grown == NULL)
        return -ENOMEM;
    a->hosts = grown;
    snprintf(a->hosts[a->n_hosts].host, sizeof(grown->host), "%s", host);
    a->hosts[a->n_hosts++].port = port;
    return 0;
}

/* True when text (host[:port] or [v6]:port) names a port. */
static bool names_port(const char *text)
{
    const char *colon = strrchr(text, ':');
    const char *bracket = strrchr(text, ']');
    if (text[0] == '[')
        return bracket != NULL && colon != NULL && colon > bracket;
    return colon != NULL;
}

static int add_allow_hosts(struct paglets__admit *a,
                           const struct paglets_host_config *c,
                           struct paglets_err *err)
{
    for (size_t i = 0; i < c->n_allow_hosts; i++) {
        struct paglets__url u;
        struct paglets_err why = {0};
        if (paglets__url_from_authority(a->https, c->allow_hosts[i], &u,
                                        &why) != 0)
            return paglets_err_set(err, -EINVAL, "allow-host: %s", why.message);
        if (add_host(a, u.host, names_port(c->allow_hosts[i]) ? u.port : 0))
            return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    return 0;
}

static int add_allow_origins(struct paglets__admit *a,
                             const struct paglets_host_config *c,
                             struct paglets_err *err)
{
    if (c->n_allow_origins == 0)
        return 0;
    a->origins = calloc(c->n_allow_origins, sizeof(*a->origins));
    if (a->origins == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    for (size_t i = 0; i < c->n_allow_origins; i++) {
        struct paglets_err why = {0};
        if (paglets__url_normalize(c->allow_origins[i], a->origins[i], &why))
            return paglets_err_set(err, -EINVAL, "allow-origin: %s",
                                   why.message);
        a->n_origins++;
    }
    return 0;
}

struct paglets__admit *paglets__admit_new(const struct paglets_host_config *c,
                                          struct paglets_err *err)
{
    struct paglets__admit *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        paglets_err_set(err, -ENOMEM, "out of memory");
        return NULL;
    }
    a->https = c->tls_cert_file != NULL;
    a->accept_bearer = c->accept_bearer;
    int rc = add_allow_hosts(a, c, err);
    if (rc == 0)
        rc = add_allow_origins(a, c, err);
    if (rc == 0 && c->api_key != NULL) {
        unsigned int len = sizeof(a->key_digest);
        a->keyed = true;
        a->nonces = paglets__nonces_new(PAGLETS__ADMIT_NONCES,
                                        PAGLETS__SIG_WINDOW_SECONDS);
        if (a->nonces == NULL)
            rc = paglets_err_set(err, -ENOMEM, "out of memory");
        else if (paglets__sig_key_init(&a->key, c->api_key) != 0 ||
                 EVP_Digest(c->api_key, strlen(c->api_key), a->key_digest, &len,
                            EVP_sha256(), NULL) != 1)
            rc = paglets_err_set(err, -EIO, "cannot derive the signing key");
    }
    if (rc == 0 && c->metrics_key != NULL) {
        unsigned int len = sizeof(a->metrics_digest);
        a->metrics_keyed = true;
        if (EVP_Digest(c->metrics_key, strlen(c->metrics_key),
                       a->metrics_digest, &len, EVP_sha256(), NULL) != 1)
            rc = paglets_err_set(err, -EIO, "cannot digest the metrics key");
    }
    if (rc != 0) {
        paglets__admit_free(a);
        return NULL;
    }
    return a;
}

void paglets__admit_free(struct paglets__admit *a)
{
    if (a == NULL)
        return;
    paglets__nonces_free(a->nonces);
    free(a->hosts);
    free(a->origins);
    OPENSSL_cleanse(a, sizeof(*a));
    free(a);
}

int paglets__admit_listening(struct paglets__admit *a, const char *url,
                             const char *const *addresses, size_t n, int port,
                             struct paglets_err *err)
{
    struct paglets__url u;
    int rc = paglets__url_parse(url, &u, err);
    if (rc != 0)
        return rc;
    snprintf(a->advertised, sizeof(a->advertised), "%s",
             paglets__url_authority(&u));
    a->port = port;
    for (size_t i = 0; i < n; i++) {
        rc = paglets__url_from_address(a->https, addresses[i], port, &u, err);
        if (rc != 0)
            return rc;
        if (strcmp(u.host, "0.0.0.0") == 0 || strcmp(u.host, "::") == 0)
            a->wildcard = true;
        if (paglets__is_loopback(u.host))
            a->loopback = true;
        if (add_host(a, u.host, 0) != 0)
            return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    return 0;
}

/* Is host (canonical, as wire/url.c writes it) an interface address? */
static bool is_interface_address(const char *host)
{
    struct ifaddrs *list, *i;
    bool found = false;
    if (getifaddrs(&list) != 0)
        return false;
    for (i = list; i != NULL && !found; i = i->ifa_next) {
        char text[INET6_ADDRSTRLEN];
        const struct sockaddr *sa = i->ifa_addr;
        const void *addr = NULL;
        if (sa != NULL && sa->sa_family == AF_INET)
            addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
        else if (sa != NULL && sa->sa_family == AF_INET6)
            addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        if (addr != NULL &&
            inet_ntop(sa->sa_family, addr, text, sizeof(text)) != NULL)
            found = strcmp(text, host) == 0;
    }
    freeifaddrs(list);
    return found;
}

/* The Host rule (admit.h) for a parsed authority. */
static bool host_allowed(const struct paglets__admit *a,
                         const struct paglets__url *u)
{
    if (strcmp(paglets__url_authority(u), a->advertised) == 0)
        return true;
    for (size_t i = 0; i < a->n_hosts; i++)
        if (strcmp(a->hosts[i].host, u->host) == 0 &&
            u->port == (a->hosts[i].port ? a->hosts[i].port : a->port))
            return true;
    if (u->port != a->port)
        return false;
    if (strcmp(u->host, "localhost") == 0)
        return a->loopback || a->wildcard;
    if (!a->wildcard || u->kind == PAGLETS__URL_NAME)
        return false;
    return paglets__is_loopback(u->host) || is_interface_address(u->host);
}

/* Counts the values of one header, for headers that must come once. */
struct counter {
    const char *name;
    unsigned n;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind,
                                    const char *key, const char *value)
{
    (void)kind;
    (void)value;
    struct counter *c = cls;
    if (strcasecmp(key, c->name) == 0)
        c->n++;
    return MHD_YES;
}

/*
 * The value of a header that may appear at most once: 0 with *value (NULL
 * when absent), or -EINVAL when it is repeated.
 */
static int single_header(struct MHD_Connection *conn, const char *name,
                         const char **value, struct paglets_err *err)
{
    struct counter c = {name, 0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &c);
    if (c.n > 1)
        return paglets_err_set(err, -EINVAL, "header '%s' given %u times", name,
                               c.n);
    *value = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
    return 0;
}

/* Escaped copy of peer text for a message. */
static const char *shown(char *out, size_t size, const char *text)
{
    paglets_escape(out, size, text, strlen(text));
    return out;
}

static int check_host(const struct paglets__admit *a,
                      struct MHD_Connection *conn, struct paglets__url *u,
                      struct paglets_err *err)
{
    const char *host;
    char text[96];
    int rc = single_header(conn, MHD_HTTP_HEADER_HOST, &host, err);
    if (rc != 0)
        return rc;
    if (host == NULL)
        return paglets_err_set(err, -EADDRNOTAVAIL, "no Host header");
    struct paglets_err why = {0};
    if (paglets__url_from_authority(a->https, host, u, &why) != 0 ||
        !host_allowed(a, u))
        return paglets_err_set(err, -EADDRNOTAVAIL,
                               "Host '%s' is not an address of this host "
                               "(see --allow-host)",
                               shown(text, sizeof(text), host));
    return 0;
}

static int check_origin(const struct paglets__admit *a,
                        struct MHD_Connection *conn,
                        struct paglets__admission *out, struct paglets_err *err)
{
    const char *origin;
    char canonical[PAGLETS_URL_MAX], text[96];
    int rc = single_header(conn, "Origin", &origin, err);
    if (rc != 0 || origin == NULL)
        return rc;
    if (paglets__url_normalize(origin, canonical, NULL) == 0)
        for (size_t i = 0; i < a->n_origins; i++)
            if (strcmp(a->origins[i], canonical) == 0) {
                snprintf(out->origin, sizeof(out->origin), "%s", origin);
                return 0;
            }
    return paglets_err_set(err, -EPERM,
                           "requests from web pages are refused: Origin '%s' "
                           "is not allowed (see --allow-origin)",
                           shown(text, sizeof(text), origin));
}

/* Is auth "Bearer KEY" with the key of want (a SHA-256)? Constant time. */
static bool bearer_is(const char *auth, const unsigned char want[32])
{
    unsigned char digest[32];
    unsigned int len = sizeof(digest);
    return strncmp(auth, "Bearer ", 7) == 0 &&
           EVP_Digest(auth + 7, strlen(auth + 7), digest, &len, EVP_sha256(),
                      NULL) == 1 &&
           CRYPTO_memcmp(digest, want, sizeof(digest)) == 0;
}

/*
 * "Authorization: Bearer KEY": the API key with --accept-bearer, or on
 * GET /metrics the metrics key whatever --accept-bearer says.
 */
static int check_bearer(const struct paglets__admit *a, const char *method,
                        const char *target, const char *auth,
                        struct paglets_err *err)
{
    bool metrics = a->metrics_keyed && strcmp(method, "GET") == 0 &&
                   strncmp(target, "/metrics", 8) == 0 &&
                   (target[8] == '\0' || target[8] == '?');
    if (metrics && bearer_is(auth, a->metrics_digest))
        return 0;
    if (!a->accept_bearer)
        return paglets_err_set(err, -EACCES,
                               metrics ? "missing or wrong metrics key"
                                       : "bearer keys are refused: sign "
                                         "requests (paglets clients do), or "
                                         "start the host with "
                                         "--accept-bearer");
    if (!bearer_is(auth, a->key_digest))
        return paglets_err_set(err, -EACCES, "missing or wrong API key");
    return 0;
}

/* created within the window of now, and a nonce not seen before. */
static int check_fresh(struct paglets__admit *a,
                       const struct paglets__sig_checked *c,
                       struct paglets_err *err)
{
    int64_t now = (int64_t)paglets__wall_now();
    int64_t skew = c->created - now;
    if (skew > PAGLETS__SIG_WINDOW_SECONDS ||
        skew < -PAGLETS__SIG_WINDOW_SECONDS)
        return paglets_err_set(err, -EACCES,
                               "clock skew %lld s: the signer's clock is "
                               "%s this host's; at most %d s are allowed",
                               (long long)(skew < 0 ? -skew : skew),
                               skew < 0 ? "behind" : "ahead of",
                               PAGLETS__SIG_WINDOW_SECONDS);
    int rc = paglets__nonces_add(a->nonces, c->nonce, c->created, now);
    if (rc == -EALREADY)
        return paglets_err_set(err, -EACCES,
                               "request replayed: its nonce was seen before");
    if (rc != 0)
        return paglets_err_set(err, -EACCES,
                               "request too old for the replay cache under "
                               "this load: sign it again");
    return 0;
}

static int check_signature(struct paglets__admit *a,
                           struct MHD_Connection *conn, const char *method,
                           const char *target, const struct paglets__url *u,
                           const char *input, const char *signature,
                           struct paglets__admission *out,
                           struct paglets_err *err)
{
    const char *digest;
    int rc = single_header(conn, "Content-Digest", &digest, err);
    if (rc != 0)
        return rc;
    if (digest == NULL || strlen(digest) >= sizeof(out->content_digest))
        return paglets_err_set(err, -EACCES,
                               "request signature: no Content-Digest of at "
                               "most %zu bytes",
                               sizeof(out->content_digest) - 1);
    /* @path and @query as sent: the target up to and after its '?'. */
    size_t path_len = strcspn(target, "?");
    char *path = strndup(target, path_len);
    const char *query = target[path_len] ? target + path_len : "?";
    if (path == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    struct paglets__sig_request req = {method, paglets__url_authority(u), path,
                                       query, digest};
    struct paglets__sig_checked c;
    rc = paglets__sig_verify_request(&a->key, &req, input, signature, &c, err);
    free(path);
    if (rc == 0)
        rc = check_fresh(a, &c, err);
    if (rc != 0)
        return rc;
    out->signed_request = true;
    memcpy(out->mac, c.mac, sizeof(out->mac));
    snprintf(out->content_digest, sizeof(out->content_digest), "%s", digest);
    return 0;
}

static int check_auth(struct paglets__admit *a, struct MHD_Connection *conn,
                      const char *method, const char *target,
                      const struct paglets__url *u,
                      struct paglets__admission *out, struct paglets_err *err)
{
    const char *input, *signature, *auth;
    if (!a->keyed)
        return 0;
    int rc = single_header(conn, "Signature-Input", &input, err);
    if (rc == 0)
        rc = single_header(conn, "Signature", &signature, err);
    if (rc == 0)
        rc = single_header(conn, MHD_HTTP_HEADER_AUTHORIZATION, &auth, err);
    if (rc != 0)
        return rc;
    if (input != NULL || signature != NULL)
        return check_signature(a, conn, method, target, u, input ? input : "",
                               signature ? signature : "", out, err);
    if (auth != NULL)
        return check_bearer(a, method, target, auth, err);
    return paglets_err_set(err, -EACCES,
                           "request is not signed: this host has an API key");
}

/* application/json, any case, parameters (charset) allowed. */
static bool is_json(const char *type)
{
    static const char json[] = "application/json";
    while (*type == ' ' || *type == '\t')
        type++;
    if (strncasecmp(type, json, sizeof(json) - 1) != 0)
        return false;
    type += sizeof(json) - 1;
    while (*type == ' ' || *type == '\t')
        type++;
    return *type == '\0' || *type == ';';
}

static int check_type(struct MHD_Connection *conn, const char *method,
                      struct paglets_err *err)
{
    const char *length = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *chunked = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    const char *type = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    bool body = chunked != NULL ||
                (length != NULL && strspn(length, "0") != strlen(length));
    if (strcmp(method, "POST") != 0 || !body || (type && is_json(type)))
        return 0;
    return paglets_err_set(err, -EMEDIUMTYPE,
                           "a request body must be sent with Content-Type: "
                           "application/json");
}

/* An allowed Origin's preflight: OPTIONS asking for a method. */
static bool is_preflight(struct MHD_Connection *conn, const char *method,
                         const struct paglets__admission *out)
{
    return out->origin[0] != '\0' && strcmp(method, "OPTIONS") == 0 &&
           MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                       "Access-Control-Request-Method") != NULL;
}

int paglets__admit_request(struct paglets__admit *a,
                           struct MHD_Connection *conn, const char *method,
                           const char *target, struct paglets__admission *out,
                           struct paglets_err *err)
{
    struct paglets__url u;
    memset(out, 0, sizeof(*out));
    int rc = check_host(a, conn, &u, err);
    if (rc == 0)
        rc = check_origin(a, conn, out, err);
    if (rc == 0 && is_preflight(conn, method, out)) {
        out->preflight = true;
        return 0;
    }
    if (rc == 0)
        rc = check_auth(a, conn, method, target, &u, out, err);
    if (rc == 0)
        rc = check_type(conn, method, err);
    return rc;
}

int paglets__admit_body(const struct paglets__admission *adm, const void *body,
                        size_t len, struct paglets_err *err)
{
    if (!adm->signed_request)
        return 0;
    int rc =
        paglets__sig_digest_check(adm->content_digest, body ? body : "", len);
    if (rc == 0)
        return 0;
    return paglets_err_set(err, -EINVAL,
                           rc == -EBADMSG
                               ? "request body does not match its "
                                 "Content-Digest"
                               : "request Content-Digest has no sha-256");
}

int paglets__admit_reply(const struct paglets__admit *a,
                         const struct paglets__admission *adm,
                         struct MHD_Response *resp, unsigned status,
                         const void *body, size_t len)
{
    if (adm->origin[0] != '\0') {
        MHD_add_response_header(resp, "Access-Control-Allow-Origin",
                                adm->origin);
        MHD_add_response_header(resp, "Vary", "Origin");
    }
    if (adm->preflight) {
        MHD_add_response_header(resp, "Access-Control-Allow-Methods",
                                "GET, POST");
        MHD_add_response_header(resp, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, Content-Digest, "
                                "Signature, Signature-Input");
        MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
    }
    if (!adm->signed_request)
        return 0;
    char digest[PAGLETS__SIG_DIGEST_MAX];
    struct paglets__sig_fields f;
    paglets__sig_content_digest(body ? body : "", len, digest);
    int rc = paglets__sig_sign_response(&a->key, (int)status, digest, adm->mac,
                                        (int64_t)paglets__wall_now(), &f);
    if (rc != 0)
        return rc;
    if (MHD_add_response_header(resp, "Content-Digest", digest) != MHD_YES ||
        MHD_add_response_header(resp, "Signature-Input", f.input) != MHD_YES ||
        MHD_add_response_header(resp, "Signature", f.signature) != MHD_YES)
        return -ENOMEM;
    return 0;
}
