/*
 * Connection bookkeeping behind libmicrohttpd (see conns.h): per-address
 * counts, the absolute header deadline and eviction at the limit.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/conns.h"
#include "util/clock.h"
#include "util/log.h"
#include "wire/url.h"

/* How often the exempt addresses are read again from the mesh. */
#define EXEMPT_REFRESH_S 1.0

#define ADDR_BUCKETS 1024

/* An IPv6 address, or an IPv4 one mapped into ::ffff:0:0/96. */
struct addr {
    unsigned char b[16];
};

/* Connections one address holds; listed while it holds any. */
struct addr_count {
    struct addr_count *next;
    struct addr addr;
    unsigned n;
};

/* One accepted connection, from STARTED to CLOSED. */
struct conn {
    struct paglets__conns *owner;
    struct conn *prev, *next; /* in the waiting list while waiting */
    int fd;
    bool has_addr;
    struct addr addr;
    double deadline; /* waiting: when its headers must be complete */
    bool waiting;    /* for its next request's headers */
    bool evicted;    /* shut down by us, not yet closed */
};

/*
 * One lock guards everything below it; a leaf: nothing else is taken
 * while it is held, and the mesh is read without it.
 */
struct paglets__conns {
    struct paglets_host *host;
    pthread_t watchdog;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* CLOCK_MONOTONIC */
    bool stopping;
    unsigned total;   /* connections tracked (STARTED, not yet CLOSED) */
    unsigned evicted; /* of those, shut down and still closing */
    struct conn *head, *tail; /* waiting connections by deadline */
    struct addr_count *buckets[ADDR_BUCKETS];
    struct addr *exempt; /* sorted; this host's and members' addresses */
    size_t n_exempt;
    struct paglets__conns_stats stats;
};

static bool addr_of(const struct sockaddr *sa, struct addr *out)
{
    memset(out, 0, sizeof(*out));
    if (sa == NULL)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        out->b[10] = 0xff;
        out->b[11] = 0xff;
        memcpy(&out->b[12], &in->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(out->b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        return true;
    }
    return false;
}

static void addr_text(const struct addr *a, char *out, size_t size)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a->b, mapped, sizeof(mapped)) == 0)
        inet_ntop(AF_INET, &a->b[12], out, (socklen_t)size);
    else
        inet_ntop(AF_INET6, a->b, out, (socklen_t)size);
}

static int compare_addr(const void *x, const void *y)
{
    return memcmp(x, y, sizeof(struct addr));
}

static struct addr_count **bucket(struct paglets__conns *c,
                                  const struct addr *a)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < sizeof(a->b); i++)
        h = (h ^ a->b[i]) * 16777619u;
    return &c->buckets[h % ADDR_BUCKETS];
}

/* Lock held. The count of a, made when create is set; NULL if none. */
static struct addr_count *count_of(struct paglets__conns *c,
                                   const struct addr *a, bool create)
{
    struct addr_count **head = bucket(c, a);
    for (struct addr_count *e = *head; e != NULL; e = e->next)
        if (memcmp(&e->addr, a, sizeof(*a)) == 0)
            return e;
    if (!create)
        return NULL;
    struct addr_count *e = calloc(1, sizeof(*e));
    if (e != NULL) {
        e->addr = *a;
        e->next = *head;
        *head = e;
    }
    return e;
}

/* Lock held. One connection fewer from a; the entry goes at zero. */
static void count_drop(struct paglets__conns *c, const struct addr *a)
{
    for (struct addr_count **p = bucket(c, a); *p != NULL; p = &(*p)->next) {
        if (memcmp(&(*p)->addr, a, sizeof(*a)) != 0)
            continue;
        struct addr_count *e = *p;
        if (--e->n == 0) {
            *p = e->next;
            free(e);
        }
        return;
    }
}

/* Lock held. */
static bool is_exempt(const struct paglets__conns *c, const struct addr *a)
{
    return c->n_exempt > 0 &&
           bsearch(a, c->exempt, c->n_exempt, sizeof(*a), compare_addr) != NULL;
}

/* Lock held: take x out of the waiting list. */
static void unlink_waiting(struct paglets__conns *c, struct conn *x)
{
    if (!x->waiting)
        return;
    if (x->prev != NULL)
        x->prev->next = x->next;
    else
        c->head = x->next;
    if (x->next != NULL)
        x->next->prev = x->prev;
    else
        c->tail = x->prev;
    x->prev = x->next = NULL;
    x->waiting = false;
}

