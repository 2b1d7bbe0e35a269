/*
 * The mesh's real I/O: a few worker threads, each with its own keep-alive
 * HTTP client, that POST the mesh's messages and report back through the
 * done callback; the system clocks; a xorshift PRNG seeded from the
 * kernel. The protocol thread only queues messages, so a silent peer holds
 * up one worker for its timeout, never the protocol.
 */
#include "compat.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "remote/http.h"
#include "runtime/mesh_int.h"
#include "util/clock.h"
#include "util/log.h"

/*
 * Enough for a probe, its three indirect probes and a sync or two at once;
 * a bounded queue, so a mesh that cannot keep up fails sends instead of
 * piling them up.
 */
#define WORKERS 4
#define QUEUE_MAX 256

struct job {
    struct job *next;
    char endpoint[PAGLETS_URL_MAX + 24];
    json_t *body; /* our own deep copy */
    double timeout_s;
    paglets__mesh_done_fn done;
    void *done_arg;
};

struct paglets__mesh_io {
    char *api_key;
    char *tls_ca; /* CA file for https members, or NULL */
    uint64_t rng;
    struct paglets_cancel *cancel; /* tripped at stop: ends what is in flight */
    pthread_mutex_t lock;          /* guards the queue and stopping */
    pthread_cond_t more;
    struct job *head, *tail;
    size_t queued;
    bool stopping;
    bool started;
    pthread_t workers[WORKERS];
    size_t n_workers;
    size_t idle; /* workers waiting for a job */
    atomic_uint_least64_t bytes_sent;
    atomic_uint_least64_t bytes_received;
};

static void *worker_main(void *arg);

struct paglets__mesh_io *paglets__mesh_io_new(const char *api_key,
                                              const char *tls_ca,
                                              struct paglets_err *err)
{
    struct paglets__mesh_io *io = calloc(1, sizeof(*io));
    if (io == NULL)
        goto nomem;
    if (api_key != NULL)
        io->api_key = strdup(api_key);
    if (tls_ca != NULL)
        io->tls_ca = strdup(tls_ca);
    if ((api_key != NULL && io->api_key == NULL) ||
        (tls_ca != NULL && io->tls_ca == NULL))
        goto nomem;
    io->cancel = paglets_cancel_new(err);
    if (io->cancel == NULL) {
        paglets__mesh_io_free(io);
        return NULL;
    }
    if (pthread_mutex_init(&io->lock, NULL) != 0 ||
        pthread_cond_init(&io->more, NULL) != 0)
        goto nomem;
    io->started = true;
    if (getrandom(&io->rng, sizeof(io->rng), GRND_NONBLOCK) !=
        (ssize_t)sizeof(io->rng))
        io->rng = (uint64_t)(paglets__mono_now() * 1e9) ^ (uint64_t)getpid();
    io->rng |= 1; /* xorshift must never hold zero */
    return io;
nomem:
    paglets__mesh_io_free(io);
    paglets_err_set(err, -ENOMEM, "mesh: out of memory");
    return NULL;
}

static void finish(struct job *job, int rc, const json_t *reply,
                   const char *why)
{
    job->done(job->done_arg, rc, reply, why);
    json_decref(job->body);
    free(job);
}

void paglets__mesh_io_stop(struct paglets__mesh_io *io)
{
    if (io == NULL || !io->started)
        return;
    pthread_mutex_lock(&io->lock);
    io->stopping = true;
    pthread_cond_broadcast(&io->more);
    pthread_mutex_unlock(&io->lock);
    paglets_cancel_trip(io->cancel);
    for (size_t i = 0; i < io->n_workers; i++)
        pthread_join(io->workers[i], NULL);
    io->n_workers = 0;
    /* Workers drain the queue as they stop; whatever is left is ours. */
    while (io->head != NULL) {
        struct job *job = io->head;
        io->head = job->next;
        finish(job, -ECANCELED, NULL, "mesh stopping");
    }
    io->tail = NULL;
    io->queued = 0;
}

void paglets__mesh_io_free(struct paglets__mesh_io *io)
{
    if (io == NULL)
        return;
    paglets__mesh_io_stop(io);
    if (io->started) {
        pthread_cond_destroy(&io->more);
        pthread_mutex_destroy(&io->lock);
    }
    paglets_cancel_free(io->cancel);
    free(io->api_key);
    free(io->tls_ca);
    free(io);
}

void paglets__mesh_io_bytes(struct paglets__mesh_io *io, uint64_t *sent,
                            uint64_t *received)
{
    *sent = atomic_load(&io->bytes_sent);
    *received = atomic_load(&io->bytes_received);
}

