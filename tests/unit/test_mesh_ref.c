/*
 * The HostRef codec and POST /hosts/join and /hosts/sync against hostile
 * bodies: wrong types, oversize strings and lists, listed members that
 * must not get in.
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

/* The last message the mesh sent, held until a test answers it. */
struct sent {
    char url[PAGLETS_URL_MAX];
    char kind[16];
    json_t *body;
    paglets__mesh_done_fn done;
    void *done_arg;
};
static struct sent outbox[16];
static size_t n_outbox;

static int fake_send(void *arg, const char *url, const char *kind,
                     const json_t *body, double timeout_seconds,
                     paglets__mesh_done_fn done, void *done_arg)
{
    (void)arg;
    (void)timeout_seconds;
    if (n_outbox == 16)
        return -EAGAIN;
    struct sent *s = &outbox[n_outbox++];
    snprintf(s->url, sizeof(s->url), "%s", url);
    snprintf(s->kind, sizeof(s->kind), "%s", kind);
    s->body = json_deep_copy(body);
    s->done = done;
    s->done_arg = done_arg;
    return 0;
}

/* Answer (or fail, reply NULL) every message sent so far. */
static void answer_all(const json_t *reply)
{
    size_t n = n_outbox;
    n_outbox = 0;
    for (size_t i = 0; i < n; i++) {
        outbox[i].done(outbox[i].done_arg, reply ? 0 : -ETIMEDOUT, reply,
                       reply ? NULL : "timed out");
        json_decref(outbox[i].body);
    }
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
    .send = fake_send,
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

/* Fail what is still out, so every call ends before the mesh goes. */
static void free_mesh(struct paglets__mesh *mesh)
{
    answer_all(NULL);
    paglets__mesh_free(mesh);
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
    int rc = paglets__mesh_handle(mesh, "join", body, &reply, &err);
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
        "{" HOST ",\"incarnation\":-5}",
        "{" HOST ",\"incarnation\":\"x\"}",
    };
    struct paglets__mesh *mesh = new_mesh();
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        if (join_text(mesh, bodies[i]) != -EINVAL)
            fail_msg("accepted: %s", bodies[i]);
    }
    size_t online;
    assert_int_equal(count_hosts(mesh, &online), 1);
    free_mesh(mesh);
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
    assert_int_equal(paglets__mesh_handle(mesh, "join", host, &reply, NULL),
                     -EINVAL);
    json_decref(host);
    free_mesh(mesh);
}

/* A join adds its caller, pending until it answers; never what it lists. */
static void test_mesh_join_ignores_listed_members(void **state)
{
    (void)state;
    struct paglets__mesh *mesh = new_mesh();
    assert_int_equal(join_text(mesh,
                               "{" HOST ",\"code_version\":\"v1\",\"members\":["
                               "1,\"x\",null,[],{\"name\":\"c\"},"
                               "{\"name\":\"d\",\"url\":\"http://127.0.0.1:4\","
                               "\"code_version\":\"v1\"},"
                               "{\"name\":\"alpha\",\"url\":\"http://evil:1\","
                               "\"code_version\":\"v1\",\"heartbeat\":9,"
                               "\"incarnation\":99999999999999}]}"),
                     0);
    size_t online;
    assert_int_equal(count_hosts(mesh, &online), 1);
    assert_int_equal(paglets__mesh_state_of(mesh, "beta"),
                     PAGLETS__MESH_PENDING);
    assert_int_equal(paglets__mesh_state_of(mesh, "d"), PAGLETS__MESH_UNKNOWN);
    char url[PAGLETS_URL_MAX];
    assert_int_equal(paglets__mesh_resolve(mesh, "alpha", url, sizeof(url)), 0);
    assert_string_equal(url, "http://127.0.0.1:1");
    assert_int_equal(paglets__mesh_resolve(mesh, "beta", url, sizeof(url)),
                     -ENOENT);
    free_mesh(mesh);
}

