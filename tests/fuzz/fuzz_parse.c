/*
 * Fuzz the size and duration parsers (the values users and peers type)
 * and paglets_escape (what untrusted text is shown as): the escaped text
 * holds no control byte, fits the buffer and is what its length says.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/common.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_escape(const char *text, size_t len)
{
    char small[17], whole[4 * 4096 + 1];
    size_t need = paglets_escape(small, sizeof(small), text, len);
    if (need > 4 * len || strlen(small) > 16)
        abort();
    if (len > 4096)
        return;
    if (paglets_escape(whole, sizeof(whole), text, len) != need ||
        strlen(whole) != need || strncmp(whole, small, strlen(small)) != 0)
        abort();
    for (const unsigned char *p = (const unsigned char *)whole; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    uint64_t bytes;
    double seconds;
    struct paglets_err err = {0};
    (void)paglets_parse_size(text, &bytes, &err);
    paglets_err_clear(&err);
    (void)paglets_parse_seconds(text, &seconds, &err);
    check_escape(text, size);
    free(text);
    return 0;
}
