/*
 * The per-volume disk kernel (reference notes §2), made to report device
 * figures: the write rate counts until fsync returns, and the read goes
 * around the page cache (O_DIRECT, else an evicted cache that mincore
 * confirms is empty), so a 16 GB/s "disk read" cannot happen here.
 */
#include "perf_compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "kernel_disk.h"

#define FILE_NAME "sequential.bin"
#define ALIGN 4096

/*
 * Incompressible data: zeros (what the reference writes) are free on
 * compressing or deduplicating storage (ZFS, btrfs, thin VM disks) and
 * would overstate the write rate.
 */
static void fill_random(unsigned char *buf, size_t len)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i + 8 <= len; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(buf + i, &x, 8);
    }
}

static int write_all(const struct paglets__perf_disk_ops *ops, int fd,
                     const unsigned char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = ops->write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * Each 1 MiB write is one batch between stop checks: it lands in the page
 * cache in well under PAGLETS__PERF_BATCH_SECONDS (dirty-page throttling
 * aside). A stopped write skips the fsync; one that has begun completes.
 */
static int write_phase(const struct paglets__perf_disk_ops *ops, int dir_fd,
                       const unsigned char *chunk, uint64_t size,
                       const struct paglets__perf_stop *stop,
                       struct paglets_perf_disk_volume *out,
                       struct paglets_err *err)
{
    int fd = openat(dir_fd, FILE_NAME, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                    0600);
    if (fd < 0)
        return paglets_err_set(err, -errno, "cannot create %s: %s", FILE_NAME,
                               paglets_strerror(errno));
    int rc = 0;
    double start = paglets_monotonic_seconds();
    for (uint64_t done = 0; rc == 0 && done < size;) {
        size_t n = size - done < PAGLETS_PERF_DISK_CHUNK
                       ? (size_t)(size - done)
                       : PAGLETS_PERF_DISK_CHUNK;
        rc = write_all(ops, fd, chunk, n);
        done += n;
        if (rc == 0 && paglets__perf_stopped(stop))
            rc = -ECANCELED;
    }
    double mid = paglets_monotonic_seconds();
    if (rc == 0 && fsync(fd) != 0)
        rc = paglets_err_set(err, -errno, "fsync failed: %s",
                             paglets_strerror(errno));
    else if (rc != 0 && rc != -ECANCELED)
        paglets_err_set(err, rc, "write failed: %s", paglets_strerror(rc));
    double end = paglets_monotonic_seconds();
    close(fd);
    out->write_seconds = mid - start;
    out->fsync_seconds = end - mid;
    if (rc == 0 && end > start)
        out->write_bytes_per_second = (double)size / (end - start);
    return rc;
}

/* Pages of fd's first len bytes still in the page cache, or -1. */
static long resident_pages(int fd, uint64_t len)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t pages = (size_t)((len + (uint64_t)page - 1) / (uint64_t)page);
    void *map = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0);
    unsigned char *vec = malloc(pages ? pages : 1);
    long count = -1;
    if (map != MAP_FAILED && vec != NULL &&
        mincore(map, (size_t)len, vec) == 0) {
        count = 0;
        for (size_t i = 0; i < pages; i++)
            count += vec[i] & 1;
    }
    free(vec);
    if (map != MAP_FAILED)
        munmap(map, (size_t)len);
    return count;
}

/*
 * Read the whole file through fd, one 1 MiB batch between stop checks;
 * bytes read, -ECANCELED or another negative errno.
 */
