/*
 * Mesh membership on simulated meshes (tests/sim): many meshes in one
 * process on a fake clock, messages delayed, lost or answered late by an
 * event-queue transport, so joins, probes, suspicions, refutations and
 * admission are checked exactly, in simulated seconds.
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
#include <unistd.h>

#include <cmocka.h>

#include "sim.h"

static struct sim *new_sim(size_t n, double loss)
{
    struct sim_config c;
    sim_config_init(&c);
    c.n = n;
    c.loss = loss;
    struct sim *sim = sim_new(&c);
    assert_non_null(sim);
    return sim;
}

/* Node 0 first, then the others within a second, all through node 0. */
static void boot_star(struct sim *sim, size_t from, size_t to)
{
    const size_t seed = 0;
    for (size_t i = from; i < to; i++)
        sim_boot(sim, i, 0.001 * (double)i, i == 0 ? NULL : &seed,
                 i == 0 ? 0 : 1);
}

static bool converged(struct sim *sim, void *arg)
{
    (void)arg;
    return sim_converged(sim);
}

static double converge(struct sim *sim, double within)
{
    double t =
        sim_run_until_true(sim, sim_now(sim) + within, 0.1, converged, NULL);
    assert_true(t >= 0);
    return t;
}

static void test_mesh_seed_join_is_mutual_within_two_seconds(void **state)
{
    (void)state;
    struct sim *sim = new_sim(2, 0);
    boot_star(sim, 0, 2);
    sim_run_until(sim, 0.0005);
    assert_int_equal(sim_view(sim, 0, 1), PAGLETS__MESH_UNKNOWN);
    assert_true(converge(sim, 2) <= 2);
    char url[PAGLETS_URL_MAX];
    assert_int_equal(
        paglets__mesh_resolve(sim_mesh(sim, 1), "n0", url, sizeof(url)), 0);
    assert_string_equal(url, "http://10.0.0.0:8765");
    assert_int_equal(
        paglets__mesh_resolve(sim_mesh(sim, 1), "nope", url, sizeof(url)),
        -ENOENT);
    sim_free(sim);
}

static void test_mesh_other_version_is_never_listed(void **state)
{
    (void)state;
    struct sim *sim = new_sim(3, 0);
    sim_set_version(sim, 2, "v2");
    const size_t seeds[] = {0, 1};
    sim_boot(sim, 0, 0, NULL, 0);
    sim_boot(sim, 1, 0, seeds, 1);
    sim_boot(sim, 2, 0, seeds, 2);
    for (int s = 0; s < 20; s++) {
        sim_run_until(sim, sim_now(sim) + 1);
        for (size_t i = 0; i < 2; i++)
            assert_int_equal(sim_view(sim, i, 2), PAGLETS__MESH_UNKNOWN);
        assert_int_equal(sim_view(sim, 2, 0), PAGLETS__MESH_UNKNOWN);
    }
    assert_int_equal(sim_view(sim, 0, 1), PAGLETS__MESH_ALIVE);
    sim_free(sim);
}

/*
 * Messages and bytes each node sends per second at rest, probes and acks
 * apart from push-pulls: the target is 3 and 2 KiB.
 */
static void check_rest(struct sim *sim, size_t n, double seconds)
{
    sim_traffic_reset(sim);
    sim_run_until(sim, sim_now(sim) + seconds);
    struct sim_traffic t;
    sim_traffic(sim, &t);
    double per = (double)n * t.seconds;
    double msgs =
        (double)(t.messages[SIM_PING] + t.messages[SIM_PINGREQ]) / per;
    double bytes = (double)(t.bytes[SIM_PING] + t.bytes[SIM_PINGREQ]) / per;
    print_message("%zu nodes at rest: %.2f messages/s, %.0f B/s per node; "
                  "push-pull %.3f messages/s, %.0f B/s\n",
                  n, msgs, bytes, (double)t.messages[SIM_SYNC] / per,
                  (double)t.bytes[SIM_SYNC] / per);
    assert_true(msgs <= 3);
    assert_true(bytes <= 2048);
    assert_true(sim_converged(sim));
}

