/*
 * Fuzz what peers can send the mesh: POST /hosts/join bodies, gossip
 * replies (fed back through a fake transport during a round) and
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
static json_t *next_reply; /* what the fake peer answers, or NULL */

static int fake_exchange(void *arg, const char *url, const json_t *request,
                         double timeout_seconds, json_t **reply,
                         struct paglets_err *err)
{
    (void)arg;
    (void)request;
    (void)timeout_seconds;
    if (next_reply == NULL)
        return paglets_err_set(err, -ECONNREFUSED, "%s: refused", url);
    *reply = json_incref(next_reply);
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
    .exchange = fake_exchange,
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
    };
    mesh = paglets__mesh_new_with_ops(&config, &ops, NULL, NULL);
    if (mesh == NULL)
        abort();
    return mesh;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct paglets__mesh *mesh = the_mesh();
    now += 0.7;
    json_t *body = json_loadb((const char *)data, size,
                              JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (body != NULL) {
        json_t *reply = NULL;
        if (paglets__mesh_handle_join(mesh, body, &reply, NULL) == 0 &&
            reply == NULL)
            abort();
        json_decref(reply);
        next_reply = body;
        if (paglets__mesh_round(mesh) < 0)
            abort();
        next_reply = NULL;
    }
    paglets__mesh_take_beacon(mesh, (const char *)data, size);
    json_decref(paglets__mesh_hosts_json(mesh));
    json_decref(body);
    return 0;
}
