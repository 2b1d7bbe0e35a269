/*
 * The disk kernel: per volume a sequential write, a timed fsync, a read
 * that bypasses the page cache, and a small-file metadata rate.
 */
#ifndef PAGLETS_PERF_KERNEL_DISK_H
#define PAGLETS_PERF_KERNEL_DISK_H

#include <sys/types.h>

#include "bench.h"
#include "disk_targets.h"

#define PAGLETS_PERF_DISK_DIR_PREFIX "paglets-bench-"
#define PAGLETS_PERF_DISK_CHUNK (1u << 20)
#define PAGLETS_PERF_DISK_META_FILES 100

/* The I/O calls a test may replace (to inject failures). */
struct paglets__perf_disk_ops {
    ssize_t (*write)(int fd, const void *buf, size_t len);
    int (*openat)(int dir_fd, const char *name, int flags, ...);
};

/*
 * Benchmark one target with a file of size_bytes inside a fresh
 * paglets-bench-XXXXXX directory, which is removed on every path. Fills
 * out (notes included). Returns 0 or a negative errno with the message in
 * err: -ECANCELED (no message) when stop asked between two batches of
 * 1 MiB or one metadata file; out is then partly filled and must still be
 * released.
 */
int paglets__perf_disk_bench_volume(
    const struct paglets__perf_disk_target *target, uint64_t size_bytes,
    const struct paglets__perf_disk_ops *ops,
    const struct paglets__perf_stop *stop, struct paglets_perf_disk_volume *out,
    struct paglets_err *err);

/*
 * Remove paglets-bench-* directories in dir that a dead run left: only
 * ours (same uid) and only when no live run holds their flock. Each
 * removal (or failure) is described in notes. 0 or -ENOMEM.
 */
int paglets__perf_disk_clean_stale(const char *dir,
                                   struct paglets_perf_strings *notes);

/*
 * Create dir/paglets-bench-XXXXXX and flock it (marks it live for
 * paglets__perf_disk_clean_stale). Returns the directory fd and fills
 * path (heap, caller frees), or a negative errno.
 */
int paglets__perf_disk_dir_create(const char *dir, char **path);

/*
 * Empty and remove a benchmark directory whose fd is dir_fd, then close
 * dir_fd. Only regular entries are expected. 0 or a negative errno.
 */
int paglets__perf_disk_dir_remove(const char *path, int dir_fd);

/*
 * The disk part of a host run with the given environment and I/O calls
 * (NULL = the real system). Failures land in out->errors; 0, -ECANCELED
 * when stop ended it (the volume it cut has no entry), or -ENOMEM.
 */
int paglets__perf_disk_run(const struct paglets_perf_request *request,
                           const struct paglets__perf_disk_env *env,
                           const struct paglets__perf_disk_ops *ops,
                           const struct paglets__perf_stop *stop,
                           struct paglets_perf_disk_result *out);

#endif
