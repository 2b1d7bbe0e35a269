/*
 * A growable byte buffer with a hard cap, for bodies read from peers.
 */
#ifndef PAGLETS_UTIL_BUF_H
#define PAGLETS_UTIL_BUF_H

#include <stddef.h>

#include <paglets/common.h>

struct paglets__buf {
    char *data; /* NUL-terminated after every append; owned */
    size_t len;
    size_t cap;
    size_t limit; /* appends past this many bytes fail with -EMSGSIZE */
};

void paglets__buf_init(struct paglets__buf *buf, size_t limit);
void paglets__buf_release(struct paglets__buf *buf);

/* Append n bytes. Returns 0, -EMSGSIZE past the limit, or -ENOMEM. */
PAGLETS_NODISCARD int paglets__buf_append(struct paglets__buf *buf,
                                          const void *bytes, size_t n);

#endif
