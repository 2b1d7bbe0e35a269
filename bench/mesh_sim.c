/*
 * The mesh at scale on the event-queue simulation (tests/sim), for
 * docs/MESH.md's before/after tables: the SWIM mesh of src/runtime or
 * main's old protocol (tests/sim/legacy), N nodes, one or more seeds. Each
 * seed runs one mesh through issue 12's scenarios in simulated time:
 *   storm  all N nodes start within the first second, each through node
 *          0: seconds from the last launch until every node lists every
 *          other alive;
 *   rest   after 10 s more, messages and bytes each node sends per second
 *          (HTTP request/status line + headers + body, both directions,
 *          counted at the sender): probes and acks (with ping-reqs) on one
 *          line, push-pull (and the old protocol's exchanges) on another;
 *   crash  one node stops silently: seconds until every other node lists
 *          it suspect or offline;
 *   loss   20% of all messages lost for T seconds: offline verdicts about
 *          nodes that were up (each node's verdict counted once; the old
 *          protocol: every "went offline", all nodes being up);
 *   slow   then 30 s without loss, and 10% of the nodes answering 2.5 s
 *          late (5x the probe timeout) for T seconds: the same count.
 * Usage: mesh_sim [-p swim|legacy] [-n N] [-s SEEDS] [-t SECONDS]
 *                 [-r SECONDS] [-k BYTES] [-x storm,rest,crash,loss,slow]
 *   -p protocol (default swim); -n nodes (default 1000); -s seeds, run
 *   one after another (default 1); -t each lossy/slow phase (default 600,
 *   10 minutes); -r the rest window (default 20); -x the scenarios
 *   (default all; storm always runs); -k bytes a keyed mesh's signature
 *   headers add to each request and each answer (308 measured on loopback:
 *   docs/MESH.md; default 0, a keyless mesh).
 * Example: build/bench/mesh_sim -n 1000 -s 5
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "legacy/legacy_mesh.h"
#include "sim.h"
#include "util/log.h"

static uint64_t verdicts(struct sim *sim, bool legacy)
{
    return legacy ? legacy__mesh_went_offline : sim_false_offline(sim);
}

static bool wanted(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: mesh_sim [-p swim|legacy] [-n N] [-s SEEDS] "
                "[-t SECONDS] [-r SECONDS] [-k BYTES] "
                "[-x storm,rest,crash,loss,slow]\n");
}

int main(int argc, char **argv)
{
    const char *protocol = "swim", *scenarios = "storm,rest,crash,loss,slow";
    size_t n = 1000, seeds = 1;
    double phase_s = 600, rest_s = 20;
    size_t sig_bytes = 0;
    int opt;
    while ((opt = getopt(argc, argv, "p:n:s:t:r:k:x:h")) != -1) {
        switch (opt) {
        case 'p':
            protocol = optarg;
            break;
        case 'n':
            n = strtoul(optarg, NULL, 10);
            break;
        case 's':
            seeds = strtoul(optarg, NULL, 10);
            break;
        case 't':
            phase_s = strtod(optarg, NULL);
            break;
        case 'r':
            rest_s = strtod(optarg, NULL);
            break;
        case 'k':
            sig_bytes = strtoul(optarg, NULL, 10);
            break;
        case 'x':
            scenarios = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    bool legacy = strcmp(protocol, "legacy") == 0;
    if ((!legacy && strcmp(protocol, "swim") != 0) || n < 2 || seeds < 1 ||
        !(phase_s > 0) || !(rest_s > 0)) {
        usage(stderr);
        return 2;
    }
    paglets_log_set_level(PAGLETS_LOG_ERROR);
    uint64_t loss_total = 0, slow_total = 0;
    int rc = 0;
    for (size_t s = 0; s < seeds; s++) {
        struct sim_config c;
        sim_config_init(&c);
        c.n = n;
        c.protocol = legacy ? SIM_LEGACY : SIM_SWIM;
        c.seed = 12 + s;
        c.sig_bytes = sig_bytes;
        struct sim *sim = sim_new(&c);
        if (sim == NULL) {
            fprintf(stderr, "mesh_sim: out of memory\n");
            return 1;
        }
        const size_t seed = 0;
        for (size_t i = 0; i < n; i++)
            sim_boot(sim, i, (double)i / (double)n, i ? &seed : NULL,
                     i ? 1 : 0);
        double t = sim_run_until_true(sim, 300, 0.25, sim_done_converged, NULL);
        printf("%s n=%zu seed=%zu storm: converged %.1f s after the last "
               "launch (cpu %.1f s)\n",
               protocol, n, s, t < 0 ? -1 : t - 1, sim_cpu_seconds());
        if (t < 0)
            rc = 1;
        if (wanted(scenarios, "rest")) {
            sim_run_until(sim, sim_now(sim) + 10);
            sim_traffic_reset(sim);
            sim_run_until(sim, sim_now(sim) + rest_s);
            struct sim_traffic tr;
            sim_traffic(sim, &tr);
            double per = (double)n * tr.seconds;
            printf("%s n=%zu seed=%zu rest: probes+acks %.2f msgs/s %.0f B/s "
                   "per node (ping-req %.3f msgs/s); largest ping %llu B\n",
                   protocol, n, s,
                   (double)(tr.messages[SIM_PING] + tr.messages[SIM_PINGREQ]) /
                       per,
                   (double)(tr.bytes[SIM_PING] + tr.bytes[SIM_PINGREQ]) / per,
                   (double)tr.messages[SIM_PINGREQ] / per,
                   (unsigned long long)tr.largest[SIM_PING]);
            printf("%s n=%zu seed=%zu rest: push-pull %.3f msgs/s %.0f B/s "
                   "per node; largest %llu B (cpu %.1f s)\n",
                   protocol, n, s, (double)tr.messages[SIM_SYNC] / per,
                   (double)tr.bytes[SIM_SYNC] / per,
                   (unsigned long long)tr.largest[SIM_SYNC], sim_cpu_seconds());
        }
        if (wanted(scenarios, "crash")) {
            size_t crashed = n / 3;
            sim_crash(sim, crashed);
            double at = sim_now(sim);
            double known = sim_run_until_true(sim, at + 120, 0.1,
                                              sim_done_down_known, &crashed);
            printf("%s n=%zu seed=%zu crash: known everywhere %.1f s after "
                   "it (cpu %.1f s)\n",
                   protocol, n, s, known < 0 ? -1 : known - at,
                   sim_cpu_seconds());
            sim_run_until(sim, sim_now(sim) + 30);
        }
        if (wanted(scenarios, "loss")) {
            uint64_t before = verdicts(sim, legacy);
            sim_set_loss(sim, 0.2);
            sim_run_until(sim, sim_now(sim) + phase_s);
            sim_set_loss(sim, 0);
            uint64_t got = verdicts(sim, legacy) - before;
            loss_total += got;
            printf("%s n=%zu seed=%zu loss: 20%% loss for %.0f s: %llu false "
                   "offline verdicts (cpu %.1f s)\n",
                   protocol, n, s, phase_s, (unsigned long long)got,
                   sim_cpu_seconds());
            sim_run_until(sim, sim_now(sim) + 30);
        }
        if (wanted(scenarios, "slow")) {
            uint64_t before = verdicts(sim, legacy);
            for (size_t i = 0; i < n; i += 10)
                sim_set_slow(sim, i, true);
            sim_run_until(sim, sim_now(sim) + phase_s);
            uint64_t got = verdicts(sim, legacy) - before;
            slow_total += got;
            printf("%s n=%zu seed=%zu slow: 10%% of nodes 2.5 s late for %.0f "
                   "s: %llu false offline verdicts (cpu %.1f s)\n",
                   protocol, n, s, phase_s, (unsigned long long)got,
                   sim_cpu_seconds());
        }
        fflush(stdout);
        sim_free(sim);
    }
    if (wanted(scenarios, "loss") || wanted(scenarios, "slow"))
        printf("%s n=%zu total over %zu seeds: %llu false offline verdicts "
               "under loss, %llu with slow nodes\n",
               protocol, n, seeds, (unsigned long long)loss_total,
               (unsigned long long)slow_total);
    return rc;
}
