/*
 * The endpoint table on a host that is configured but not listening:
 * known paths with their methods, 405 with the allowed methods for a known
 * path and another method, 404 for paths no endpoint has.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <paglets/host.h>

#include "runtime/host_int.h"
#include "runtime/routes.h"

static void test_route_table(void **state)
{
    (void)state;
    static const struct {
        const char *method;
        const char *path;
        int rc;
        int status;
        const char *allow;
    } cases[] = {
        {"GET", "/health", 0, 200, ""},
        {"GET", "/hosts", 0, 200, ""},
        {"GET", "/agents", 0, 200, ""},
        {"PUT", "/health", -ENOSYS, 0, "GET"},
        {"POST", "/health", -ENOSYS, 0, "GET"},
        {"HEAD", "/hosts", -ENOSYS, 0, "GET"},
        {"GET", "/hosts/join", -ENOSYS, 0, "POST"},
        {"PATCH", "/agents", -ENOSYS, 0, "GET, POST"},
        {"DELETE", "/agents/abc", -ENOSYS, 0, "GET"},
        {"GET", "/agents/abc/messages", -ENOSYS, 0, "POST"},
        {"GET", "/agents/abc/dispose", -ENOSYS, 0, "POST"},
        {"GET", "/agents/abc", -ENOENT, 0, ""}, /* no such agent */
        {"POST", "/agents/abc/dispose", -ENOENT, 0, ""},
        {"GET", "/nope", -ENOENT, 0, ""},
        {"DELETE", "/nope", -ENOENT, 0, ""},
        {"GET", "/health/", -ENOENT, 0, ""},
        {"POST", "/agents/", -ENOENT, 0, ""},
        {"GET", "/agents//messages", -ENOENT, 0, ""},
        {"GET", "/agents/abc/unknown", -ENOENT, 0, ""},
        {"GET",
         "/agents/0123456789012345678901234567890123456789012345678901234567"
         "89",
         -ENOENT, 0, ""},
    };
    struct paglets_host_config config;
    paglets_host_config_init(&config);
    config.name = "routes";
    config.mesh = false;
    struct paglets_host *host = paglets_host_new(&config, NULL);
    assert_non_null(host);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets__route_reply reply;
        struct paglets_err err = {0};
        int rc = paglets__route(host, cases[i].method, cases[i].path, NULL,
                                &reply, &err);
        if (rc != cases[i].rc)
            fail_msg("%s %s: %d (%s), expected %d", cases[i].method,
                     cases[i].path, rc, err.message, cases[i].rc);
        if (rc == 0) {
            assert_int_equal(reply.status, cases[i].status);
            json_decref(reply.body);
        } else {
            assert_true(err.message[0] != '\0');
        }
        if (rc == -ENOSYS)
            assert_string_equal(reply.allow, cases[i].allow);
    }
    paglets_host_free(host);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
