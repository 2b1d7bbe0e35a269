/*
 * The Prometheus text exposition writer (expo.h): HELP and TYPE lines,
 * samples with escaped label values, numbers as Go's parser reads them.
 */
#include "compat.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/expo.h"

void paglets__expo_init(struct paglets__expo *e, size_t limit)
{
    paglets__buf_init(&e->buf, limit);
    e->rc = 0;
}

void paglets__expo_release(struct paglets__expo *e)
{
    paglets__buf_release(&e->buf);
}

static void put(struct paglets__expo *e, const char *text, size_t len)
{
    if (e->rc == 0 && len > 0)
        e->rc = paglets__buf_append(&e->buf, text, len);
}

static void put_text(struct paglets__expo *e, const char *text)
{
    put(e, text, strlen(text));
}

/*
 * text with \ and newline escaped, and " too in a label value (a help
 * text keeps its quotes: the format escapes them only in values).
 */
static void put_escaped(struct paglets__expo *e, const char *text, bool quote)
{
    const char *run = text;
    for (const char *p = text; *p != '\0'; p++) {
        const char *esc = *p == '\\'             ? "\\\\"
                          : *p == '\n'           ? "\\n"
                          : (quote && *p == '"') ? "\\\""
                                                 : NULL;
        if (esc == NULL)
            continue;
        put(e, run, (size_t)(p - run));
        put_text(e, esc);
        run = p + 1;
    }
    put_text(e, run);
}

void paglets__expo_family(struct paglets__expo *e, const char *name,
                          const char *type, const char *help)
{
    put_text(e, "# HELP ");
    put_text(e, name);
    put_text(e, " ");
    put_escaped(e, help, false);
    put_text(e, "\n# TYPE ");
    put_text(e, name);
    put_text(e, " ");
    put_text(e, type);
    put_text(e, "\n");
}

static void put_series(struct paglets__expo *e, const char *name,
                       const char *const *labels, size_t n_labels)
{
    put_text(e, name);
    for (size_t i = 0; i < n_labels; i++) {
        put_text(e, i == 0 ? "{" : ",");
        put_text(e, labels[2 * i]);
        put_text(e, "=\"");
        put_escaped(e, labels[2 * i + 1], true);
        put_text(e, "\"");
    }
    put_text(e, n_labels > 0 ? "} " : " ");
}

/*
 * The shortest of %.15g and %.17g that reads back as the same double, so
 * 0.1 stays "0.1" and nothing is lost.
 */
static void format_double(double v, char *out, size_t size)
{
    if (isnan(v)) {
        snprintf(out, size, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, size, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    snprintf(out, size, "%.15g", v);
    if (strtod(out, NULL) != v)
        snprintf(out, size, "%.17g", v);
}

void paglets__expo_sample(struct paglets__expo *e, const char *name,
                          const char *const *labels, size_t n_labels,
                          double value)
{
    char number[40];
    format_double(value, number, sizeof(number));
    put_series(e, name, labels, n_labels);
    put_text(e, number);
    put_text(e, "\n");
}

void paglets__expo_count(struct paglets__expo *e, const char *name,
                         const char *const *labels, size_t n_labels,
                         uint64_t value)
{
    char number[24];
    snprintf(number, sizeof(number), "%" PRIu64, value);
    put_series(e, name, labels, n_labels);
    put_text(e, number);
    put_text(e, "\n");
}

char *paglets__expo_detach(struct paglets__expo *e)
{
    if (e->rc != 0 || e->buf.data == NULL) {
        paglets__buf_release(&e->buf);
        return e->rc != 0 ? NULL : strdup("");
    }
    char *text = e->buf.data;
    e->buf.data = NULL;
    e->buf.len = e->buf.cap = 0;
    return text;
}
