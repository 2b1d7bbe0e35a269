/*
 * memcpy_ref: the plainest memory copy measurement, for comparison with
 * memory-copy-dram. Usage: memcpy_ref BYTES SECONDS. Both buffers are
 * written once before timing; prints "memcpy_bytes_per_second N".
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: memcpy_ref BYTES SECONDS\n");
        return 2;
    }
    size_t size = strtoull(argv[1], NULL, 10);
    double seconds = strtod(argv[2], NULL);
    char *src = malloc(size), *dst = malloc(size);
    if (size == 0 || src == NULL || dst == NULL) {
        fprintf(stderr, "memcpy_ref: cannot allocate 2 x %zu bytes\n", size);
        return 1;
    }
    /* Non-zero: malloc + memset(0) becomes calloc and maps no pages. */
    memset(src, 0x55, size);
    memset(dst, 0xaa, size);
    unsigned long long copies = 0;
    double start = now(), elapsed;
    do {
        memcpy(dst, src, size);
        copies++;
        elapsed = now() - start;
    } while (elapsed < seconds);
    /* Reading dst keeps the copies observable. */
    printf("memcpy_bytes_per_second %.6g\ncheck %d\n",
           (double)copies * (double)size / elapsed, dst[size / 2]);
    free(src);
    free(dst);
    return 0;
}
