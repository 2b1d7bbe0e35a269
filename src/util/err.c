/*
 * Error reports (struct paglets_err) and errno names.
 */
#include "compat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <paglets/common.h>

int paglets_err_set(struct paglets_err *err, int code, const char *fmt, ...)
{
    if (err == NULL || err->code != 0)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

void paglets_err_clear(struct paglets_err *err)
{
    if (err == NULL)
        return;
    err->code = 0;
    err->message[0] = '\0';
}

const char *paglets_strerror(int code)
{
    /* strerrordesc_np is thread-safe and returns static text (glibc 2.32). */
    const char *text = strerrordesc_np(code < 0 ? -code : code);
    return text != NULL ? text : "unknown error";
}

const char *paglets_errname(int code)
{
    const char *name = strerrorname_np(code < 0 ? -code : code);
    return name != NULL ? name : "EUNKNOWN";
}
