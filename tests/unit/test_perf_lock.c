/*
 * The host lock: threads and processes take turns, timeouts give the
 * reference's exact messages. Contenders meet through pipes, not sleeps.
 */
#include "compat.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "perf/lock.h"
#include "perf_fixture.h"

struct holder {
    const char *dir;
    int ready[2]; /* holder -> test: "I hold it" */
    int go[2];    /* test -> holder: "release it" */
};

static void hold_until_told(struct holder *h)
{
    struct paglets__perf_lock lock;
    char c = 'x';
    if (paglets__perf_lock_acquire(&lock, h->dir, 5, NULL, NULL) != 0)
        c = 'E';
    if (write(h->ready[1], &c, 1) != 1 || read(h->go[0], &c, 1) != 1)
        c = 'E';
    paglets__perf_lock_release(&lock);
}

static void *holder_thread(void *arg)
{
    hold_until_told(arg);
    return NULL;
}

static void close_pipes(struct holder *h)
{
    close(h->ready[0]);
    close(h->ready[1]);
    close(h->go[0]);
    close(h->go[1]);
}

static void wait_ready(struct holder *h)
{
    char c = 0;
    assert_int_equal(read(h->ready[0], &c, 1), 1);
    assert_int_equal(c, 'x');
}

static void expect_timeout_then_turn(struct holder *h, const char *message)
{
    struct paglets__perf_lock lock;
    struct paglets_err err = {0};
    double waited = 0;
    assert_int_equal(
        paglets__perf_lock_acquire(&lock, h->dir, 0.05, &waited, &err),
        -ETIMEDOUT);
    assert_string_equal(err.message, message);
    assert_true(waited >= 0.05);
    assert_int_equal(write(h->go[1], "g", 1), 1);
    assert_int_equal(
        paglets__perf_lock_acquire(&lock, h->dir, 10, &waited, NULL), 0);
    paglets__perf_lock_release(&lock);
}

static void test_second_thread_times_out_with_exact_message(void **state)
{
    struct holder h = {.dir = *state};
    assert_int_equal(pipe(h.ready), 0);
    assert_int_equal(pipe(h.go), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, holder_thread, &h), 0);
    wait_ready(&h);
    expect_timeout_then_turn(&h, "benchmark lock busy after 0.050s");
    pthread_join(t, NULL);
    close_pipes(&h);
}

static void test_second_process_times_out_with_exact_message(void **state)
{
    struct holder h = {.dir = *state};
    assert_int_equal(pipe(h.ready), 0);
    assert_int_equal(pipe(h.go), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        hold_until_told(&h);
        _exit(0);
    }
    wait_ready(&h);
    expect_timeout_then_turn(&h, "benchmark file lock busy after 0.050s");
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    close_pipes(&h);
}

/* Many turns by two threads: never two inside at once. */
static atomic_int inside, overlaps;
static void *turn_taker(void *dir)
{
    for (int i = 0; i < 200; i++) {
        struct paglets__perf_lock lock;
        if (paglets__perf_lock_acquire(&lock, dir, 10, NULL, NULL) != 0) {
            atomic_fetch_add(&overlaps, 1000);
            continue;
        }
        if (atomic_fetch_add(&inside, 1) != 0)
            atomic_fetch_add(&overlaps, 1);
        atomic_fetch_sub(&inside, 1);
        paglets__perf_lock_release(&lock);
    }
    return NULL;
}

