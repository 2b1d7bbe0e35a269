/*
 * Terminal-safe output of host-supplied text: table cells, JSON and error
 * lines (see term.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"

#define CUT_MARK "..."

void cli_cell(char *out, size_t size, const char *text)
{
    size_t room = size - sizeof(CUT_MARK) + 1;
    if (paglets_escape(out, size, text, strlen(text)) < size)
        return;
    /* paglets_escape never cuts an escape or a character in half. */
    paglets_escape(out, room, text, strlen(text));
    memcpy(out + strlen(out), CUT_MARK, sizeof(CUT_MARK));
}

/*
 * The code point of the UTF-8 sequence at p (jansson output: valid UTF-8)
 * that must be escaped, or 0; *len gets the sequence's length.
 */
static unsigned dangerous(const unsigned char *p, size_t *len)
{
    *len = 1;
    if (p[0] == 0x7f)
        return 0x7f;
    if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
        *len = 2;
        return p[1]; /* U+0080..U+009F */
    }
    if (p[0] == 0xe2 && (p[1] == 0x80 || p[1] == 0x81)) {
        unsigned cp = 0x2000u | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
        if ((cp >= 0x200e && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
            (cp >= 0x2066 && cp <= 0x2069)) {
            *len = 3;
            return cp;
        }
    }
    return 0;
}

/* Where jansson's dump goes: a chunk may end inside a UTF-8 sequence. */
struct json_sink {
    FILE *out;
    unsigned char carry[4]; /* the start of a sequence the chunk cut */
    size_t n_carry;
};

/* The length of the UTF-8 sequence that starts with byte c. */
static size_t sequence_length(unsigned char c)
{
    return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

static void put_sequence(FILE *out, const unsigned char *p)
{
    size_t len;
    unsigned cp = dangerous(p, &len);
    if (cp != 0)
        fprintf(out, "\\u%04x", cp);
    else
        fwrite(p, 1, sequence_length(p[0]), out);
}

static int sink_write(const char *buffer, size_t size, void *data)
{
    struct json_sink *sink = data;
    const unsigned char *p = (const unsigned char *)buffer;
    const unsigned char *end = p + size;
    while (p < end && sink->n_carry > 0) {
        sink->carry[sink->n_carry++] = *p++;
        if (sink->n_carry == sequence_length(sink->carry[0])) {
            put_sequence(sink->out, sink->carry);
            sink->n_carry = 0;
        }
    }
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && *p != 0x7f && *p != 0xc2 && *p != 0xe2)
            p++;
        fwrite(run, 1, (size_t)(p - run), sink->out);
        if (p == end)
            break;
        size_t len = sequence_length(*p);
        if ((size_t)(end - p) < len) {
            memcpy(sink->carry, p, (size_t)(end - p));
            sink->n_carry = (size_t)(end - p);
            break;
        }
        put_sequence(sink->out, p);
        p += len;
    }
    return ferror(sink->out) ? -1 : 0;
}

int cli_json_print(const json_t *json, size_t flags, FILE *out)
{
    /* Streamed: a reply of many megabytes is not copied once more. */
    struct json_sink sink = {.out = out};
    if (json_dump_callback(json, sink_write, &sink, flags) != 0)
        return ferror(out) ? -EIO : -ENOMEM;
    return 0;
}

/* text with every run between backslashes escaped, the backslashes kept. */
static void put_escaped(const char *text, size_t len, FILE *out)
{
    char chunk[1024];
    while (len > 0) {
        size_t run = 0;
        while (run < len && text[run] != '\\' && run < sizeof(chunk) / 4)
            run++;
        if (run == 0) {
            fputc('\\', out);
            text++;
            len--;
            continue;
        }
        /* Never split a UTF-8 sequence between two chunks. */
        while (run < len && run > 1 &&
               ((unsigned char)text[run] & 0xc0) == 0x80)
            run--;
        paglets_escape(chunk, sizeof(chunk), text, run);
        fputs(chunk, out);
        text += run;
        len -= run;
    }
}

void cli_verror(const char *fmt, va_list ap)
{
    /* Longer lines are cut: an error line is one line on a terminal. */
    char line[2048];
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    size_t len = n < 0 ? 0 : strlen(line);
    bool newline = len > 0 && line[len - 1] == '\n';
    put_escaped(line, len - newline, stderr);
    if (newline)
        fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_verror(fmt, ap);
    va_end(ap);
}
