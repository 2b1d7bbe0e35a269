/*
 * The disk kernel on real files: figures, cache bypass, and that no
 * benchmark directory survives a run, a failed write, a full filesystem or
 * a killed run.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "perf/kernel_disk.h"
#include "perf_fixture.h"

#define PREFIX PAGLETS_PERF_DISK_DIR_PREFIX

static struct paglets__perf_disk_target target_at(char *path)
{
    return (struct paglets__perf_disk_target){path, "dev", "fs", 1, 1};
}

static bool has_note(const struct paglets_perf_disk_volume *v, const char *text)
{
    for (size_t i = 0; i < v->notes.n; i++)
        if (strstr(v->notes.items[i], text) != NULL)
            return true;
    return false;
}

static void test_volume_gives_positive_figures_and_leaves_nothing(void **state)
{
    struct paglets__perf_disk_target t = target_at(*state);
    struct paglets_perf_disk_volume v = {0};
    struct paglets_err err = {0};
    assert_int_equal(
        paglets__perf_disk_bench_volume(&t, 2u << 20, NULL, NULL, &v, &err), 0);
    assert_string_equal(v.path, t.path);
    assert_int_equal(v.benchmark_size_bytes, 2u << 20);
    assert_true(v.write_seconds > 0 && v.fsync_seconds >= 0);
    assert_true(v.write_bytes_per_second > 0);
    assert_true(v.read_seconds > 0 && v.read_bytes_per_second > 0);
    assert_true(v.metadata_files_per_second > 0);
    /* A read that may be cached must say why. */
    assert_true(v.read_cache_bypassed || v.notes.n > 0);
    assert_int_equal(fixture_count(t.path, PREFIX), 0);
    paglets__perf_disk_volume_release(&v);
}

/* Fails the second data write, or every one-byte (metadata) write. */
static int writes_seen;
static ssize_t failing_write(int fd, const void *buf, size_t len)
{
    if ((len > 1 && ++writes_seen == 2) || len == 1) {
        errno = EIO;
        return -1;
    }
    return write(fd, buf, len);
}

static void test_failed_writes_leave_no_directory(void **state)
{
    struct paglets__perf_disk_target t = target_at(*state);
    const struct paglets__perf_disk_ops ops = {failing_write, openat};
    const uint64_t sizes[] = {3u << 20, 4096};
    const char *const messages[] = {"write failed: Input/output error",
                                    "metadata test failed: Input/output "
                                    "error"};
    for (int i = 0; i < 2; i++) {
        struct paglets_perf_disk_volume v = {0};
        struct paglets_err err = {0};
        writes_seen = 0;
        assert_int_equal(
            paglets__perf_disk_bench_volume(&t, sizes[i], &ops, NULL, &v, &err),
            -EIO);
        assert_string_equal(err.message, messages[i]);
        assert_int_equal(fixture_count(t.path, PREFIX), 0);
        paglets__perf_disk_volume_release(&v);
    }
}

static void test_full_tmpfs_leaves_no_directory_and_is_no_disk(void **state)
{
    if (geteuid() != 0)
        skip();
    char mnt[4096];
    snprintf(mnt, sizeof(mnt), "%s/small", (char *)*state);
    assert_int_equal(mkdir(mnt, 0700), 0);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=1m") != 0)
        skip(); /* no CAP_SYS_ADMIN in this container */
    struct paglets__perf_disk_target t = target_at(mnt);
    struct paglets_perf_disk_volume v = {0};
    struct paglets_err err = {0};
    int rc =
        paglets__perf_disk_bench_volume(&t, 4u << 20, NULL, NULL, &v, &err);
    int left = fixture_count(mnt, PREFIX);
    /* A file that fits: tmpfs figures are memory figures, and say so. */
    struct paglets_perf_disk_volume small = {0};
    int small_rc = paglets__perf_disk_bench_volume(&t, 256u << 10, NULL, NULL,
                                                   &small, NULL);
    umount(mnt);
    assert_int_equal(rc, -ENOSPC);
    assert_string_equal(err.message, "write failed: No space left on device");
    assert_int_equal(left, 0);
    assert_int_equal(small_rc, 0);
    assert_false(small.read_cache_bypassed);
    assert_true(has_note(&small, "live in memory"));
    paglets__perf_disk_volume_release(&small);
    paglets__perf_disk_volume_release(&v);
}

