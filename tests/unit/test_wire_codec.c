/*
 * Proxy, envelope, creation and message codecs: round trips, and hostile
 * JSON that must be refused with -EINVAL rather than crash or be trusted.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/codec.h"

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *json = json_loads(text, JSON_ALLOW_NUL | JSON_DECODE_ANY, &jerr);
    assert_non_null(json);
    return json;
}

static void test_id_is_valid_accepts_only_safe_names(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        bool valid;
    } cases[] = {
        {"abc", true},
        {"A-b_c.9", true},
        {"0123456789abcdef0123456789abcdef", true},
        {"", false},
        {".", false},
        {"..", false},
        {"a/b", false},
        {"a b", false},
        {"a%2f", false},
        {"caf\xc3\xa9", false},
        {"x?y", false},
        {"0123456789012345678901234567890123456789012345678901234567890123",
         false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(paglets__id_is_valid(cases[i].id), cases[i].valid);
    assert_false(paglets__id_is_valid(NULL));
}

static void test_id_generate_gives_distinct_valid_ids(void **state)
{
    (void)state;
    char a[PAGLETS_ID_MAX], b[PAGLETS_ID_MAX];
    assert_int_equal(paglets__id_generate(a), 0);
    assert_int_equal(paglets__id_generate(b), 0);
    assert_int_equal(strlen(a), 32);
    assert_true(paglets__id_is_valid(a));
    assert_string_not_equal(a, b);
}

static void test_proxy_round_trips(void **state)
{
    (void)state;
    struct paglets_proxy in = {"http://127.0.0.1:8765", "abc123"}, out;
    json_t *json = paglets__proxy_to_json(&in);
    assert_non_null(json);
    assert_int_equal(paglets__proxy_from_json(json, &out, NULL), 0);
    assert_string_equal(out.host_url, in.host_url);
    assert_string_equal(out.agent_id, in.agent_id);
    json_decref(json);
}

static void test_proxy_rejects_hostile_json(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "[]",
        "\"http://x\"",
        "{}",
        "{\"host_url\": \"http://x\"}",
        "{\"agent_id\": \"a\"}",
        "{\"host_url\": 5, \"agent_id\": \"a\"}",
        "{\"host_url\": \"http://x\", \"agent_id\": [1]}",
        "{\"host_url\": \"file:///etc/passwd\", \"agent_id\": \"a\"}",
        "{\"host_url\": \"http://x\", \"agent_id\": \"../a\"}",
        "{\"host_url\": \"http://x\", \"agent_id\": \"a\\u0000b\"}",
        "{\"host_url\": \"http://x\\u0000y\", \"agent_id\": \"a\"}",
        "{\"host_url\": null, \"agent_id\": \"a\"}",
        "{\"host_url\": \"http://x/agents\", \"agent_id\": \"a\"}",
        "{\"host_url\": \"http://u@x\", \"agent_id\": \"a\"}",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *json = parse(cases[i]);
        struct paglets_proxy proxy;
        struct paglets_err err = {0};
        assert_int_equal(paglets__proxy_from_json(json, &proxy, &err), -EINVAL);
        assert_true(err.message[0] != '\0');
        json_decref(json);
    }
}

static void test_proxy_host_url_is_stored_canonical(void **state)
{
    (void)state;
    json_t *json = json_pack("{s:s, s:s}", "host_url", "HTTP://Alpha.LAN:80/",
                             "agent_id", "a");
    struct paglets_proxy proxy;
    assert_int_equal(paglets__proxy_from_json(json, &proxy, NULL), 0);
    assert_string_equal(proxy.host_url, "http://alpha.lan");
    json_decref(json);
}

static void test_proxy_rejects_overlong_url(void **state)
{
    (void)state;
    char url[PAGLETS_URL_MAX + 16];
    memset(url, 'a', sizeof(url) - 1);
    memcpy(url, "http://", 7);
    url[sizeof(url) - 1] = '\0';
    json_t *json = json_pack("{s:s, s:s}", "host_url", url, "agent_id", "a");
    struct paglets_proxy proxy;
    assert_int_equal(paglets__proxy_from_json(json, &proxy, NULL), -EINVAL);
    json_decref(json);
}

static void test_envelope_round_trips(void **state)
{
    (void)state;
    json_t *st = parse("{\"counter\": 3, \"data\": [1, {\"x\": null}]}");
    struct paglets__envelope in = {
        .kind = "clone",
        .agent_id = "new1",
        .agent_class_name = "EchoAgent",
        .state_class_name = "EchoState",
        .state = st,
        .source_host_name = "alpha",
        .source_host_address = "http://127.0.0.1:1",
        .target_host_name = "beta",
        .target_host_address = "http://127.0.0.1:2",
        .clone_of = "old1",
    };
    json_t *json = paglets__envelope_to_json(&in);
    assert_non_null(json);
    assert_true(paglets__is_envelope(json));
    assert_true(json_is_object(json_object_get(json, "metadata")));
    struct paglets__envelope out;
    assert_int_equal(paglets__envelope_from_json(json, &out, NULL), 0);
    assert_string_equal(out.agent_id, "new1");
    assert_string_equal(out.agent_class_name, "EchoAgent");
    assert_string_equal(out.state_class_name, "EchoState");
    assert_string_equal(out.source_host_name, "alpha");
    assert_string_equal(out.target_host_address, "http://127.0.0.1:2");
    assert_string_equal(out.clone_of, "old1");
    assert_true(json_equal(out.state, st));
    json_decref(json);
    json_decref(st);
}

static void test_envelope_fills_missing_optional_fields(void **state)
{
    (void)state;
    json_t *json =
        parse("{\"kind\": \"clone\", \"agent_class_name\": \"T\", \"state\": "
              "{}, \"metadata\": null}");
    struct paglets__envelope e;
    assert_int_equal(paglets__envelope_from_json(json, &e, NULL), 0);
    assert_string_equal(e.agent_id, "");
    assert_string_equal(e.source_host_name, "");
    assert_string_equal(e.clone_of, "");
    json_decref(json);
}

static void test_envelope_rejects_hostile_json(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "[]",
        "{}",
        "{\"kind\": \"clone\", \"state\": {}}",
        "{\"kind\": \"clone\", \"agent_class_name\": \"T\"}",
        "{\"kind\": \"move\", \"agent_class_name\": \"T\", \"state\": {}}",
        "{\"kind\": 1, \"agent_class_name\": \"T\", \"state\": {}}",
        "{\"kind\": \"clone\", \"agent_class_name\": [], \"state\": {}}",
        "{\"kind\": \"clone\", \"agent_class_name\": \"T\", \"state\": {}, "
        "\"agent_id\": 7}",
        "{\"kind\": \"clone\", \"agent_class_name\": \"T\", \"state\": {}, "
        "\"source_host_name\": {}}",
        "{\"kind\": \"clone\", \"agent_class_name\": \"T\", \"state\": {}, "
        "\"metadata\": \"x\"}",
        "{\"kind\": \"clone\", \"agent_class_name\": \"T\\u0000U\", "
        "\"state\": {}}",
        "{\"kind\": \"clone\\u0000\", \"agent_class_name\": \"T\", "
        "\"state\": {}}",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *json = parse(cases[i]);
        struct paglets__envelope e;
        struct paglets_err err = {0};
        assert_int_equal(paglets__envelope_from_json(json, &e, &err), -EINVAL);
        assert_true(err.message[0] != '\0');
        json_decref(json);
    }
}

static void test_envelope_rejects_overlong_id(void **state)
{
    (void)state;
    char id[PAGLETS_ID_MAX + 8];
    memset(id, 'a', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    json_t *json = json_pack("{s:s, s:s, s:{}, s:s}", "kind", "clone",
                             "agent_class_name", "T", "state", "agent_id", id);
    struct paglets__envelope e;
    assert_int_equal(paglets__envelope_from_json(json, &e, NULL), -EINVAL);
    json_decref(json);
}

static void test_create_decodes_type_and_state(void **state)
{
    (void)state;
    json_t *json = parse("{\"agent_class_name\": \"EchoAgent\", \"state\": "
                         "{\"counter\": 1}}");
    const char *type;
    const json_t *st;
    assert_int_equal(paglets__create_from_json(json, &type, &st, NULL), 0);
    assert_string_equal(type, "EchoAgent");
    assert_int_equal(json_integer_value(json_object_get(st, "counter")), 1);
    json_decref(json);

    json = parse("{\"agent_class_name\": \"EchoAgent\", \"state\": null}");
    assert_int_equal(paglets__create_from_json(json, &type, &st, NULL), 0);
    assert_null(st);
    json_decref(json);

    static const char *const bad[] = {"[]", "{}", "{\"agent_class_name\": 1}",
                                      "{\"agent_class_name\": null}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json = parse(bad[i]);
        assert_int_equal(paglets__create_from_json(json, &type, &st, NULL),
                         -EINVAL);
        json_decref(json);
    }
}

static void test_message_round_trips(void **state)
{
    (void)state;
    json_t *args = parse("{\"by\": 2}");
    json_t *json = paglets__message_to_json("increment", args, true);
    struct paglets__message m;
    assert_int_equal(paglets__message_from_json(json, &m, NULL), 0);
    assert_string_equal(m.op, "increment");
    assert_true(m.oneway);
    assert_true(json_equal(m.args, args));
    json_decref(json);
    json_decref(args);

    json = parse("{\"message\": {\"kind\": \"echo\"}}");
    assert_int_equal(paglets__message_from_json(json, &m, NULL), 0);
    assert_null(m.args);
    assert_false(m.oneway);
    json_decref(json);
}

static void test_message_rejects_hostile_json(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "[]",
        "{}",
        "{\"message\": \"echo\"}",
        "{\"message\": {}}",
        "{\"message\": {\"kind\": 1}}",
        "{\"message\": {\"kind\": \"echo\"}, \"oneway\": 1}",
        "{\"message\": {\"kind\": \"echo\"}, \"oneway\": \"true\"}",
        "{\"message\": {\"kind\": \"ec\\u0000ho\"}}",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *json = parse(cases[i]);
        struct paglets__message m;
        assert_int_equal(paglets__message_from_json(json, &m, NULL), -EINVAL);
        json_decref(json);
    }
}

/* The parser caps nesting; what it lets through decodes without recursion. */
static void test_deep_nesting_is_refused_or_carried(void **state)
{
    (void)state;
    enum { DEEP = 10000, OK = 1000 };
    char *text = malloc(2 * DEEP + 64);
    assert_non_null(text);
    memset(text, '[', DEEP);
    memset(text + DEEP, ']', DEEP);
    text[2 * DEEP] = '\0';
    json_error_t jerr;
    assert_null(json_loads(text, 0, &jerr));

    int n = snprintf(text, 64, "{\"message\": {\"kind\": \"e\", \"args\": ");
    memset(text + n, '[', OK);
    memset(text + n + OK, ']', OK);
    strcpy(text + n + 2 * OK, "}}");
    json_t *json = json_loads(text, 0, &jerr);
    assert_non_null(json);
    struct paglets__message m;
    assert_int_equal(paglets__message_from_json(json, &m, NULL), 0);
    assert_true(json_is_array(m.args));
    json_decref(json);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_is_valid_accepts_only_safe_names),
        cmocka_unit_test(test_id_generate_gives_distinct_valid_ids),
        cmocka_unit_test(test_proxy_round_trips),
        cmocka_unit_test(test_proxy_rejects_hostile_json),
        cmocka_unit_test(test_proxy_host_url_is_stored_canonical),
        cmocka_unit_test(test_proxy_rejects_overlong_url),
        cmocka_unit_test(test_envelope_round_trips),
        cmocka_unit_test(test_envelope_fills_missing_optional_fields),
        cmocka_unit_test(test_envelope_rejects_hostile_json),
        cmocka_unit_test(test_envelope_rejects_overlong_id),
        cmocka_unit_test(test_create_decodes_type_and_state),
        cmocka_unit_test(test_message_round_trips),
        cmocka_unit_test(test_message_rejects_hostile_json),
        cmocka_unit_test(test_deep_nesting_is_refused_or_carried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