static void test_mesh_64_hosts_converge_and_rest_calmly(void **state)
{
    (void)state;
    struct sim *sim = new_sim(64, 0);
    boot_star(sim, 0, 64);
    double t = converge(sim, 10);
    print_message("64 nodes (star): converged at %.1f s\n", t);
    check_rest(sim, 64, 60);
    assert_int_equal(sim_false_offline(sim), 0);
    sim_free(sim);
}

/*
 * Each node knows only the one before it: news must travel by gossip and
 * syncs, not through one seed that everybody asks.
 */
static void test_mesh_64_hosts_in_a_chain_converge(void **state)
{
    (void)state;
    struct sim *sim = new_sim(64, 0);
    for (size_t i = 0; i < 64; i++) {
        size_t seed = i - 1;
        sim_boot(sim, i, 0.01 * (double)i, i ? &seed : NULL, i ? 1 : 0);
    }
    double t = converge(sim, 120);
    print_message("64 nodes (chain): converged at %.1f s\n", t);
    sim_free(sim);
}

struct viewers {
    size_t subject;
    int states; /* bit per acceptable state */
};

static bool all_see(struct sim *sim, void *arg)
{
    const struct viewers *v = arg;
    for (size_t i = 0; i < sim_size(sim); i++) {
        if (i == v->subject || !sim_is_up(sim, i))
            continue;
        if (!(v->states & (1 << sim_view(sim, i, v->subject))))
            return false;
    }
    return true;
}

#define STATE_BIT(s) (1 << (s))

static void
test_mesh_crashed_host_is_suspect_then_offline_then_back(void **state)
{
    (void)state;
    struct sim *sim = new_sim(8, 0);
    boot_star(sim, 0, 8);
    converge(sim, 5);
    sim_crash(sim, 5);
    double crashed = sim_now(sim);
    struct viewers suspect = {5, STATE_BIT(PAGLETS__MESH_SUSPECT) |
                                     STATE_BIT(PAGLETS__MESH_OFFLINE)};
    double t = sim_run_until_true(sim, crashed + 15, 0.1, all_see, &suspect);
    assert_true(t >= 0);
    print_message("crash known to all 7 at +%.1f s\n", t - crashed);
    struct viewers offline = {5, STATE_BIT(PAGLETS__MESH_OFFLINE)};
    t = sim_run_until_true(sim, crashed + 90, 0.1, all_see, &offline);
    assert_true(t >= 0);
    /* Not before the suspicion's floor, --offline-after (10 s). */
    assert_true(t - crashed >= 10);
    const size_t seed = 0;
    sim_boot(sim, 5, sim_now(sim), &seed, 1);
    assert_true(converge(sim, 10) >= 0);
    sim_free(sim);
}

static void test_mesh_leaving_host_is_offline_at_once(void **state)
{
    (void)state;
    struct sim *sim = new_sim(16, 0);
    boot_star(sim, 0, 16);
    converge(sim, 5);
    double left = sim_now(sim);
    sim_leave(sim, 3);
    struct viewers offline = {3, STATE_BIT(PAGLETS__MESH_OFFLINE)};
    double t = sim_run_until_true(sim, left + 5, 0.05, all_see, &offline);
    assert_true(t >= 0);
    print_message("leave known to all 15 at +%.2f s\n", t - left);
    assert_int_equal(sim_false_offline(sim), 0);
    sim_free(sim);
}

/*
 * A host cut off for a few seconds (shorter than the suspicion) is
 * suspected, refutes with a new incarnation once it is heard again, and
 * nobody ever lists it offline.
 */
static void test_mesh_suspect_host_refutes_before_it_goes_offline(void **state)
{
    (void)state;
    struct sim *sim = new_sim(16, 0);
    boot_star(sim, 0, 16);
    converge(sim, 5);
    sim_set_isolated(sim, 7, true);
    struct viewers suspect = {7, STATE_BIT(PAGLETS__MESH_SUSPECT)};
    double now = sim_now(sim);
    assert_true(sim_run_until_true(sim, now + 8, 0.1, all_see, &suspect) >= 0);
    sim_set_isolated(sim, 7, false);
    converge(sim, 10);
    assert_int_equal(sim_false_offline(sim), 0);
    struct paglets__mesh_stats st;
    paglets__mesh_get_stats(sim_mesh(sim, 7), &st);
    assert_true(st.refutations >= 1);
    sim_free(sim);
}

