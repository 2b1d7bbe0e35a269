/*
 * The report's writer: markup written as is, and text from hosts escaped
 * in one place. Errors are sticky: after a failed write every call does
 * nothing, and html_status() tells.
 */
#ifndef PAGLETS_REPORT_HTML_H
#define PAGLETS_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <paglets/common.h>

struct html {
    FILE *out; /* borrowed */
    int error; /* 0, or the first failure: -EIO, -ENOMEM */
};

/* Markup we wrote ourselves: tags, numbers, our own words. Never host text. */
void html_raw(struct html *h, const char *fmt, ...) PAGLETS_PRINTF(2, 3);

/*
 * Untrusted text (host names, paths, messages) as element content or an
 * attribute value: paglets_escape() first (controls, bytes that are not
 * UTF-8 and bidi marks become visible escapes), then & < > " ' as
 * entities. NULL writes nothing.
 */
void html_text(struct html *h, const char *text);

/*
 * html_text() of at most max_chars characters of the escaped text; a
 * longer one is cut to max_chars - 1 and "…". Returns whether it was cut.
 */
bool html_text_cut(struct html *h, const char *text, size_t max_chars);

/* 0, or the first error. */
int html_status(const struct html *h);

#endif