/*
 * Lock held: x waits for headers from now on, at the tail (deadlines are
 * now + one constant, so the list stays sorted). Wakes the watchdog when
 * x is the first to wait.
 */
static void start_waiting(struct paglets__conns *c, struct conn *x)
{
    unlink_waiting(c, x);
    if (x->evicted)
        return;
    x->deadline = paglets__mono_now() + c->host->config.header_timeout_seconds;
    x->waiting = true;
    x->prev = c->tail;
    if (c->tail != NULL)
        c->tail->next = x;
    else
        c->head = x;
    c->tail = x;
    if (c->head == x)
        pthread_cond_signal(&c->wake);
}

/*
 * Lock held: end x now. Its thread reads end-of-file and libmicrohttpd
 * closes it; the descriptor stays valid until CLOSED, which needs this
 * lock.
 */
static void shut(struct paglets__conns *c, struct conn *x)
{
    unlink_waiting(c, x);
    x->evicted = true;
    c->evicted++;
    shutdown(x->fd, SHUT_RDWR);
}

enum MHD_Result paglets__conns_accept(void *cls, const struct sockaddr *sa,
                                      socklen_t len)
{
    (void)len;
    struct paglets__conns *c = cls;
    const struct paglets_host_config *cfg = &c->host->config;
    struct addr a;
    bool has_addr = addr_of(sa, &a);
    enum MHD_Result ok = MHD_YES;
    char text[INET6_ADDRSTRLEN] = "";
    pthread_mutex_lock(&c->lock);
    const struct addr_count *mine = has_addr ? count_of(c, &a, false) : NULL;
    if (mine != NULL && mine->n >= cfg->max_connections_per_address &&
        !is_exempt(c, &a)) {
        c->stats.refused_per_address++;
        ok = MHD_NO;
        addr_text(&a, text, sizeof(text));
    } else if (c->total - c->evicted >= cfg->max_connections) {
        if (c->head != NULL) {
            c->stats.evicted++;
            shut(c, c->head);
        } else {
            ok = MHD_NO; /* every slot serves a request */
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (*text != '\0')
        paglets_log_debug(PAGLETS_LOG_CAT_HTTP,
                          "refusing a connection from %s: it holds %u "
                          "(--max-connections-per-address)",
                          text, cfg->max_connections_per_address);
    return ok;
}

static void started(struct paglets__conns *c, struct MHD_Connection *mhd,
                    void **socket_context)
{
    struct conn *x = calloc(1, sizeof(*x));
    *socket_context = x;
    if (x == NULL)
        return; /* untracked: it only misses the header deadline */
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *peer =
        MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    x->owner = c;
    x->fd = fd != NULL ? fd->connect_fd : -1;
    x->has_addr = peer != NULL && addr_of(peer->client_addr, &x->addr);
    pthread_mutex_lock(&c->lock);
    struct addr_count *n = x->has_addr ? count_of(c, &x->addr, true) : NULL;
    if (n != NULL)
        n->n++;
    else
        x->has_addr = false;
    c->total++;
    if (x->fd >= 0)
        start_waiting(c, x);
    pthread_mutex_unlock(&c->lock);
}

static void closed(struct paglets__conns *c, struct conn *x)
{
    pthread_mutex_lock(&c->lock);
    unlink_waiting(c, x);
    if (x->evicted)
        c->evicted--;
    if (x->has_addr)
        count_drop(c, &x->addr);
    c->total--;
    pthread_mutex_unlock(&c->lock);
    free(x);
}

void paglets__conns_notify(void *cls, struct MHD_Connection *mhd,
                           void **socket_context,
                           enum MHD_ConnectionNotificationCode code)
{
    struct paglets__conns *c = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        started(c, mhd, socket_context);
    else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context != NULL)
        closed(c, *socket_context);
}

/* The tracked connection behind mhd, or NULL. */
static struct conn *tracked(struct MHD_Connection *mhd)
{
    const union MHD_ConnectionInfo *ctx =
        MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ctx != NULL ? ctx->socket_context : NULL;
}

void paglets__conns_headers_done(struct MHD_Connection *mhd)
{
    struct conn *x = tracked(mhd);
    if (x == NULL)
        return;
    pthread_mutex_lock(&x->owner->lock);
    unlink_waiting(x->owner, x);
    pthread_mutex_unlock(&x->owner->lock);
}

void paglets__conns_request_done(struct MHD_Connection *mhd)
{
    struct conn *x = tracked(mhd);
    if (x == NULL || x->fd < 0)
        return;
    pthread_mutex_lock(&x->owner->lock);
    start_waiting(x->owner, x);
    pthread_mutex_unlock(&x->owner->lock);
}

/* The address of a host URL when it is an IP literal. */
static bool url_addr(const char *text, struct addr *out)
{
    struct paglets__url url;
    if (paglets__url_parse(text, &url, NULL) != 0)
        return false;
    memset(out, 0, sizeof(*out));
    if (url.kind == PAGLETS__URL_IPV4) {
        out->b[10] = 0xff;
        out->b[11] = 0xff;
        return inet_pton(AF_INET, url.host, &out->b[12]) == 1;
    }
    if (url.kind == PAGLETS__URL_IPV6)
        return inet_pton(AF_INET6, url.host, out->b) == 1;
    return false;
}

/*
 * Read the exempt addresses again: this host's and its mesh members'.
 * Members named by DNS name are not resolved here (no lookups on the
 * accept path or for it); they count against the limit like anyone.
 */
static void refresh_exempt(struct paglets__conns *c)
{
    struct paglets_host_info *hosts = NULL;
    size_t n = 0;
    if (paglets_host_members(c->host, &hosts, &n, NULL) != 0)
        return;
    struct addr *list = calloc(n + 1, sizeof(*list));
    size_t k = 0;
    if (list != NULL && url_addr(c->host->url, &list[k]))
        k++;
    for (size_t i = 0; list != NULL && i < n; i++)
        if (url_addr(hosts[i].url, &list[k]))
            k++;
    paglets_host_info_free(hosts);
    if (list == NULL)
        return;
    qsort(list, k, sizeof(*list), compare_addr);
    pthread_mutex_lock(&c->lock);
    struct addr *old = c->exempt;
    c->exempt = list;
    c->n_exempt = k;
    pthread_mutex_unlock(&c->lock);
    free(old);
}

/* Lock held: shut every connection past its header deadline. */
static void expire(struct paglets__conns *c, double now)
{
    while (c->head != NULL && c->head->deadline <= now) {
        c->stats.header_timeouts++;
        shut(c, c->head);
    }
}

static void *watchdog_main(void *arg)
{
    struct paglets__conns *c = arg;
    double next_refresh = 0;
    pthread_mutex_lock(&c->lock);
    while (!c->stopping) {
        double now = paglets__mono_now();
        expire(c, now);
        if (now >= next_refresh) {
            pthread_mutex_unlock(&c->lock);
            refresh_exempt(c);
            pthread_mutex_lock(&c->lock);
            next_refresh = now + EXEMPT_REFRESH_S;
            continue;
        }
        double until = next_refresh;
        if (c->head != NULL && c->head->deadline < until)
            until = c->head->deadline;
        struct timespec ts = paglets__deadline_after(until - now);
        pthread_cond_timedwait(&c->wake, &c->lock, &ts);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

struct paglets__conns *paglets__conns_new(struct paglets_host *host,
                                          struct paglets_err *err)
{
    struct paglets__conns *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        paglets_err_set(err, -ENOMEM, "out of memory");
        return NULL;
    }
    c->host = host;
    int rc = paglets__cond_init_monotonic(&c->wake);
    if (rc != 0) {
        free(c);
        paglets_err_set(err, rc, "cannot create a condition variable: %s",
                        paglets_strerror(rc));
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    rc = -pthread_create(&c->watchdog, NULL, watchdog_main, c);
    if (rc != 0) {
        pthread_cond_destroy(&c->wake);
        pthread_mutex_destroy(&c->lock);
        free(c);
        paglets_err_set(err, rc, "cannot start the connection watchdog: %s",
                        paglets_strerror(rc));
        return NULL;
    }
    return c;
}

void paglets__conns_free(struct paglets__conns *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->watchdog, NULL);
    /* Every daemon has stopped: each connection was CLOSED already. */
    for (size_t i = 0; i < ADDR_BUCKETS; i++) {
        while (c->buckets[i] != NULL) {
            struct addr_count *e = c->buckets[i];
            c->buckets[i] = e->next;
            free(e);
        }
    }
    free(c->exempt);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

unsigned paglets__conns_daemon_limit(const struct paglets_host *host)
{
    unsigned n = host->config.max_connections;
    return n > UINT32_MAX / 2 ? n : 2 * n;
}

void paglets__conns_get_stats(struct paglets__conns *c,
                              struct paglets__conns_stats *stats)
{
    pthread_mutex_lock(&c->lock);
    *stats = c->stats;
    pthread_mutex_unlock(&c->lock);
}
