/*
 * The HostRef codec and POST /hosts/join against hostile bodies: wrong
 * types, oversize strings and lists, junk inside the gossip payload.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/mesh_int.h"

static double fake_now;

static int no_exchange(void *arg, const char *url, const json_t *request,
                       double timeout_seconds, json_t **reply,
                       struct paglets_err *err)
{
    (void)arg;
    (void)request;
    (void)timeout_seconds;
    (void)reply;
    return paglets_err_set(err, -ECONNREFUSED, "%s: refused", url);
}

static double fake_clock(void *arg)
{
    (void)arg;
    return fake_now;
}

static uint64_t fake_random(void *arg)
{
    (void)arg;
    return 4;
}

static const struct paglets__mesh_ops fake_ops = {
    .exchange = no_exchange,
    .mono_now = fake_clock,
    .wall_now = fake_clock,
    .random = fake_random,
};

static struct paglets__mesh *new_mesh(void)
{
    struct paglets__mesh_config config = {
        .self_name = "alpha",
        .self_url = "http://127.0.0.1:1",
        .mesh_version = "v1",
        .offline_after_seconds = 10,
        .interval_s = 1,
    };
    struct paglets__mesh *mesh =
        paglets__mesh_new_with_ops(&config, &fake_ops, NULL, NULL);
    assert_non_null(mesh);
    return mesh;
}

static size_t count_hosts(struct paglets__mesh *mesh, size_t *online)
{
    struct paglets_host_info *hosts = NULL;
    size_t n = 0;
    assert_int_equal(paglets__mesh_members(mesh, &hosts, &n, NULL), 0);
    *online = 0;
    for (size_t i = 0; i < n; i++)
        *online += hosts[i].online;
    free(hosts);
    return n;
}

static int join_text(struct paglets__mesh *mesh, const char *text)
{
    json_t *body = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    assert_non_null(body);
    json_t *reply = NULL;
    struct paglets_err err = {0};
    int rc = paglets__mesh_handle_join(mesh, body, &reply, &err);
    if (rc == 0) {
        assert_true(json_is_array(json_object_get(reply, "hosts")));
    } else {
        assert_null(reply);
        assert_true(err.message[0] != '\0');
    }
    json_decref(reply);
    json_decref(body);
    return rc;
}

#define HOST "\"name\":\"beta\",\"url\":\"http://127.0.0.1:2\""

static void test_mesh_join_rejects_malformed_hosts(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "[]",
        "\"beta\"",
        "null",
        "{}",
        "{\"name\":\"beta\"}",
        "{\"url\":\"http://127.0.0.1:2\"}",
        "{\"name\":1,\"url\":\"http://127.0.0.1:2\"}",
        "{\"name\":\"\",\"url\":\"http://127.0.0.1:2\"}",
        "{\"name\":\"beta\",\"url\":\"ftp://127.0.0.1:2\"}",
        "{\"name\":\"beta\",\"url\":\"http://a b\"}",
        "{\"name\":\"be\\nta\",\"url\":\"http://127.0.0.1:2\"}",
        "{\"name\":\"be\\u0000ta\",\"url\":\"http://127.0.0.1:2\"}",
        "{" HOST ",\"code_version\":7}",
        "{" HOST ",\"online\":\"yes\"}",
        "{" HOST ",\"active_count\":-1}",
        "{" HOST ",\"active_count\":\"3\"}",
        "{" HOST ",\"inactive_count\":1.5}",
        "{" HOST ",\"last_seen\":\"now\"}",
        "{" HOST ",\"tags\":\"x\"}",
        "{" HOST ",\"tags\":[1]}",
        "{" HOST ",\"tags\":[[[[[[[[[[]]]]]]]]]]}",
        "{" HOST ",\"properties\":[]}",
        "{" HOST ",\"properties\":{\"k\":1}}",
        "{" HOST ",\"heartbeat\":-5,\"incarnation\":1}",
        "{" HOST ",\"heartbeat\":1,\"incarnation\":\"x\"}",
        "{" HOST ",\"age_s\":-1}",
        "{" HOST ",\"age_s\":\"1\"}",
        "{" HOST ",\"members\":{}}",
        "{" HOST ",\"members\":\"all\"}",
    };
    struct paglets__mesh *mesh = new_mesh();
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        if (join_text(mesh, bodies[i]) != -EINVAL)
            fail_msg("accepted: %s", bodies[i]);
    }
    size_t online;
    assert_int_equal(count_hosts(mesh, &online), 1);
    paglets__mesh_free(mesh);
}

static void test_mesh_join_rejects_oversize_fields(void **state)
{
    (void)state;
    struct paglets__mesh *mesh = new_mesh();
    char big[600];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    char body[2048];
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"url\":\"http://a\"}", big);
    assert_int_equal(join_text(mesh, body), -EINVAL);
    snprintf(body, sizeof(body), "{\"name\":\"b\",\"url\":\"http://%s\"}", big);
    assert_int_equal(join_text(mesh, body), -EINVAL);
    json_t *tags = json_array();
    for (int i = 0; i < PAGLETS__MESH_MAX_TAGS + 1; i++)
        json_array_append_new(tags, json_string("t"));
    json_t *host =
        json_pack("{s:s,s:s,s:s,s:o}", "name", "beta", "url",
                  "http://127.0.0.1:2", "code_version", "v1", "tags", tags);
    json_t *reply = NULL;
    assert_int_equal(paglets__mesh_handle_join(mesh, host, &reply, NULL),
                     -EINVAL);
    json_decref(host);
    paglets__mesh_free(mesh);
}

static void test_mesh_join_skips_junk_members(void **state)
{
    (void)state;
    struct paglets__mesh *mesh = new_mesh();
    assert_int_equal(join_text(mesh,
                               "{" HOST ",\"code_version\":\"v1\",\"members\":["
                               "1,\"x\",null,[],{\"name\":\"c\"},"
                               "{\"name\":\"d\",\"url\":\"http://127.0.0.1:4\","
                               "\"code_version\":\"v1\",\"tags\":[2]},"
                               "{\"name\":\"e\",\"url\":\"http://127.0.0.1:5\","
                               "\"code_version\":\"v2\"},"
                               "{\"name\":\"f\",\"url\":\"http://127.0.0.1:6\","
                               "\"code_version\":\"v1\",\"online\":false},"
                               "{\"name\":\"g\",\"url\":\"http://127.0.0.1:7\","
                               "\"code_version\":\"v1\",\"age_s\":99},"
                               "{\"name\":\"alpha\",\"url\":\"http://evil:1\","
                               "\"code_version\":\"v1\",\"heartbeat\":9,"
                               "\"incarnation\":99999999999999},"
                               "{\"name\":\"h\",\"url\":\"http://127.0.0.1:8\","
                               "\"code_version\":\"v1\",\"heartbeat\":3,"
                               "\"incarnation\":1,\"age_s\":1.5}]}"),
                     0);
    /* alpha itself, beta (direct) and h; nothing else got in. */
    size_t online;
    assert_int_equal(count_hosts(mesh, &online), 3);
    assert_int_equal(online, 3);
    char url[PAGLETS_URL_MAX];
    assert_int_equal(paglets__mesh_resolve(mesh, "alpha", url, sizeof(url)), 0);
    assert_string_equal(url, "http://127.0.0.1:1");
    assert_int_equal(paglets__mesh_resolve(mesh, "h", url, sizeof(url)), 0);
    assert_int_equal(paglets__mesh_resolve(mesh, "d", url, sizeof(url)),
                     -ENOENT);
    paglets__mesh_free(mesh);
}

