/*
 * The replay cache: a nonce is refused while its request could still be
 * inside the window, the cache never holds more than its capacity, and a
 * nonce it had to drop can never be replayed (the floor).
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/nonces.h"

static void test_nonces_refuse_a_replay(void **state)
{
    (void)state;
    struct paglets__nonces *n = paglets__nonces_new(16, 60);
    assert_non_null(n);
    assert_int_equal(paglets__nonces_add(n, "a", 100, 100), 0);
    assert_int_equal(paglets__nonces_add(n, "a", 100, 100), -EALREADY);
    assert_int_equal(paglets__nonces_add(n, "a", 100, 160), -EALREADY);
    assert_int_equal(paglets__nonces_add(n, "b", 100, 100), 0);
    assert_int_equal(paglets__nonces_count(n), 2);
    paglets__nonces_free(n);
}

static void test_nonces_expire_after_the_window(void **state)
{
    (void)state;
    struct paglets__nonces *n = paglets__nonces_new(16, 60);
    assert_int_equal(paglets__nonces_add(n, "a", 100, 100), 0);
    assert_int_equal(paglets__nonces_add(n, "b", 150, 150), 0);
    /* At 161 "a" (created 100) is out of the window: it is forgotten. */
    assert_int_equal(paglets__nonces_add(n, "c", 161, 161), 0);
    assert_int_equal(paglets__nonces_count(n), 2);
    assert_int_equal(paglets__nonces_add(n, "b", 150, 161), -EALREADY);
    paglets__nonces_free(n);
}

static void test_nonces_full_cache_refuses_what_it_dropped(void **state)
{
    (void)state;
    struct paglets__nonces *n = paglets__nonces_new(4, 60);
    char name[16];
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof(name), "n%d", i);
        assert_int_equal(paglets__nonces_add(n, name, 10 + i, 20), 0);
    }
    /* Full: a request as old as the oldest kept one cannot make room. */
    assert_int_equal(paglets__nonces_add(n, "new", 10, 20), -ESTALE);
    assert_int_equal(paglets__nonces_count(n), 4);
    /* A newer one drops n0 (created 10): 10 is now the floor. */
    assert_int_equal(paglets__nonces_add(n, "n4", 14, 20), 0);
    assert_int_equal(paglets__nonces_count(n), 4);
    assert_int_equal(paglets__nonces_add(n, "n0", 10, 20), -ESTALE);
    assert_int_equal(paglets__nonces_add(n, "other", 9, 20), -ESTALE);
    /* The kept ones are still refused as replays. */
    assert_int_equal(paglets__nonces_add(n, "n1", 11, 20), -EALREADY);
    assert_int_equal(paglets__nonces_add(n, "n4", 14, 20), -EALREADY);
    paglets__nonces_free(n);
}

static void test_nonces_stay_bounded_and_consistent(void **state)
{
    (void)state;
    enum { CAP = 1000, N = 100000 };
    struct paglets__nonces *n = paglets__nonces_new(CAP, 60);
    char name[16];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "x%d", i);
        /* 500 requests a second: more than the cache holds in a window. */
        int64_t t = 1000 + i / 500;
        int rc = paglets__nonces_add(n, name, t, t);
        assert_true(rc == 0 || rc == -ESTALE);
        assert_true(paglets__nonces_count(n) <= CAP);
    }
    /* Every nonce still kept is found after all the shifting. */
    int refused = 0;
    for (int i = N - CAP; i < N; i++) {
        snprintf(name, sizeof(name), "x%d", i);
        int64_t t = 1000 + i / 500;
        int rc = paglets__nonces_add(n, name, t, 1000 + N / 500);
        assert_true(rc == -EALREADY || rc == -ESTALE);
        refused++;
    }
    assert_int_equal(refused, CAP);
    paglets__nonces_free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nonces_refuse_a_replay),
        cmocka_unit_test(test_nonces_expire_after_the_window),
        cmocka_unit_test(test_nonces_full_cache_refuses_what_it_dropped),
        cmocka_unit_test(test_nonces_stay_bounded_and_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
