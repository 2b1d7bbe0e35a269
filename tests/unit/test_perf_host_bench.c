/*
 * The whole host run at tiny sizes: every part present with the reference
 * field names, parts left out are null, and a busy lock is an error in the
 * result rather than a crash.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <cmocka.h>

#include "perf/host_bench.h"
#include "perf/lock.h"
#include "perf_fixture.h"

static void tiny_request(struct paglets_perf_request *req, const char *dir)
{
    paglets_perf_request_init(req);
    req->duration_seconds = 0.01;
    req->workers = 2;
    req->disk_size_bytes = 1u << 20;
    assert_int_equal(paglets_perf_request_add_path(req, dir), 0);
}

static void test_host_run_fills_every_part(void **state)
{
    struct paglets_perf_request req;
    tiny_request(&req, *state);
    struct paglets__perf_host_options opts = {.lock_dir = *state,
                                              .dram_bytes = 16u << 20};
    struct paglets_perf_host_result r = {0};
    assert_int_equal(
        paglets__perf_run_host_into(&req, "alpha", "http://x", &opts, &r), 0);
    json_t *j = paglets_perf_host_result_to_json(&r);
    static const char *const keys[] = {"host_name",
                                       "host_url",
                                       "platform",
                                       "platform_details",
                                       "runtime_version",
                                       "lock_wait_seconds",
                                       "memory_total_bytes",
                                       "cpu",
                                       "memory",
                                       "disk",
                                       "errors"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_non_null(json_object_get(j, keys[i]));
    assert_int_equal(json_array_size(json_object_get(j, "errors")), 0);
    assert_int_equal(r.cpu->single_core.n, 3);
    assert_int_equal(r.cpu->multi_core.n, 3);
    assert_int_equal(r.memory->metrics.n, 4);
    assert_int_equal(r.disk->volumes.n, 1);
    assert_int_equal(r.disk->errors.n, 0);
    assert_true(r.memory_total_bytes > 0);
    assert_non_null(strstr(r.platform, r.platform_details.kernel_release));
    assert_int_equal(fixture_count(*state, PAGLETS_PERF_DISK_DIR_PREFIX), 0);
    json_decref(j);
    paglets_perf_host_result_release(&r);
    paglets_perf_request_release(&req);
}

/* The lock (and the temp dir) of the default run in dir, not the user's. */
static void use_dir_for_lock(const char *dir)
{
    unsetenv("RUNTIME_DIRECTORY");
    setenv("XDG_RUNTIME_DIR", dir, 1);
    setenv("TMPDIR", dir, 1);
}

static void test_parts_left_out_are_null(void **state)
{
    struct paglets_perf_request req;
    tiny_request(&req, *state);
    req.include_cpu = req.include_memory = req.include_disk = false;
    use_dir_for_lock(*state);
    json_t *j = paglets__perf_run_host(&req, "alpha", "http://x", NULL);
    assert_non_null(j);
    assert_true(json_is_null(json_object_get(j, "cpu")));
    assert_true(json_is_null(json_object_get(j, "memory")));
    assert_true(json_is_null(json_object_get(j, "disk")));
    json_decref(j);
    paglets_perf_request_release(&req);
}

static void test_busy_lock_is_an_error_in_the_result(void **state)
{
    struct paglets_perf_request req;
    tiny_request(&req, *state);
    req.lock_timeout_seconds = 0.05;
    use_dir_for_lock(*state);
    char dir[4096];
    assert_int_equal(paglets__perf_lock_dir(dir, sizeof(dir), NULL), 0);
    struct paglets__perf_lock held;
    assert_int_equal(paglets__perf_lock_acquire(&held, dir, 1, NULL, NULL), 0);
    json_t *j = paglets__perf_run_host(&req, "alpha", "http://x", NULL);
    paglets__perf_lock_release(&held);
    assert_non_null(j);
    json_t *errors = json_object_get(j, "errors");
    assert_int_equal(json_array_size(errors), 1);
    assert_string_equal(json_string_value(json_array_get(errors, 0)),
                        "benchmark lock busy after 0.050s");
    assert_true(json_number_value(json_object_get(j, "lock_wait_seconds")) >=
                0.05);
    assert_true(json_is_null(json_object_get(j, "cpu")));
    json_decref(j);
    paglets_perf_request_release(&req);
}

