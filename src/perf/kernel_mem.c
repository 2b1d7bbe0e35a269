/*
 * Memory bandwidth kernels. Buffers are mapped and faulted in before the
 * clock starts (that time is the metric's setup_seconds), so page faults
 * and zero-filling are never counted as copy time, and unmapped as soon
 * as their kernels are done.
 */
#include "perf_compat.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel_mem.h"
#include "platform.h"

/* Linux 5.14; older headers lack it, older kernels answer EINVAL. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define HUGE_PAGE (2u << 20)
#define PAGE 4096u

static volatile uint64_t scan_sink;

int paglets__perf_dram_plan(uint64_t llc_bytes, uint64_t available_bytes,
                            uint64_t *buffer_bytes, struct paglets_err *err)
{
    const uint64_t unknown_size = PAGLETS_PERF_DRAM_UNKNOWN_LLC_BYTES;
    /* Both buffers together within a quarter of what is available. */
    uint64_t cap = available_bytes > 0 ? available_bytes / 8 : UINT64_MAX;
    if (llc_bytes > UINT64_MAX / 16)
        return paglets_err_set(err, -EOVERFLOW,
                               "last-level cache size %llu is not believable",
                               (unsigned long long)llc_bytes);
    uint64_t want = llc_bytes > 0 ? 4 * llc_bytes : unknown_size;
    want = (want + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    if (want < PAGLETS_PERF_MEM_BUFFER_BYTES)
        want = PAGLETS_PERF_MEM_BUFFER_BYTES;
    if (llc_bytes > 0 && want > cap)
        return paglets_err_set(
            err, -ENOMEM,
            "needs 2 x %llu bytes (4 x the %llu bytes of last-level cache), "
            "more than a quarter of the %llu bytes available: a smaller "
            "buffer would measure the cache",
            (unsigned long long)want, (unsigned long long)llc_bytes,
            (unsigned long long)available_bytes);
    if (want > cap)
        want = cap / HUGE_PAGE * HUGE_PAGE;
    if (want < PAGLETS_PERF_MEM_BUFFER_BYTES)
        return paglets_err_set(err, -ENOMEM,
                               "only %llu bytes of memory available",
                               (unsigned long long)available_bytes);
    *buffer_bytes = want;
    return 0;
}

/*
 * A buffer of `size` bytes from mmap on a 2 MiB boundary, asking for
 * transparent huge pages: filling 2 x 1 GiB with 4 KiB pages costs half a
 * million page faults, and an unaligned mapping can only use huge pages
 * in its aligned middle. Where THP is off the advice is ignored.
 */