static void test_two_threads_are_serialized(void **state)
{
    pthread_t a, b;
    assert_int_equal(pthread_create(&a, NULL, turn_taker, *state), 0);
    assert_int_equal(pthread_create(&b, NULL, turn_taker, *state), 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    assert_int_equal(atomic_load(&overlaps), 0);
}

/* A lock in dir is taken at once (the in-process layer is free again). */
static void expect_lock_works(const char *dir)
{
    struct paglets__perf_lock lock;
    assert_int_equal(paglets__perf_lock_acquire(&lock, dir, 1, NULL, NULL), 0);
    paglets__perf_lock_release(&lock);
    paglets__perf_lock_release(&lock); /* twice is harmless */
}

/* One acquire on a thread of its own, so a test can bound a hang. */
struct attempt {
    const char *dir;
    int rc;
    struct paglets_err err;
    int done[2]; /* the thread writes one byte when acquire returned */
};

static void *attempt_thread(void *arg)
{
    struct attempt *a = arg;
    struct paglets__perf_lock lock;
    a->rc = paglets__perf_lock_acquire(&lock, a->dir, 1, NULL, &a->err);
    if (a->rc == 0)
        paglets__perf_lock_release(&lock);
    if (write(a->done[1], "d", 1) != 1)
        abort();
    return NULL;
}

/*
 * acquire in dir must return within 5 s (its timeout is 1 s) with an
 * error naming what: a planted file once blocked open() forever.
 */
static void expect_refused(const char *dir, const char *says)
{
    struct attempt a = {.dir = dir};
    pthread_t thread;
    assert_int_equal(pipe(a.done), 0);
    assert_int_equal(pthread_create(&thread, NULL, attempt_thread, &a), 0);
    struct pollfd done = {.fd = a.done[0], .events = POLLIN};
    if (poll(&done, 1, 5000) != 1) {
        pthread_detach(thread);
        fail_msg("acquiring the lock in '%s' still blocks after 5 s", dir);
    }
    pthread_join(thread, NULL);
    close(a.done[0]);
    close(a.done[1]);
    assert_true(a.rc < 0);
    assert_non_null(strstr(a.err.message, dir));
    assert_non_null(strstr(a.err.message, says));
}

static char *lock_path(const char *dir)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", dir, PAGLETS_PERF_LOCK_FILE) > 0);
    return path;
}

static void test_fifo_at_the_lock_path_fails_at_once(void **state)
{
    char *path = lock_path(*state);
    /*
     * Read-only, as another user's would be: O_RDWR is refused (unless we
     * are root), and the old fallback to O_RDONLY blocked for a writer.
     */
    assert_int_equal(mkfifo(path, 0444), 0);
    expect_refused(*state, PAGLETS_PERF_LOCK_FILE);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkfifo(path, 0600), 0);
    expect_refused(*state, "is not a regular file");
    unlink(path);
    free(path);
    expect_lock_works(*state);
}

static void test_symlink_at_the_lock_path_is_an_error(void **state)
{
    char *path = lock_path(*state);
    assert_int_equal(symlink("/tmp/elsewhere", path), 0);
    expect_refused(*state, "is a symbolic link");
    unlink(path);
    free(path);
    expect_lock_works(*state);
}

static void test_lock_dir_must_be_private(void **state)
{
    assert_int_equal(chmod(*state, 0755), 0);
    expect_refused(*state, "mode 0700, not uid");
    assert_int_equal(chmod(*state, 0700), 0);
    expect_refused("/nonexistent/dir", "No such file");
    char *link = lock_path(*state); /* any name in it will do */
    assert_int_equal(symlink(*state, link), 0);
    expect_refused(link, "cannot open benchmark lock directory");
    unlink(link);
    free(link);
    expect_lock_works(*state);
}

static void test_lock_dir_comes_from_the_environment(void **state)
{
    char dir[4096], want[4096];
    struct paglets_err err = {0};
    setenv("RUNTIME_DIRECTORY", *state, 1);
    assert_int_equal(paglets__perf_lock_dir(dir, sizeof(dir), &err), 0);
    assert_string_equal(dir, *state);
    snprintf(want, sizeof(want), "%s:/run/other", (const char *)*state);
    setenv("RUNTIME_DIRECTORY", want, 1);
    assert_int_equal(paglets__perf_lock_dir(dir, sizeof(dir), &err), 0);
    assert_string_equal(dir, *state);
    unsetenv("RUNTIME_DIRECTORY");

    setenv("XDG_RUNTIME_DIR", *state, 1);
    assert_int_equal(paglets__perf_lock_dir(dir, sizeof(dir), &err), 0);
    snprintf(want, sizeof(want), "%s/paglets", (const char *)*state);
    assert_string_equal(dir, want);
    struct stat st;
    assert_int_equal(lstat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0700);
    expect_lock_works(dir);
    char *path = lock_path(dir);
    unlink(path);
    free(path);
    rmdir(dir);
    unsetenv("XDG_RUNTIME_DIR");

    assert_int_equal(paglets__perf_lock_dir(dir, sizeof(dir), &err), 0);
    snprintf(want, sizeof(want), "/tmp/paglets-%u", (unsigned)geteuid());
    assert_string_equal(dir, want);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_second_thread_times_out_with_exact_message),
        T(test_second_process_times_out_with_exact_message),
        T(test_two_threads_are_serialized),
        T(test_fifo_at_the_lock_path_fails_at_once),
        T(test_symlink_at_the_lock_path_is_an_error),
        T(test_lock_dir_must_be_private),
        T(test_lock_dir_comes_from_the_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
