/*
 * The --json printer: the layout of Python's json.dumps(indent=2,
 * sort_keys=True), which users of the reference already parse and diff.
 * jansson's own dumper prints reals with 17 digits (0.2 comes out as
 * 0.20000000000000001), so reals are written here in shortest form.
 */
#include "perf_compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* One member of an object, for printing members in key order. */
struct member {
    const char *key;
    const json_t *value;
};

static int compare_members(const void *a, const void *b)
{
    return strcmp(((const struct member *)a)->key,
                  ((const struct member *)b)->key);
}

/* The members of object in strcmp order of their keys; caller frees. */
static struct member *sorted_members(const json_t *object, size_t *n)
{
    *n = 0;
    size_t count = json_object_size(object);
    struct member *members = calloc(count ? count : 1, sizeof(*members));
    if (members == NULL)
        return NULL;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)object, key, value)
    {
        members[(*n)++] = (struct member){key, value};
    }
    qsort(members, *n, sizeof(*members), compare_members);
    return members;
}

/*
 * Python's repr(float): the fewest digits that read back to the same
 * double, fixed notation for decimal exponents -4..15, else d.ddde+XX.
 */
static void format_real(double value, char *out, size_t size)
{
    char buf[40];
    for (int precision = 0; precision <= 17; precision++) {
        snprintf(buf, sizeof(buf), "%.*e", precision, value);
        if (strtod(buf, NULL) == value)
            break;
    }
    const char *p = buf;
    bool negative = *p == '-';
    p += negative;
    char digits[24];
    size_t n = 0;
    for (; *p != 'e' && n + 1 < sizeof(digits); p++)
        if (*p != '.')
            digits[n++] = *p;
    digits[n] = '\0';
    int exponent = (int)strtol(p + 1, NULL, 10);
    const char *sign = negative ? "-" : "";
    if (exponent >= 16 || exponent < -4) {
        snprintf(out, size, "%s%c%s%.*se%c%02d", sign, digits[0],
                 n > 1 ? "." : "", (int)(n - 1), digits + 1,
                 exponent < 0 ? '-' : '+', abs(exponent));
    } else if (exponent < 0) {
        snprintf(out, size, "%s0.%.*s%s", sign, -exponent - 1, "0000", digits);
    } else if ((size_t)exponent + 1 >= n) {
        snprintf(out, size, "%s%s%.*s.0", sign, digits, exponent + 1 - (int)n,
                 "0000000000000000");
    } else {
        snprintf(out, size, "%s%.*s.%s", sign, exponent + 1, digits,
                 digits + exponent + 1);
    }
}

static int write_value(const json_t *json, int depth, FILE *out);

static void newline_indent(int depth, FILE *out)
{
    fprintf(out, "\n%*s", 2 * depth, "");
}

/* Python's ensure_ascii escaping: lowercase \uXXXX, surrogate pairs. */
static void write_string(const char *text, size_t len, FILE *out)
{
    const unsigned char *p = (const unsigned char *)text;
    const unsigned char *end = p + len;
    fputc('"', out);
    while (p < end) {
        static const char short_escapes[] = "btn?fr"; /* from 0x08 */
        unsigned c = *p++;
        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
        } else if (c >= 0x08 && c <= 0x0d && c != 0x0b) {
            fprintf(out, "\\%c", short_escapes[c - 0x08]);
        } else if (c >= 0x20 && c < 0x7f) {
            fputc((int)c, out);
        } else {
            /* jansson holds valid UTF-8 only: decode one code point. */
            int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
            c &= extra ? 0x3fu >> extra : 0x7fu;
            for (; extra > 0 && p < end; extra--)
                c = (c << 6) | (*p++ & 0x3fu);
            if (c >= 0x10000)
                fprintf(out, "\\u%04x\\u%04x", 0xd800 + ((c - 0x10000) >> 10),
                        0xdc00 + ((c - 0x10000) & 0x3ff));
            else
                fprintf(out, "\\u%04x", c);
        }
    }
    fputc('"', out);
}

static int write_scalar(const json_t *json, FILE *out)
{
    char text[48];
    switch (json_typeof(json)) {
    case JSON_STRING:
        write_string(json_string_value(json), json_string_length(json), out);
        return 0;
    case JSON_REAL:
        format_real(json_real_value(json), text, sizeof(text));
        fputs(text, out);
        return 0;
    case JSON_INTEGER:
        fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(json));
        return 0;
    case JSON_TRUE:
    case JSON_FALSE:
        fputs(json_is_true(json) ? "true" : "false", out);
        return 0;
    default:
        fputs("null", out);
        return 0;
    }
}

static int write_object(const json_t *json, int depth, FILE *out)
{
    size_t n;
    struct member *members = sorted_members(json, &n);
    if (members == NULL)
        return -ENOMEM;
    int rc = 0;
    fputc('{', out);
    for (size_t i = 0; i < n && rc == 0; i++) {
        newline_indent(depth + 1, out);
        write_string(members[i].key, strlen(members[i].key), out);
        fputs(": ", out);
        rc = write_value(members[i].value, depth + 1, out);
        if (i + 1 < n)
            fputc(',', out);
    }
    if (n > 0)
        newline_indent(depth, out);
    fputc('}', out);
    free(members);
    return rc;
}

static int write_array(const json_t *json, int depth, FILE *out)
{
    size_t n = json_array_size(json);
    int rc = 0;
    fputc('[', out);
    for (size_t i = 0; i < n && rc == 0; i++) {
        newline_indent(depth + 1, out);
        rc = write_value(json_array_get(json, i), depth + 1, out);
        if (i + 1 < n)
            fputc(',', out);
    }
    if (n > 0)
        newline_indent(depth, out);
    fputc(']', out);
    return rc;
}

static int write_value(const json_t *json, int depth, FILE *out)
{
    if (json_is_object(json))
        return write_object(json, depth, out);
    if (json_is_array(json))
        return write_array(json, depth, out);
    return write_scalar(json, out);
}

int paglets__perf_write_json(const json_t *json, FILE *out)
{
    int rc = write_value(json, 0, out);
    fputc('\n', out);
    if (rc == 0 && ferror(out))
        rc = -EIO;
    return rc;
}
