/*
 * Memory bandwidth kernels. Buffers are written before the clock starts,
 * so page faults and zero-filling are never counted as copy time.
 */
#include "perf_compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel_mem.h"
#include "platform.h"

static volatile uint64_t scan_sink;

uint64_t paglets__perf_dram_buffer_bytes(void)
{
    uint64_t llc = paglets__perf_llc_bytes();
    uint64_t size = llc > 0 ? 4 * llc : 256ull << 20;
    if (size > (1ull << 30))
        size = 1ull << 30;
    uint64_t avail = paglets__perf_memory_available_bytes();
    if (avail > 0 && size > avail / 4)
        size = avail / 4;
    if (size < PAGLETS_PERF_MEM_BUFFER_BYTES)
        size = PAGLETS_PERF_MEM_BUFFER_BYTES;
    return size & ~(uint64_t)4095;
}

/*
 * A buffer of `size` bytes from mmap, asking for transparent huge pages:
 * filling 2 x 1 GiB with 4 KiB pages costs half a million page faults
 * (about a second) before the clock even starts. Where THP is off the
 * advice is ignored and the buffer still works.
 */
static unsigned char *buffer_new(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    (void)madvise(p, size, MADV_HUGEPAGE);
    return p;
}

/*
 * Fault every page in before the clock starts: fresh anonymous pages are
 * unmapped, and a timed copy would pay the faults. One volatile write per
 * 4 KiB is enough (the kernel zero-fills the page, or the 2 MiB huge page,
 * on that fault); a full memset would add a second pass over 2 GiB.
 */
static void touch_pages(unsigned char *p, size_t size)
{
    volatile unsigned char *v = p;
    for (size_t i = 0; i < size; i += 4096)
        v[i] = 1;
}

static void buffer_free(unsigned char *p, size_t size)
{
    if (p != NULL)
        munmap(p, size);
}

static int copy_kernel(const char *name, double seconds, size_t size,
                       struct paglets_perf_memory_result *out)
{
    unsigned char *src = buffer_new(size), *dst = buffer_new(size);
    if (src == NULL || dst == NULL) {
        buffer_free(src, size);
        buffer_free(dst, size);
        return paglets__perf_strv_add(
            &out->errors, "%s: cannot allocate 2 x %zu bytes", name, size);
    }
    touch_pages(src, size);
    touch_pages(dst, size);
    uint64_t ops = 0;
    double start = paglets_monotonic_seconds(), elapsed;
    do {
        memcpy(dst, src, size);
        /* The copy is idempotent; tell the compiler memory was observed. */
        __asm__ volatile("" : : "r"(dst) : "memory");
        ops++;
        elapsed = paglets_monotonic_seconds() - start;
    } while (elapsed < seconds);
    buffer_free(src, size);
    buffer_free(dst, size);
    struct paglets_perf_metric *m = PAGLETS__PERF_PUSH(&out->metrics);
    if (m == NULL)
        return -ENOMEM;
    return paglets__perf_metric_set(m, name, elapsed, ops, ops * size);
}

/*
 * Sum of all bytes, eight at a time: two masked adds put the bytes of a
 * word into four 16-bit lanes, which cannot overflow in 128 words.
 */
static uint64_t byte_sum(const unsigned char *p, size_t len)
{
    const uint64_t mask = 0x00ff00ff00ff00ffull;
    uint64_t total = 0;
    size_t words = len / 8;
    while (words > 0) {
        size_t chunk = words < 128 ? words : 128;
        uint64_t acc = 0;
        for (size_t i = 0; i < chunk; i++, p += 8) {
            uint64_t w;
            memcpy(&w, p, sizeof(w));
            acc += (w & mask) + ((w >> 8) & mask);
        }
        total += (acc & 0xffff) + ((acc >> 16) & 0xffff) +
                 ((acc >> 32) & 0xffff) + (acc >> 48);
        words -= chunk;
    }
    for (size_t i = 0; i < len % 8; i++)
        total += p[i];
    return total;
}

static int scan_kernel(double seconds, struct paglets_perf_memory_result *out)
{
    const size_t size = PAGLETS_PERF_MEM_BUFFER_BYTES;
    unsigned char *buf = malloc(size);
    if (buf == NULL)
        return paglets__perf_strv_add(
            &out->errors, "memory-scan: cannot allocate %zu bytes", size);
    memset(buf, 0x33, size);
    uint64_t checksum = 0, ops = 0;
    double start = paglets_monotonic_seconds(), elapsed;
    do {
        checksum ^= byte_sum(buf, size) & 0xffffffffu;
        __asm__ volatile("" : : "r"(buf) : "memory");
        ops++;
        elapsed = paglets_monotonic_seconds() - start;
    } while (elapsed < seconds);
    scan_sink = checksum;
    free(buf);
    struct paglets_perf_metric *m = PAGLETS__PERF_PUSH(&out->metrics);
    if (m == NULL)
        return -ENOMEM;
    return paglets__perf_metric_set(m, "memory-scan", elapsed, ops, ops * size);
}

int paglets__perf_memory_run(double seconds, uint64_t dram_bytes,
                             struct paglets_perf_memory_result *out)
{
    seconds = paglets__perf_kernel_seconds(seconds);
    if (dram_bytes == 0)
        dram_bytes = paglets__perf_dram_buffer_bytes();
    int rc =
        copy_kernel("memory-copy", seconds, PAGLETS_PERF_MEM_BUFFER_BYTES, out);
    if (rc == 0)
        rc = scan_kernel(seconds, out);
    if (rc == 0)
        rc = copy_kernel("memory-copy-dram", seconds, (size_t)dram_bytes, out);
    return rc;
}
