/*
 * The simulation's event queue and transport (see sim.h). One binary heap
 * of timed events drives boots, ticks, requests, answers and timeouts;
 * each request becomes a call that ends exactly once, by its answer or by
 * its timeout, as libcurl's would.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "legacy/legacy_mesh.h"
#include "sim.h"

enum ev_type { EV_BOOT, EV_TICK, EV_REQUEST, EV_REPLY, EV_TIMEOUT, EV_ROUND };

struct ev {
    double t;
    uint64_t seq;
    enum ev_type type;
    size_t node;
    uint64_t gen; /* EV_TICK: stale unless it matches the node's */
    void *p;
};

struct call {
    struct call *prev, *next; /* every call not yet freed */
    paglets__mesh_done_fn done;
    void *done_arg;
    size_t node; /* who sent it */
    enum sim_kind kind;
    int refs; /* events and answer contexts still pointing here */
    bool finished;
};

struct msg {
    struct call *call;
    size_t from, to;
    char kind[16];
    char *text; /* the body as sent */
    int rc;     /* an answer's status: 0, or a negative errno */
};

/* An incoming request being answered (perhaps later: ping-req). */
struct answer {
    struct sim *sim;
    struct call *call;
    size_t from, to; /* requester, responder */
    enum sim_kind kind;
};

struct node {
    struct sim *sim;
    size_t index;
    char name[24];
    char url[48];
    struct paglets__mesh *mesh;
    struct legacy__mesh *legacy;
    size_t *seeds;
    size_t n_seeds;
    bool up;
    bool booting; /* sim_boot() called, not yet up */
    bool slow;
    bool closing;  /* its mesh is being freed */
    bool deaf;     /* answers to it are lost */
    bool isolated; /* everything to or from it is lost */
    char version[32];
    uint64_t rng;
    uint64_t tick_gen;
    double tick_at;
    bool tick_pending;
};

struct sim {
    struct sim_config config;
    double now;
    uint64_t seq;
    uint64_t rng;
    struct ev *heap;
    size_t n_heap, cap_heap;
    struct node *nodes;
    struct call calls; /* list head */
    bool tearing_down;
    struct sim_traffic traffic;
    double traffic_since;
    uint64_t false_offline;
};

void sim_config_init(struct sim_config *c)
{
    memset(c, 0, sizeof(*c));
    c->n = 8;
    c->protocol = SIM_SWIM;
    c->interval_s = 1;
    c->offline_after = 10;
    c->delay_min_s = 0.0005;
    c->delay_max_s = 0.005;
    c->slow_delay_s = 2.5;
    c->seed = 1;
}

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

static double uniform(struct sim *sim)
{
    return (double)(next_random(&sim->rng) >> 11) / 9007199254740992.0;
}

/* ---- the heap ---- */

static bool before(const struct ev *a, const struct ev *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void push(struct sim *sim, double t, enum ev_type type, size_t node,
                 uint64_t gen, void *p)
{
    if (sim->n_heap == sim->cap_heap) {
        size_t cap = sim->cap_heap ? 2 * sim->cap_heap : 1024;
        struct ev *grown = realloc(sim->heap, cap * sizeof(*grown));
        if (grown == NULL)
            abort(); /* a test harness: out of memory ends the run */
        sim->heap = grown;
        sim->cap_heap = cap;
    }
    struct ev e = {t, sim->seq++, type, node, gen, p};
    size_t i = sim->n_heap++;
    while (i > 0 && before(&e, &sim->heap[(i - 1) / 2])) {
        sim->heap[i] = sim->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    sim->heap[i] = e;
}

static struct ev pop(struct sim *sim)
{
    struct ev top = sim->heap[0];
    struct ev last = sim->heap[--sim->n_heap];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= sim->n_heap)
            break;
        if (c + 1 < sim->n_heap && before(&sim->heap[c + 1], &sim->heap[c]))
            c++;
        if (!before(&sim->heap[c], &last))
            break;
        sim->heap[i] = sim->heap[c];
        i = c;
    }
    if (sim->n_heap > 0)
        sim->heap[i] = last;
    return top;
}