static void test_mesh_join_caps_huge_member_lists(void **state)
{
    (void)state;
    struct paglets__mesh *mesh = new_mesh();
    json_t *members = json_array();
    for (int i = 0; i < 3 * PAGLETS__MESH_MAX_MEMBERS; i++) {
        char name[32], url[64];
        snprintf(name, sizeof(name), "m%d", i);
        snprintf(url, sizeof(url), "http://127.0.0.1:%d", 10000 + i);
        json_array_append_new(members,
                              json_pack("{s:s,s:s,s:s}", "name", name, "url",
                                        url, "code_version", "v1"));
    }
    json_t *body = json_pack("{s:s,s:s,s:s,s:o}", "name", "beta", "url",
                             "http://127.0.0.1:2", "code_version", "v1",
                             "members", members);
    json_t *reply = NULL;
    assert_int_equal(paglets__mesh_handle_join(mesh, body, &reply, NULL), 0);
    assert_true(json_array_size(json_object_get(reply, "hosts")) <=
                PAGLETS__MESH_MAX_MEMBERS + 1);
    json_decref(reply);
    json_decref(body);
    size_t online;
    assert_true(count_hosts(mesh, &online) <= PAGLETS__MESH_MAX_MEMBERS + 1);
    paglets__mesh_free(mesh);
}

