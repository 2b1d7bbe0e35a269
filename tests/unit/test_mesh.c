/*
 * Mesh membership on simulated meshes: many meshes in one process joined
 * by a fake transport that calls paglets__mesh_handle_join directly, on a
 * fake clock, so rounds, convergence and request counts are exact.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/mesh_int.h"

#define MAX_NODES 64
/* Rounds at rest over which exchanges per node are counted. */
#define STEADY_ROUNDS 10

struct sim;

struct node {
    struct sim *sim;
    struct paglets__mesh *mesh;
    char name[32];
    char url[64];
    char version[16];
    bool down;
    uint64_t rng;
    uint64_t sent; /* exchanges this node started */
};

struct sim {
    double now;
    uint64_t rng; /* the order nodes run their rounds in */
    bool chain;   /* node i joins through node i-1, not node 0 */
    struct node nodes[MAX_NODES];
    size_t n;
};

static struct node *node_at(struct sim *sim, const char *url)
{
    for (size_t i = 0; i < sim->n; i++) {
        if (strcmp(sim->nodes[i].url, url) == 0)
            return &sim->nodes[i];
    }
    return NULL;
}

static int sim_exchange(void *arg, const char *url, const json_t *request,
                        double timeout_seconds, json_t **reply,
                        struct paglets_err *err)
{
    struct node *self = arg;
    (void)timeout_seconds;
    self->sent++;
    struct node *peer = node_at(self->sim, url);
    if (peer == NULL || peer->down || peer->mesh == NULL)
        return paglets_err_set(err, -ECONNREFUSED, "%s: refused", url);
    /* Round-trip through text, as the wire would. */
    char *text = json_dumps(request, JSON_COMPACT);
    json_t *body = json_loads(text, 0, NULL);
    free(text);
    int rc = paglets__mesh_handle_join(peer->mesh, body, reply, err);
    json_decref(body);
    return rc;
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
    struct node *n = arg;
    n->rng ^= n->rng << 13;
    n->rng ^= n->rng >> 7;
    n->rng ^= n->rng << 17;
    return n->rng;
}

static const struct paglets__mesh_ops sim_ops = {
    .exchange = sim_exchange,
    .mono_now = sim_mono,
    .wall_now = sim_wall,
    .random = sim_random,
};

/* Start (or restart) node i, seeded with node 0 unless it is node 0. */
static void sim_boot(struct sim *sim, size_t i, const char *version)
{
    struct node *n = &sim->nodes[i];
    paglets__mesh_free(n->mesh);
    n->sim = sim;
    snprintf(n->name, sizeof(n->name), "h%zu", i);
    snprintf(n->url, sizeof(n->url), "http://127.0.0.1:%zu", 9000 + i);
    snprintf(n->version, sizeof(n->version), "%s", version);
    n->rng = 0x9E3779B97F4A7C15ULL * (i + 1);
    n->down = false;
    const char *seeds[] = {sim->nodes[sim->chain && i > 0 ? i - 1 : 0].url};
    struct paglets__mesh_config config = {
        .self_name = n->name,
        .self_url = n->url,
        .mesh_version = n->version,
        .seeds = seeds,
        .n_seeds = i == 0 ? 0 : 1,
        .offline_after_seconds = 10,
        .interval_s = 1,
    };
    struct paglets_err err = {0};
    n->mesh = paglets__mesh_new_with_ops(&config, &sim_ops, n, &err);
    assert_non_null(n->mesh);
    if (i >= sim->n)
        sim->n = i + 1;
}

static struct sim *sim_new_shaped(size_t n, bool chain)
{
    struct sim *sim = calloc(1, sizeof(*sim));
    assert_non_null(sim);
    sim->rng = 0x2545F4914F6CDD1DULL;
    sim->chain = chain;
    /* Node 0's URL must exist before the others take it as their seed. */
    snprintf(sim->nodes[0].url, sizeof(sim->nodes[0].url),
             "http://127.0.0.1:%d", 9000);
    for (size_t i = 0; i < n; i++)
        sim_boot(sim, i, "v1");
    return sim;
}

