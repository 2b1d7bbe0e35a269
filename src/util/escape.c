/*
 * paglets_escape: untrusted text (peer names, URLs, error messages) made
 * safe to show on a terminal or in one log line.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <paglets/common.h>

/*
 * Decode one UTF-8 character at s (n bytes left) into *cp; its length, or
 * 0 for a byte that starts no valid character: overlong forms, surrogates
 * and code points past U+10FFFF are invalid (RFC 3629).
 */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t min;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2, min = 0x80, *cp = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3, min = 0x800, *cp = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4, min = 0x10000, *cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[k] & 0x3fu);
    }
    if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return len;
}

/*
 * Characters that print as nothing yet change what a reader sees: C1
 * controls (a terminal may act on them) and the bidirectional marks,
 * embeddings, overrides and isolates that reorder the text around them
 * ("Trojan Source", CVE-2021-42574).
 */
static bool is_hidden(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

struct sink {
    char *out;
    size_t size;
    size_t need; /* bytes the whole escaped text takes */
    bool full;   /* a piece did not fit: write nothing more */
};

/* Append one piece whole or not at all, so no escape is cut in half. */
static void put(struct sink *s, const char *piece, size_t len)
{
    if (!s->full && s->need + len < s->size)
        memcpy(s->out + s->need, piece, len);
    else
        s->full = true;
    s->need += len;
}

size_t paglets_escape(char *out, size_t size, const char *text, size_t len)
{
    struct sink s = {out, size, 0, size == 0};
    const unsigned char *p = (const unsigned char *)text;
    size_t written = 0;
    for (size_t i = 0; i < len;) {
        char piece[12];
        uint32_t cp = 0;
        size_t n = p[i] < 0x80 ? 1 : utf8_decode(p + i, len - i, &cp);
        if (p[i] < 0x20 || p[i] == 0x7f || n == 0) {
            snprintf(piece, sizeof(piece), "\\x%02x", p[i]);
            put(&s, piece, 4);
            n = 1;
        } else if (p[i] == '\\') {
            put(&s, "\\\\", 2);
        } else if (n > 1 && is_hidden(cp)) {
            snprintf(piece, sizeof(piece), "\\u%04x", (unsigned)cp);
            put(&s, piece, 6);
        } else {
            put(&s, text + i, n);
        }
        i += n;
        if (!s.full)
            written = s.need;
    }
    if (size > 0)
        out[written] = '\0';
    return s.need;
}
