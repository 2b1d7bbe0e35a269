/*
 * The agent registry: lookup with references, the cap, duplicate ids,
 * removal and snapshots.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "runtime/registry.h"

static const struct paglets_agent_type plain_type = {
    .name = "Plain",
    .state_size = 8,
};

static struct paglets_agent *make(const char *id)
{
    struct paglets_agent *agent =
        paglets__agent_new(NULL, &plain_type, id, NULL, NULL);
    assert_non_null(agent);
    return agent;
}

static void test_registry_get_returns_referenced_agent(void **state)
{
    (void)state;
    struct paglets__registry reg;
    paglets__registry_init(&reg, 4);
    struct paglets_agent *a = make("a");
    assert_int_equal(paglets__registry_add(&reg, a), 0);
    struct paglets_agent *got = paglets__registry_get(&reg, "a");
    assert_ptr_equal(got, a);
    assert_int_equal(atomic_load(&a->refs), 2);
    paglets__agent_unref(got);
    assert_null(paglets__registry_get(&reg, "b"));
    assert_int_equal(paglets__registry_count(&reg), 1);
    paglets__registry_release(&reg);
}

static void test_registry_refuses_duplicates_and_overflow(void **state)
{
    (void)state;
    struct paglets__registry reg;
    paglets__registry_init(&reg, 2);
    assert_int_equal(paglets__registry_add(&reg, make("a")), 0);
    struct paglets_agent *dup = make("a");
    assert_int_equal(paglets__registry_add(&reg, dup), -EEXIST);
    paglets__agent_unref(dup);
    assert_int_equal(paglets__registry_add(&reg, make("b")), 0);
    struct paglets_agent *extra = make("c");
    assert_int_equal(paglets__registry_add(&reg, extra), -EBUSY);
    paglets__agent_unref(extra);
    assert_int_equal(paglets__registry_count(&reg), 2);
    paglets__registry_release(&reg);
}

static void test_registry_remove_hands_back_reference(void **state)
{
    (void)state;
    struct paglets__registry reg;
    paglets__registry_init(&reg, 8);
    struct paglets_agent *a = make("a"), *b = make("b"), *c = make("c");
    assert_int_equal(paglets__registry_add(&reg, a), 0);
    assert_int_equal(paglets__registry_add(&reg, b), 0);
    assert_int_equal(paglets__registry_add(&reg, c), 0);
    assert_true(paglets__registry_remove(&reg, a));
    assert_false(paglets__registry_remove(&reg, a));
    paglets__agent_unref(a);
    assert_null(paglets__registry_get(&reg, "a"));
    struct paglets_agent *got = paglets__registry_get(&reg, "c");
    assert_ptr_equal(got, c);
    paglets__agent_unref(got);
    assert_int_equal(paglets__registry_count(&reg), 2);
    paglets__registry_release(&reg);
}

static void test_registry_snapshot_copies_or_takes(void **state)
{
    (void)state;
    struct paglets__registry reg;
    paglets__registry_init(&reg, 8);
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof(id), "a%d", i);
        assert_int_equal(paglets__registry_add(&reg, make(id)), 0);
    }
    struct paglets_agent **list;
    size_t n;
    assert_int_equal(paglets__registry_snapshot(&reg, false, &list, &n), 0);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++)
        paglets__agent_unref(list[i]);
    free(list);
    assert_int_equal(paglets__registry_count(&reg), 5);

    assert_int_equal(paglets__registry_snapshot(&reg, true, &list, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(paglets__registry_count(&reg), 0);
    for (size_t i = 0; i < n; i++)
        paglets__agent_unref(list[i]);
    free(list);
    /* Taken for shutdown: later additions are refused, not lost. */
    struct paglets_agent *late = make("late");
    assert_int_equal(paglets__registry_add(&reg, late), -EBUSY);
    paglets__agent_unref(late);
    paglets__registry_release(&reg);
}

static void test_registry_grows_past_initial_capacity(void **state)
{
    (void)state;
    struct paglets__registry reg;
    paglets__registry_init(&reg, 100);
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof(id), "x%d", i);
        assert_int_equal(paglets__registry_add(&reg, make(id)), 0);
    }
    struct paglets_agent *got = paglets__registry_get(&reg, "x77");
    assert_non_null(got);
    assert_string_equal(got->id, "x77");
    paglets__agent_unref(got);
    paglets__registry_release(&reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_get_returns_referenced_agent),
        cmocka_unit_test(test_registry_refuses_duplicates_and_overflow),
        cmocka_unit_test(test_registry_remove_hands_back_reference),
        cmocka_unit_test(test_registry_snapshot_copies_or_takes),
        cmocka_unit_test(test_registry_grows_past_initial_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
