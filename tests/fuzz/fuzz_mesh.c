/*
 * Fuzz what peers can send the mesh: every message kind (join, ping,
 * ping-req, sync) as an incoming body, the same bytes as the answer to
 * whatever the mesh sent meanwhile (acks, sync replies, relayed acks), and
 * multicast datagrams, against one long-lived mesh on a fake clock.
 */
#include "compat.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "runtime/mesh_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static double now;

/* Messages the mesh sent, answered by the next input. */
struct pending {
    paglets__mesh_done_fn done;
    void *arg;
};
static struct pending outbox[64];
static size_t n_outbox;

static int fake_send(void *arg, const char *url, const char *kind,
                     const json_t *body, double timeout_seconds,
                     paglets__mesh_done_fn done, void *done_arg)
{
    (void)arg;
    (void)url;
    (void)kind;
    (void)body;
    (void)timeout_seconds;
    if (n_outbox == 64)
        return -EAGAIN;
    outbox[n_outbox++] = (struct pending){done, done_arg};
    return 0;
}

static double fake_clock(void *arg)
{
    (void)arg;
    return now;
}

static uint64_t fake_random(void *arg)
{
    (void)arg;
    static uint64_t x = 88172645463325252ULL;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

static const struct paglets__mesh_ops ops = {
    .send = fake_send,
    .mono_now = fake_clock,
    .wall_now = fake_clock,
    .random = fake_random,
};

static struct paglets__mesh *the_mesh(void)
{
    static struct paglets__mesh *mesh;
    if (mesh != NULL)
        return mesh;
    const char *seeds[] = {"http://127.0.0.1:2"};
    struct paglets__mesh_config config = {
        .self_name = "alpha",
        .self_url = "http://127.0.0.1:1",
        .mesh_version = "v1",
        .seeds = seeds,
        .n_seeds = 1,
        .offline_after_seconds = 10,
        .interval_s = 1,
        .max_members = 64,
    };
    mesh = paglets__mesh_new_with_ops(&config, &ops, NULL, NULL);
    if (mesh == NULL)
        abort();
    return mesh;
}

static void respond(void *arg, int rc, json_t *reply,
                    const struct paglets_err *err)
{
    (void)err;
    /* A success always carries an answer. */
    if (rc == 0 && reply == NULL)
        abort();
    json_decref(reply);
    (*(int *)arg)++;
}

static const char *const kinds[] = {"join", "ping", "ping-req", "sync"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct paglets__mesh *mesh = the_mesh();
    now += 0.7;
    json_t *body = json_loadb((const char *)data, size,
                              JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    /* Whatever went out since is answered with these bytes (or fails). */
    size_t n = n_outbox;
    n_outbox = 0;
    for (size_t i = 0; i < n; i++)
        outbox[i].done(outbox[i].arg, body ? 0 : -ETIMEDOUT, body,
                       body ? NULL : "timed out");
    if (body != NULL) {
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
            /* A ping-req may answer later, when its own ping ends. */
            static int later;
            int answered = 0;
            paglets__mesh_receive(mesh, kinds[k], body, respond,
                                  k == 2 ? &later : &answered);
            if (k != 2 && answered != 1)
                abort();
        }
    }
    paglets__mesh_tick(mesh);
    paglets__mesh_take_beacon(mesh, (const char *)data, size);
    json_decref(paglets__mesh_hosts_json(mesh));
    json_decref(body);
    return 0;
}
