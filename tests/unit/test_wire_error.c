/*
 * The errno <-> HTTP status map and the JSON error body.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/error.h"

static void test_status_map_both_ways(void **state)
{
    (void)state;
    static const struct {
        int code;
        int status;
        int back; /* what a client reads from that status */
    } cases[] = {
        {-EINVAL, 400, -EINVAL},
        {-EPROTO, 400, -EINVAL},
        {-EACCES, 401, -EACCES},
        {-EPERM, 403, -EPERM},
        {-ENOENT, 404, -ENOENT},
        {-ENOSYS, 405, -ENOSYS},
        {-EMSGSIZE, 413, -EMSGSIZE},
        {-EOPNOTSUPP, 422, -EOPNOTSUPP},
        {-EMEDIUMTYPE, 415, -EMEDIUMTYPE},
        {-EADDRNOTAVAIL, 421, -EADDRNOTAVAIL},
        {-EBUSY, 503, -EBUSY},
        {-EAGAIN, 503, -EBUSY},
        {-ETIMEDOUT, 504, -ETIMEDOUT},
        {-ENOMEM, 500, -EIO},
        {-ECANCELED, 500, -EIO},
        {-EIO, 500, -EIO},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(paglets__wire_status_of(cases[i].code),
                         cases[i].status);
        assert_int_equal(paglets__wire_errno_of(cases[i].status),
                         cases[i].back);
    }
    assert_int_equal(paglets__wire_errno_of(418), -EINVAL);
    assert_int_equal(paglets__wire_errno_of(502), -EIO);
    assert_int_equal(paglets__wire_errno_of(302), -EINVAL);
}

static void test_error_body_round_trip(void **state)
{
    (void)state;
    json_t *body = paglets__wire_error_json(-ENOENT, "no agent 'x'");
    assert_non_null(body);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(body, "error"), "code")),
                        "ENOENT");
    assert_string_equal(paglets__wire_error_message(body), "no agent 'x'");
    json_decref(body);
    body = paglets__wire_error_json(-EBUSY, NULL);
    assert_string_equal(paglets__wire_error_message(body),
                        paglets_strerror(-EBUSY));
    json_decref(body);
    body = json_pack("{s:s}", "error", "old shape");
    assert_string_equal(paglets__wire_error_message(body), "old shape");
    json_decref(body);
    body = json_pack("{s:{s:i}}", "error", "message", 1);
    assert_null(paglets__wire_error_message(body));
    json_decref(body);
    assert_null(paglets__wire_error_message(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_map_both_ways),
        cmocka_unit_test(test_error_body_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
