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
#include <string.h>
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

static void test_unwritable_lock_dir_still_locks_threads(void **state)
{
    (void)state;
    struct paglets__perf_lock lock;
    assert_int_equal(
        paglets__perf_lock_acquire(&lock, "/nonexistent/dir", 1, NULL, NULL),
        0);
    assert_int_equal(lock.fd, -1);
    assert_true(lock.have_mutex);
    paglets__perf_lock_release(&lock);
    paglets__perf_lock_release(&lock); /* twice is harmless */
}

#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_second_thread_times_out_with_exact_message),
        T(test_second_process_times_out_with_exact_message),
        T(test_two_threads_are_serialized),
        T(test_unwritable_lock_dir_still_locks_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
