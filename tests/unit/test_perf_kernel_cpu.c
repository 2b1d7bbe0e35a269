/*
 * CPU kernels: the SHA-256 helper against FIPS 180-2, positive rates at
 * tiny durations, and the thread-per-worker runner.
 */
#include "compat.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "perf/kernel_cpu.h"
#include "perf/platform.h"
#include "perf_fixture.h"

static void hex(const unsigned char *d, char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_sha256_matches_fips_180_2_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *msg;
        const char *digest;
    } cases[] = {
        {"abc", "ba7816bf8f01cfea414140de5dae2223"
                "b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039"
         "a33ce45964ff2167f6ecedd419db06c1"},
        {"", "e3b0c44298fc1c149afbf4c8996fb924"
             "27ae41e4649b934ca495991b7852b855"},
    };
    struct paglets__perf_sha256 h;
    assert_int_equal(paglets__perf_sha256_init(&h), 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char d[32];
        char text[65];
        size_t len = strlen(cases[i].msg);
        assert_int_equal(
            paglets__perf_sha256_digest(&h, cases[i].msg, len, "", 0, d), 0);
        hex(d, text);
        assert_string_equal(text, cases[i].digest);
        /* Split between head and tail: the same digest. */
        assert_int_equal(paglets__perf_sha256_digest(&h, cases[i].msg, len / 2,
                                                     cases[i].msg + len / 2,
                                                     len - len / 2, d),
                         0);
        hex(d, text);
        assert_string_equal(text, cases[i].digest);
    }
    /* One million 'a' (FIPS 180-2 appendix B.3). */
    char *million = malloc(1000000);
    assert_non_null(million);
    memset(million, 'a', 1000000);
    unsigned char d[32];
    char text[65];
    assert_int_equal(
        paglets__perf_sha256_digest(&h, million, 1000000, NULL, 0, d), 0);
    hex(d, text);
    assert_string_equal(text, "cdc76e5c9914fb9281a1c7e284d73e67"
                              "f1809a48a497200e046d39ccc7112cd0");
    free(million);
    paglets__perf_sha256_release(&h);
}

static void test_each_kernel_gives_positive_rates(void **state)
{
    (void)state;
    for (int i = 0; i < PAGLETS_PERF_CPU_KERNELS; i++) {
        const struct paglets__perf_cpu_kernel *k =
            &paglets__perf_cpu_kernels[i];
        struct paglets__perf_sample s = {0};
        const struct paglets__perf_job job =
            paglets__perf_job_single(0.01, NULL, NULL);
        assert_int_equal(k->run(&job, &s), 0);
        assert_true(s.elapsed >= 0.01);
        assert_true(s.operations > 0);
        if (strcmp(k->name, "sha256") == 0)
            assert_int_equal(s.bytes, s.operations * 69632);
        else
            assert_int_equal(s.bytes, 0);
    }
}

/*
 * A kernel whose workers take known, different times: each reports the
 * elapsed time of its rank, its position among the workers' samples (the
 * runner gives each worker its own), once all have arrived. The slowest is
 * in the middle, so a runner that kept the first or the last worker's
 * time, or the last to finish, fails.
 */
#define RANKED_WORKERS 3
static const double ranked_elapsed[RANKED_WORKERS] = {0.25, 0.75, 0.5};
static struct {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    const struct paglets__perf_sample *arrived[RANKED_WORKERS];
    unsigned n;
} ranked = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0};

