/*
 * Fuzz the mesh's network input: a POST /hosts/join body (a HostRef plus
 * gossiped members), the list a peer replies to our own join, and a LAN
 * multicast beacon. The mesh runs with injected I/O: no thread, no socket;
 * the "peer" answers every exchange with the fuzz input.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/mesh.h"
#include "runtime/mesh_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct peer {
    json_t *reply; /* what the fake peer answers; borrowed */
    double now;
    uint64_t rng;
};

static int fake_exchange(void *arg, const char *url, const json_t *request,
                         double timeout_s, json_t **reply,
                         struct paglets_err *err)
{
    struct peer *p = arg;
    (void)request;
    (void)timeout_s;
    if (p->reply == NULL)
        return paglets_err_set(err, -ECONNREFUSED, "%s: refused", url);
    *reply = json_incref(p->reply);
    return 0;
}

static double fake_mono(void *arg)
{
    return ((struct peer *)arg)->now;
}

static double fake_wall(void *arg)
{
    return 1.7e9 + ((struct peer *)arg)->now;
}

static uint64_t fake_random(void *arg)
{
    struct peer *p = arg;
    p->rng ^= p->rng << 13;
    p->rng ^= p->rng >> 7;
    p->rng ^= p->rng << 17;
    return p->rng;
}

static const struct paglets__mesh_ops fake_ops = {
    .exchange = fake_exchange,
    .mono_now = fake_mono,
    .wall_now = fake_wall,
    .random = fake_random,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct peer peer = {.now = 100, .rng = 0x9E3779B97F4A7C15ULL};
    const char *seeds[] = {"http://127.0.0.1:9001"};
    struct paglets__mesh_config config = {
        .self_name = "self",
        .self_url = "http://127.0.0.1:9000",
        .mesh_version = "v1",
        .seeds = seeds,
        .n_seeds = 1,
        .offline_after_s = 10,
        .interval_s = 1,
    };
    struct paglets__mesh *mesh =
        paglets__mesh_new_with_ops(&config, &fake_ops, &peer, NULL);
    if (mesh == NULL)
        abort();
    paglets__mesh_take_beacon(mesh, (const char *)data, size);
    json_t *json = json_loadb((const char *)data, size, 0, NULL);
    json_t *reply = NULL;
    struct paglets_err err = {0};
    if (json != NULL) {
        if (paglets__mesh_handle_join(mesh, json, &reply, &err) == 0 &&
            !json_is_array(json_object_get(reply, "hosts")))
            abort();
        json_decref(reply);
        /* Our own joins: the seed, then whoever the input introduced. */
        peer.reply = json;
        for (int round = 0; round < 3; round++) {
            (void)paglets__mesh_round(mesh);
            peer.now += 6;
        }
    }
    json_decref(paglets__mesh_hosts_json(mesh));
    struct paglets_host_info *hosts;
    size_t n;
    if (paglets__mesh_members(mesh, &hosts, &n, &err) == 0)
        free(hosts);
    paglets__mesh_free(mesh);
    json_decref(json);
    return 0;
}
