/*
 * Errors on the wire: the errno <-> HTTP status map both sides use, and
 * the JSON error body {"error": {"code": "ENOENT", "message": "..."}}.
 */
#ifndef PAGLETS_WIRE_ERROR_H
#define PAGLETS_WIRE_ERROR_H

#include <jansson.h>

#include <paglets/common.h>

/*
 * The HTTP status a host answers a negative errno with: -EINVAL and
 * -EPROTO 400, -EACCES 401, -EPERM 403, -ENOENT 404, -ENOSYS 405 (known
 * path, method not allowed), -EMSGSIZE 413, -EOPNOTSUPP 422, -EBUSY and
 * -EAGAIN 503, -ETIMEDOUT 504, -ENOSPC 507 (no room for more agent
 * state), -ELOOP 508 (too many nested calls), anything else 500.
 */
int paglets__wire_status_of(int code);

/*
 * The negative errno a client reads from a status: the first errno the
 * table above maps to it; other 5xx -EIO, other statuses -EINVAL.
 */
int paglets__wire_errno_of(long status);

/* {"error": {"code": NAME, "message": message}}: new reference or NULL. */
json_t *paglets__wire_error_json(int code, const char *message);

/*
 * The message of an error body (borrowed from body), or NULL. Also reads
 * the older {"error": "message"} shape. The body's "code" is not read
 * back: a client's errno says what kind of failure the status reports
 * (paglets__wire_errno_of), never a cause local to the peer such as
 * -ECANCELED.
 */
const char *paglets__wire_error_message(const json_t *body);

#endif