static int ranked_kernel(const struct paglets__perf_job *job,
                         struct paglets__perf_sample *s)
{
    (void)job;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10; /* the runner starts all workers together */
    pthread_mutex_lock(&ranked.mutex);
    if (ranked.n < RANKED_WORKERS)
        ranked.arrived[ranked.n++] = s;
    pthread_cond_broadcast(&ranked.cond);
    while (ranked.n < RANKED_WORKERS &&
           pthread_cond_timedwait(&ranked.cond, &ranked.mutex, &deadline) !=
               ETIMEDOUT)
        ;
    unsigned rank = 0;
    for (unsigned i = 0; i < ranked.n; i++)
        rank += (uintptr_t)ranked.arrived[i] < (uintptr_t)s;
    bool all = ranked.n == RANKED_WORKERS;
    pthread_mutex_unlock(&ranked.mutex);
    if (!all)
        return -ETIMEDOUT;
    s->elapsed = ranked_elapsed[rank];
    s->operations = 1u << rank;
    s->bytes = 100u << rank;
    return 0;
}

static void test_parallel_sums_workers_and_takes_slowest(void **state)
{
    (void)state;
    struct paglets__perf_sample total = {0};
    struct paglets_err err = {0};
    const struct paglets__perf_job job =
        paglets__perf_job_single(0.01, NULL, NULL);
    assert_int_equal(paglets__perf_run_parallel(ranked_kernel, &job,
                                                RANKED_WORKERS, &total, &err),
                     0);
    /* Each rank exactly once: 1 + 2 + 4 operations, 100 + 200 + 400 bytes. */
    assert_int_equal(total.operations, 7);
    assert_int_equal(total.bytes, 700);
    assert_true(total.elapsed == 0.75);
}

static void test_parallel_runs_the_kernel_in_every_worker(void **state)
{
    (void)state;
    struct paglets__perf_sample three = {0};
    struct paglets_err err = {0};
    const struct paglets__perf_job job =
        paglets__perf_job_single(0.01, NULL, NULL);
    assert_int_equal(
        paglets__perf_run_parallel(paglets__perf_cpu_kernels[0].run, &job, 3,
                                   &three, &err),
        0);
    assert_true(three.elapsed >= 0.01);
    /* Each worker runs whole batches of 10,000 steps at least once. */
    assert_true(three.operations >= 3 * 10000);
    assert_int_equal(three.operations % 10000, 0);
}

static int failing_kernel(const struct paglets__perf_job *job,
                          struct paglets__perf_sample *s)
{
    (void)job;
    s->operations = 1;
    return -EIO;
}

static void test_parallel_reports_a_failed_worker(void **state)
{
    (void)state;
    struct paglets__perf_sample s = {0};
    struct paglets_err err = {0};
    const struct paglets__perf_job job =
        paglets__perf_job_single(0.01, NULL, NULL);
    assert_int_equal(
        paglets__perf_run_parallel(failing_kernel, &job, 2, &s, &err), -EIO);
    assert_non_null(strstr(err.message, "worker 1 failed"));
}

static void test_cpu_run_fills_both_metric_lists(void **state)
{
    (void)state;
    struct paglets_perf_request req;
    paglets_perf_request_init(&req);
    req.duration_seconds = 0; /* floored to 0.01 s */
    req.workers = 2;
    struct paglets_perf_cpu_result r = {0};
    assert_int_equal(paglets__perf_cpu_run(&req, NULL, &r), 0);
    assert_int_equal(r.errors.n, 0);
    assert_int_equal(r.workers, 2);
    assert_true(r.logical_cpus >= 1);
    assert_true(r.physical_cpus == -1 || r.physical_cpus >= 1);
    static const char *const single[] = {"integer", "float", "sha256"};
    static const char *const multi[] = {"integer-multi", "float-multi",
                                        "sha256-multi"};
    assert_int_equal(r.single_core.n, 3);
    assert_int_equal(r.multi_core.n, 3);
    const struct paglets_perf_metric *s = r.single_core.items;
    const struct paglets_perf_metric *m = r.multi_core.items;
    for (int i = 0; i < 3; i++) {
        assert_string_equal(s[i].name, single[i]);
        assert_string_equal(m[i].name, multi[i]);
        assert_true(s[i].operations_per_second > 0);
        assert_true(m[i].operations_per_second > 0);
        assert_true(s[i].duration_seconds >= 0.01);
    }
    assert_true(s[2].bytes_per_second > 0 && m[2].bytes_per_second > 0);
    paglets__perf_cpu_result_release(&r);
    paglets_perf_request_release(&req);
}