static unsigned char *buffer_new(size_t size)
{
    size_t len = size + HUGE_PAGE;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    size_t head = (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
    if (head > 0)
        munmap(p, head);
    if (len - head - size > 0)
        munmap(p + head + size, len - head - size);
    p += head;
    (void)madvise(p, size, MADV_HUGEPAGE);
    return p;
}

static void buffer_free(unsigned char *p, size_t size)
{
    if (p != NULL)
        munmap(p, size);
}

/* The two buffers of a copy kernel, shared by its workers. */
struct copy_buffers {
    unsigned char *src, *dst;
    size_t size;
};

static int buffers_new(struct copy_buffers *b, size_t size)
{
    b->size = size;
    b->src = buffer_new(size);
    b->dst = b->src != NULL ? buffer_new(size) : NULL;
    if (b->dst != NULL)
        return 0;
    buffer_free(b->src, size);
    b->src = NULL;
    return -ENOMEM;
}

static void buffers_free(struct copy_buffers *b)
{
    buffer_free(b->src, b->size);
    buffer_free(b->dst, b->size);
    b->src = b->dst = NULL;
}

/*
 * Fault in [p, p + len) in batches of PAGLETS_PERF_MEM_CHUNK_BYTES,
 * checking stop between them (kernel_mem.h). MADV_POPULATE_WRITE (Linux 5.14)
 * does it in the kernel, after the huge-page advice applied (MAP_POPULATE would
 * fault before it); older kernels refuse it with EINVAL and get one write per
 * 4 KiB page instead, which faults the same pages (a full memset would add
 * a second pass). The pages are zero-filled either way, and they are
 * really there: what memcpy reads costs the same whatever they hold.
 */
int paglets__perf_populate(unsigned char *p, size_t len,
                           const struct paglets__perf_stop *stop,
                           int (*advise)(void *, size_t, int))
{
    bool by_hand = false;
    for (size_t done = 0; done < len;) {
        if (paglets__perf_stopped(stop))
            return -ECANCELED;
        size_t n = len - done < PAGLETS_PERF_MEM_CHUNK_BYTES
                       ? len - done
                       : PAGLETS_PERF_MEM_CHUNK_BYTES;
        if (!by_hand && advise(p + done, n, MADV_POPULATE_WRITE) != 0) {
            if (errno == EINTR)
                continue;
            if (errno != EINVAL)
                return -errno;
            by_hand = true;
        }
        volatile unsigned char *v = p + done;
        for (size_t i = 0; by_hand && i < n; i += PAGE)
            v[i] = 1;
        done += n;
    }
    return 0;
}

/*
 * This worker's part of both buffers (the last worker also takes what the
 * division leaves): the workers fault the buffers in together, and each
 * touches first the pages it will copy in the multi-worker kernel, which
 * on a NUMA machine puts them on its node.
 */
static int populate_kernel(const struct paglets__perf_job *job,
                           struct paglets__perf_sample *s)
{
    const struct copy_buffers *b = job->arg;
    size_t part = b->size / job->workers / PAGE * PAGE;
    size_t start = part * job->worker;
    size_t len = job->worker + 1 == job->workers ? b->size - start : part;
    int rc = paglets__perf_populate(b->src + start, len, job->stop, madvise);
    if (rc == 0)
        rc = paglets__perf_populate(b->dst + start, len, job->stop, madvise);
    s->bytes = rc == 0 ? 2 * len : 0;
    return rc;
}

/*
 * Copy this worker's slice of src to dst (the whole buffer for a single
 * worker), in batches of PAGLETS_PERF_MEM_CHUNK_BYTES with a stop check
 * between them; one operation is one copy of the slice. Slices are equal
 * and page-aligned; bytes are the slices copied, as bench/memcpy_mt counts.
 */
static int copy_kernel(const struct paglets__perf_job *job,
                       struct paglets__perf_sample *s)
{
    const struct copy_buffers *b = job->arg;
    size_t slice =
        job->workers == 1 ? b->size : b->size / job->workers / PAGE * PAGE;
    if (slice == 0)
        return -EINVAL;
    const unsigned char *src = b->src + slice * job->worker;
    unsigned char *dst = b->dst + slice * job->worker;
    uint64_t ops = 0;
    int rc = 0;
    double start = paglets_monotonic_seconds(), elapsed;
    do {
        for (size_t done = 0; rc == 0 && done < slice;) {
            size_t n = slice - done < PAGLETS_PERF_MEM_CHUNK_BYTES
                           ? slice - done
                           : PAGLETS_PERF_MEM_CHUNK_BYTES;
            memcpy(dst + done, src + done, n);
            done += n;
            if (paglets__perf_stopped(job->stop))
                rc = -ECANCELED;
        }
        /* The copy is idempotent; tell the compiler memory was observed. */
        __asm__ volatile("" : : "r"(dst) : "memory");
        ops += rc == 0;
        elapsed = paglets_monotonic_seconds() - start;
    } while (rc == 0 && elapsed < job->seconds);
    s->elapsed = elapsed;
    s->operations = ops;
    s->bytes = ops * slice;
    return rc;
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

static int push_metric(struct paglets_perf_memory_result *out, const char *name,
                       const struct paglets__perf_sample *s,
                       double setup_seconds)
{
    struct paglets_perf_metric *m = PAGLETS__PERF_PUSH(&out->metrics);
    if (m == NULL)
        return -ENOMEM;
    int rc =
        paglets__perf_metric_set(m, name, s->elapsed, s->operations, s->bytes);
    m->setup_seconds = setup_seconds;
    return rc;
}

/* A kernel's failure as an error of the part; -ECANCELED ends the part. */
static int kernel_failed(struct paglets_perf_memory_result *out,
                         const char *name, int krc, const char *what)
{
    if (krc == -ECANCELED)
        return krc;
    return paglets__perf_strv_add(&out->errors, "%s: %s: %s", name, what,
                                  paglets_strerror(krc));
}

static int scan_kernel(const struct paglets__perf_job *job,
                       struct paglets_perf_memory_result *out)
{
    const size_t size = PAGLETS_PERF_MEM_BUFFER_BYTES;
    double setup_start = paglets_monotonic_seconds();
    /* mmap rather than malloc: an 8 MiB block freed to a malloc arena
     * would stay in the host's RSS after the run. */
    unsigned char *buf = buffer_new(size);
    if (buf == NULL)
        return kernel_failed(out, "memory-scan", -ENOMEM,
                             "cannot map the buffer");
    memset(buf, 0x33, size);
    struct paglets__perf_sample s = {0};
    uint64_t checksum = 0;
    int rc = 0;
    double start = paglets_monotonic_seconds();
    do {
        checksum ^= byte_sum(buf, size) & 0xffffffffu;
        __asm__ volatile("" : : "r"(buf) : "memory");
        s.operations++;
        s.elapsed = paglets_monotonic_seconds() - start;
        if (paglets__perf_stopped(job->stop))
            rc = -ECANCELED;
    } while (rc == 0 && s.elapsed < job->seconds);
    scan_sink = checksum;
    buffer_free(buf, size);
    s.bytes = s.operations * size;
    if (rc != 0)
        return rc;
    return push_metric(out, "memory-scan", &s, start - setup_start);
}

/* memory-copy: the reference's 8 MiB copy, on this thread. */
static int cache_copy(const struct paglets__perf_job *single,
                      struct paglets_perf_memory_result *out)
{
    struct copy_buffers b;
    struct paglets__perf_job job = *single;
    struct paglets__perf_sample s = {0};
    double setup_start = paglets_monotonic_seconds();
    int rc = buffers_new(&b, PAGLETS_PERF_MEM_BUFFER_BYTES);
    if (rc != 0)
        return kernel_failed(out, "memory-copy", rc, "cannot map 2 buffers");
    job.arg = &b;
    rc = populate_kernel(&job, &s);
    double setup = paglets_monotonic_seconds() - setup_start;
    if (rc == 0)
        rc = copy_kernel(&job, &s);
    buffers_free(&b);
    if (rc != 0)
        return kernel_failed(out, "memory-copy", rc, "copy failed");
    return push_metric(out, "memory-copy", &s, setup);
}

/* One kernel of dram_copy on the prepared buffers; errors go to out. */
static int dram_kernel(const char *name, const struct paglets__perf_job *job,
                       unsigned workers, double setup,
                       struct paglets_perf_memory_result *out)
{
    struct paglets__perf_sample s = {0};
    struct paglets_err err = {0};
    const struct copy_buffers *b = job->arg;
    int rc;
    if (b->size / workers < PAGE)
        return paglets__perf_strv_add(&out->errors,
                                      "%s: %u workers need %u bytes each, the "
                                      "buffer has %zu",
                                      name, workers, PAGE, b->size);
    if (workers == 1)
        rc = copy_kernel(job, &s);
    else
        rc = paglets__perf_run_parallel(copy_kernel, job, workers, &s, &err);
    if (rc == 0)
        return push_metric(out, name, &s, setup);
    if (rc == -ECANCELED)
        return rc;
    return paglets__perf_strv_add(&out->errors, "%s: %s", name,
                                  err.message[0] ? err.message
                                                 : paglets_strerror(rc));
}

/*
 * memory-copy-dram on one thread, then memory-copy-dram-multi with every
 * worker copying its slice at once, on the same buffers: mapped, faulted
 * in by the workers together (memory-copy-dram's setup_seconds; the multi
 * figure's is 0, it reuses them), and unmapped when both are done.
 */
static int dram_copy(const struct paglets__perf_job *single, unsigned workers,
                     uint64_t bytes, struct paglets_perf_memory_result *out)
{
    static const char one[] = "memory-copy-dram";
    struct copy_buffers b;
    struct paglets__perf_job job = *single;
    struct paglets__perf_sample s = {0};
    struct paglets_err err = {0};
    double setup_start = paglets_monotonic_seconds();
    if (buffers_new(&b, (size_t)bytes) != 0)
        return paglets__perf_strv_add(&out->errors,
                                      "%s: cannot map 2 x %llu bytes", one,
                                      (unsigned long long)bytes);
    job.arg = &b;
    int rc =
        paglets__perf_run_parallel(populate_kernel, &job, workers, &s, &err);
    double setup = paglets_monotonic_seconds() - setup_start;
    if (rc == 0) {
        rc = dram_kernel(one, &job, 1, setup, out);
        if (rc == 0)
            rc = dram_kernel("memory-copy-dram-multi", &job, workers, 0, out);
    } else if (rc != -ECANCELED) {
        rc = paglets__perf_strv_add(&out->errors,
                                    "%s: cannot fault in the buffers: %s", one,
                                    err.message);
    }
    buffers_free(&b);
    return rc;
}

int paglets__perf_memory_run(const struct paglets_perf_request *request,
                             uint64_t dram_bytes,
                             const struct paglets__perf_stop *stop,
                             struct paglets_perf_memory_result *out)
{
    struct paglets__perf_job single = paglets__perf_job_single(
        paglets__perf_kernel_seconds(request->duration_seconds), stop, NULL);
    int rc = cache_copy(&single, out);
    if (rc == 0)
        rc = scan_kernel(&single, out);
    if (rc != 0)
        return rc;
    struct paglets_err err = {0};
    if (dram_bytes == 0 &&
        paglets__perf_dram_plan(
            paglets__perf_llc_bytes(PAGLETS__PERF_SYSFS_CPU),
            paglets__perf_memory_available_bytes(), &dram_bytes, &err) != 0)
        return paglets__perf_strv_add(&out->errors, "memory-copy-dram: %s",
                                      err.message);
    return dram_copy(&single, paglets__perf_workers(request), dram_bytes, out);
}
