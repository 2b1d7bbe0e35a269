/*
 * Agents without a host: state codec use, reference counting, operation
 * lookup, and the state lock's wait/notify with timeouts and disposal.
 */
#include "compat.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/agent_int.h"

struct counter_state {
    long value;
    char *label; /* allocated by decode, freed by release */
};

static int releases;

static int counter_decode(void *state, const json_t *json,
                          struct paglets_err *err)
{
    struct counter_state *s = state;
    const json_t *v = json_object_get(json, "value");
    const json_t *label = json_object_get(json, "label");
    if (label != NULL)
        s->label =
            strdup(json_string_value(label) ? json_string_value(label) : "");
    if (!json_is_integer(v))
        return paglets_err_set(err, -EINVAL, "'value' must be an integer");
    s->value = (long)json_integer_value(v);
    return 0;
}

static json_t *counter_encode(const void *state)
{
    const struct counter_state *s = state;
    return json_pack("{s:i}", "value", (int)s->value);
}

static void counter_release(void *state)
{
    struct counter_state *s = state;
    free(s->label);
    s->label = NULL;
    releases++;
}

static int op_noop(struct paglets_agent *agent, const json_t *request,
                   json_t **reply, struct paglets_err *err)
{
    (void)agent;
    (void)request;
    (void)reply;
    (void)err;
    return 0;
}

static const struct paglets_op counter_ops[] = {
    {"alpha", op_noop}, {"beta", op_noop}, {"gamma", op_noop}};

static const struct paglets_agent_type counter_type = {
    .name = "Counter",
    .state_name = "CounterState",
    .state_size = sizeof(struct counter_state),
    .state_decode = counter_decode,
    .state_encode = counter_encode,
    .state_release = counter_release,
    .ops = counter_ops,
    .n_ops = 3,
};

static struct paglets_agent *new_counter(long value)
{
    json_t *json = json_pack("{s:i, s:s}", "value", (int)value, "label", "l");
    struct paglets_agent *agent =
        paglets__agent_new(NULL, &counter_type, "a1", json, NULL);
    json_decref(json);
    assert_non_null(agent);
    return agent;
}

static void test_agent_new_decodes_state(void **state)
{
    (void)state;
    struct paglets_agent *agent = new_counter(41);
    assert_string_equal(paglets_agent_id(agent), "a1");
    assert_ptr_equal(paglets_agent_type_of(agent), &counter_type);
    struct counter_state *s = paglets_agent_state(agent);
    assert_int_equal(s->value, 41);
    json_t *json = paglets__agent_encode_state(agent);
    assert_int_equal(json_integer_value(json_object_get(json, "value")), 41);
    json_decref(json);
    paglets__agent_unref(agent);
}

static void test_agent_new_rejects_bad_state_without_leaking(void **state)
{
    (void)state;
    releases = 0;
    json_t *json = json_pack("{s:s, s:s}", "value", "x", "label", "l");
    struct paglets_err err = {0};
    assert_null(paglets__agent_new(NULL, &counter_type, "a1", json, &err));
    assert_int_equal(err.code, -EINVAL);
    assert_int_equal(releases, 1); /* the half-decoded label is freed */
    json_decref(json);
}

static void test_agent_freed_by_last_reference(void **state)
{
    (void)state;
    releases = 0;
    struct paglets_agent *agent = new_counter(1);
    paglets__agent_ref(agent);
    paglets__agent_ref(agent);
    assert_true(paglets__agent_mark_disposing(agent));
    assert_false(paglets__agent_mark_disposing(agent));
    assert_true(paglets_agent_is_disposing(agent));
    paglets__agent_unref(agent);
    paglets__agent_unref(agent);
    assert_int_equal(releases, 0);
    paglets__agent_unref(agent);
    assert_int_equal(releases, 1);
}

static void test_find_op_uses_sorted_table(void **state)
{
    (void)state;
    assert_string_equal(paglets__agent_find_op(&counter_type, "alpha")->name,
                        "alpha");
    assert_string_equal(paglets__agent_find_op(&counter_type, "gamma")->name,
                        "gamma");
    assert_null(paglets__agent_find_op(&counter_type, "delta"));
    assert_null(paglets__agent_find_op(&counter_type, ""));
}

static bool reached(void *state, void *arg)
{
    return ((struct counter_state *)state)->value >= *(long *)arg;
}

static void test_wait_returns_at_once_when_predicate_holds(void **state)
{
    (void)state;
    struct paglets_agent *agent = new_counter(5);
    long target = 5;
    paglets_agent_lock(agent);
    assert_int_equal(paglets_agent_wait(agent, reached, &target, 0), 0);
    paglets_agent_unlock(agent);
    paglets__agent_unref(agent);
}

static void test_wait_times_out(void **state)
{
    (void)state;
    struct paglets_agent *agent = new_counter(0);
    long target = 1;
    paglets_agent_lock(agent);
    assert_int_equal(paglets_agent_wait(agent, reached, &target, 0),
                     -ETIMEDOUT);
    assert_int_equal(paglets_agent_wait(agent, reached, &target, 0.001),
                     -ETIMEDOUT);
    assert_int_equal(paglets_agent_wait(agent, reached, &target, -1),
                     -ETIMEDOUT);
    paglets_agent_unlock(agent);
    paglets__agent_unref(agent);
}

