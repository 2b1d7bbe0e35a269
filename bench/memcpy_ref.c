/*
 * memcpy_ref: the plainest memory copy measurement, for comparison with
 * memory-copy-dram and (with WORKERS) memory-copy-dram-multi.
 * Usage: memcpy_ref BYTES SECONDS [WORKERS]. Each of WORKERS threads
 * (default 1) copies its own page-aligned slice of BYTES / WORKERS with
 * one large memcpy at a time until SECONDS have passed, after writing its
 * slice of both buffers once; bytes are the slices copied, the rate their
 * sum over the slowest thread's time. Prints "memcpy_bytes_per_second N".
 * BYTES is the size of each buffer.
 */
#define _DEFAULT_SOURCE 1 /* MADV_HUGEPAGE */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/*
 * Both buffers as memory-copy-dram has them: mmap on a 2 MiB boundary with
 * MADV_HUGEPAGE, so that the two differ in their copy loop, not in the
 * page size (4 KiB pages made the copy 5-15% slower here: TLB misses).
 */
static char *buffer_new(size_t size)
{
    const size_t huge = 2u << 20;
    size_t len = size + huge;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    size_t head = (huge - (uintptr_t)p % huge) % huge;
    if (head > 0)
        munmap(p, head);
    munmap(p + head + size, len - head - size);
    madvise(p + head, size, MADV_HUGEPAGE);
    return p + head;
}

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
    /* Written (non-zero) before the clock: every page is there. */
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
    char *src = buffer_new(size), *dst = buffer_new(size);
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
    munmap(src, size);
    munmap(dst, size);
    return 0;
}
