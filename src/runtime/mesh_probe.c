/*
 * Failure detection as SWIM and Lifeguard describe it: each probe interval
 * one member, round-robin over a shuffled list, gets a ping; no ack by the
 * probe timeout and k others are asked to ping it (and we ping it again,
 * twice: a lost message must not start a suspicion that the whole mesh
 * then gossips); no ack by the end of the probe and it is suspect. A suspicion
 * runs out into offline unless the member refutes it; confirmations from other
 * accusers shorten it. Local health stretches our timeouts when we are the slow
 * one. Also the probes that verify pending members and look for offline ones
 * again. Lock held throughout.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/mesh_int.h"
#include "util/log.h"

/* Verification probes out at once, and attempts before giving up. */
#define VERIFY_IN_FLIGHT 8
#define VERIFY_TRIES 3
/* One offline member is probed again every this many intervals. */
#define RECONNECT_ROUNDS 5
#define RECONNECT_BACKOFF_ROUNDS 64
/* How much longer than a round-robin probe the last one waits. */
#define LAST_PROBE_STRETCH 2

double paglets__mesh_probe_timeout(const struct paglets__mesh *mesh)
{
    double t = mesh->interval_s / 2;
    if (t < 0.25)
        t = 0.25;
    if (t > 5)
        t = 5;
    return t * (mesh->health + 1);
}

double paglets__mesh_probe_interval(const struct paglets__mesh *mesh)
{
    return mesh->interval_s * (mesh->health + 1);
}

/*
 * When a probe gives up: the probe timeout (before the indirect probes)
 * plus five more of it, at least two intervals: an answer that comes late
 * still counts, so a host that is slow (answers 5x later than the probe
 * timeout) is not suspected over and over. A target that refuses, or
 * whose relays say "nack", ends the probe as soon as all have answered.
 */
static double probe_span(const struct paglets__mesh *mesh)
{
    double t = paglets__mesh_probe_timeout(mesh);
    double rest = 2 * mesh->interval_s * (mesh->health + 1);
    return t + (rest > 5 * t ? rest : 5 * t);
}

void paglets__mesh_health(struct paglets__mesh *mesh, int delta)
{
    int h = (int)mesh->health + delta;
    if (h < 0)
        h = 0;
    if (h > PAGLETS__MESH_HEALTH_MAX)
        h = PAGLETS__MESH_HEALTH_MAX;
    if ((unsigned)h != mesh->health)
        paglets_log_debug(PAGLETS_LOG_CAT_MESH, "mesh: local health %d", h);
    mesh->health = (unsigned)h;
}

/* ---- suspicions ---- */

static struct paglets__mesh_suspicion *
find_suspicion(struct paglets__mesh *mesh, const char *name, size_t *at)
{
    for (size_t i = 0; i < mesh->n_suspicions; i++) {
        if (strcmp(mesh->suspicions[i].name, name) == 0) {
            if (at != NULL)
                *at = i;
            return &mesh->suspicions[i];
        }
    }
    return NULL;
}

/*
 * Lifeguard's dynamic suspicion timeout: beta * min with no confirmation,
 * falling logarithmically to min as independent accusers confirm.
 * min = max(--offline-after, alpha * log10(N) * interval).
 */
static void set_deadline(struct paglets__mesh_suspicion *s)
{
    double c = s->n_accusers > 0 ? s->n_accusers - 1 : 0;
    double frac = log(c + 1) / log(PAGLETS__MESH_CONFIRMATIONS + 1);
    double t = s->max_s - (s->max_s - s->min_s) * frac;
    if (t < s->min_s)
        t = s->min_s;
    s->deadline = s->started + t;
}