static void *bump(void *arg)
{
    struct paglets_agent *agent = arg;
    for (int i = 0; i < 3; i++) {
        paglets_agent_lock(agent);
        ((struct counter_state *)paglets_agent_state(agent))->value++;
        paglets_agent_notify(agent);
        paglets_agent_unlock(agent);
    }
    return NULL;
}

static void test_wait_wakes_on_notify(void **state)
{
    (void)state;
    struct paglets_agent *agent = new_counter(0);
    long target = 3;
    pthread_t thread;
    paglets_agent_lock(agent);
    assert_int_equal(pthread_create(&thread, NULL, bump, agent), 0);
    /* Generous timeout: only a lost wake-up would make this time out. */
    assert_int_equal(paglets_agent_wait(agent, reached, &target, 30), 0);
    assert_int_equal(
        ((struct counter_state *)paglets_agent_state(agent))->value, 3);
    paglets_agent_unlock(agent);
    pthread_join(thread, NULL);
    paglets__agent_unref(agent);
}

static void *dispose(void *arg)
{
    paglets__agent_mark_disposing(arg);
    return NULL;
}

static void test_wait_is_cancelled_by_disposal(void **state)
{
    (void)state;
    struct paglets_agent *agent = new_counter(0);
    long target = 100;
    pthread_t thread;
    paglets_agent_lock(agent);
    assert_int_equal(pthread_create(&thread, NULL, dispose, agent), 0);
    assert_int_equal(paglets_agent_wait(agent, reached, &target, 30),
                     -ECANCELED);
    /* Once disposing, even a true predicate reports the cancellation. */
    target = 0;
    assert_int_equal(paglets_agent_wait(agent, reached, &target, 30),
                     -ECANCELED);
    paglets_agent_unlock(agent);
    pthread_join(thread, NULL);
    paglets__agent_unref(agent);
}

static void test_clone_without_host_fails_cleanly(void **state)
{
    (void)state;
    struct paglets_agent *agent = new_counter(0);
    struct paglets_proxy clone;
    struct paglets_err err = {0};
    assert_int_equal(
        paglets_agent_clone(agent, "http://127.0.0.1:1", NULL, &clone, &err),
        -ENOTCONN);
    struct paglets_proxy proxy = paglets_agent_proxy(agent);
    assert_string_equal(proxy.agent_id, "a1");
    assert_string_equal(proxy.host_url, "");
    paglets__agent_unref(agent);
}

/* An owner that takes up to `limit` bytes of state in all. */
struct ledger {
    size_t limit, total, frees;
};

static int ledger_charge(void *arg, size_t bytes, struct paglets_err *err)
{
    struct ledger *l = arg;
    if (bytes > l->limit - l->total)
        return paglets_err_set(err, -ENOSPC, "full");
    l->total += bytes;
    return 0;
}

static void ledger_refund(void *arg, size_t bytes)
{
    struct ledger *l = arg;
    assert_true(bytes <= l->total);
    l->total -= bytes;
}

static void ledger_freed(void *arg)
{
    ((struct ledger *)arg)->frees++;
}

static void test_charges_stay_within_the_owner_and_go_back_on_free(void **state)
{
    (void)state;
    struct ledger l = {.limit = 1000};
    const struct paglets__agent_home home = {.on_free = ledger_freed,
                                             .charge = ledger_charge,
                                             .refund = ledger_refund,
                                             .arg = &l};
    json_t *json = json_pack("{s:i}", "value", 1);
    struct paglets_agent *a =
        paglets__agent_new(&home, &counter_type, "a", json, NULL);
    struct paglets_agent *b =
        paglets__agent_new(&home, &counter_type, "b", json, NULL);
    json_decref(json);
    assert_non_null(a);
    assert_non_null(b);
    struct paglets_err err = {0};
    assert_int_equal(paglets_agent_charge(a, 600, &err), 0);
    assert_int_equal(paglets_agent_charge(b, 500, &err), -ENOSPC);
    assert_int_equal(l.total, 600);
    assert_int_equal(paglets_agent_charge(b, 400, NULL), 0);
    assert_int_equal(paglets_agent_charge(a, 0, NULL), 0);
    /* A refund gives back at most what the agent holds. */
    paglets_agent_refund(b, 1000);
    assert_int_equal(l.total, 600);
    paglets_agent_refund(a, 100);
    assert_int_equal(l.total, 500);
    paglets__agent_unref(a);
    assert_int_equal(l.total, 0);
    assert_int_equal(l.frees, 1);
    paglets__agent_unref(b);
    assert_int_equal(l.frees, 2);
    /* What a JSON value counts as: never nothing, 0 for NULL. */
    json_t *empty = json_object();
    assert_true(paglets_agent_state_bytes(empty) >= 100);
    assert_int_equal(paglets_agent_state_bytes(NULL), 0);
    json_decref(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agent_new_decodes_state),
        cmocka_unit_test(test_agent_new_rejects_bad_state_without_leaking),
        cmocka_unit_test(test_agent_freed_by_last_reference),
        cmocka_unit_test(test_find_op_uses_sorted_table),
        cmocka_unit_test(test_wait_returns_at_once_when_predicate_holds),
        cmocka_unit_test(test_wait_times_out),
        cmocka_unit_test(test_wait_wakes_on_notify),
        cmocka_unit_test(test_wait_is_cancelled_by_disposal),
        cmocka_unit_test(test_clone_without_host_fails_cleanly),
        cmocka_unit_test(
            test_charges_stay_within_the_owner_and_go_back_on_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
