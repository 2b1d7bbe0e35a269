/*
 * The HTTP server of a host (libmicrohttpd, optionally over TLS):
 * listening, body limits and JSON responses; admit.c decides which
 * requests to serve and signs replies, routes.c maps paths to operations.
 *
 * Threading: one thread per connection (MHD_USE_THREAD_PER_CONNECTION),
 * bounded by a connection limit and an idle timeout. Operations block by
 * design: `drain` sleeps on an agent's condition variable, `collect` and
 * clones make outgoing HTTP calls, some to this very host. With a fixed
 * pool of N workers, N such requests waiting on calls to their own host
 * would hold every worker and deadlock; suspend/resume would need a second
 * pool with the same problem one level down. A thread per connection lets
 * every accepted request make progress, so self-calls cannot deadlock;
 * the limit turns overload into refused connections instead. Idle, the
 * host runs a single listening thread, which keeps RSS small.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "remote/http.h"
#include "runtime/admit.h"
#include "runtime/conns.h"
#include "runtime/host_int.h"
#include "runtime/mesh.h"
#include "runtime/routes.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json_mem.h"
#include "util/log.h"
#include "util/netaddr.h"
#include "wire/error.h"
#include "wire/url.h"

/*
 * Per-request state, from the request line (uri_logged) to the completion
 * callback, which libmicrohttpd calls for every request it logged, even
 * one whose headers never came.
 */
struct request {
    char *target; /* the request target as sent: path and query */
    bool begun;   /* headers checked; counted in host->requests */
    struct paglets__admission adm;
    struct paglets__buf body;
    bool too_big;
    int hops; /* the Paglets-Hops it came with; 0 without one */
};

/*
 * What jansson may allocate for one request, from parsing its body to
 * writing the reply: at least 32 MiB, and four times the largest body so a
 * raised --max-body can still be parsed (a string takes twice its length
 * while the parser reads it).
 */
#define REQUEST_MEMORY_MIN ((size_t)32 << 20)

/* A request that had this much jansson memory gives it back (handle()). */
#define TRIM_AFTER_BYTES ((size_t)4 << 20)

static size_t request_memory(const struct paglets_host *host)
{
    size_t body = host->config.max_body_bytes;
    size_t four = body > SIZE_MAX / 4 ? SIZE_MAX : 4 * body;
    return four > REQUEST_MEMORY_MIN ? four : REQUEST_MEMORY_MIN;
}

/*
 * Queue resp (its body text[len]) with status, signed for a signed
 * request; a reply that cannot be signed is replaced by a 500.
 */
static enum MHD_Result queue(struct paglets_host *host,
                             struct MHD_Connection *conn,
                             const struct request *req, unsigned status,
                             struct MHD_Response *resp, const char *text,
                             size_t len)
{
    if (req != NULL && paglets__admit_reply(host->admit, &req->adm, resp,
                                            status, text, len) != 0) {
        MHD_destroy_response(resp);
        static const char failed[] =
            "{\"error\":{\"code\":\"EIO\",\"message\":\"cannot sign the "
            "reply\"}}";
        resp = MHD_create_response_from_buffer(
            sizeof(failed) - 1, (void *)failed, MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        if (resp == NULL)
            return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "application/json");
    }
    enum MHD_Result ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    if (ret == MHD_YES)
        paglets__metrics_count_reply(&host->metrics, status);
    return ret;
}

/*
 * Queue text (malloc()ed, taken over; NULL: out of memory) with status,
 * as type (NULL: JSON).
 */
static enum MHD_Result send_text(struct paglets_host *host,
                                 struct MHD_Connection *conn,
                                 const struct request *req, unsigned status,
                                 char *text, const char *type,
                                 const char *allow)
{
    struct MHD_Response *resp = NULL;
    size_t len = text ? strlen(text) : 0;
    if (text != NULL)
        resp =
            MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(text);
        static const char fallback[] =
            "{\"error\":{\"code\":\"ENOMEM\",\"message\":\"out of memory\"}}";
        text = (char *)fallback;
        len = sizeof(fallback) - 1;
        resp =
            MHD_create_response_from_buffer(len, text, MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        type = NULL;
        if (resp == NULL)
            return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            type ? type : "application/json");
    if (allow != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    return queue(host, conn, req, status, resp, text, len);
}

/* Send json with status; allow, when not NULL, as the Allow header. */
static enum MHD_Result send_json(struct paglets_host *host,
                                 struct MHD_Connection *conn,
                                 const struct request *req, unsigned status,
                                 const json_t *json, const char *allow)
{
    return send_text(host, conn, req, status, json_dumps(json, JSON_COMPACT),
                     NULL, allow);
}

/* The error body for code; allow as in send_json(). */
static enum MHD_Result send_error(struct paglets_host *host,
                                  struct MHD_Connection *conn,
                                  const struct request *req, int code,
                                  const char *message, const char *allow)
{
    json_t *body = paglets__wire_error_json(code, message);
    enum MHD_Result ret = send_json(
        host, conn, req, (unsigned)paglets__wire_status_of(code), body, allow);
    json_decref(body);
    return ret;
}

/* 204 to an allowed Origin's CORS preflight (admit.c adds the headers). */
static enum MHD_Result send_preflight(struct paglets_host *host,
                                      struct MHD_Connection *conn,
                                      const struct request *req)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    return queue(host, conn, req, MHD_HTTP_NO_CONTENT, resp, "", 0);
}

