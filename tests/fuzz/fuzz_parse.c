/*
 * Fuzz the size and duration parsers: the values users and peers type.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/common.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    free(text);
    return 0;
}
