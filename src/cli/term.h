/*
 * Output of host-supplied text: everything a host sends passes through
 * here on its way to a terminal (tables, JSON, stderr), so no host can
 * move the cursor, retitle the window, reorder a line or flood the screen.
 */
#ifndef PAGLETS_CLI_TERM_H
#define PAGLETS_CLI_TERM_H

#include <stdarg.h>
#include <stdio.h>

#include <jansson.h>

#include <paglets/common.h>

/*
 * One table cell: text escaped with paglets_escape() and cut to fit out
 * (size bytes with the NUL), the cut marked with "...". Any size >= 4.
 */
void cli_cell(char *out, size_t size, const char *text);

/*
 * Write json as json_dumpf(json, flags) would, with the characters that
 * jansson leaves raw but a terminal acts on written as \uXXXX: DEL, the
 * C1 controls and the bidirectional controls (paglets_escape's list).
 * 0, or -ENOMEM / -EIO.
 */
int cli_json_print(const json_t *json, size_t flags, FILE *out);

/*
 * fprintf to stderr, then escape the whole line but its final newline:
 * messages of the library quote hosts through paglets_escape() already,
 * so backslashes are kept as they are (no "\\x1b"); anything raw that got
 * through is escaped here.
 */
void cli_error(const char *fmt, ...) PAGLETS_PRINTF(1, 2);
void cli_verror(const char *fmt, va_list ap) PAGLETS_PRINTF(1, 0);

#endif