static bool declared_too_big(size_t limit, struct MHD_Connection *conn)
{
    const char *text = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (text == NULL)
        return false;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    return errno != 0 || n > limit;
}

/* Content-Length headers seen so far, for framing(). */
struct lengths {
    const char *first;
    bool conflict;
};

static enum MHD_Result scan_length(void *cls, enum MHD_ValueKind kind,
                                   const char *key, const char *value)
{
    (void)kind;
    struct lengths *l = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0 || value == NULL)
        return MHD_YES;
    if (l->first == NULL)
        l->first = value;
    else if (strcmp(l->first, value) != 0)
        l->conflict = true;
    return MHD_YES;
}

/*
 * Where the body ends must be beyond doubt: libmicrohttpd reads it by the
 * first of several Content-Length headers, a proxy in front of us might go
 * by another, and the difference is a request smuggled past that proxy.
 */
static int framing(struct MHD_Connection *conn, struct paglets_err *err)
{
    struct lengths l = {NULL, false};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_length, &l);
    if (l.conflict)
        return paglets_err_set(err, -EINVAL,
                               "conflicting Content-Length headers");
    if (l.first != NULL &&
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                    MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)
        return paglets_err_set(err, -EINVAL,
                               "both Content-Length and Transfer-Encoding");
    return 0;
}

/* The request's Paglets-Hops (0 when absent); -ELOOP at the limit. */
static int read_hops(struct MHD_Connection *conn, int *hops,
                     struct paglets_err *err)
{
    const char *text = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                   PAGLETS__HOPS_HEADER);
    *hops = 0;
    if (text == NULL)
        return 0;
    size_t len = strlen(text);
    if (len == 0 || len > 3 || strspn(text, "0123456789") != len)
        return paglets_err_set(err, -EINVAL, "invalid %s header",
                               PAGLETS__HOPS_HEADER);
    *hops = (int)strtol(text, NULL, 10);
    if (*hops >= PAGLETS__MAX_HOPS)
        return paglets_err_set(err, -ELOOP,
                               "too many nested calls: %s %d, the limit is "
                               "%d",
                               PAGLETS__HOPS_HEADER, *hops, PAGLETS__MAX_HOPS);
    return 0;
}

/* The request line has arrived: keep its target as sent. */
static void *uri_logged(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    struct paglets_host *host = cls;
    struct request *req = calloc(1, sizeof(*req));
    if (req == NULL)
        return NULL;
    req->target = strdup(uri);
    paglets__buf_init(&req->body, host->config.max_body_bytes);
    return req;
}

/* One debug line per refused request; the text comes from the peer. */
static void log_refusal(const char *method, const char *url,
                        const char *message)
{
    char m[24], u[160], e[PAGLETS_ERR_MESSAGE_MAX];
    paglets_escape(m, sizeof(m), method, strlen(method));
    paglets_escape(u, sizeof(u), url, strlen(url));
    paglets_escape(e, sizeof(e), message, strlen(message));
    paglets_log_debug(PAGLETS_LOG_CAT_HTTP, "%s %s: %s", m, u, e);
}