/* A filesystem that refuses O_DIRECT, as some FUSE and network ones do. */
static int no_direct_openat(int dir_fd, const char *name, int flags, ...)
{
    if (flags & O_DIRECT) {
        errno = EINVAL;
        return -1;
    }
    return openat(dir_fd, name, flags, 0600);
}

static void test_refused_o_direct_falls_back_to_evicted_read(void **state)
{
    struct paglets__perf_disk_target t = target_at(*state);
    const struct paglets__perf_disk_ops ops = {write, no_direct_openat};
    struct paglets_perf_disk_volume v = {0};
    struct paglets_err err = {0};
    assert_int_equal(
        paglets__perf_disk_bench_volume(&t, 2u << 20, &ops, NULL, &v, &err), 0);
    assert_true(has_note(&v, "O_DIRECT read refused: Invalid argument"));
    assert_true(v.read_bytes_per_second > 0);
    /*
     * After fsync the pages are clean, so eviction works on a disk-backed
     * filesystem and mincore confirms it; tmpfs keeps them and says so.
     */
    if (v.read_cache_bypassed)
        assert_true(has_note(&v, "after evicting the file's pages"));
    else
        assert_true(has_note(&v, "served from memory") ||
                    has_note(&v, "live in memory"));
    assert_int_equal(fixture_count(t.path, PREFIX), 0);
    paglets__perf_disk_volume_release(&v);
}

