/*
 * Which directories the disk benchmark writes to: the mount table, the
 * per-user fallbacks and every skip reason of the reference (notes §2).
 */
#ifndef PAGLETS_PERF_DISK_TARGETS_H
#define PAGLETS_PERF_DISK_TARGETS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/statvfs.h>

#include "bench.h"

/* One line of /proc/self/mountinfo, with its escapes (\040) decoded. */
struct paglets__perf_mount {
    char *mount_point;
    char *device; /* mount source, "/dev/vda1" */
    char *fstype;
    bool read_only; /* "ro" in the mount or superblock options */
};

struct paglets__perf_mounts {
    struct paglets__perf_mount *items;
    size_t n;
};

/* Parse mountinfo text; malformed lines are skipped. 0 or -ENOMEM. */
int paglets__perf_mounts_parse(const char *text,
                               struct paglets__perf_mounts *out);

/* Read and parse a mountinfo file. 0 or a negative errno. */
int paglets__perf_mounts_read(const char *path,
                              struct paglets__perf_mounts *out);
void paglets__perf_mounts_release(struct paglets__perf_mounts *m);

/* Is this one of the reference's special (pseudo) filesystem types? */
bool paglets__perf_fstype_is_special(const char *fstype);

/*
 * Everything discovery looks at, so tests can hand it a fake mount table
 * and fake access/statvfs. The default is the real system.
 */
struct paglets__perf_disk_env {
    const struct paglets__perf_mounts *mounts;
    const char *const *fallbacks; /* tried after the mounts, in order */
    size_t n_fallbacks;
    int (*access)(const char *path, int mode);
    int (*statvfs)(const char *path, struct statvfs *st);
};

/* A directory that passed every check. */
struct paglets__perf_disk_target {
    char *path;
    char *device;
    char *filesystem;
    uint64_t total_bytes;
    uint64_t free_bytes;
};

struct paglets__perf_disk_targets {
    struct paglets__perf_disk_target *items;
    size_t n;
};

/*
 * Pick targets for a run writing size_bytes each: the explicit paths when
 * n_paths > 0, else every mount then the fallbacks. Fills targets and
 * skipped. 0 or -ENOMEM.
 */
int paglets__perf_disk_discover(const struct paglets__perf_disk_env *env,
                                char *const *paths, size_t n_paths,
                                uint64_t size_bytes,
                                struct paglets__perf_disk_targets *targets,
                                struct paglets_perf_disk_skips *skipped);

void paglets__perf_disk_targets_release(
    struct paglets__perf_disk_targets *targets);

#endif