/* The first call for a request: checks that need only the headers. */
static enum MHD_Result begin(struct paglets_host *host,
                             struct MHD_Connection *conn, struct request *req,
                             const char *method, const char *url)
{
    paglets__conns_headers_done(conn);
    req->begun = true;
    paglets__gauge_add(&host->requests);
    struct paglets_err err = {0};
    int rc = req->target ? paglets__admit_request(host->admit, conn, method,
                                                  req->target, &req->adm, &err)
                         : paglets_err_set(&err, -ENOMEM, "out of memory");
    if (rc != 0) {
        log_refusal(method, url, err.message);
        return send_error(host, conn, req, rc, err.message, NULL);
    }
    if (req->adm.preflight)
        return send_preflight(host, conn, req);
    rc = framing(conn, &err);
    if (rc == 0)
        rc = read_hops(conn, &req->hops, &err);
    if (rc != 0)
        return send_error(host, conn, req, rc, err.message, NULL);
    /* Mesh messages other than push-pull are small (mesh.h). */
    req->body.limit = paglets__mesh_body_max(url, host->config.max_body_bytes);
    if (declared_too_big(req->body.limit, conn))
        return send_error(host, conn, req, -EMSGSIZE, "request body too large",
                          NULL);
    return MHD_YES;
}

/*
 * Parse the body and run the route, under the request's memory budget
 * and with its hop count set for the calls agent code makes meanwhile.
 * 0 with the reply text in *text (NULL: out of memory), or the errno with
 * the reason in err.
 */
static int handle(struct paglets_host *host, struct request *req,
                  const char *method, const char *url,
                  struct paglets__route_reply *reply, char **text,
                  struct paglets_err *err)
{
    struct paglets__budget budget;
    size_t limit = request_memory(host);
    json_t *body = NULL;
    int rc = 0;
    *text = NULL;
    paglets__budget_begin(&budget, limit);
    if (req->body.len > 0) {
        json_error_t jerr;
        body = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES,
                          &jerr);
        if (body == NULL)
            rc = paglets_err_set(err, -EINVAL, "malformed JSON: %s", jerr.text);
    }
    /* Gossip bytes for GET /metrics (metrics.h). */
    if (strncmp(url, "/hosts/", 7) == 0 && strcmp(method, "POST") == 0)
        atomic_fetch_add_explicit(&host->metrics.join_bytes_received,
                                  req->body.len, memory_order_relaxed);
    /* The text is parsed: its bytes are not needed while the route runs. */
    paglets__buf_release(&req->body);
    if (rc == 0) {
        paglets__http_set_thread_hops(req->hops);
        rc = paglets__route(host, method, url, body, reply, err);
        paglets__http_set_thread_hops(-1);
    }
    json_decref(body);
    if (rc == 0 && reply->text != NULL) {
        *text = reply->text;
        reply->text = NULL;
    } else if (rc == 0) {
        *text = json_dumps(reply->body, JSON_COMPACT);
        json_decref(reply->body);
        reply->body = NULL;
    }
    bool over = paglets__budget_end(&budget);
    /*
     * glibc keeps what a thread's arena freed for the next allocation
     * there; after a request that parsed megabytes (often one refused for
     * that) give it back, or every connection thread's arena stays as
     * large as the largest request it ever saw.
     */
    if (budget.peak >= TRIM_AFTER_BYTES)
        malloc_trim(0);
    if (over) {
        free(*text);
        *text = NULL;
        paglets_err_clear(err);
        return paglets_err_set(err, -EMSGSIZE,
                               "request needs more than %zu MiB of memory",
                               limit >> 20);
    }
    return rc;
}

