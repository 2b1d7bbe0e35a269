/*
 * memcpy_ref: the plainest memory copy measurement, for comparison with
 * memory-copy-dram and (with WORKERS) memory-copy-dram-multi.
 * Usage: memcpy_ref BYTES SECONDS [WORKERS]. Each of WORKERS threads
 * (default 1) copies its own page-aligned slice of BYTES / WORKERS with
 * one large memcpy at a time until SECONDS have passed, after writing its
 * slice of both buffers once; bytes are the slices copied, the rate their
 * sum over the slowest thread's time. Prints "memcpy_bytes_per_second N".
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
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

struct slice {
    pthread_t thread;
    pthread_barrier_t *start;
    char *src, *dst;
    size_t len;
    double seconds, elapsed;
    unsigned long long copies;
};

static void *copy_slice(void *arg)
{
    struct slice *s = arg;
    /* Non-zero: malloc + memset(0) becomes calloc and maps no pages. */
    memset(s->src, 0x55, s->len);
    memset(s->dst, 0xaa, s->len);
    pthread_barrier_wait(s->start);
    double start = now();
    do {
        memcpy(s->dst, s->src, s->len);
        s->copies++;
        s->elapsed = now() - start;
    } while (s->elapsed < s->seconds);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: memcpy_ref BYTES SECONDS [WORKERS]\n");
        return 2;
    }
    size_t size = strtoull(argv[1], NULL, 10);
    double seconds = strtod(argv[2], NULL);
    unsigned workers = argc == 4 ? (unsigned)strtoul(argv[3], NULL, 10) : 1;
    size_t len =
        workers == 1 ? size : size / (workers ? workers : 1) / 4096 * 4096;
    char *src = malloc(size), *dst = malloc(size);
    struct slice *s = calloc(workers ? workers : 1, sizeof(*s));
    if (workers == 0 || len == 0 || src == NULL || dst == NULL || s == NULL) {
        fprintf(stderr, "memcpy_ref: cannot copy 2 x %zu bytes in %u slices\n",
                size, workers);
        return 1;
    }
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, workers);
    for (unsigned i = 0; i < workers; i++) {
        s[i] = (struct slice){.start = &start,
                              .src = src + i * len,
                              .dst = dst + i * len,
                              .len = len,
                              .seconds = seconds};
        if (pthread_create(&s[i].thread, NULL, copy_slice, &s[i]) != 0) {
            fprintf(stderr, "memcpy_ref: cannot start thread %u\n", i + 1);
            return 1;
        }
    }
    double bytes = 0, slowest = 0;
    for (unsigned i = 0; i < workers; i++) {
        pthread_join(s[i].thread, NULL);
        bytes += (double)s[i].copies * (double)len;
        if (s[i].elapsed > slowest)
            slowest = s[i].elapsed;
    }
    /* Reading dst keeps the copies observable. */
    printf("memcpy_bytes_per_second %.6g\ncheck %d\n", bytes / slowest,
           dst[len / 2]);
    pthread_barrier_destroy(&start);
    free(s);
    free(src);
    free(dst);
    return 0;
}