/* Send one message straight into a mesh; the answer, or NULL with *rc. */
struct captured {
    int rc;
    json_t *reply;
    char message[PAGLETS_ERR_MESSAGE_MAX];
};

static void capture(void *arg, int rc, json_t *reply,
                    const struct paglets_err *err)
{
    struct captured *c = arg;
    c->rc = rc;
    c->reply = reply;
    if (err != NULL)
        snprintf(c->message, sizeof(c->message), "%s", err->message);
}

static json_t *deliver(struct paglets__mesh *mesh, const char *kind,
                       json_t *body, int *rc)
{
    struct captured c = {.rc = 1};
    paglets__mesh_receive(mesh, kind, body, capture, &c);
    json_decref(body);
    assert_int_not_equal(c.rc, 1); /* answered at once */
    *rc = c.rc;
    return c.reply;
}

/*
 * The first poisoning case: a join that lists 1,000 members whose
 * URLs are silent adds its caller alone, and no fake is ever listed alive.
 */
static void test_mesh_join_adds_only_its_caller(void **state)
{
    (void)state;
    struct sim *sim = new_sim(4, 0);
    boot_star(sim, 0, 4);
    converge(sim, 5);
    json_t *members = json_array();
    for (int i = 0; i < 1000; i++) {
        char name[16];
        snprintf(name, sizeof(name), "fake%d", i);
        json_array_append_new(
            members,
            json_pack("{s:s,s:s,s:s,s:I,s:I}", "name", name, "url",
                      "http://10.9.9.9:1", "code_version", "sim", "heartbeat",
                      (json_int_t)5, "incarnation", (json_int_t)7));
    }
    int rc;
    json_t *reply =
        deliver(sim_mesh(sim, 1), "join",
                json_pack("{s:s,s:s,s:s,s:I,s:o}", "name", "mallory", "url",
                          "http://10.9.9.8:1", "code_version", "sim",
                          "incarnation", (json_int_t)1, "members", members),
                &rc);
    assert_int_equal(rc, 0);
    json_decref(reply);
    assert_int_equal(paglets__mesh_state_of(sim_mesh(sim, 1), "mallory"),
                     PAGLETS__MESH_PENDING);
    assert_int_equal(paglets__mesh_state_of(sim_mesh(sim, 1), "fake0"),
                     PAGLETS__MESH_UNKNOWN);
    sim_run_until(sim, sim_now(sim) + 60);
    for (size_t v = 0; v < 4; v++) {
        struct paglets__mesh_stats st;
        paglets__mesh_get_stats(sim_mesh(sim, v), &st);
        assert_int_equal(st.alive, 3);
        assert_int_equal(paglets__mesh_state_of(sim_mesh(sim, v), "mallory"),
                         PAGLETS__MESH_UNKNOWN);
    }
    sim_free(sim);
}

/* 100 pings from alive member n2 to victim, naming 20 fakes each. */
static void inject_fakes(struct sim *sim, struct paglets__mesh *victim,
                         size_t n)
{
    for (int msg = 0; msg < 100; msg++) {
        json_t *updates = json_array();
        for (size_t k = 0; k < 20; k++) {
            size_t f = 3 + ((size_t)msg * 20 + k) % (n - 3);
            char url[48];
            snprintf(url, sizeof(url), "http://10.0.%zu.%zu:8765", f >> 8,
                     f & 255);
            json_array_append_new(updates,
                                  json_pack("[s,s,s,I]", "a", sim_name(sim, f),
                                            url, (json_int_t)1));
        }
        int rc;
        json_t *ack = deliver(victim, "ping",
                              json_pack("{s:[s,s,i],s:s,s:o}", "from", "n2",
                                        "http://10.0.0.2:8765", 1, "to", "n0",
                                        "updates", updates),
                              &rc);
        assert_int_equal(rc, 0);
        json_decref(ack);
    }
}