static enum MHD_Result finish(struct paglets_host *host,
                              struct MHD_Connection *conn, struct request *req,
                              const char *method, const char *url)
{
    struct paglets_err err = {0};
    if (req->too_big)
        return send_error(host, conn, req, -EMSGSIZE, "request body too large",
                          NULL);
    if (paglets__admit_body(&req->adm, req->body.data, req->body.len, &err))
        return send_error(host, conn, req, err.code, err.message, NULL);
    if (atomic_load(&host->stopping))
        return send_error(host, conn, req, -EBUSY, "host is shutting down",
                          NULL);
    struct paglets__route_reply reply;
    char *text;
    int rc = handle(host, req, method, url, &reply, &text, &err);
    if (rc == 0)
        return send_text(host, conn, req, (unsigned)reply.status, text,
                         reply.content_type, NULL);
    const char *message = err.code ? err.message : paglets_strerror(rc);
    log_refusal(method, url, message);
    return send_error(host, conn, req, rc, message,
                      rc == -ENOSYS ? reply.allow : NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    struct paglets_host *host = cls;
    struct request *req = *con_cls;
    if (req == NULL)
        return MHD_NO; /* out of memory at the request line */
    if (!req->begun)
        return begin(host, conn, req, method, url);
    if (*upload_size > 0) {
        if (!req->too_big &&
            paglets__buf_append(&req->body, upload, *upload_size) != 0) {
            /* Keep reading to the end, dropping the rest, then say 413. */
            req->too_big = true;
            paglets__buf_release(&req->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return finish(host, conn, req, method, url);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    struct paglets_host *host = cls;
    struct request *req = *con_cls;
    paglets__conns_request_done(conn);
    if (req == NULL)
        return;
    if (req->begun)
        paglets__gauge_sub(&host->requests);
    paglets__buf_release(&req->body);
    free(req->target);
    free(req);
    *con_cls = NULL;
}

void paglets__server_wait_idle(struct paglets_host *host, double deadline)
{
    paglets__gauge_wait_zero(&host->requests, deadline);
}

/*
 * Per-connection memory pool. libmicrohttpd takes pools of 32 KiB (its
 * default) from malloc, and after a burst of connections their thread
 * arenas stay resident: 1,000 concurrent connections left the host 30 MiB
 * larger for good. Pools above 32 KiB are mmap()ed and unmapped when the
 * connection closes, so RSS returns to its idle figure.
 */
#define CONNECTION_POOL_BYTES ((size_t)64 * 1024)

/*
 * Bind the listening socket ourselves rather than let MHD do it: with
 * --port 0 the real port, and so the host's URL, must be known before the
 * first request can arrive and ask for /health.
 */
static int open_listener(const char *addr, int port, int *fd, int *bound_port,
                         char bound[INET6_ADDRSTRLEN], struct paglets_err *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    int gai = getaddrinfo(addr, service, &hints, &res);
    if (gai != 0)
        return paglets_err_set(err, -EADDRNOTAVAIL, "cannot resolve '%s': %s",
                               addr, gai_strerror(gai));
    int one = 1, rc = 0;
    *fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (*fd < 0 ||
        setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(*fd, res->ai_addr, res->ai_addrlen) != 0 ||
        listen(*fd, SOMAXCONN) != 0)
        rc = -errno;
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (rc == 0 && getsockname(*fd, (struct sockaddr *)&ss, &len) != 0)
        rc = -errno;
    if (rc != 0) {
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        return paglets_err_set(err, rc, "cannot listen on %s port %d: %s", addr,
                               port, paglets_strerror(rc));
    }
    bool v6 = ss.ss_family == AF_INET6;
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)&ss;
    *bound_port = ntohs(v6 ? in6->sin6_port : in4->sin_port);
    /* The address itself, for the Host rule: "localhost" binds 127.0.0.1. */
    if (inet_ntop(ss.ss_family,
                  v6 ? (const void *)&in6->sin6_addr
                     : (const void *)&in4->sin_addr,
                  bound, INET6_ADDRSTRLEN) == NULL)
        snprintf(bound, INET6_ADDRSTRLEN, "%s", addr);
    return 0;
}

/* Serve on an open listening socket; MHD owns and closes it. */
static int start_daemon(struct paglets_host *host, int fd,
                        struct paglets_err *err)
{
    unsigned timeout =
        host->config.request_timeout_seconds > 0
            ? (unsigned)(host->config.request_timeout_seconds + 0.5)
            : 0;
    bool tls = host->tls_cert_pem != NULL;
    /*
     * With TLS, the handshake runs on the connection's own thread after
     * libmicrohttpd's MHD_CONNECTION_NOTIFY_STARTED and before the request
     * line (uri_logged); the idle timeout closes a peer that stops
     * sending. NEEDSWORK: one that trickles its handshake is closed only
     * by an absolute header deadline (issue 11 item 5), which covers it
     * if it runs from NOTIFY_STARTED to the first on_request() call.
     */
    /* conns.c keeps --max-connections; MHD's own limit is a backstop. */
    struct MHD_OptionItem tls_options[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, host->tls_cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, host->tls_key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD |
            MHD_USE_ITC | (tls ? MHD_USE_TLS : 0),
        0, paglets__conns_accept, host->conns, on_request, host,
        MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
        paglets__conns_daemon_limit(host), MHD_OPTION_CONNECTION_TIMEOUT,
        timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_POOL_BYTES,
        MHD_OPTION_URI_LOG_CALLBACK, uri_logged, host,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, host,
        MHD_OPTION_NOTIFY_CONNECTION, paglets__conns_notify, host->conns,
        MHD_OPTION_ARRAY, tls ? tls_options : tls_options + 2, MHD_OPTION_END);
    if (d == NULL) {
        close(fd);
        if (tls)
            return paglets_err_set(err, -EINVAL,
                                   "cannot start the HTTPS server: check "
                                   "that the TLS certificate and key are "
                                   "PEM and belong together");
        return paglets_err_set(err, -EIO, "cannot start the HTTP server");
    }
    host->daemons[host->n_daemons++] = d;
    return 0;
}

/* The address to listen on for addr: itself, or for "auto" the default
 * route's (written to buf). */
static int public_address(const char *addr, char *buf, size_t size,
                          const char **out, struct paglets_err *err)
{
    *out = addr;
    if (strcmp(addr, "auto") != 0)
        return 0;
    *out = buf;
    return paglets__default_route_address(buf, size, err);
}

/*
 * The URL this host advertises: --public-url (already canonical, see
 * check_config), else the first public address, else the bound one.
 */
static int derive_url(struct paglets_host *host, const char *first_public,
                      int port, struct paglets_err *err)
{
    const struct paglets_host_config *c = &host->config;
    if (c->public_url != NULL) {
        snprintf(host->url, sizeof(host->url), "%s", c->public_url);
        return 0;
    }
    struct paglets__url url;
    int rc = paglets__url_from_address(
        c->tls_cert_file != NULL, first_public ? first_public : c->bind_host,
        port, &url, err);
    if (rc == 0)
        snprintf(host->url, sizeof(host->url), "%s", url.text);
    return rc;
}

static void close_listeners(struct paglets_host *host)
{
    for (size_t i = 0; i < host->n_listen_fds; i++)
        if (host->listen_fds[i] >= 0)
            close(host->listen_fds[i]);
    free(host->listen_fds);
    host->listen_fds = NULL;
    host->n_listen_fds = 0;
}

int paglets__server_listen(struct paglets_host *host, struct paglets_err *err)
{
    const struct paglets_host_config *c = &host->config;
    size_t n = 1 + c->n_bind_public;
    host->listen_fds = malloc(n * sizeof(*host->listen_fds));
    host->daemons = calloc(n, sizeof(*host->daemons));
    /* Per listener: the "auto" address, and the address bound. */
    char(*addrs)[2][INET6_ADDRSTRLEN] = calloc(n, sizeof(*addrs));
    const char **names = calloc(2 * n, sizeof(*names)); /* given, bound */
    if (host->listen_fds == NULL || host->daemons == NULL || addrs == NULL ||
        names == NULL) {
        close_listeners(host);
        free(addrs);
        free(names);
        return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    host->n_listen_fds = n;
    for (size_t i = 0; i < n; i++) {
        host->listen_fds[i] = -1;
        names[n + i] = addrs[i][1];
    }
    int port = 0, ignored;
    names[0] = c->bind_host;
    int rc = open_listener(c->bind_host, c->port, &host->listen_fds[0], &port,
                           addrs[0][1], err);
    for (size_t i = 1; rc == 0 && i < n; i++) {
        rc = public_address(c->bind_public[i - 1], addrs[i][0],
                            sizeof(addrs[i][0]), &names[i], err);
        if (rc == 0)
            rc = open_listener(names[i], port, &host->listen_fds[i], &ignored,
                               addrs[i][1], err);
    }
    if (rc == 0)
        rc = derive_url(host, n > 1 ? names[1] : NULL, port, err);
    /* What the Host rule (admit.h) accepts as this host's own. */
    if (rc == 0)
        rc = paglets__admit_listening(host->admit, host->url, names, 2 * n,
                                      port, err);
    if (rc != 0)
        close_listeners(host);
    free(addrs);
    free(names);
    return rc;
}

int paglets__server_serve(struct paglets_host *host, struct paglets_err *err)
{
    host->conns = paglets__conns_new(host, err);
    int rc = host->conns != NULL ? 0 : -ENOMEM;
    for (size_t i = 0; i < host->n_listen_fds; i++) {
        if (rc == 0)
            rc = start_daemon(host, host->listen_fds[i], err);
        else
            close(host->listen_fds[i]);
    }
    /* MHD owns (and closes) every socket it started with. */
    free(host->listen_fds);
    host->listen_fds = NULL;
    host->n_listen_fds = 0;
    if (rc == 0)
        paglets_log_info("host '%s' listening on %s", host->config.name,
                         host->url);
    return rc;
}

void paglets__server_quiesce(struct paglets_host *host)
{
    for (size_t i = 0; i < host->n_daemons; i++) {
        MHD_socket fd = MHD_quiesce_daemon(host->daemons[i]);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
    }
}

void paglets__server_stop(struct paglets_host *host)
{
    close_listeners(host); /* bound but never served: start failed */
    for (size_t i = 0; i < host->n_daemons; i++)
        MHD_stop_daemon(host->daemons[i]);
    host->n_daemons = 0;
    paglets__conns_free(host->conns);
    host->conns = NULL;
}
