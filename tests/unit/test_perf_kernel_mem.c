/*
 * Memory kernels: positive rates at tiny durations, whole buffers counted,
 * and the DRAM buffer sizing rule.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "perf/kernel_mem.h"

static void test_memory_run_gives_three_positive_metrics(void **state)
{
    (void)state;
    struct paglets_perf_memory_result r = {0};
    const uint64_t dram = 16u << 20;
    assert_int_equal(paglets__perf_memory_run(0.01, dram, &r), 0);
    assert_int_equal(r.errors.n, 0);
    assert_int_equal(r.metrics.n, 3);
    static const char *const names[] = {"memory-copy", "memory-scan",
                                        "memory-copy-dram"};
    const uint64_t sizes[] = {8u << 20, 8u << 20, dram};
    const struct paglets_perf_metric *m = r.metrics.items;
    for (int i = 0; i < 3; i++) {
        assert_string_equal(m[i].name, names[i]);
        assert_true(m[i].operations >= 1);
        assert_int_equal(m[i].bytes_processed, m[i].operations * sizes[i]);
        assert_true(m[i].bytes_per_second > 0);
        assert_true(m[i].duration_seconds >= 0.01);
    }
    paglets__perf_memory_result_release(&r);
}

static void test_dram_buffer_is_bounded(void **state)
{
    (void)state;
    uint64_t size = paglets__perf_dram_buffer_bytes();
    assert_true(size >= 8u << 20);
    assert_true(size <= 1u << 30);
    assert_int_equal(size % 4096, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_run_gives_three_positive_metrics),
        cmocka_unit_test(test_dram_buffer_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