/* Fakes (nodes 3..n-1) the victim lists alive or probes as pending. */
static size_t fakes_known(struct sim *sim, struct paglets__mesh *victim,
                          size_t n)
{
    size_t known = 0;
    for (size_t f = 3; f < n; f++)
        known += paglets__mesh_state_of(victim, sim_name(sim, f)) !=
                 PAGLETS__MESH_UNKNOWN;
    return known;
}

/*
 * The second: an alive member that gossips 200 members unknown to us, all
 * answering probes, gets at most K of them taken per message and K per
 * minute (K = PAGLETS__MESH_UNKNOWN_K), each only once it answers.
 */
static void test_mesh_unknown_members_per_source_are_bounded(void **state)
{
    (void)state;
    /* Nodes 0-2 are the mesh; 3.. are the "fakes": hosts that answer. */
    size_t n = 203;
    struct sim *sim = new_sim(n, 0);
    boot_star(sim, 0, 3);
    for (size_t i = 3; i < n; i++)
        sim_boot(sim, i, 0, NULL, 0);
    sim_run_until(sim, 5);
    assert_int_equal(sim_view(sim, 0, 1), PAGLETS__MESH_ALIVE);
    assert_int_equal(sim_view(sim, 0, 2), PAGLETS__MESH_ALIVE);
    /* n2 turns attacker: bursts of 100 pings, each naming 20 fakes. */
    struct paglets__mesh *victim = sim_mesh(sim, 0);
    inject_fakes(sim, victim, n);
    sim_run_until(sim, sim_now(sim) + 30);
    size_t known = fakes_known(sim, victim, n);
    print_message("after one burst and 30 s: %zu fakes known\n", known);
    assert_true(known >= 1);
    assert_true(known <= PAGLETS__MESH_UNKNOWN_K);
    /* A minute later the source's budget has refilled by K, no more. */
    sim_run_until(sim, sim_now(sim) + 30);
    inject_fakes(sim, victim, n);
    sim_run_until(sim, sim_now(sim) + 30);
    known = fakes_known(sim, victim, n);
    print_message("after a second burst a minute later: %zu\n", known);
    assert_true(known <= 2 * PAGLETS__MESH_UNKNOWN_K);
    struct paglets__mesh_stats st;
    paglets__mesh_get_stats(victim, &st);
    assert_true(st.unknown_dropped >= 3000);
    sim_free(sim);
}

static void test_mesh_join_refuses_metadata_over_1_kib(void **state)
{
    (void)state;
    struct sim *sim = new_sim(1, 0);
    boot_star(sim, 0, 1);
    sim_run_until(sim, 0.1);
    char big[700];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    int rc;
    json_t *reply = deliver(sim_mesh(sim, 0), "join",
                            json_pack("{s:s,s:s,s:s,s:[s,s]}", "name", "fat",
                                      "url", "http://10.0.0.9:1",
                                      "code_version", "sim", "tags", big, big),
                            &rc);
    assert_null(reply);
    assert_int_equal(rc, -EMSGSIZE);
    assert_int_equal(paglets__mesh_state_of(sim_mesh(sim, 0), "fat"),
                     PAGLETS__MESH_UNKNOWN);
    sim_free(sim);
}

static void test_mesh_full_table_evicts_offline_before_refusing(void **state)
{
    (void)state;
    struct sim_config c;
    sim_config_init(&c);
    c.n = 20;
    c.max_members = 16;
    struct sim *sim = sim_new(&c);
    assert_non_null(sim);
    boot_star(sim, 0, 17);
    converge(sim, 10);
    /* Two members crash and go offline everywhere. */
    sim_crash(sim, 15);
    sim_crash(sim, 16);
    struct viewers off = {15, STATE_BIT(PAGLETS__MESH_OFFLINE)};
    assert_true(
        sim_run_until_true(sim, sim_now(sim) + 120, 0.5, all_see, &off) >= 0);
    /* Two real newcomers take their places at node 0. */
    const size_t seed = 0;
    sim_boot(sim, 17, sim_now(sim), &seed, 1);
    sim_boot(sim, 18, sim_now(sim), &seed, 1);
    sim_run_until(sim, sim_now(sim) + 10);
    assert_int_equal(sim_view(sim, 0, 17), PAGLETS__MESH_ALIVE);
    assert_int_equal(sim_view(sim, 0, 18), PAGLETS__MESH_ALIVE);
    struct paglets__mesh_stats st;
    paglets__mesh_get_stats(sim_mesh(sim, 0), &st);
    assert_true(st.evictions >= 2);
    /* Full of live members now: one more is refused, with 503. */
    int rc;
    json_t *reply =
        deliver(sim_mesh(sim, 0), "join",
                json_pack("{s:s,s:s,s:s}", "name", "late", "url",
                          "http://10.0.0.19:8765", "code_version", "sim"),
                &rc);
    assert_null(reply);
    assert_int_equal(rc, -EAGAIN);
    sim_free(sim);
}