/* A child makes a benchmark directory and dies by SIGKILL inside it. */
static void make_killed_run(const char *dir)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *path = NULL;
        if (paglets__perf_disk_dir_create(dir, &path) < 0)
            _exit(1);
        raise(SIGKILL);
        _exit(1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static void test_stale_directory_of_killed_run_is_removed(void **state)
{
    char *dir = *state;
    make_killed_run(dir);
    assert_int_equal(fixture_count(dir, PREFIX), 1);
    /* A live run's directory and someone else's must stay. */
    char *live = NULL;
    int live_fd = paglets__perf_disk_dir_create(dir, &live);
    assert_true(live_fd >= 0);
    char foreign[4096];
    snprintf(foreign, sizeof(foreign), "%s/" PREFIX "abcdef", dir);
    assert_int_equal(mkdir(foreign, 0700), 0);
    bool chowned = geteuid() == 0 && chown(foreign, 65534, 65534) == 0;

    struct paglets__perf_disk_target t = target_at(dir);
    struct paglets_perf_disk_volume v = {0};
    struct paglets_err err = {0};
    assert_int_equal(
        paglets__perf_disk_bench_volume(&t, 1u << 20, NULL, NULL, &v, &err), 0);
    assert_true(has_note(&v, "removed stale benchmark directory"));
    assert_int_equal(fixture_count(dir, PREFIX), chowned ? 2 : 1);
    assert_int_equal(access(live, F_OK), 0);
    assert_int_equal(paglets__perf_disk_dir_remove(live, live_fd), 0);
    free(live);
    paglets__perf_disk_volume_release(&v);
}

static void test_disk_run_reports_failed_volume_as_error(void **state)
{
    struct paglets_perf_request req;
    paglets_perf_request_init(&req);
    req.disk_size_bytes = 3u << 20;
    assert_int_equal(paglets_perf_request_add_path(&req, *state), 0);
    const struct paglets__perf_disk_ops ops = {failing_write, openat};
    struct paglets_perf_disk_result r = {0};
    writes_seen = 0;
    assert_int_equal(paglets__perf_disk_run(&req, NULL, &ops, NULL, &r), 0);
    assert_int_equal(r.volumes.n, 0);
    assert_int_equal(r.errors.n, 1);
    assert_non_null(strstr(r.errors.items[0], "write failed"));
    assert_int_equal(strncmp(r.errors.items[0], *state, strlen(*state)), 0);
    paglets__perf_disk_result_release(&r);

    struct paglets_perf_disk_result ok = {0};
    assert_int_equal(paglets__perf_disk_run(&req, NULL, NULL, NULL, &ok), 0);
    assert_int_equal(ok.volumes.n, 1);
    assert_int_equal(ok.errors.n, 0);
    assert_int_equal(fixture_count(*state, PREFIX), 0);
    paglets__perf_disk_result_release(&ok);
    paglets_perf_request_release(&req);
}

/*
 * Stopping: the kernel asks between batches of work (each 1 MiB written,
 * each 1 MiB read, each metadata file), so a disposal never waits for a
 * whole volume; the directory goes on every path.
 */
static void test_volume_asks_to_stop_between_batches(void **state)
{
    struct paglets__perf_disk_target t = target_at(*state);
    struct paglets_perf_disk_volume v = {0};
    struct fixture_stop never = {0};
    const struct paglets__perf_stop stop = {fixture_stop_requested, &never};
    const uint64_t size = 4u << 20;
    assert_int_equal(
        paglets__perf_disk_bench_volume(&t, size, NULL, &stop, &v, NULL), 0);
    uint64_t chunks = size / PAGLETS_PERF_DISK_CHUNK;
    assert_true(atomic_load(&never.asked) >=
                2 * chunks + PAGLETS_PERF_DISK_META_FILES);
    paglets__perf_disk_volume_release(&v);
}

static void test_stopped_volume_ends_at_once_and_leaves_nothing(void **state)
{
    /* In the write, the read and the metadata phase of a 4 MiB volume. */
    static const unsigned long stop_at[] = {1, 3, 6, 50};
    for (size_t i = 0; i < sizeof(stop_at) / sizeof(stop_at[0]); i++) {
        struct paglets__perf_disk_target t = target_at(*state);
        struct paglets_perf_disk_volume v = {0};
        struct fixture_stop f = {.stop_at = stop_at[i]};
        const struct paglets__perf_stop stop = {fixture_stop_requested, &f};
        assert_int_equal(paglets__perf_disk_bench_volume(&t, 4u << 20, NULL,
                                                         &stop, &v, NULL),
                         -ECANCELED);
        /* Nothing asked after the answer "stop": no further batch ran. */
        assert_int_equal(atomic_load(&f.asked), stop_at[i]);
        assert_int_equal(fixture_count(t.path, PREFIX), 0);
        paglets__perf_disk_volume_release(&v);
    }
    struct paglets_perf_request req;
    paglets_perf_request_init(&req);
    req.disk_size_bytes = 4u << 20;
    assert_int_equal(paglets_perf_request_add_path(&req, *state), 0);
    struct fixture_stop f = {.stop_at = 2};
    const struct paglets__perf_stop stop = {fixture_stop_requested, &f};
    struct paglets_perf_disk_result r = {0};
    assert_int_equal(paglets__perf_disk_run(&req, NULL, NULL, &stop, &r),
                     -ECANCELED);
    assert_int_equal(r.volumes.n, 0);
    assert_int_equal(r.errors.n, 0);
    assert_int_equal(fixture_count(*state, PREFIX), 0);
    paglets__perf_disk_result_release(&r);
    paglets_perf_request_release(&req);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_volume_gives_positive_figures_and_leaves_nothing),
        T(test_failed_writes_leave_no_directory),
        T(test_full_tmpfs_leaves_no_directory_and_is_no_disk),
        T(test_refused_o_direct_falls_back_to_evicted_read),
        T(test_stale_directory_of_killed_run_is_removed),
        T(test_disk_run_reports_failed_volume_as_error),
        T(test_volume_asks_to_stop_between_batches),
        T(test_stopped_volume_ends_at_once_and_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
