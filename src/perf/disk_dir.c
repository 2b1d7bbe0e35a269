/*
 * Benchmark directories: creation, removal, and the cleanup of those a
 * killed run left behind. A live run holds an flock on its directory for
 * its whole life; the kernel drops it when the process dies, even by
 * kill -9, so "unlockable" means "no live run owns it".
 */
#include "perf_compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_disk.h"

int paglets__perf_disk_dir_create(const char *dir, char **path)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%sXXXXXX", dir, PAGLETS_PERF_DISK_DIR_PREFIX) < 0)
        return -ENOMEM;
    if (mkdtemp(p) == NULL) {
        int rc = -errno;
        free(p);
        return rc;
    }
    int fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int rc = -errno;
        if (fd >= 0)
            close(fd);
        rmdir(p);
        free(p);
        return rc;
    }
    *path = p;
    return fd;
}

int paglets__perf_disk_dir_remove(const char *path, int dir_fd)
{
    int rc = 0;
    int list_fd = dup(dir_fd);
    DIR *d = list_fd >= 0 ? fdopendir(list_fd) : NULL;
    if (d == NULL) {
        rc = -errno;
        if (list_fd >= 0)
            close(list_fd);
    }
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(dir_fd, e->d_name, 0) != 0 && rc == 0)
            rc = -errno;
    }
    if (d != NULL)
        closedir(d);
    close(dir_fd);
    if (rmdir(path) != 0 && rc == 0)
        rc = -errno;
    return rc;
}

static bool is_bench_name(const char *name)
{
    const size_t plen = strlen(PAGLETS_PERF_DISK_DIR_PREFIX);
    return strncmp(name, PAGLETS_PERF_DISK_DIR_PREFIX, plen) == 0 &&
           strlen(name) == plen + 6;
}

/* Remove one stale candidate if it is ours and not live. */
static int clean_one(int parent_fd, const char *dir, const char *name,
                     struct paglets_perf_strings *notes)
{
    struct stat st;
    if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
        return 0;
    int fd = openat(parent_fd, name,
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd); /* a live run owns it */
        return 0;
    }
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, name) < 0) {
        close(fd);
        return -ENOMEM;
    }
    int rc = paglets__perf_disk_dir_remove(path, fd);
    if (rc == 0)
        rc = paglets__perf_strv_add(
            notes, "removed stale benchmark directory %s", path);
    else
        rc = paglets__perf_strv_add(
            notes, "cannot remove stale benchmark directory %s: %s", path,
            paglets_strerror(rc));
    free(path);
    return rc;
}

int paglets__perf_disk_clean_stale(const char *dir,
                                   struct paglets_perf_strings *notes)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL)
        if (is_bench_name(e->d_name))
            rc = clean_one(dirfd(d), dir, e->d_name, notes);
    closedir(d);
    return rc;
}