static int64_t read_all(int fd, unsigned char *buf,
                        const struct paglets__perf_stop *stop)
{
    int64_t total = 0;
    for (;;) {
        if (paglets__perf_stopped(stop))
            return -ECANCELED;
        ssize_t n = read(fd, buf, PAGLETS_PERF_DISK_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return total;
        total += n;
    }
}

/*
 * Buffered fallback when O_DIRECT is refused (tmpfs, some FUSE and network
 * filesystems): evict the pages and ask mincore whether they really left.
 */
static int64_t read_evicted(int fd, uint64_t size, unsigned char *buf,
                            const struct paglets__perf_stop *stop,
                            struct paglets_perf_disk_volume *out,
                            double *seconds)
{
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    long resident = resident_pages(fd, size);
    double start = paglets_monotonic_seconds();
    int64_t got = read_all(fd, buf, stop);
    *seconds = paglets_monotonic_seconds() - start;
    out->read_cache_bypassed = resident == 0;
    int rc;
    if (resident == 0)
        rc = paglets__perf_strv_add(&out->notes,
                                    "read through the page cache after "
                                    "evicting the file's pages");
    else if (resident > 0)
        rc = paglets__perf_strv_add(
            &out->notes,
            "read may be served from memory: %ld pages stayed cached after "
            "POSIX_FADV_DONTNEED",
            resident);
    else
        rc = paglets__perf_strv_add(&out->notes,
                                    "read may be served from memory: cannot "
                                    "check page cache residency");
    return rc != 0 ? -ENOMEM : got;
}

/*
 * tmpfs and ramfs have no device behind the page cache: O_DIRECT may be
 * accepted there, yet every figure is a memory figure.
 */
static int check_memory_backed(int fd, struct paglets_perf_disk_volume *out)
{
    struct statfs fs;
    if (fstatfs(fd, &fs) != 0 ||
        (fs.f_type != TMPFS_MAGIC && fs.f_type != RAMFS_MAGIC))
        return 0;
    out->read_cache_bypassed = false;
    return paglets__perf_strv_add(&out->notes,
                                  "files on this filesystem live in memory: "
                                  "write and read are memory figures");
}

static int read_phase(const struct paglets__perf_disk_ops *ops, int dir_fd,
                      uint64_t size, unsigned char *buf,
                      const struct paglets__perf_stop *stop,
                      struct paglets_perf_disk_volume *out,
                      struct paglets_err *err)
{
    int fd = openat(dir_fd, FILE_NAME, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return paglets_err_set(err, -errno, "cannot open %s: %s", FILE_NAME,
                               paglets_strerror(errno));
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    double seconds = 0;
    int64_t got = -EINVAL;
    int dfd = ops->openat(dir_fd, FILE_NAME, O_RDONLY | O_DIRECT | O_CLOEXEC);
    int direct_errno = dfd < 0 ? errno : 0;
    if (dfd >= 0) {
        double start = paglets_monotonic_seconds();
        got = read_all(dfd, buf, stop);
        seconds = paglets_monotonic_seconds() - start;
        close(dfd);
        out->read_cache_bypassed = got >= 0;
        direct_errno = got == -EINVAL ? EINVAL : 0;
    }
    if (direct_errno != 0) {
        if (paglets__perf_strv_add(&out->notes, "O_DIRECT read refused: %s",
                                   paglets_strerror(direct_errno)) != 0)
            got = -ENOMEM;
        else
            got = read_evicted(fd, size, buf, stop, out, &seconds);
    }
    if (got >= 0 && check_memory_backed(fd, out) != 0)
        got = -ENOMEM;
    close(fd);
    out->read_seconds = seconds;
    if (got == -ECANCELED)
        return -ECANCELED;
    if (got < 0)
        return paglets_err_set(err, (int)got, "read failed: %s",
                               paglets_strerror((int)got));
    if ((uint64_t)got != size)
        return paglets_err_set(err, -EIO, "short read: %lld of %llu bytes",
                               (long long)got, (unsigned long long)size);
    if (seconds > 0)
        out->read_bytes_per_second = (double)size / seconds;
    return 0;
}

static int metadata_phase(const struct paglets__perf_disk_ops *ops, int dir_fd,
                          const struct paglets__perf_stop *stop,
                          struct paglets_perf_disk_volume *out,
                          struct paglets_err *err)
{
    char name[32];
    int rc = 0;
    double start = paglets_monotonic_seconds();
    for (int i = 0; rc == 0 && i < PAGLETS_PERF_DISK_META_FILES; i++) {
        snprintf(name, sizeof(name), "meta-%03d", i);
        int fd =
            openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
            rc = -errno;
        else
            rc = write_all(ops, fd, (const unsigned char *)"x", 1);
        if (fd >= 0)
            close(fd);
        if (rc == 0 && paglets__perf_stopped(stop))
            rc = -ECANCELED;
    }
    for (int i = 0; rc == 0 && i < PAGLETS_PERF_DISK_META_FILES; i++) {
        snprintf(name, sizeof(name), "meta-%03d", i);
        if (unlinkat(dir_fd, name, 0) != 0)
            rc = -errno;
    }
    double elapsed = paglets_monotonic_seconds() - start;
    if (rc == -ECANCELED)
        return rc;
    if (rc != 0)
        return paglets_err_set(err, rc, "metadata test failed: %s",
                               paglets_strerror(rc));
    out->metadata_files_per_second =
        elapsed > 0 ? PAGLETS_PERF_DISK_META_FILES / elapsed : 0;
    return 0;
}

static int describe(struct paglets_perf_disk_volume *out,
                    const struct paglets__perf_disk_target *t, uint64_t size)
{
    out->path = strdup(t->path);
    out->device = strdup(t->device);
    out->filesystem = strdup(t->filesystem);
    out->total_bytes = t->total_bytes;
    out->free_bytes_before = t->free_bytes;
    out->benchmark_size_bytes = size;
    return out->path && out->device && out->filesystem ? 0 : -ENOMEM;
}

int paglets__perf_disk_bench_volume(
    const struct paglets__perf_disk_target *target, uint64_t size_bytes,
    const struct paglets__perf_disk_ops *ops,
    const struct paglets__perf_stop *stop, struct paglets_perf_disk_volume *out,
    struct paglets_err *err)
{
    static const struct paglets__perf_disk_ops real_ops = {write, openat};
    ops = ops != NULL ? ops : &real_ops;
    unsigned char *buf = NULL;
    char *dir = NULL;
    int rc = describe(out, target, size_bytes);
    if (rc == 0)
        rc = paglets__perf_disk_clean_stale(target->path, &out->notes);
    if (rc == 0)
        rc = -posix_memalign((void **)&buf, ALIGN, PAGLETS_PERF_DISK_CHUNK);
    if (rc != 0)
        return paglets_err_set(err, rc, "out of memory");
    int dir_fd = paglets__perf_disk_dir_create(target->path, &dir);
    if (dir_fd < 0) {
        free(buf);
        return paglets_err_set(err, dir_fd,
                               "cannot create benchmark directory: %s",
                               paglets_strerror(dir_fd));
    }
    fill_random(buf, PAGLETS_PERF_DISK_CHUNK);
    rc = write_phase(ops, dir_fd, buf, size_bytes, stop, out, err);
    if (rc == 0)
        rc = read_phase(ops, dir_fd, size_bytes, buf, stop, out, err);
    if (rc == 0)
        rc = metadata_phase(ops, dir_fd, stop, out, err);
    int rm = paglets__perf_disk_dir_remove(dir, dir_fd);
    if (rm != 0)
        rc = paglets_err_set(err, rm, "cannot remove %s: %s", dir,
                             paglets_strerror(rm));
    free(dir);
    free(buf);
    return rc;
}
