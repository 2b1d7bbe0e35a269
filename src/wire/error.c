/*
 * One table maps errno values to HTTP statuses and back, so a host's
 * answer and a client's reading of it cannot drift apart.
 */
#include "compat.h"

#include <errno.h>

#include "wire/error.h"

/* For a status named twice, the first row is what a client reads. */
static const struct {
    int code;
    int status;
} status_map[] = {
    {-EINVAL, 400},     {-EPROTO, 400},      {-EACCES, 401},
    {-EPERM, 403},      {-ENOENT, 404},      {-ENOSYS, 405},
    {-EMSGSIZE, 413},   {-EMEDIUMTYPE, 415}, {-EADDRNOTAVAIL, 421},
    {-EOPNOTSUPP, 422}, {-EBUSY, 503},       {-EAGAIN, 503},
    {-ETIMEDOUT, 504},  {-ENOSPC, 507},      {-ELOOP, 508},
};

#define N_STATUS (sizeof(status_map) / sizeof(status_map[0]))

int paglets__wire_status_of(int code)
{
    for (size_t i = 0; i < N_STATUS; i++)
        if (status_map[i].code == code)
            return status_map[i].status;
    return 500;
}

int paglets__wire_errno_of(long status)
{
    for (size_t i = 0; i < N_STATUS; i++)
        if (status_map[i].status == status)
            return status_map[i].code;
    return status >= 500 && status <= 599 ? -EIO : -EINVAL;
}

json_t *paglets__wire_error_json(int code, const char *message)
{
    return json_pack("{s:{s:s, s:s}}", "error", "code", paglets_errname(code),
                     "message", message ? message : paglets_strerror(code));
}

const char *paglets__wire_error_message(const json_t *body)
{
    const json_t *error = json_object_get(body, "error");
    if (json_is_string(error))
        return json_string_value(error);
    return json_string_value(json_object_get(error, "message"));
}