/* Work between two stop checks: 10,000 steps, or one digest. */
static uint64_t batch_of(const struct paglets__perf_cpu_kernel *k)
{
    return strcmp(k->name, "sha256") == 0 ? 1 : 10000;
}

/*
 * Stopping: every kernel asks once per batch (each well under 50 ms of
 * work), and one told to stop returns at once with what it did, even with
 * an hour left to run.
 */
static void test_kernels_ask_to_stop_after_every_batch(void **state)
{
    (void)state;
    for (int i = 0; i < PAGLETS_PERF_CPU_KERNELS; i++) {
        const struct paglets__perf_cpu_kernel *k =
            &paglets__perf_cpu_kernels[i];
        struct fixture_stop never = {0};
        const struct paglets__perf_stop stop = {fixture_stop_requested, &never};
        struct paglets__perf_job job =
            paglets__perf_job_single(0.01, &stop, NULL);
        struct paglets__perf_sample s = {0};
        assert_int_equal(k->run(&job, &s), 0);
        assert_int_equal(atomic_load(&never.asked), s.operations / batch_of(k));

        struct fixture_stop third = {.stop_at = 3};
        const struct paglets__perf_stop stop3 = {fixture_stop_requested,
                                                 &third};
        job = paglets__perf_job_single(3600, &stop3, NULL);
        s = (struct paglets__perf_sample){0};
        assert_int_equal(k->run(&job, &s), -ECANCELED);
        assert_int_equal(atomic_load(&third.asked), 3);
        assert_int_equal(s.operations, 3 * batch_of(k));
    }
}

static void test_stopped_parallel_run_and_cpu_part_end(void **state)
{
    (void)state;
    struct fixture_stop f = {.stop_at = 1};
    const struct paglets__perf_stop stop = {fixture_stop_requested, &f};
    const struct paglets__perf_job job =
        paglets__perf_job_single(3600, &stop, NULL);
    struct paglets__perf_sample s = {0};
    struct paglets_err err = {0};
    assert_int_equal(paglets__perf_run_parallel(
                         paglets__perf_cpu_kernels[0].run, &job, 3, &s, &err),
                     -ECANCELED);
    assert_int_equal(atomic_load(&f.asked), 3); /* one batch per worker */

    struct paglets_perf_request req;
    paglets_perf_request_init(&req);
    req.duration_seconds = 3600;
    req.workers = 2;
    struct paglets_perf_cpu_result r = {0};
    atomic_store(&f.asked, 0);
    f.stop_at = 5;
    assert_int_equal(paglets__perf_cpu_run(&req, &stop, &r), -ECANCELED);
    assert_int_equal(atomic_load(&f.asked), 5);
    /* The kernel it cut has no metric, and no error is made up. */
    assert_int_equal(r.errors.n, 0);
    assert_int_equal(r.single_core.n, 0);
    paglets__perf_cpu_result_release(&r);
    paglets_perf_request_release(&req);
}

static void test_physical_cpus_unknown_without_topology(void **state)
{
    (void)state;
    assert_int_equal(paglets__perf_physical_cpus("/nonexistent/cpu"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_matches_fips_180_2_vectors),
        cmocka_unit_test(test_each_kernel_gives_positive_rates),
        cmocka_unit_test(test_parallel_sums_workers_and_takes_slowest),
        cmocka_unit_test(test_parallel_runs_the_kernel_in_every_worker),
        cmocka_unit_test(test_parallel_reports_a_failed_worker),
        cmocka_unit_test(test_cpu_run_fills_both_metric_lists),
        cmocka_unit_test(test_physical_cpus_unknown_without_topology),
        cmocka_unit_test(test_kernels_ask_to_stop_after_every_batch),
        cmocka_unit_test(test_stopped_parallel_run_and_cpu_part_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