static int new_suspicion(struct paglets__mesh *mesh, const char *name,
                         uint64_t inc, uint64_t accuser, double mono)
{
    if (mesh->n_suspicions == mesh->cap_suspicions) {
        size_t cap = mesh->cap_suspicions ? 2 * mesh->cap_suspicions : 8;
        struct paglets__mesh_suspicion *grown =
            realloc(mesh->suspicions, cap * sizeof(*grown));
        if (grown == NULL)
            return -ENOMEM;
        mesh->suspicions = grown;
        mesh->cap_suspicions = cap;
    }
    struct paglets__mesh_suspicion *s = &mesh->suspicions[mesh->n_suspicions++];
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->incarnation = inc;
    s->started = mono;
    double n = (double)paglets__mesh_live_count(mesh) + 1;
    double min =
        PAGLETS__MESH_SUSPICION_ALPHA * log10(n < 2 ? 2 : n) * mesh->interval_s;
    s->min_s =
        min > mesh->offline_after_seconds ? min : mesh->offline_after_seconds;
    s->max_s = PAGLETS__MESH_SUSPICION_BETA * s->min_s;
    s->accusers[0] = accuser;
    s->n_accusers = 1;
    s->ours = accuser == mesh->self_hash;
    set_deadline(s);
    paglets__mesh_wake_at(mesh, s->deadline);
    return 0;
}

int paglets__mesh_suspect(struct paglets__mesh *mesh,
                          struct paglets__mesh_member *m, uint64_t inc,
                          const char *accuser, double mono)
{
    const char *name = paglets__mesh_name(mesh, m);
    uint64_t who = paglets__mesh_hash(accuser);
    if (m->state == PAGLETS__MESH_SUSPECT && inc == m->incarnation) {
        struct paglets__mesh_suspicion *s = find_suspicion(mesh, name, NULL);
        if (s == NULL)
            return 0;
        for (unsigned i = 0; i < s->n_accusers; i++)
            if (s->accusers[i] == who)
                return 0;
        if (s->n_accusers == PAGLETS__MESH_CONFIRMATIONS + 1)
            return 0;
        s->accusers[s->n_accusers++] = who;
        set_deadline(s);
        return 1;
    }
    if (m->state == PAGLETS__MESH_SUSPECT)
        paglets__mesh_unsuspect(mesh, m);
    m->incarnation = inc;
    paglets__mesh_set_state(mesh, m, PAGLETS__MESH_SUSPECT, mono);
    if (new_suspicion(mesh, name, inc, who, mono) < 0)
        return 0;
    return 1;
}

void paglets__mesh_unsuspect(struct paglets__mesh *mesh,
                             struct paglets__mesh_member *m)
{
    size_t at;
    if (find_suspicion(mesh, paglets__mesh_name(mesh, m), &at) == NULL)
        return;
    mesh->suspicions[at] = mesh->suspicions[--mesh->n_suspicions];
}

/* Offline by our verdict: the suspicion ran out and the last probe failed. */
static void verdict(struct paglets__mesh *mesh, struct paglets__mesh_member *m,
                    double mono)
{
    mesh->stats.offline_verdicts++;
    if (mesh->ops->verdict != NULL)
        mesh->ops->verdict(mesh->ops_arg, paglets__mesh_name(mesh, m));
    paglets__mesh_set_state(mesh, m, PAGLETS__MESH_OFFLINE, mono);
    paglets__mesh_broadcast(mesh, m);
}

static int start_probe_of(struct paglets__mesh *mesh,
                          struct paglets__mesh_member *m, bool last,
                          double mono);

/*
 * A suspicion that runs out is not a verdict yet: we probe the member once
 * more ourselves (direct pings and k relays, carrying what we hold against
 * it so it can refute in its ack). Only if that fails too is it offline.
 * A refutation that gossip did not bring us in time is fetched this way,
 * so loss cannot turn a live host offline; a dead host costs one probe.
 */
void paglets__mesh_suspicion_tick(struct paglets__mesh *mesh, double mono)
{
    for (size_t i = 0; i < mesh->n_suspicions;) {
        struct paglets__mesh_suspicion *s = &mesh->suspicions[i];
        if (s->deadline > mono) {
            i++;
            continue;
        }
        struct paglets__mesh_member *m = paglets__mesh_find(mesh, s->name);
        if (m == NULL || m->state != PAGLETS__MESH_SUSPECT ||
            m->incarnation != s->incarnation) {
            mesh->suspicions[i] = mesh->suspicions[--mesh->n_suspicions];
            continue;
        }
        if (!s->last_probe) {
            s->last_probe = start_probe_of(mesh, m, true, mono) == 0;
            /* No free probe slot: try again an interval on. */
            s->deadline = mono + (s->last_probe ? (LAST_PROBE_STRETCH + 1) *
                                                      probe_span(mesh)
                                                : mesh->interval_s);
            i++;
            continue;
        }
        /* The last probe never concluded (it should have): decide now. */
        mesh->suspicions[i] = mesh->suspicions[--mesh->n_suspicions];
        verdict(mesh, m, mono);
    }
}

