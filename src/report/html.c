/*
 * The report's writer (html.h): the one place text from hosts is escaped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

void html_raw(struct html *h, const char *fmt, ...)
{
    if (h->error != 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(h->out, fmt, ap) < 0)
        h->error = -EIO;
    va_end(ap);
}

/* text made safe for a reader (paglets_escape); caller frees, NULL: -ENOMEM */
static char *escaped(struct html *h, const char *text)
{
    size_t len = strlen(text);
    size_t size = 4 * len + 1;
    char *out = malloc(size);
    if (out == NULL)
        h->error = -ENOMEM;
    else
        paglets_escape(out, size, text, len);
    return out;
}

/* Write n bytes of safe text with HTML's metacharacters as entities. */
static void put_entities(struct html *h, const char *s, size_t n)
{
    for (size_t i = 0; i < n && h->error == 0; i++) {
        const char *entity = NULL;
        switch (s[i]) {
        case '&':
            entity = "&amp;";
            break;
        case '<':
            entity = "&lt;";
            break;
        case '>':
            entity = "&gt;";
            break;
        case '"':
            entity = "&quot;";
            break;
        case '\'':
            entity = "&#39;";
            break;
        default:
            break;
        }
        if (entity != NULL ? fputs(entity, h->out) < 0
                           : putc(s[i], h->out) == EOF)
            h->error = -EIO;
    }
}

void html_text(struct html *h, const char *text)
{
    if (text == NULL || h->error != 0)
        return;
    char *safe = escaped(h, text);
    if (safe != NULL)
        put_entities(h, safe, strlen(safe));
    free(safe);
}

bool html_text_cut(struct html *h, const char *text, size_t max_chars)
{
    if (text == NULL || h->error != 0 || max_chars == 0)
        return false;
    char *safe = escaped(h, text);
    if (safe == NULL)
        return false;
    /* The escaped text is valid UTF-8: count characters by lead bytes. */
    size_t chars = 0, cut = 0, len = strlen(safe);
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)safe[i] & 0xc0) == 0x80)
            continue;
        if (chars == max_chars - 1)
            cut = i;
        chars++;
    }
    bool cutting = chars > max_chars;
    put_entities(h, safe, cutting ? cut : len);
    if (cutting)
        html_raw(h, "\xe2\x80\xa6"); /* U+2026 HORIZONTAL ELLIPSIS */
    free(safe);
    return cutting;
}

int html_status(const struct html *h)
{
    return h->error;
}
