/*
 * Memory kernels: positive rates at tiny durations, whole buffers (or
 * slices) counted, set-up time apart from kernel time, stop checks between
 * chunks, and the DRAM buffer sizing rule with the last-level caches it
 * is sized from.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "perf/kernel_mem.h"
#include "perf/platform.h"
#include "perf_fixture.h"

#define MIB (1ull << 20)

static const char *const names[] = {
    "memory-copy", "memory-scan", "memory-copy-dram", "memory-copy-dram-multi"};

static void tiny_request(struct paglets_perf_request *req, double seconds)
{
    paglets_perf_request_init(req);
    req->duration_seconds = seconds;
    req->workers = 2;
}

static void test_memory_run_gives_four_positive_metrics(void **state)
{
    (void)state;
    struct paglets_perf_request req;
    tiny_request(&req, 0.01);
    struct paglets_perf_memory_result r = {0};
    const uint64_t dram = 16 * MIB;
    assert_int_equal(paglets__perf_memory_run(&req, dram, NULL, &r), 0);
    assert_int_equal(r.errors.n, 0);
    assert_int_equal(r.metrics.n, 4);
    /* The multi-worker copy counts each worker's slice: half the buffer. */
    const uint64_t sizes[] = {8 * MIB, 8 * MIB, dram, dram / 2};
    const struct paglets_perf_metric *m = r.metrics.items;
    for (int i = 0; i < 4; i++) {
        assert_string_equal(m[i].name, names[i]);
        assert_true(m[i].operations >= 1);
        assert_int_equal(m[i].bytes_processed, m[i].operations * sizes[i]);
        assert_true(m[i].bytes_per_second > 0);
        assert_true(m[i].duration_seconds >= 0.01);
        /* Buffers are prepared before the clock: set-up is apart. */
        assert_true(i == 3 ? m[i].setup_seconds == 0 : m[i].setup_seconds > 0);
    }
    /* Two workers, each at least one copy of its slice. */
    assert_true(m[3].operations >= 2);
    paglets__perf_memory_result_release(&r);
    paglets_perf_request_release(&req);
}

/*
 * Every 16 MiB of a copy, every scan of 8 MiB and every 16 MiB faulted in
 * is one batch between stop checks, counted from the figures of a run.
 */
static void test_memory_kernels_ask_to_stop_between_chunks(void **state)
{
    (void)state;
    struct paglets_perf_request req;
    tiny_request(&req, 0.01);
    struct fixture_stop never = {0};
    const struct paglets__perf_stop stop = {fixture_stop_requested, &never};
    struct paglets_perf_memory_result r = {0};
    const uint64_t dram = 64 * MIB;
    const uint64_t chunks = dram / PAGLETS_PERF_MEM_CHUNK_BYTES;
    assert_int_equal(paglets__perf_memory_run(&req, dram, &stop, &r), 0);
    assert_int_equal(r.metrics.n, 4);
    const struct paglets_perf_metric *m = r.metrics.items;
    uint64_t batches = 2 + m[0].operations             /* memory-copy */
                       + m[1].operations               /* memory-scan */
                       + 2 * chunks                    /* faulting in */
                       + chunks * m[2].operations      /* memory-copy-dram */
                       + chunks / 2 * m[3].operations; /* half per worker */
    assert_true(atomic_load(&never.asked) >= batches);
    paglets__perf_memory_result_release(&r);
    paglets_perf_request_release(&req);
}

/*
 * Told to stop anywhere (in the cache copy, the scan, while faulting in,
 * in either DRAM copy), the part ends at once even with an hour to go: at
 * most one more question per other worker, the cut kernel without a
 * metric, no error made up.
 */