/* ---- probes ---- */

static void restart_suspicion(struct paglets__mesh *mesh,
                              struct paglets__mesh_member *m, double mono)
{
    struct paglets__mesh_suspicion *s =
        find_suspicion(mesh, paglets__mesh_name(mesh, m), NULL);
    if (s == NULL)
        return;
    s->started = mono;
    s->last_probe = false;
    set_deadline(s);
}

static void probe_free_if_done(struct paglets__mesh *mesh,
                               struct paglets__mesh_probe *p)
{
    /* All answers in before the end: conclude at the next tick. */
    if (!p->concluded && p->retry_sent && p->calls == 0)
        paglets__mesh_wake_at(mesh, mesh->ops->mono_now(mesh->ops_arg));
    if (!p->concluded || p->calls > 0)
        return;
    for (size_t i = 0; i < PAGLETS__MESH_MAX_PROBES; i++)
        if (mesh->probes[i] == p)
            mesh->probes[i] = NULL;
    free(p);
}

static void conclude(struct paglets__mesh *mesh, struct paglets__mesh_probe *p,
                     double mono)
{
    if (p->concluded)
        return;
    p->concluded = true;
    if (p->acked) {
        paglets__mesh_health(mesh, -1);
        return;
    }
    /*
     * Lifeguard: relays that did not even answer (no nack) suggest that we
     * are the slow one, so we stretch our timeouts rather than accuse.
     */
    if (p->relays > 0 && p->nacks < p->relays)
        paglets__mesh_health(mesh, +1);
    struct paglets__mesh_member *m = paglets__mesh_find(mesh, p->target);
    if (m == NULL || m->incarnation != p->incarnation ||
        (m->state != PAGLETS__MESH_ALIVE && m->state != PAGLETS__MESH_SUSPECT))
        return;
    if (p->last && m->state == PAGLETS__MESH_SUSPECT) {
        paglets__mesh_unsuspect(mesh, m);
        verdict(mesh, m, mono);
        return;
    }
    if (m->state == PAGLETS__MESH_ALIVE) {
        mesh->stats.suspicions++;
        char shown[PAGLETS__MESH_SHOWN_MAX];
        paglets_log_debug(PAGLETS_LOG_CAT_MESH,
                          "mesh: no ack from '%s' (%u relays, %u nacks)",
                          paglets__mesh_shown(shown, p->target), p->relays,
                          p->nacks);
    }
    if (paglets__mesh_suspect(mesh, m, m->incarnation, mesh->self_name, mono) >
        0)
        paglets__mesh_broadcast(mesh, m);
}

/* An ack for probe p, from the target or through a relay. */
static void probe_acked(struct paglets__mesh *mesh,
                        struct paglets__mesh_probe *p, uint64_t inc,
                        double mono)
{
    struct paglets__mesh_member *m = paglets__mesh_find(mesh, p->target);
    if (m != NULL)
        paglets__mesh_confirm_alive(mesh, m, NULL, inc, mono);
    /*
     * It answered without refuting (its refutation is on its way): alive
     * by our own evidence, so our suspicion starts over rather than
     * running out into a verdict.
     */
    if (m != NULL && m->state == PAGLETS__MESH_SUSPECT && m->incarnation == inc)
        restart_suspicion(mesh, m, mono);
    if (!p->concluded) {
        p->acked = true;
        conclude(mesh, p, mono);
    }
}

static void on_ping_reply(struct paglets__mesh *mesh, void *ctx, int rc,
                          const json_t *reply, const char *why, double mono)
{
    (void)why;
    struct paglets__mesh_probe *p = ctx;
    p->calls--;
    uint64_t inc;
    char url[PAGLETS_URL_MAX];
    if (rc == 0)
        rc = paglets__mesh_read_ack(mesh, reply, p->target, p->target, &inc,
                                    url, mono);
    if (rc == 0) {
        probe_acked(mesh, p, inc, mono);
    } else {
        struct paglets__mesh_member *m = paglets__mesh_find(mesh, p->target);
        if (m != NULL)
            paglets__mesh_note_error(m, "ping", rc);
    }
    probe_free_if_done(mesh, p);
}