/*
 * Lifeguard: a host that never hears answers (its own links are the
 * problem) raises its local health multiplier and so stretches its probe
 * interval and timeouts instead of accusing everybody at full speed.
 */
static void test_mesh_deaf_host_raises_its_local_health(void **state)
{
    (void)state;
    struct sim *sim = new_sim(8, 0);
    boot_star(sim, 0, 8);
    converge(sim, 5);
    sim_set_deaf(sim, 4, true);
    sim_run_until(sim, sim_now(sim) + 30);
    struct paglets__mesh_stats deaf, fine;
    paglets__mesh_get_stats(sim_mesh(sim, 4), &deaf);
    paglets__mesh_get_stats(sim_mesh(sim, 1), &fine);
    print_message("deaf host: health %u; a healthy one: %u\n",
                  deaf.local_health, fine.local_health);
    assert_true(deaf.local_health >= 3);
    assert_int_equal(fine.local_health, 0);
    sim_set_deaf(sim, 4, false);
    sim_free(sim);
}

/* State changes beyond 20 per 10 s are counted into one summary line. */
static void test_mesh_state_change_logs_are_rate_limited(void **state)
{
    (void)state;
    char path[] = "/tmp/paglets-test-mesh-log.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    paglets_log_set_level(PAGLETS_LOG_INFO);
    struct sim *sim = new_sim(64, 0);
    boot_star(sim, 0, 64);
    converge(sim, 10);
    for (size_t i = 1; i < 64; i++)
        sim_crash(sim, i);
    sim_run_until(sim, sim_now(sim) + 120);
    sim_free(sim);
    paglets_log_set_level(PAGLETS_LOG_WARN);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *f = fdopen(fd, "r");
    assert_non_null(f);
    rewind(f);
    char line[512];
    size_t lines = 0, summaries = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        lines++;
        summaries += strstr(line, "more state changes") != NULL;
    }
    fclose(f);
    unlink(path);
    print_message("node 0 and the rest logged %zu lines, %zu summaries\n",
                  lines, summaries);
    assert_true(summaries >= 1);
    /* 64 nodes, 14 windows of 10 s: at most 21 lines each a window. */
    assert_true(lines <= 64 * 14 * 21);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mesh_seed_join_is_mutual_within_two_seconds),
        cmocka_unit_test(test_mesh_other_version_is_never_listed),
        cmocka_unit_test(test_mesh_64_hosts_converge_and_rest_calmly),
        cmocka_unit_test(test_mesh_64_hosts_in_a_chain_converge),
        cmocka_unit_test(
            test_mesh_crashed_host_is_suspect_then_offline_then_back),
        cmocka_unit_test(test_mesh_leaving_host_is_offline_at_once),
        cmocka_unit_test(test_mesh_suspect_host_refutes_before_it_goes_offline),
        cmocka_unit_test(test_mesh_join_adds_only_its_caller),
        cmocka_unit_test(test_mesh_unknown_members_per_source_are_bounded),
        cmocka_unit_test(test_mesh_join_refuses_metadata_over_1_kib),
        cmocka_unit_test(test_mesh_full_table_evicts_offline_before_refusing),
        cmocka_unit_test(test_mesh_deaf_host_raises_its_local_health),
        cmocka_unit_test(test_mesh_state_change_logs_are_rate_limited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
