/*
 * The mesh at scale on the simulation (tests/sim): 1,000 nodes in a
 * Release build (200 under the sanitizers or without optimisation, so CI
 * time stays sane), one mesh taken through issue 12's scenarios and held
 * to its targets in simulated seconds: a join storm converged within
 * 10 s, at most 3 messages and 2 KiB per node per second at rest, a crash
 * known everywhere within 15 s, then no false offline verdict under 20%
 * loss nor with 10% of the nodes answering 5x later than the probe
 * timeout. bench/mesh_sim.c runs the same longer (10 simulated minutes,
 * 5 seeds), at 10,000, and for the old protocol.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "sim.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) ||           \
    !defined(__OPTIMIZE__)
#define NODES 200
#else
#define NODES 1000
#endif

/* How long each lossy or slow phase runs here (the bench runs minutes). */
#define PHASE_S 10

/* All NODES within the first second, every one through node 0. */
static struct sim *storm(void)
{
    struct sim_config c;
    sim_config_init(&c);
    c.n = NODES;
    c.seed = 12;
    struct sim *sim = sim_new(&c);
    assert_non_null(sim);
    const size_t seed = 0;
    for (size_t i = 0; i < NODES; i++)
        sim_boot(sim, i, (double)i / NODES, i ? &seed : NULL, i ? 1 : 0);
    double t = sim_run_until_true(sim, 60, 0.25, sim_done_converged, NULL);
    assert_true(t >= 0);
    print_message("%d nodes: converged %.1f s after the last launch "
                  "(cpu %.1f s)\n",
                  NODES, t - 1, sim_cpu_seconds());
    assert_true(t - 1 <= 10);
    return sim;
}

static void check_rest(struct sim *sim)
{
    sim_run_until(sim, sim_now(sim) + 10);
    sim_traffic_reset(sim);
    sim_run_until(sim, sim_now(sim) + 10);
    struct sim_traffic t;
    sim_traffic(sim, &t);
    double per = NODES * t.seconds;
    double msgs =
        (double)(t.messages[SIM_PING] + t.messages[SIM_PINGREQ]) / per;
    double bytes = (double)(t.bytes[SIM_PING] + t.bytes[SIM_PINGREQ]) / per;
    print_message("at rest per node: %.2f messages/s, %.0f B/s; push-pull "
                  "%.3f messages/s, %.0f B/s; largest ping %llu B\n",
                  msgs, bytes, (double)t.messages[SIM_SYNC] / per,
                  (double)t.bytes[SIM_SYNC] / per,
                  (unsigned long long)t.largest[SIM_PING]);
    assert_true(msgs <= 3);
    assert_true(bytes <= 2048);
    /* The piggyback cap plus framing, whatever N is. */
    assert_true(t.largest[SIM_PING] <= PAGLETS__MESH_PIGGYBACK_BYTES + 512);
    assert_true(t.largest[SIM_PINGREQ] <= PAGLETS__MESH_PIGGYBACK_BYTES + 512);
}

static void check_crash(struct sim *sim)
{
    size_t crashed = NODES / 3;
    sim_crash(sim, crashed);
    double at = sim_now(sim);
    double known =
        sim_run_until_true(sim, at + 30, 0.1, sim_done_down_known, &crashed);
    assert_true(known >= 0);
    print_message("crash known everywhere %.1f s after it (cpu %.1f s)\n",
                  known - at, sim_cpu_seconds());
    assert_true(known - at <= 15);
    assert_true(
        sim_run_until_true(sim, at + 120, 1, sim_done_converged, NULL) >= 0);
}

static void test_mesh_sim_storm_rest_crash_loss_and_slow_nodes(void **state)
{
    (void)state;
    struct sim *sim = storm();
    check_rest(sim);
    check_crash(sim);
    assert_int_equal(sim_false_offline(sim), 0);

    sim_set_loss(sim, 0.2);
    sim_run_until(sim, sim_now(sim) + PHASE_S);
    sim_set_loss(sim, 0);
    print_message("20%% loss for %d s: %llu false offline verdicts (cpu %.1f "
                  "s)\n",
                  PHASE_S, (unsigned long long)sim_false_offline(sim),
                  sim_cpu_seconds());
    assert_int_equal(sim_false_offline(sim), 0);

    for (size_t i = 0; i < NODES; i += 10)
        sim_set_slow(sim, i, true);
    sim_run_until(sim, sim_now(sim) + PHASE_S);
    print_message("10%% slow for %d s: %llu false offline verdicts (cpu %.1f "
                  "s)\n",
                  PHASE_S, (unsigned long long)sim_false_offline(sim),
                  sim_cpu_seconds());
    assert_int_equal(sim_false_offline(sim), 0);
    sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mesh_sim_storm_rest_crash_loss_and_slow_nodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
