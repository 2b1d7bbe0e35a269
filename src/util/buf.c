/*
 * Growable capped byte buffer.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

void paglets__buf_init(struct paglets__buf *buf, size_t limit)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->limit = limit;
}

void paglets__buf_release(struct paglets__buf *buf)
{
    free(buf->data);
    paglets__buf_init(buf, buf->limit);
}

int paglets__buf_append(struct paglets__buf *buf, const void *bytes, size_t n)
{
    if (n > buf->limit || buf->len > buf->limit - n)
        return -EMSGSIZE;
    if (buf->len + n + 1 > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 1024;
        while (cap < buf->len + n + 1)
            cap *= 2;
        char *data = realloc(buf->data, cap);
        if (data == NULL)
            return -ENOMEM;
        buf->data = data;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, bytes, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return 0;
}