struct relay_call {
    struct paglets__mesh_probe *probe;
    char relay[PAGLETS__MESH_NAME_MAX];
};

static void on_relay_reply(struct paglets__mesh *mesh, void *ctx, int rc,
                           const json_t *reply, const char *why, double mono)
{
    struct relay_call *rcall = ctx;
    struct paglets__mesh_probe *p = rcall->probe;
    (void)why;
    p->calls--;
    uint64_t inc;
    char url[PAGLETS_URL_MAX];
    if (rc == 0) {
        rc = paglets__mesh_read_ack(mesh, reply, p->target, rcall->relay, &inc,
                                    url, mono);
        if (rc == 0)
            probe_acked(mesh, p, inc, mono);
        else if (rc == -ENOENT)
            p->nacks++;
    }
    free(rcall);
    probe_free_if_done(mesh, p);
}

/* One direct ping of probe p's target, answered until the probe ends. */
static void send_direct(struct paglets__mesh *mesh,
                        struct paglets__mesh_probe *p, double mono)
{
    const struct paglets__mesh_member *m = paglets__mesh_find(mesh, p->target);
    if (m == NULL)
        return;
    json_t *body = paglets__mesh_ping_body(mesh, p->target);
    p->calls++;
    if (body == NULL ||
        paglets__mesh_send(mesh, paglets__mesh_url(mesh, m), "ping", body,
                           p->ends_at - mono, on_ping_reply, p) < 0)
        p->calls--;
}

static void send_indirect(struct paglets__mesh *mesh,
                          struct paglets__mesh_probe *p, double mono)
{
    p->indirect_sent = true;
    send_direct(mesh, p, mono);
    const struct paglets__mesh_member *t = paglets__mesh_find(mesh, p->target);
    if (t == NULL)
        return;
    char target_url[PAGLETS_URL_MAX];
    snprintf(target_url, sizeof(target_url), "%s", paglets__mesh_url(mesh, t));
    size_t n_alive = mesh->count[PAGLETS__MESH_ALIVE];
    double wait = p->ends_at - mono;
    /* A few random picks of alive members other than the target. */
    for (unsigned tries = 0; p->relays < PAGLETS__MESH_INDIRECT &&
                             tries < 4 * PAGLETS__MESH_INDIRECT && n_alive > 0;
         tries++) {
        size_t i = paglets__mesh_random_below(mesh, mesh->n_members);
        const struct paglets__mesh_member *r = &mesh->members[i];
        if (r->state != PAGLETS__MESH_ALIVE ||
            strcmp(paglets__mesh_name(mesh, r), p->target) == 0)
            continue;
        json_t *body = json_pack("{s:o,s:[s,s],s:f}", "from",
                                 paglets__mesh_self_entry(mesh), "target",
                                 p->target, target_url, "timeout", wait * 0.7);
        json_t *updates =
            paglets__mesh_piggyback(mesh, paglets__mesh_name(mesh, r));
        if (body != NULL && updates != NULL)
            json_object_set_new(body, "updates", updates);
        else
            json_decref(updates);
        struct relay_call *rcall = calloc(1, sizeof(*rcall));
        if (body == NULL || rcall == NULL) {
            json_decref(body);
            free(rcall);
            return;
        }
        rcall->probe = p;
        snprintf(rcall->relay, sizeof(rcall->relay), "%s",
                 paglets__mesh_name(mesh, r));
        p->calls++;
        p->relays++;
        if (paglets__mesh_send(mesh, paglets__mesh_url(mesh, r), "ping-req",
                               body, wait, on_relay_reply, rcall) < 0) {
            p->calls--;
            p->relays--;
            free(rcall);
        }
    }
}

/* The next member to probe: round-robin, reshuffled after each cycle. */
static struct paglets__mesh_member *next_target(struct paglets__mesh *mesh)
{
    for (size_t seen = 0; seen <= mesh->n_members; seen++) {
        if (mesh->probe_next >= mesh->n_members) {
            paglets__mesh_shuffle(mesh);
            mesh->probe_next = 0;
        }
        if (mesh->n_members == 0)
            return NULL;
        struct paglets__mesh_member *m = &mesh->members[mesh->probe_next++];
        if (m->state == PAGLETS__MESH_ALIVE ||
            m->state == PAGLETS__MESH_SUSPECT)
            return m;
    }
    return NULL;
}