static void test_mesh_join_from_other_version_gets_only_us(void **state)
{
    (void)state;
    struct paglets__mesh *mesh = new_mesh();
    json_t *body = json_pack("{s:s,s:s,s:s}", "name", "beta", "url",
                             "http://127.0.0.1:2", "code_version", "v2");
    for (int i = 0; i < 3; i++) {
        json_t *reply = NULL;
        assert_int_equal(paglets__mesh_handle_join(mesh, body, &reply, NULL),
                         0);
        const json_t *hosts = json_object_get(reply, "hosts");
        assert_int_equal(json_array_size(hosts), 1);
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(hosts, 0), "name")),
                            "alpha");
        json_decref(reply);
    }
    json_decref(body);
    size_t online;
    assert_int_equal(count_hosts(mesh, &online), 1);
    paglets__mesh_free(mesh);
}

static void test_mesh_hosts_json_renders_host_refs(void **state)
{
    (void)state;
    fake_now = 100;
    struct paglets__mesh *mesh = new_mesh();
    assert_int_equal(
        join_text(mesh, "{" HOST ",\"code_version\":\"v1\","
                        "\"tags\":[\"gpu\"],\"properties\":{\"rack\":\"r1\"},"
                        "\"active_count\":2}"),
        0);
    fake_now = 104;
    json_t *hosts = paglets__mesh_hosts_json(mesh);
    assert_non_null(hosts);
    const json_t *beta = json_array_get(json_object_get(hosts, "hosts"), 1);
    struct paglets__mesh_ref ref;
    assert_int_equal(paglets__mesh_ref_parse(beta, &ref, NULL), 0);
    assert_string_equal(ref.name, "beta");
    assert_true(ref.online);
    assert_int_equal(ref.active_count, 2);
    assert_float_equal(json_real_value(json_object_get(beta, "last_seen")), 100,
                       1e-9);
    assert_string_equal(json_string_value(json_array_get(ref.tags, 0)), "gpu");
    assert_non_null(json_object_get(hosts, "mesh"));
    json_decref(hosts);
    fake_now = 111;
    assert_int_equal(join_text(mesh, "{\"name\":\"c\",\"url\":\"http://c\","
                                     "\"code_version\":\"v1\"}"),
                     0);
    size_t online;
    assert_int_equal(count_hosts(mesh, &online), 3);
    assert_int_equal(online, 2); /* beta fell silent 11 s ago */
    paglets__mesh_free(mesh);
    fake_now = 0;
}

static void test_mesh_beacons_add_hosts_and_drop_junk(void **state)
{
    (void)state;
    static const char *const junk[] = {
        "",
        "\xff\xfe",
        "not json",
        "[]",
        "{\"kind\":\"other\",\"host\":{" HOST ",\"code_version\":\"v1\"}}",
        "{\"kind\":\"paglets.remote.mesh.v1\"}",
        "{\"kind\":\"paglets.remote.mesh.v1\",\"host\":[]}",
        "{\"kind\":7,\"host\":{" HOST ",\"code_version\":\"v1\"}}",
        "{\"kind\":\"paglets.remote.mesh.v1\",\"host\":{" HOST
        ",\"code_version\":\"v2\"}}",
    };
    struct paglets__mesh *mesh = new_mesh();
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        paglets__mesh_take_beacon(mesh, junk[i], strlen(junk[i]));
    size_t online;
    assert_int_equal(count_hosts(mesh, &online), 1);
    const char *beacon = "{\"kind\":\"paglets.remote.mesh.v1\",\"host\":{" HOST
                         ",\"code_version\":\"v1\"}}";
    paglets__mesh_take_beacon(mesh, beacon, strlen(beacon));
    assert_int_equal(count_hosts(mesh, &online), 2);
    assert_int_equal(online, 2);
    struct paglets__mesh_stats stats;
    paglets__mesh_get_stats(mesh, &stats);
    /* The other version's beacon was well formed, just refused. */
    assert_int_equal(stats.beacons_received, 2);
    paglets__mesh_free(mesh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mesh_join_rejects_malformed_hosts),
        cmocka_unit_test(test_mesh_join_rejects_oversize_fields),
        cmocka_unit_test(test_mesh_join_skips_junk_members),
        cmocka_unit_test(test_mesh_join_caps_huge_member_lists),
        cmocka_unit_test(test_mesh_join_from_other_version_gets_only_us),
        cmocka_unit_test(test_mesh_hosts_json_renders_host_refs),
        cmocka_unit_test(test_mesh_beacons_add_hosts_and_drop_junk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