static void test_stopped_memory_part_ends_at_once(void **state)
{
    (void)state;
    struct paglets_perf_request req;
    tiny_request(&req, 3600);
    static const unsigned long stop_at[] = {1, 2, 3, 4, 6, 12};
    for (size_t i = 0; i < sizeof(stop_at) / sizeof(stop_at[0]); i++) {
        struct fixture_stop f = {.stop_at = stop_at[i]};
        const struct paglets__perf_stop stop = {fixture_stop_requested, &f};
        struct paglets_perf_memory_result r = {0};
        assert_int_equal(paglets__perf_memory_run(&req, 64 * MIB, &stop, &r),
                         -ECANCELED);
        assert_true(atomic_load(&f.asked) <= stop_at[i] + req.workers - 1);
        assert_int_equal(r.errors.n, 0);
        assert_true(r.metrics.n < 4);
        paglets__perf_memory_result_release(&r);
    }
    paglets_perf_request_release(&req);
}

/* madvise as a kernel before 5.14 (EINVAL) or out of memory answers it. */
static int advise_errno;
static int advise_calls;
static int fake_advise(void *p, size_t len, int advice)
{
    (void)p, (void)len, (void)advice;
    advise_calls++;
    errno = advise_errno;
    return -1;
}

/* Pages of [p, p + len) the kernel has mapped in. */
static size_t resident(unsigned char *p, size_t len)
{
    unsigned char vec[64];
    size_t n = 0;
    assert_true(len / 4096 <= sizeof(vec));
    assert_int_equal(mincore(p, len, vec), 0);
    for (size_t i = 0; i < len / 4096; i++)
        n += vec[i] & 1;
    return n;
}

static void test_populate_falls_back_to_touching_pages(void **state)
{
    (void)state;
    const size_t len = 64 * 4096;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    assert_int_equal(resident(p, len), 0);
    advise_errno = EINVAL;
    advise_calls = 0;
    assert_int_equal(paglets__perf_populate(p, len, NULL, fake_advise), 0);
    assert_int_equal(resident(p, len), 64);
    assert_int_equal(advise_calls, 1); /* asked once, then by hand */
    munmap(p, len);

    /* The real call, where the kernel has it, faults the pages as well. */
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
             0);
    assert_true(p != MAP_FAILED);
    assert_int_equal(paglets__perf_populate(p, len, NULL, madvise), 0);
    assert_int_equal(resident(p, len), 64);
    munmap(p, len);
}

static void test_populate_reports_other_failures(void **state)
{
    (void)state;
    unsigned char page[4096];
    advise_errno = ENOMEM;
    assert_int_equal(
        paglets__perf_populate(page, sizeof(page), NULL, fake_advise), -ENOMEM);
}