static struct paglets__mesh_probe **free_probe_slot(struct paglets__mesh *mesh)
{
    for (size_t i = 0; i < PAGLETS__MESH_MAX_PROBES; i++)
        if (mesh->probes[i] == NULL)
            return &mesh->probes[i];
    return NULL;
}

/* Probe m now; last: failing is a verdict. 0, or -EBUSY/-ENOMEM. */
static int start_probe_of(struct paglets__mesh *mesh,
                          struct paglets__mesh_member *m, bool last,
                          double mono)
{
    struct paglets__mesh_probe **slot = free_probe_slot(mesh);
    if (slot == NULL)
        return -EBUSY;
    struct paglets__mesh_probe *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -ENOMEM;
    snprintf(p->target, sizeof(p->target), "%s", paglets__mesh_name(mesh, m));
    p->incarnation = m->incarnation;
    p->last = last;
    p->started = mono;
    p->indirect_at = mono + paglets__mesh_probe_timeout(mesh);
    /*
     * The last probe before a verdict waits longer: a host that answers,
     * however late, is slow, not offline.
     */
    p->ends_at = mono + probe_span(mesh) * (last ? LAST_PROBE_STRETCH : 1);
    p->retry_at = p->indirect_at + paglets__mesh_probe_timeout(mesh);
    *slot = p;
    send_direct(mesh, p, mono);
    if (p->calls == 0) {
        /* Our own failure to send accuses nobody. */
        p->concluded = true;
        probe_free_if_done(mesh, p);
        return -ENOMEM;
    }
    paglets__mesh_wake_at(mesh, p->indirect_at);
    return 0;
}

static void start_probe(struct paglets__mesh *mesh, double mono)
{
    /* The round-robin probes leave a few slots for last probes. */
    size_t busy = 0;
    for (size_t i = 0; i < PAGLETS__MESH_MAX_PROBES; i++)
        busy += mesh->probes[i] != NULL;
    if (busy >= PAGLETS__MESH_MAX_PROBES / 2)
        return;
    /*
     * A suspicion we raised ourselves gets one more probe of ours a round
     * later, out of turn: its ping tells the member it is suspected, so
     * its ack refutes at once. (Raised while we were cut off, say, it
     * would otherwise wait a whole cycle of the round robin.)
     */
    struct paglets__mesh_member *m = NULL;
    for (size_t i = 0; i < mesh->n_suspicions && m == NULL; i++) {
        struct paglets__mesh_suspicion *s = &mesh->suspicions[i];
        if (s->ours &&
            mono - s->started >= paglets__mesh_probe_interval(mesh)) {
            s->ours = false;
            m = paglets__mesh_find(mesh, s->name);
        }
    }
    if (m == NULL)
        m = next_target(mesh);
    if (m != NULL && start_probe_of(mesh, m, false, mono) == 0)
        mesh->stats.rounds++;
}

void paglets__mesh_probe_tick(struct paglets__mesh *mesh, double mono)
{
    for (size_t i = 0; i < PAGLETS__MESH_MAX_PROBES; i++) {
        struct paglets__mesh_probe *p = mesh->probes[i];
        if (p == NULL || p->concluded)
            continue;
        if (!p->indirect_sent && mono >= p->indirect_at)
            send_indirect(mesh, p, mono);
        if (!p->retry_sent && mono >= p->retry_at) {
            p->retry_sent = true;
            send_direct(mesh, p, mono);
        }
        /* Everyone answered, nobody with an ack: no need to wait on. */
        bool all_in = p->retry_sent && p->calls == 0;
        if (mono >= p->ends_at || all_in)
            conclude(mesh, p, mono);
        probe_free_if_done(mesh, p);
    }
    if (mono < mesh->next_probe)
        return;
    /* Lifeguard: a probe that starts late says we are the slow one. */
    if (mesh->next_probe > 0 && mono - mesh->next_probe > mesh->interval_s / 2)
        paglets__mesh_health(mesh, +1);
    start_probe(mesh, mono);
    mesh->next_probe = mono + paglets__mesh_probe_interval(mesh);
}

/* ---- verification and reconnection ---- */

struct check {
    char name[PAGLETS__MESH_NAME_MAX];
};

