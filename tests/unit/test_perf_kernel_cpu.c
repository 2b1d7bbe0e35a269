/*
 * CPU kernels: the SHA-256 helper against FIPS 180-2, positive rates at
 * tiny durations, and the thread-per-worker runner.
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

#include "perf/kernel_cpu.h"
#include "perf/platform.h"

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
        assert_int_equal(k->run(0.01, &s), 0);
        assert_true(s.elapsed >= 0.01);
        assert_true(s.operations > 0);
        if (strcmp(k->name, "sha256") == 0)
            assert_int_equal(s.bytes, s.operations * 69632);
        else
            assert_int_equal(s.bytes, 0);
    }
}

static void test_parallel_sums_workers_and_takes_slowest(void **state)
{
    (void)state;
    struct paglets__perf_sample one = {0}, three = {0};
    struct paglets_err err = {0};
    assert_int_equal(paglets__perf_cpu_kernels[0].run(0.01, &one), 0);
    assert_int_equal(
        paglets__perf_run_parallel(paglets__perf_cpu_kernels[0].run, 3, 0.01,
                                   &three, &err),
        0);
    assert_true(three.elapsed >= 0.01);
    /* Each worker runs whole batches of 10,000 steps at least once. */
    assert_true(three.operations >= 3 * 10000);
    assert_int_equal(three.operations % 10000, 0);
}

static int failing_kernel(double seconds, struct paglets__perf_sample *s)
{
    (void)seconds;
    s->operations = 1;
    return -EIO;
}

static void test_parallel_reports_a_failed_worker(void **state)
{
    (void)state;
    struct paglets__perf_sample s = {0};
    struct paglets_err err = {0};
    assert_int_equal(
        paglets__perf_run_parallel(failing_kernel, 2, 0.01, &s, &err), -EIO);
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
    assert_int_equal(paglets__perf_cpu_run(&req, &r), 0);
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
        cmocka_unit_test(test_parallel_reports_a_failed_worker),
        cmocka_unit_test(test_cpu_run_fills_both_metric_lists),
        cmocka_unit_test(test_physical_cpus_unknown_without_topology),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