static void test_dram_plan_follows_the_caches_and_memory(void **state)
{
    (void)state;
    const uint64_t GIB = 1024 * MIB;
    static const struct {
        uint64_t llc, available;
        int rc;
        uint64_t bytes;
    } cases[] = {
        {32 * MIB, 24 * GIB, 0, 128 * MIB},  /* 4 x LLC */
        {256 * MIB, 64 * GIB, 0, 1 * GIB},   /* 8 CCDs of 32 MiB */
        {512 * MIB, 64 * GIB, 0, 2 * GIB},   /* two sockets: no 1 GiB cap */
        {3 * MIB, 8 * GIB, 0, 12 * MIB},     /* whole 2 MiB pages */
        {3 * MIB + 1, 8 * GIB, 0, 14 * MIB}, /* rounded up */
        {1 * MIB, 8 * GIB, 0, 8 * MIB},      /* never below 8 MiB */
        {0, 24 * GIB, 0, 256 * MIB},         /* no cache size reported */
        {0, 0, 0, 256 * MIB},                /* nothing known at all */
        {0, 1 * GIB, 0, 128 * MIB},          /* unknown cache: shrinks */
        {32 * MIB, 1 * GIB, 0, 128 * MIB},   /* exactly a quarter */
        {32 * MIB, 1 * GIB - 1, -ENOMEM, 0}, /* below 4 x LLC: an error */
        {0, 32 * MIB, -ENOMEM, 0},           /* 4 MiB would be the cache */
        {UINT64_MAX, 8 * GIB, -EOVERFLOW, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t bytes = 7;
        struct paglets_err err = {0};
        int rc = paglets__perf_dram_plan(cases[i].llc, cases[i].available,
                                         &bytes, &err);
        assert_int_equal(rc, cases[i].rc);
        assert_int_equal(bytes, rc == 0 ? cases[i].bytes : 7);
        assert_true(rc == 0 || err.message[0] != '\0');
    }
}

/* Write `text` to root/rel, creating its directories. */
static void put(const char *root, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    for (char *p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* One cache of one CPU: cpuN/cache/indexI with its four files. */
static void cache(const char *root, int cpu, int index, const char *level,
                  const char *type, const char *size, const char *shared)
{
    static const char *const files[] = {"level", "type", "size",
                                        "shared_cpu_list"};
    const char *values[] = {level, type, size, shared};
    for (int i = 0; i < 4; i++) {
        char rel[128];
        snprintf(rel, sizeof(rel), "cpu%d/cache/index%d/%s", cpu, index,
                 files[i]);
        if (values[i] != NULL)
            put(root, rel, values[i]);
    }
}

static void test_llc_sums_each_instance_once(void **state)
{
    char root[512];
    /* Two L3s of 16 MiB shared by cpus 0-1 and 2-3 (two CCDs). */
    snprintf(root, sizeof(root), "%s/ccds", (char *)*state);
    for (int cpu = 0; cpu < 4; cpu++) {
        cache(root, cpu, 0, "1\n", "Data\n", "32K\n", "0\n");
        cache(root, cpu, 1, "1\n", "Instruction\n", "32K\n", "0\n");
        cache(root, cpu, 2, "2\n", "Unified\n", "512K\n", "0\n");
        cache(root, cpu, 3, "3\n", "Unified\n", "16384K\n",
              cpu < 2 ? "0-1\n" : "2-3\n");
    }
    put(root, "cpufreq/policy0/x", "not a cpu\n");
    put(root, "online", "0-3\n");
    assert_int_equal(paglets__perf_llc_bytes(root), 32 * MIB);

    /* No shared_cpu_list: each CPU's cache counts as its own. */
    snprintf(root, sizeof(root), "%s/unshared", (char *)*state);
    for (int cpu = 0; cpu < 2; cpu++)
        cache(root, cpu, 0, "2\n", "Unified\n", "1M\n", NULL);
    assert_int_equal(paglets__perf_llc_bytes(root), 2 * MIB);

    /* Only instruction caches at the top level do not count. */
    snprintf(root, sizeof(root), "%s/odd", (char *)*state);
    cache(root, 0, 0, "1\n", "Data\n", "48K\n", "0\n");
    cache(root, 0, 1, "1\n", "Instruction\n", "32K\n", "0\n");
    assert_int_equal(paglets__perf_llc_bytes(root), 48u << 10);

    /* No size reported (this project's VM once), or no sysfs at all. */
    snprintf(root, sizeof(root), "%s/nosize", (char *)*state);
    cache(root, 0, 3, "3\n", "Unified\n", "\n", "0\n");
    put(root, "cpu1/online", "1\n");
    assert_int_equal(paglets__perf_llc_bytes(root), 0);
    assert_int_equal(paglets__perf_llc_bytes("/nonexistent/cpu"), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_run_gives_four_positive_metrics),
        cmocka_unit_test(test_memory_kernels_ask_to_stop_between_chunks),
        cmocka_unit_test(test_stopped_memory_part_ends_at_once),
        cmocka_unit_test(test_populate_falls_back_to_touching_pages),
        cmocka_unit_test(test_populate_reports_other_failures),
        cmocka_unit_test(test_dram_plan_follows_the_caches_and_memory),
        T(test_llc_sums_each_instance_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