static void on_check_reply(struct paglets__mesh *mesh, void *ctx, int rc,
                           const json_t *reply, const char *why, double mono)
{
    struct check *c = ctx;
    (void)why;
    uint64_t inc;
    char url[PAGLETS_URL_MAX];
    if (rc == 0)
        rc = paglets__mesh_read_ack(mesh, reply, c->name, c->name, &inc, url,
                                    mono);
    struct paglets__mesh_member *m = paglets__mesh_find(mesh, c->name);
    if (m != NULL)
        m->flags &= (uint8_t)~PAGLETS__MESH_PROBING;
    if (m != NULL && rc == 0 && strcmp(url, paglets__mesh_url(mesh, m)) == 0) {
        paglets__mesh_confirm_alive(mesh, m, NULL, inc, mono);
    } else if (m != NULL && m->state == PAGLETS__MESH_PENDING) {
        if (++m->tries >= VERIFY_TRIES) {
            char shown[PAGLETS__MESH_SHOWN_MAX];
            paglets_log_debug(PAGLETS_LOG_CAT_MESH,
                              "mesh: '%s' at %s never answered; dropped",
                              paglets__mesh_shown(shown, c->name),
                              paglets__mesh_url(mesh, m));
            paglets__mesh_remove(mesh, (size_t)(m - mesh->members));
        } else {
            m->due = mono + mesh->interval_s * (1u << m->tries);
        }
    } else if (m != NULL && m->state == PAGLETS__MESH_OFFLINE) {
        paglets__mesh_note_error(m, "ping", rc < 0 ? rc : -EPROTO);
        unsigned rounds = 1u << (m->tries < 6 ? m->tries : 6);
        if (rounds > RECONNECT_BACKOFF_ROUNDS)
            rounds = RECONNECT_BACKOFF_ROUNDS;
        m->tries++;
        m->due = mono + mesh->interval_s * rounds;
    }
    if (mesh->count[PAGLETS__MESH_PENDING] > 0)
        paglets__mesh_wake_at(mesh, mono);
    free(c);
}

static void check(struct paglets__mesh *mesh, struct paglets__mesh_member *m,
                  double mono)
{
    struct check *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return;
    snprintf(c->name, sizeof(c->name), "%s", paglets__mesh_name(mesh, m));
    json_t *body = paglets__mesh_ping_body(mesh, c->name);
    m->flags |= PAGLETS__MESH_PROBING;
    m->due = mono + probe_span(mesh);
    if (body == NULL ||
        paglets__mesh_send(mesh, paglets__mesh_url(mesh, m), "ping", body,
                           probe_span(mesh), on_check_reply, c) < 0) {
        m->flags &= (uint8_t)~PAGLETS__MESH_PROBING;
        free(c);
    }
}

void paglets__mesh_verify_tick(struct paglets__mesh *mesh, double mono)
{
    if (mesh->count[PAGLETS__MESH_PENDING] > 0) {
        unsigned out = 0;
        double next = mono + mesh->interval_s;
        for (size_t i = 0; i < mesh->n_members; i++) {
            struct paglets__mesh_member *m = &mesh->members[i];
            if (m->state != PAGLETS__MESH_PENDING)
                continue;
            if (m->flags & PAGLETS__MESH_PROBING) {
                out++;
                continue;
            }
            if (m->due > mono) {
                if (m->due < next)
                    next = m->due;
            } else if (out < VERIFY_IN_FLIGHT) {
                check(mesh, m, mono);
                out++;
            }
            /* The rest wait for a free slot: an answer wakes us. */
        }
        paglets__mesh_wake_at(mesh, next);
    }
    if (mesh->count[PAGLETS__MESH_OFFLINE] == 0 || mono < mesh->next_reconnect)
        return;
    mesh->next_reconnect = mono + RECONNECT_ROUNDS * mesh->interval_s;
    /* One random offline member that did not leave, if a few picks find one. */
    for (unsigned tries = 0; tries < 16; tries++) {
        struct paglets__mesh_member *m =
            &mesh->members[paglets__mesh_random_below(mesh, mesh->n_members)];
        if (m->state == PAGLETS__MESH_OFFLINE &&
            !(m->flags & (PAGLETS__MESH_LEFT | PAGLETS__MESH_PROBING)) &&
            m->due <= mono) {
            check(mesh, m, mono);
            return;
        }
    }
}
