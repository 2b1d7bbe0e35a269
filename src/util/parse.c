/*
 * Parsers for the two unit-bearing kinds of value users type: byte sizes
 * and durations. Both reject NaN, infinities, signs and trailing junk.
 */
#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <paglets/common.h>

/* strtod accepts "nan", "inf", hex and leading blanks; we want none. */
static int parse_plain_number(const char *text, double *value,
                              const char **rest)
{
    const char *p = text;
    if (!isdigit((unsigned char)*p) && *p != '.')
        return -EINVAL;
    for (; isdigit((unsigned char)*p) || *p == '.'; p++)
        ;
    char digits[64];
    size_t len = (size_t)(p - text);
    if (len == 0 || len >= sizeof(digits))
        return -EINVAL;
    memcpy(digits, text, len);
    digits[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(digits, &end);
    if (end != digits + len || errno != 0 || !isfinite(v))
        return -EINVAL;
    *value = v;
    *rest = p;
    return 0;
}

int paglets_parse_size(const char *text, uint64_t *bytes,
                       struct paglets_err *err)
{
    double value;
    const char *rest;
    if (text == NULL || parse_plain_number(text, &value, &rest) != 0)
        return paglets_err_set(err, -EINVAL,
                               "invalid size '%s' (expected a positive "
                               "number with optional K, M, G or T suffix)",
                               text ? text : "");
    static const char units[] = "KMGT";
    double scale = 1;
    if (*rest != '\0') {
        const char *u = strchr(units, toupper((unsigned char)*rest));
        if (u != NULL) {
            scale = ldexp(1.0, 10 * (int)(u - units + 1));
            rest++;
        }
        if (*rest == 'b' || *rest == 'B')
            rest++;
    }
    if (*rest != '\0')
        return paglets_err_set(err, -EINVAL,
                               "invalid size '%s' (expected a positive "
                               "number with optional K, M, G or T suffix)",
                               text);
    double total = floor(value * scale);
    if (total < 1)
        return paglets_err_set(
            err, -EINVAL, "invalid size '%s' (must be at least 1 byte)", text);
    if (total >= 18446744073709551616.0)
        return paglets_err_set(err, -ERANGE, "size '%s' is too large", text);
    *bytes = (uint64_t)total;
    return 0;
}

int paglets_parse_seconds(const char *text, double *seconds,
                          struct paglets_err *err)
{
    double value;
    const char *rest;
    if (text == NULL || parse_plain_number(text, &value, &rest) != 0)
        return paglets_err_set(err, -EINVAL,
                               "invalid duration '%s' (expected a "
                               "non-negative number of seconds, or ms/s/m)",
                               text ? text : "");
    if (strcasecmp(rest, "ms") == 0)
        value /= 1000;
    else if (strcasecmp(rest, "m") == 0)
        value *= 60;
    else if (*rest != '\0' && strcasecmp(rest, "s") != 0)
        return paglets_err_set(err, -EINVAL,
                               "invalid duration '%s' (expected a "
                               "non-negative number of seconds, or ms/s/m)",
                               text);
    if (value > 1e9)
        return paglets_err_set(err, -ERANGE, "duration '%s' is too large",
                               text);
    *seconds = value;
    return 0;
}