/*
 * A disposal stops the run in whichever part it is, even an hour-long
 * one: the result says so, the lock is free at once, no benchmark
 * directory is left.
 */
static void test_stopped_run_ends_and_frees_the_lock(void **state)
{
    static const struct {
        bool cpu, memory, disk;
        unsigned long stop_at;
    } cases[] = {
        {true, true, true, 1},   /* the first CPU batch */
        {false, true, true, 5},  /* the memory part, in the 8 MiB copy */
        {false, false, true, 3}, /* the disk part, writing */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets_perf_request req;
        tiny_request(&req, *state);
        req.duration_seconds = 3600;
        req.disk_size_bytes = 4u << 20;
        req.include_cpu = cases[i].cpu;
        req.include_memory = cases[i].memory;
        req.include_disk = cases[i].disk;
        struct fixture_stop f = {.stop_at = cases[i].stop_at};
        const struct paglets__perf_stop stop = {fixture_stop_requested, &f};
        struct paglets__perf_host_options opts = {
            .lock_dir = *state, .dram_bytes = 16u << 20, .stop = &stop};
        struct paglets_perf_host_result r = {0};
        assert_int_equal(
            paglets__perf_run_host_into(&req, "alpha", "http://x", &opts, &r),
            0);
        assert_int_equal(r.errors.n, 1);
        assert_string_equal(r.errors.items[0], PAGLETS__PERF_STOPPED);
        assert_int_equal(paglets_perf_host_result_error_count(&r), 1);
        /* The part it cut ended the run: the disk part never began. */
        if (cases[i].cpu || cases[i].memory)
            assert_null(r.disk);
        else
            assert_int_equal(r.disk->volumes.n, 0);
        assert_int_equal(fixture_count(*state, PAGLETS_PERF_DISK_DIR_PREFIX),
                         0);
        struct paglets__perf_lock next;
        assert_int_equal(
            paglets__perf_lock_acquire(&next, *state, 0, NULL, NULL), 0);
        paglets__perf_lock_release(&next);
        paglets_perf_host_result_release(&r);
        paglets_perf_request_release(&req);
    }
}

/*
 * A child disposed while it waits for the host lock (either layer) leaves
 * the wait, however long its lock timeout.
 */
static void test_stop_ends_the_wait_for_the_lock(void **state)
{
    struct paglets_perf_request req;
    tiny_request(&req, *state);
    req.lock_timeout_seconds = 3600;
    struct fixture_stop f = {.stop_at = 3};
    const struct paglets__perf_stop stop = {fixture_stop_requested, &f};
    struct paglets__perf_host_options opts = {.lock_dir = *state,
                                              .stop = &stop};
    struct paglets__perf_lock held;
    assert_int_equal(paglets__perf_lock_acquire(&held, *state, 1, NULL, NULL),
                     0);
    struct paglets_perf_host_result r = {0};
    assert_int_equal(
        paglets__perf_run_host_into(&req, "alpha", "http://x", &opts, &r), 0);
    paglets__perf_lock_release(&held);
    assert_int_equal(atomic_load(&f.asked), 3);
    assert_int_equal(r.errors.n, 1);
    assert_string_equal(r.errors.items[0], PAGLETS__PERF_STOPPED);
    assert_null(r.cpu);
    paglets_perf_host_result_release(&r);

    /* The file layer: another open file description holds the flock. */
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", (char *)*state,
             PAGLETS_PERF_LOCK_FILE);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    atomic_store(&f.asked, 0);
    assert_int_equal(
        paglets__perf_run_host_into(&req, "alpha", "http://x", &opts, &r), 0);
    close(fd);
    assert_int_equal(atomic_load(&f.asked), 3);
    assert_string_equal(r.errors.items[0], PAGLETS__PERF_STOPPED);
    paglets_perf_host_result_release(&r);
    paglets_perf_request_release(&req);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_host_run_fills_every_part),
        T(test_parts_left_out_are_null),
        T(test_busy_lock_is_an_error_in_the_result),
        T(test_stopped_run_ends_and_frees_the_lock),
        T(test_stop_ends_the_wait_for_the_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