/* ---- HTTP framing ---- */

static size_t digits(size_t n)
{
    size_t d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

size_t sim_request_overhead(const char *url, const char *kind, size_t body_len)
{
    const char *authority = strstr(url, "://");
    authority = authority ? authority + 3 : url;
    /*
     * What libcurl sends for our POSTs: request line, Host, Accept,
     * Content-Type, Content-Length (Expect is switched off).
     */
    return strlen("POST /hosts/ HTTP/1.1\r\n") + strlen(kind) +
           strlen("Host: \r\n") + strlen(authority) +
           strlen("Accept: */*\r\n") +
           strlen("Content-Type: application/json\r\n") +
           strlen("Content-Length: \r\n") + digits(body_len) + 2;
}

size_t sim_response_overhead(size_t body_len)
{
    /* What libmicrohttpd sends: status line, Date, Content-Type, length. */
    return strlen("HTTP/1.1 200 OK\r\n") +
           strlen("Date: Sun, 29 Nov 2026 17:34:53 GMT\r\n") +
           strlen("Content-Type: application/json\r\n") +
           strlen("Content-Length: \r\n") + digits(body_len) + 2;
}

static void count(struct sim *sim, enum sim_kind kind, size_t bytes)
{
    sim->traffic.messages[kind]++;
    sim->traffic.bytes[kind] += bytes;
    if (bytes > sim->traffic.largest[kind])
        sim->traffic.largest[kind] = bytes;
}

static enum sim_kind kind_of(const char *kind)
{
    if (strcmp(kind, "ping-req") == 0)
        return SIM_PINGREQ;
    if (strcmp(kind, "sync") == 0 || strcmp(kind, "join") == 0)
        return SIM_SYNC;
    return SIM_PING;
}

/* ---- nodes ---- */

static ssize_t node_of_url(const struct sim *sim, const char *url)
{
    unsigned a, b, c, port;
    if (sscanf(url, "http://10.%u.%u.%u:%u", &a, &b, &c, &port) != 4)
        return -1;
    size_t i = (size_t)a << 16 | (size_t)b << 8 | c;
    return i < sim->config.n ? (ssize_t)i : -1;
}

static double delay(struct sim *sim)
{
    double lo = sim->config.delay_min_s, hi = sim->config.delay_max_s;
    return lo + (hi - lo) * uniform(sim);
}

static bool lost(struct sim *sim)
{
    return sim->config.loss > 0 && uniform(sim) < sim->config.loss;
}

static void schedule_tick(struct node *n)
{
    if (n->mesh == NULL || !n->up)
        return;
    double t = paglets__mesh_next_wake(n->mesh);
    if (t < n->sim->now)
        t = n->sim->now;
    if (n->tick_pending && n->tick_at <= t)
        return;
    n->tick_gen++;
    n->tick_at = t;
    n->tick_pending = true;
    push(n->sim, t, EV_TICK, n->index, n->tick_gen, NULL);
}

static void call_unref(struct sim *sim, struct call *c)
{
    (void)sim;
    if (--c->refs > 0 || !c->finished)
        return;
    c->prev->next = c->next;
    c->next->prev = c->prev;
    free(c);
}

/* End a call (once): done runs in its sender's mesh. */
static void finish(struct sim *sim, struct call *c, int rc, const json_t *reply,
                   const char *why)
{
    c->finished = true;
    c->done(c->done_arg, rc, reply, why);
    (void)sim;
}

/* ---- the SWIM mesh's ops ---- */

static int sim_send(void *arg, const char *url, const char *kind,
                    const json_t *body, double timeout_s,
                    paglets__mesh_done_fn done, void *done_arg)
{
    struct node *self = arg;
    struct sim *sim = self->sim;
    if (sim->tearing_down || self->closing)
        return -ECANCELED;
    char *text = json_dumps(body, JSON_COMPACT);
    struct call *c = calloc(1, sizeof(*c));
    struct msg *m = calloc(1, sizeof(*m));
    if (text == NULL || c == NULL || m == NULL) {
        free(text);
        free(c);
        free(m);
        return -ENOMEM;
    }
    size_t len = strlen(text);
    c->done = done;
    c->done_arg = done_arg;
    c->node = self->index;
    c->kind = kind_of(kind);
    c->next = sim->calls.next;
    c->prev = &sim->calls;
    sim->calls.next->prev = c;
    sim->calls.next = c;
    count(sim, c->kind,
          sim_request_overhead(url, kind, len) + len + sim->config.sig_bytes);
    c->refs++;
    push(sim, sim->now + timeout_s, EV_TIMEOUT, self->index, 0, c);
    ssize_t to = node_of_url(sim, url);
    bool refused = to >= 0 && !sim->nodes[to].up && sim->config.refuse_down;
    if (to < 0 || (!sim->nodes[to].up && !refused) || lost(sim) ||
        self->isolated || sim->nodes[to].isolated) {
        free(text);
        free(m);
        return 0;
    }
    m->call = c;
    m->from = self->index;
    m->to = (size_t)to;
    snprintf(m->kind, sizeof(m->kind), "%s", kind);
    c->refs++;
    if (refused) {
        free(text);
        m->rc = -ECONNREFUSED;
        push(sim, sim->now + delay(sim), EV_REPLY, self->index, 0, m);
        return 0;
    }
    m->text = text;
    push(sim, sim->now + delay(sim), EV_REQUEST, (size_t)to, 0, m);
    return 0;
}

static void sim_respond(void *arg, int rc, json_t *reply,
                        const struct paglets_err *err)
{
    struct answer *a = arg;
    struct sim *sim = a->sim;
    char *text = NULL;
    if (rc == 0 && reply != NULL) {
        text = json_dumps(reply, JSON_COMPACT);
    } else {
        json_t *e = json_pack("{s:{s:s,s:s}}", "error", "code", "E", "message",
                              err ? err->message : "");
        text = e ? json_dumps(e, JSON_COMPACT) : NULL;
        json_decref(e);
    }
    json_decref(reply);
    struct node *to = &sim->nodes[a->to];
    if (!sim->tearing_down && text != NULL && to->up) {
        size_t len = strlen(text);
        count(sim, a->kind,
              sim_response_overhead(len) + len + sim->config.sig_bytes);
        if (!lost(sim) && !sim->nodes[a->from].deaf && !to->isolated &&
            !sim->nodes[a->from].isolated) {
            struct msg *m = calloc(1, sizeof(*m));
            if (m != NULL) {
                m->call = a->call;
                m->from = a->to;
                m->to = a->from;
                m->text = text;
                m->rc = rc;
                text = NULL;
                a->call->refs++;
                double late = to->slow ? sim->config.slow_delay_s : 0;
                push(sim, sim->now + delay(sim) + late, EV_REPLY, a->from, 0,
                     m);
            }
        }
    }
    free(text);
    call_unref(sim, a->call);
    free(a);
}

static double sim_mono(void *arg)
{
    return ((struct node *)arg)->sim->now;
}

static double sim_wall(void *arg)
{
    return 1.7e9 + ((struct node *)arg)->sim->now;
}

static uint64_t sim_random(void *arg)
{
    return next_random(&((struct node *)arg)->rng);
}

/* A verdict about a node that is up is a false one. */
static void sim_verdict(void *arg, const char *name)
{
    struct node *self = arg;
    struct sim *sim = self->sim;
    unsigned a;
    size_t i = SIZE_MAX;
    if (sscanf(name, "n%u", &a) == 1)
        i = a;
    if (i < sim->config.n && sim->nodes[i].up)
        sim->false_offline++;
}

static const struct paglets__mesh_ops swim_ops = {
    .send = sim_send,
    .mono_now = sim_mono,
    .wall_now = sim_wall,
    .random = sim_random,
    .verdict = sim_verdict,
};

/* ---- the legacy mesh's ops: synchronous exchanges ---- */

static int legacy_exchange(void *arg, const char *url, const json_t *request,
                           double timeout_s, json_t **reply,
                           struct paglets_err *err)
{
    struct node *self = arg;
    struct sim *sim = self->sim;
    char *text = json_dumps(request, JSON_COMPACT);
    if (text == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    size_t len = strlen(text);
    count(sim, SIM_SYNC,
          sim_request_overhead(url, "join", len) + len + sim->config.sig_bytes);
    ssize_t to = node_of_url(sim, url);
    if (to < 0 || !sim->nodes[to].up || sim->nodes[to].legacy == NULL ||
        lost(sim)) {
        free(text);
        return paglets_err_set(err, -ETIMEDOUT, "%s: timed out", url);
    }
    json_t *body = json_loads(text, 0, NULL);
    free(text);
    json_t *answer = NULL;
    int rc =
        legacy__mesh_handle_join(sim->nodes[to].legacy, body, &answer, err);
    json_decref(body);
    if (rc < 0)
        return rc;
    text = json_dumps(answer, JSON_COMPACT);
    json_decref(answer);
    if (text == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    len = strlen(text);
    count(sim, SIM_SYNC,
          sim_response_overhead(len) + len + sim->config.sig_bytes);
    bool late = sim->nodes[to].slow && sim->config.slow_delay_s > timeout_s;
    if (late || lost(sim)) {
        if (late)
            sim->traffic.late++;
        free(text);
        return paglets_err_set(err, -ETIMEDOUT, "%s: timed out", url);
    }
    *reply = json_loads(text, 0, NULL);
    free(text);
    return *reply ? 0 : paglets_err_set(err, -EPROTO, "bad reply");
}

static const struct legacy__mesh_ops legacy_ops = {
    .exchange = legacy_exchange,
    .mono_now = sim_mono,
    .wall_now = sim_wall,
    .random = sim_random,
};

/* ---- lifecycle ---- */

struct sim *sim_new(const struct sim_config *config)
{
    struct sim *sim = calloc(1, sizeof(*sim));
    if (sim == NULL)
        return NULL;
    sim->config = *config;
    sim->rng = config->seed * 0x9E3779B97F4A7C15ULL | 1;
    sim->calls.next = sim->calls.prev = &sim->calls;
    sim->nodes = calloc(config->n, sizeof(*sim->nodes));
    size_t *perm = malloc(config->n * sizeof(*perm));
    if (sim->nodes == NULL || perm == NULL) {
        free(perm);
        free(sim->nodes);
        free(sim);
        return NULL;
    }
    /* Exactly slow_fraction of the nodes are slow, chosen at random. */
    for (size_t i = 0; i < config->n; i++)
        perm[i] = i;
    for (size_t i = config->n; i > 1; i--) {
        size_t j = next_random(&sim->rng) % i;
        size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    size_t n_slow = (size_t)(config->slow_fraction * (double)config->n + 0.5);
    for (size_t i = 0; i < config->n; i++) {
        struct node *n = &sim->nodes[i];
        n->sim = sim;
        n->index = i;
        snprintf(n->name, sizeof(n->name), "n%zu", i);
        snprintf(n->url, sizeof(n->url), "http://10.%zu.%zu.%zu:8765",
                 (i >> 16) & 255, (i >> 8) & 255, i & 255);
        n->slow = perm[i] < n_slow;
        snprintf(n->version, sizeof(n->version), "sim");
    }
    free(perm);
    return sim;
}

/*
 * End every open call of node i (every node when i is SIZE_MAX) as
 * cancelled. The calls are pinned first: ending one may answer a
 * ping-req, which lets go of another call.
 */
static void cancel_calls(struct sim *sim, size_t i)
{
    size_t n = 0, k = 0;
    for (struct call *c = sim->calls.next; c != &sim->calls; c = c->next)
        n += !c->finished && (i == SIZE_MAX || c->node == i);
    struct call **pinned = malloc((n ? n : 1) * sizeof(*pinned));
    if (pinned == NULL)
        abort();
    for (struct call *c = sim->calls.next; c != &sim->calls && k < n;
         c = c->next) {
        if (!c->finished && (i == SIZE_MAX || c->node == i)) {
            c->refs++;
            pinned[k++] = c;
        }
    }
    for (size_t j = 0; j < k; j++) {
        if (!pinned[j]->finished)
            finish(sim, pinned[j], -ECANCELED, NULL, "cancelled");
    }
    for (size_t j = 0; j < k; j++)
        call_unref(sim, pinned[j]);
    free(pinned);
}

static void free_node(struct sim *sim, struct node *n)
{
    /* Its mesh sends nothing more, even from the callbacks ended here. */
    n->closing = true;
    if (!sim->tearing_down)
        cancel_calls(sim, n->index);
    paglets__mesh_free(n->mesh);
    legacy__mesh_free(n->legacy);
    n->mesh = NULL;
    n->legacy = NULL;
}

void sim_free(struct sim *sim)
{
    if (sim == NULL)
        return;
    /* Cancelling may answer ping-reqs: those answers go nowhere now. */
    sim->tearing_down = true;
    for (int round = 0; round < 3; round++)
        cancel_calls(sim, SIZE_MAX);
    for (size_t i = 0; i < sim->config.n; i++) {
        free_node(sim, &sim->nodes[i]);
        free(sim->nodes[i].seeds);
    }
    for (size_t i = 0; i < sim->n_heap; i++) {
        struct ev *e = &sim->heap[i];
        if (e->type == EV_REQUEST || e->type == EV_REPLY) {
            struct msg *m = e->p;
            free(m->text);
            free(m);
        }
    }
    while (sim->calls.next != &sim->calls) {
        struct call *c = sim->calls.next;
        sim->calls.next = c->next;
        free(c);
    }
    free(sim->heap);
    free(sim->nodes);
    free(sim);
}

void sim_boot(struct sim *sim, size_t i, double at, const size_t *seeds,
              size_t n_seeds)
{
    struct node *n = &sim->nodes[i];
    free(n->seeds);
    n->seeds = n_seeds ? malloc(n_seeds * sizeof(*seeds)) : NULL;
    if (n_seeds)
        memcpy(n->seeds, seeds, n_seeds * sizeof(*seeds));
    n->n_seeds = n_seeds;
    n->booting = true;
    push(sim, at < sim->now ? sim->now : at, EV_BOOT, i, 0, NULL);
}

static void boot_now(struct sim *sim, struct node *n)
{
    free_node(sim, n);
    const char *seed_urls[16];
    size_t k = n->n_seeds < 16 ? n->n_seeds : 16;
    for (size_t s = 0; s < k; s++)
        seed_urls[s] = sim->nodes[n->seeds[s]].url;
    n->rng = (sim->config.seed + 1) * 0x2545F4914F6CDD1DULL ^
             (n->index + 1) * 0x9E3779B97F4A7C15ULL ^
             (uint64_t)(sim->now * 1e6);
    n->rng |= 1;
    n->up = true;
    n->booting = false;
    n->closing = false;
    struct paglets_err err = {0};
    if (sim->config.protocol == SIM_LEGACY) {
        struct legacy__mesh_config lc = {
            .self_name = n->name,
            .self_url = n->url,
            .mesh_version = n->version,
            .seeds = seed_urls,
            .n_seeds = k,
            .offline_after_seconds = sim->config.offline_after,
            .interval_s = sim->config.interval_s,
        };
        n->legacy = legacy__mesh_new_with_ops(&lc, &legacy_ops, n, &err);
        if (n->legacy == NULL)
            abort();
        push(sim, sim->now + sim->config.interval_s * uniform(sim), EV_ROUND,
             n->index, 0, NULL);
        return;
    }
    struct paglets__mesh_config mc = {
        .self_name = n->name,
        .self_url = n->url,
        .mesh_version = n->version,
        .seeds = seed_urls,
        .n_seeds = k,
        .offline_after_seconds = sim->config.offline_after,
        .interval_s = sim->config.interval_s,
        .max_members = sim->config.max_members,
    };
    n->mesh = paglets__mesh_new_with_ops(&mc, &swim_ops, n, &err);
    if (n->mesh == NULL)
        abort();
    n->tick_pending = false;
    schedule_tick(n);
}

void sim_set_version(struct sim *sim, size_t i, const char *version)
{
    snprintf(sim->nodes[i].version, sizeof(sim->nodes[i].version), "%s",
             version);
}

void sim_set_deaf(struct sim *sim, size_t i, bool deaf)
{
    sim->nodes[i].deaf = deaf;
}

void sim_set_isolated(struct sim *sim, size_t i, bool isolated)
{
    sim->nodes[i].isolated = isolated;
}

void sim_set_loss(struct sim *sim, double loss)
{
    sim->config.loss = loss;
}

void sim_set_slow(struct sim *sim, size_t i, bool slow)
{
    sim->nodes[i].slow = slow;
}

void sim_crash(struct sim *sim, size_t i)
{
    sim->nodes[i].up = false;
    sim->nodes[i].tick_pending = false;
}

void sim_leave(struct sim *sim, size_t i)
{
    struct node *n = &sim->nodes[i];
    if (n->mesh != NULL)
        paglets__mesh_leave(n->mesh, 0.25);
    else if (n->legacy != NULL)
        legacy__mesh_leave(n->legacy);
    /* Answers to the goodbye still reach it; it no longer runs. */
    n->up = false;
    n->tick_pending = false;
}

/* ---- running ---- */

static void on_request(struct sim *sim, struct msg *m)
{
    struct node *to = &sim->nodes[m->to];
    struct call *c = m->call;
    if (!to->up || to->mesh == NULL) {
        free(m->text);
        free(m);
        call_unref(sim, c);
        return;
    }
    json_t *body = json_loads(m->text, 0, NULL);
    struct answer *a = calloc(1, sizeof(*a));
    if (body == NULL || a == NULL)
        abort();
    *a = (struct answer){sim, c, m->from, m->to, c->kind};
    /* The message's reference passes to the answer. */
    char kind[16];
    memcpy(kind, m->kind, sizeof(kind));
    free(m->text);
    free(m);
    paglets__mesh_receive(to->mesh, kind, body, sim_respond, a);
    json_decref(body);
    schedule_tick(to);
}

static void on_reply(struct sim *sim, struct msg *m)
{
    struct call *c = m->call;
    struct node *n = &sim->nodes[c->node];
    if (c->finished) {
        if (m->rc == 0)
            sim->traffic.late++;
    } else if (n->up) {
        json_t *reply = m->text ? json_loads(m->text, 0, NULL) : NULL;
        const char *why = m->rc < 0 ? paglets_strerror(m->rc) : NULL;
        int rc = m->rc;
        if (rc == 0 && reply == NULL)
            rc = -EPROTO;
        finish(sim, c, rc, reply, why);
        json_decref(reply);
        schedule_tick(n);
    }
    free(m->text);
    free(m);
    call_unref(sim, c);
}

static void on_timeout(struct sim *sim, struct call *c)
{
    struct node *n = &sim->nodes[c->node];
    if (!c->finished && n->up) {
        finish(sim, c, -ETIMEDOUT, NULL, "timed out");
        schedule_tick(n);
    }
    call_unref(sim, c);
}

static void step(struct sim *sim)
{
    struct ev e = pop(sim);
    if (e.t > sim->now)
        sim->now = e.t;
    struct node *n = &sim->nodes[e.node];
    switch (e.type) {
    case EV_BOOT:
        boot_now(sim, n);
        break;
    case EV_TICK:
        if (!n->up || n->mesh == NULL || e.gen != n->tick_gen)
            break;
        n->tick_pending = false;
        paglets__mesh_tick(n->mesh);
        schedule_tick(n);
        break;
    case EV_ROUND:
        if (!n->up || n->legacy == NULL)
            break;
        legacy__mesh_round(n->legacy);
        push(sim, sim->now + sim->config.interval_s, EV_ROUND, n->index, 0,
             NULL);
        break;
    case EV_REQUEST:
        on_request(sim, e.p);
        break;
    case EV_REPLY:
        on_reply(sim, e.p);
        break;
    case EV_TIMEOUT:
        on_timeout(sim, e.p);
        break;
    }
}

void sim_run_until(struct sim *sim, double t)
{
    while (sim->n_heap > 0 && sim->heap[0].t <= t)
        step(sim);
    if (sim->now < t)
        sim->now = t;
}

double sim_run_until_true(struct sim *sim, double deadline, double every,
                          bool (*done)(struct sim *sim, void *arg), void *arg)
{
    for (;;) {
        if (done(sim, arg))
            return sim->now;
        if (sim->now >= deadline)
            return -1;
        double next = sim->now + every;
        sim_run_until(sim, next < deadline ? next : deadline);
    }
}

/* ---- queries ---- */

double sim_now(const struct sim *sim)
{
    return sim->now;
}

size_t sim_size(const struct sim *sim)
{
    return sim->config.n;
}

bool sim_is_up(const struct sim *sim, size_t i)
{
    return sim->nodes[i].up;
}

bool sim_is_slow(const struct sim *sim, size_t i)
{
    return sim->nodes[i].slow;
}

const char *sim_name(const struct sim *sim, size_t i)
{
    return sim->nodes[i].name;
}

struct paglets__mesh *sim_mesh(struct sim *sim, size_t i)
{
    return sim->nodes[i].mesh;
}

int sim_view(struct sim *sim, size_t viewer, size_t subject)
{
    struct node *v = &sim->nodes[viewer];
    const char *name = sim->nodes[subject].name;
    if (v->mesh != NULL)
        return paglets__mesh_state_of(v->mesh, name);
    if (v->legacy == NULL)
        return PAGLETS__MESH_UNKNOWN;
    if (viewer == subject)
        return PAGLETS__MESH_ALIVE;
    legacy__mesh_expire(v->legacy, sim->now);
    const struct legacy__mesh_member *m = legacy__mesh_find(v->legacy, name);
    if (m == NULL)
        return PAGLETS__MESH_UNKNOWN;
    return m->online ? PAGLETS__MESH_ALIVE : PAGLETS__MESH_OFFLINE;
}

bool sim_done_converged(struct sim *sim, void *arg)
{
    (void)arg;
    return sim_converged(sim);
}

bool sim_done_down_known(struct sim *sim, void *arg)
{
    const size_t *down = arg;
    for (size_t i = 0; i < sim_size(sim); i++) {
        if (i == *down || !sim_is_up(sim, i))
            continue;
        int v = sim_view(sim, i, *down);
        if (v != PAGLETS__MESH_SUSPECT && v != PAGLETS__MESH_OFFLINE)
            return false;
    }
    return true;
}

double sim_cpu_seconds(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

size_t sim_alive_count(struct sim *sim, size_t i)
{
    struct node *n = &sim->nodes[i];
    if (n->mesh != NULL)
        return n->mesh->count[PAGLETS__MESH_ALIVE];
    if (n->legacy == NULL)
        return 0;
    legacy__mesh_expire(n->legacy, sim->now);
    size_t alive = 0;
    for (size_t k = 0; k < n->legacy->n_members; k++)
        alive += n->legacy->members[k].online;
    return alive;
}

bool sim_converged(struct sim *sim)
{
    size_t up = 0, n = sim->config.n, n_down = 0;
    size_t *down = malloc((n ? n : 1) * sizeof(*down));
    if (down == NULL)
        abort();
    for (size_t i = 0; i < n; i++) {
        const struct node *d = &sim->nodes[i];
        if (d->booting) {
            free(down);
            return false;
        }
        up += d->up;
        if (!d->up && (d->mesh != NULL || d->legacy != NULL))
            down[n_down++] = i;
    }
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (!sim->nodes[i].up)
            continue;
        ok = sim_alive_count(sim, i) == up - 1;
        for (size_t k = 0; k < n_down && ok; k++)
            ok = sim_view(sim, i, down[k]) != PAGLETS__MESH_ALIVE;
    }
    free(down);
    return ok;
}

uint64_t sim_false_offline(struct sim *sim)
{
    return sim->false_offline;
}

void sim_traffic(struct sim *sim, struct sim_traffic *out)
{
    *out = sim->traffic;
    out->seconds = sim->now - sim->traffic_since;
}

void sim_traffic_reset(struct sim *sim)
{
    memset(&sim->traffic, 0, sizeof(sim->traffic));
    sim->traffic_since = sim->now;
}