static struct sim *sim_new(size_t n)
{
    return sim_new_shaped(n, false);
}

static void sim_free(struct sim *sim)
{
    for (size_t i = 0; i < sim->n; i++)
        paglets__mesh_free(sim->nodes[i].mesh);
    free(sim);
}

/*
 * One second: every running node runs one round, in a new random order
 * each time, as unsynchronised hosts would.
 */
static void sim_round(struct sim *sim)
{
    size_t order[MAX_NODES];
    for (size_t i = 0; i < sim->n; i++)
        order[i] = i;
    for (size_t i = sim->n; i > 1; i--) {
        sim->rng ^= sim->rng << 13;
        sim->rng ^= sim->rng >> 7;
        sim->rng ^= sim->rng << 17;
        size_t j = (size_t)(sim->rng % i);
        size_t tmp = order[i - 1];
        order[i - 1] = order[j];
        order[j] = tmp;
    }
    for (size_t k = 0; k < sim->n; k++) {
        struct node *node = &sim->nodes[order[k]];
        if (!node->down)
            assert_true(paglets__mesh_round(node->mesh) >= 0);
    }
    sim->now += 1;
}

/* How does `viewer` see host `name`: 1 online, 0 offline, -1 unknown. */
static int seen_as(struct node *viewer, const char *name)
{
    struct paglets_host_info *hosts = NULL;
    size_t n = 0;
    assert_int_equal(paglets__mesh_members(viewer->mesh, &hosts, &n, NULL), 0);
    int state = -1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(hosts[i].name, name) == 0)
            state = hosts[i].online ? 1 : 0;
    }
    free(hosts);
    return state;
}

/* Does every node list every node (itself included) online? */
static bool all_see_all(struct sim *sim)
{
    for (size_t i = 0; i < sim->n; i++) {
        struct paglets_host_info *hosts = NULL;
        size_t n = 0, online = 0;
        assert_int_equal(
            paglets__mesh_members(sim->nodes[i].mesh, &hosts, &n, NULL), 0);
        /* Names are unique and versions equal: counting is enough. */
        for (size_t k = 0; k < n; k++)
            online += hosts[k].online;
        free(hosts);
        if (online != sim->n)
            return false;
    }
    return true;
}

static void test_mesh_seed_join_is_mutual_after_one_round(void **state)
{
    (void)state;
    struct sim *sim = sim_new(2);
    assert_int_equal(seen_as(&sim->nodes[0], "h1"), -1);
    sim_round(sim);
    assert_int_equal(seen_as(&sim->nodes[0], "h1"), 1);
    assert_int_equal(seen_as(&sim->nodes[1], "h0"), 1);
    char url[256];
    assert_int_equal(
        paglets__mesh_resolve(sim->nodes[1].mesh, "h0", url, sizeof(url)), 0);
    assert_string_equal(url, sim->nodes[0].url);
    assert_int_equal(
        paglets__mesh_resolve(sim->nodes[1].mesh, "nope", url, sizeof(url)),
        -ENOENT);
    sim_free(sim);
}

static void test_mesh_other_version_is_never_listed(void **state)
{
    (void)state;
    struct sim *sim = sim_new(3);
    sim_boot(sim, 2, "v2");
    for (int r = 0; r < 5; r++) {
        sim_round(sim);
        for (size_t i = 0; i < 2; i++)
            assert_int_equal(seen_as(&sim->nodes[i], "h2"), -1);
        assert_int_equal(seen_as(&sim->nodes[2], "h0"), -1);
    }
    assert_int_equal(seen_as(&sim->nodes[0], "h1"), 1);
    sim_free(sim);
}

/*
 * Everyone joins through node 0; count rounds until every node lists every
 * other online, then the exchanges each node makes per round at rest.
 */