static void run_job(struct paglets__mesh_io *io, struct paglets__http *http,
                    struct job *job)
{
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.timeout_seconds = job->timeout_s;
    json_t *reply = NULL;
    struct paglets_err err = {0};
    int rc = paglets__http_request(http, "POST", job->endpoint, job->body,
                                   &opts, &reply, NULL, &err);
    uint64_t sent = 0, received = 0;
    paglets__http_last_bytes(http, &sent, &received);
    atomic_fetch_add(&io->bytes_sent, sent);
    atomic_fetch_add(&io->bytes_received, received);
    finish(job, rc, rc == 0 ? reply : NULL, rc == 0 ? NULL : err.message);
    json_decref(reply);
}

static void *worker_main(void *arg)
{
    struct paglets__mesh_io *io = arg;
    struct paglets_err err = {0};
    struct paglets__http *http = paglets__http_new(io->api_key, &err);
    if (http != NULL && io->tls_ca != NULL &&
        paglets__http_set_tls_ca(http, io->tls_ca, &err) != 0) {
        paglets__http_free(http);
        http = NULL;
    }
    if (http != NULL)
        paglets__http_set_cancel(http, io->cancel);
    pthread_mutex_lock(&io->lock);
    for (;;) {
        io->idle++;
        while (io->head == NULL && !io->stopping)
            pthread_cond_wait(&io->more, &io->lock);
        io->idle--;
        struct job *job = io->head;
        if (job == NULL)
            break;
        io->head = job->next;
        if (io->head == NULL)
            io->tail = NULL;
        io->queued--;
        bool stopping = io->stopping; /* read under the lock */
        pthread_mutex_unlock(&io->lock);
        if (http == NULL || stopping)
            finish(job, http ? -ECANCELED : err.code, NULL,
                   http ? "mesh stopping" : err.message);
        else
            run_job(io, http, job);
        pthread_mutex_lock(&io->lock);
    }
    pthread_mutex_unlock(&io->lock);
    paglets__http_free(http);
    return NULL;
}

static int io_send(void *arg, const char *url, const char *kind,
                   const json_t *body, double timeout_s,
                   paglets__mesh_done_fn done, void *done_arg)
{
    struct paglets__mesh_io *io = arg;
    struct job *job = calloc(1, sizeof(*job));
    if (job == NULL)
        return -ENOMEM;
    int len = snprintf(job->endpoint, sizeof(job->endpoint), "%s/hosts/%s", url,
                       kind);
    /* Copied: the worker must not share reference counts with the mesh. */
    job->body = json_deep_copy(body);
    if (len < 0 || (size_t)len >= sizeof(job->endpoint) || job->body == NULL) {
        json_decref(job->body);
        free(job);
        return len < 0 || (size_t)len >= sizeof(job->endpoint) ? -ENAMETOOLONG
                                                               : -ENOMEM;
    }
    job->timeout_s = timeout_s;
    job->done = done;
    job->done_arg = done_arg;
    pthread_mutex_lock(&io->lock);
    int rc = 0;
    if (io->stopping || io->queued >= QUEUE_MAX) {
        rc = io->stopping ? -ECANCELED : -EAGAIN;
    } else if (io->n_workers < WORKERS && io->idle <= io->queued) {
        /* Workers start as the load first needs them. */
        if (pthread_create(&io->workers[io->n_workers], NULL, worker_main,
                           io) == 0)
            io->n_workers++;
        else if (io->n_workers == 0)
            rc = -EAGAIN;
    }
    if (rc == 0) {
        if (io->tail != NULL)
            io->tail->next = job;
        else
            io->head = job;
        io->tail = job;
        io->queued++;
        pthread_cond_signal(&io->more);
    }
    pthread_mutex_unlock(&io->lock);
    if (rc < 0) {
        json_decref(job->body);
        free(job);
    }
    return rc;
}

static double io_mono(void *arg)
{
    (void)arg;
    return paglets__mono_now();
}

static double io_wall(void *arg)
{
    (void)arg;
    return paglets__wall_now();
}

/* xorshift64*: plenty for picking members, and called under the mesh lock. */
static uint64_t io_random(void *arg)
{
    struct paglets__mesh_io *io = arg;
    uint64_t x = io->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    io->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

const struct paglets__mesh_ops paglets__mesh_io_ops = {
    .send = io_send,
    .mono_now = io_mono,
    .wall_now = io_wall,
    .random = io_random,
};
