/*
 * The mesh's real I/O: POST /hosts/join over libcurl with the gossip
 * thread's own keep-alive client, the system clocks and a xorshift PRNG
 * seeded from the kernel.
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

struct paglets__mesh_io {
    char *api_key;
    char *tls_ca;
    struct paglets__http *http; /* made on first use, by the gossip thread */
    uint64_t rng;
    struct paglets_cancel *stop; /* tripped while the mesh stops */
    atomic_bool watch_stop;      /* http made now watches stop */
};

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
    io->stop = paglets_cancel_new(err);
    if (io->stop == NULL) {
        paglets__mesh_io_free(io);
        return NULL;
    }
    atomic_init(&io->watch_stop, true);
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

void paglets__mesh_io_free(struct paglets__mesh_io *io)
{
    if (io == NULL)
        return;
    paglets__http_free(io->http);
    paglets_cancel_free(io->stop);
    free(io->api_key);
    free(io->tls_ca);
    free(io);
}

void paglets__mesh_io_interrupt(struct paglets__mesh_io *io, bool on)
{
    if (io == NULL)
        return;
    if (on) {
        paglets_cancel_trip(io->stop);
        return;
    }
    /* The gossip thread is gone: only the stopping thread uses http now. */
    atomic_store(&io->watch_stop, false);
    if (io->http != NULL)
        paglets__http_set_cancel(io->http, NULL);
}

static int io_exchange(void *arg, const char *url, const json_t *request,
                       double timeout_seconds, json_t **reply,
                       struct paglets_err *err)
{
    struct paglets__mesh_io *io = arg;
    if (io->http == NULL) {
        struct paglets_err why = {0};
        io->http = paglets__http_new(io->api_key, &why);
        if (io->http != NULL && io->tls_ca != NULL &&
            paglets__http_set_tls_ca(io->http, io->tls_ca, &why) != 0) {
            paglets__http_free(io->http);
            io->http = NULL;
        }
        if (io->http == NULL)
            return paglets_err_set(err, why.code, "%s", why.message);
        if (atomic_load(&io->watch_stop))
            paglets__http_set_cancel(io->http, io->stop);
    }
    char endpoint[PAGLETS_URL_MAX + 16];
    int len = snprintf(endpoint, sizeof(endpoint), "%s/hosts/join", url);
    if (len < 0 || (size_t)len >= sizeof(endpoint))
        return paglets_err_set(err, -ENAMETOOLONG, "URL '%s' is too long", url);
    struct paglets_call_opts opts;
    paglets_call_opts_init(&opts);
    opts.timeout_seconds = timeout_seconds;
    return paglets__http_request(io->http, "POST", endpoint, request, &opts,
                                 reply, NULL, err);
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

/* xorshift64*: plenty for picking gossip partners, and lock-free here. */
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
    .exchange = io_exchange,
    .mono_now = io_mono,
    .wall_now = io_wall,
    .random = io_random,
};