static void converge(size_t n, bool chain, int max_rounds, double max_per_round)
{
    struct sim *sim = sim_new_shaped(n, chain);
    int rounds = 0;
    while (!all_see_all(sim)) {
        assert_true(rounds < max_rounds);
        sim_round(sim);
        rounds++;
    }
    for (size_t i = 0; i < n; i++)
        sim->nodes[i].sent = 0;
    for (int r = 0; r < STEADY_ROUNDS; r++)
        sim_round(sim);
    uint64_t sent = 0, most = 0;
    for (size_t i = 0; i < n; i++) {
        sent += sim->nodes[i].sent;
        if (sim->nodes[i].sent > most)
            most = sim->nodes[i].sent;
    }
    double per_round = (double)sent / (double)n / STEADY_ROUNDS;
    print_message("%zu nodes (%s): converged in %d rounds, %.2f exchanges per "
                  "node per round (max node %.2f)\n",
                  n, chain ? "chain" : "star", rounds, per_round,
                  (double)most / STEADY_ROUNDS);
    assert_true(per_round <= max_per_round);
    assert_true((double)most / STEADY_ROUNDS <= max_per_round + 1);
    assert_true(all_see_all(sim));
    sim_free(sim);
}

static void test_mesh_converges_8(void **state)
{
    (void)state;
    converge(8, false, 4, 2.0);
}

static void test_mesh_converges_32(void **state)
{
    (void)state;
    converge(32, false, 5, 2.0);
}

static void test_mesh_converges_64(void **state)
{
    (void)state;
    converge(64, false, 5, 2.0);
}

/*
 * Each node knows only the one before it: news must travel by gossip,
 * not through one seed that everybody asks.
 */
static void test_mesh_converges_64_in_a_chain(void **state)
{
    (void)state;
    converge(64, true, 8, 2.0);
}

static void test_mesh_dead_host_goes_offline_and_returns(void **state)
{
    (void)state;
    struct sim *sim = sim_new(8);
    while (!all_see_all(sim))
        sim_round(sim);
    sim->nodes[5].down = true;
    double killed = sim->now;
    for (int r = 0; r < 9; r++) {
        sim_round(sim);
        /* Still inside the window: nobody has given up on it yet. */
        if (sim->now - killed < 9)
            assert_int_equal(seen_as(&sim->nodes[1], "h5"), 1);
    }
    for (int r = 0; r < 3; r++)
        sim_round(sim);
    for (size_t i = 0; i < 8; i++) {
        if (i != 5)
            assert_int_equal(seen_as(&sim->nodes[i], "h5"), 0);
    }
    sim_boot(sim, 5, "v1");
    int rounds = 0;
    while (!all_see_all(sim)) {
        assert_true(rounds < 4);
        sim_round(sim);
        rounds++;
    }
    sim_free(sim);
}

static void test_mesh_leaving_host_is_offline_at_once(void **state)
{
    (void)state;
    struct sim *sim = sim_new(16);
    while (!all_see_all(sim))
        sim_round(sim);
    paglets__mesh_leave(sim->nodes[3].mesh);
    sim->nodes[3].down = true;
    int rounds = 0;
    for (;;) {
        size_t still = 0;
        for (size_t i = 0; i < sim->n; i++)
            still += i != 3 && seen_as(&sim->nodes[i], "h3") == 1;
        if (still == 0)
            break;
        assert_true(rounds < 4); /* the window is 10 rounds */
        sim_round(sim);
        rounds++;
    }
    sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mesh_seed_join_is_mutual_after_one_round),
        cmocka_unit_test(test_mesh_other_version_is_never_listed),
        cmocka_unit_test(test_mesh_converges_8),
        cmocka_unit_test(test_mesh_converges_32),
        cmocka_unit_test(test_mesh_converges_64),
        cmocka_unit_test(test_mesh_converges_64_in_a_chain),
        cmocka_unit_test(test_mesh_dead_host_goes_offline_and_returns),
        cmocka_unit_test(test_mesh_leaving_host_is_offline_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