/* A sync from a stranger introduces the stranger, none of its members. */
static void test_mesh_sync_from_stranger_takes_no_unknown_members(void **state)
{
    (void)state;
    struct paglets__mesh *mesh = new_mesh();
    json_t *members = json_array();
    for (int i = 0; i < 3000; i++) {
        char name[32], url[64];
        snprintf(name, sizeof(name), "m%d", i);
        snprintf(url, sizeof(url), "http://127.0.0.1:%d", 10000 + i);
        json_array_append_new(members, json_pack("[s,s,i,i]", name, url, 1, 1));
    }
    json_t *body =
        json_pack("{s:[s,s,i],s:s,s:o}", "from", "beta", "http://127.0.0.1:2",
                  5, "v", "v1", "members", members);
    json_t *reply = NULL;
    assert_int_equal(paglets__mesh_handle(mesh, "sync", body, &reply, NULL), 0);
    assert_true(json_is_array(json_object_get(reply, "members")));
    json_decref(reply);
    json_decref(body);
    struct paglets__mesh_stats st;
    paglets__mesh_get_stats(mesh, &st);
    assert_int_equal(st.pending, 1); /* beta */
    assert_int_equal(st.alive, 0);
    assert_int_equal(st.unknown_dropped, 3000);
    free_mesh(mesh);
}

static void test_mesh_join_from_other_version_gets_only_us(void **state)
{
    (void)state;
    struct paglets__mesh *mesh = new_mesh();
    json_t *body = json_pack("{s:s,s:s,s:s}", "name", "beta", "url",
                             "http://127.0.0.1:2", "code_version", "v2");
    for (int i = 0; i < 3; i++) {
        json_t *reply = NULL;
        assert_int_equal(paglets__mesh_handle(mesh, "join", body, &reply, NULL),
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
    free_mesh(mesh);
}

static void test_mesh_hosts_json_renders_host_refs(void **state)
{
    (void)state;
    fake_now = 100;
    struct paglets__mesh *mesh = new_mesh();
    assert_int_equal(
        join_text(mesh, "{" HOST ",\"code_version\":\"v1\","
                        "\"tags\":[\"gpu\"],\"properties\":{\"rack\":\"r1\"},"
                        "\"active_count\":2,\"incarnation\":7}"),
        0);
    /* The join's caller is probed before it is listed. */
    paglets__mesh_tick(mesh);
    assert_int_equal(n_outbox, 1);
    assert_string_equal(outbox[0].kind, "ping");
    assert_string_equal(outbox[0].url, "http://127.0.0.1:2");
    json_t *ack =
        json_pack("{s:[s,s,i]}", "ack", "beta", "http://127.0.0.1:2", 7);
    answer_all(ack);
    json_decref(ack);
    fake_now = 104;
    json_t *hosts = paglets__mesh_hosts_json(mesh);
    assert_non_null(hosts);
    const json_t *beta = json_array_get(json_object_get(hosts, "hosts"), 1);
    struct paglets__mesh_ref ref;
    assert_int_equal(paglets__mesh_ref_parse(beta, &ref, NULL), 0);
    assert_string_equal(ref.name, "beta");
    assert_true(ref.online);
    assert_string_equal(json_string_value(json_object_get(beta, "state")),
                        "alive");
    assert_int_equal(ref.active_count, 2);
    assert_float_equal(json_real_value(json_object_get(beta, "last_seen")), 100,
                       1e-9);
    assert_string_equal(json_string_value(json_array_get(ref.tags, 0)), "gpu");
    assert_non_null(json_object_get(hosts, "mesh"));
    json_decref(hosts);
    free_mesh(mesh);
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
    /* Known now, listed once it answers a probe. */
    assert_int_equal(paglets__mesh_state_of(mesh, "beta"),
                     PAGLETS__MESH_PENDING);
    assert_int_equal(count_hosts(mesh, &online), 1);
    struct paglets__mesh_stats stats;
    paglets__mesh_get_stats(mesh, &stats);
    /* The other version's beacon was well formed, just refused. */
    assert_int_equal(stats.beacons_received, 2);
    free_mesh(mesh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mesh_join_rejects_malformed_hosts),
        cmocka_unit_test(test_mesh_join_rejects_oversize_fields),
        cmocka_unit_test(test_mesh_join_ignores_listed_members),
        cmocka_unit_test(test_mesh_sync_from_stranger_takes_no_unknown_members),
        cmocka_unit_test(test_mesh_join_from_other_version_gets_only_us),
        cmocka_unit_test(test_mesh_hosts_json_renders_host_refs),
        cmocka_unit_test(test_mesh_beacons_add_hosts_and_drop_junk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
