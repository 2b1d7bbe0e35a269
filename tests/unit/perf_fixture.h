/*
 * Helpers shared by the perf kernel tests: scratch directories that are
 * removed afterwards and a count of leftover benchmark directories.
 */
#ifndef PAGLETS_TESTS_UNIT_PERF_FIXTURE_H
#define PAGLETS_TESTS_UNIT_PERF_FIXTURE_H

#include "compat.h"

#include <dirent.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh directory under /tmp; caller frees the name. */
static inline char *fixture_mkdtemp(void)
{
    char *dir = strdup("/tmp/paglets-test-XXXXXX");
    if (dir == NULL || mkdtemp(dir) == NULL) {
        free(dir);
        return NULL;
    }
    return dir;
}

/* Entries of dir whose name starts with prefix (-1 if unreadable). */
static inline int fixture_count(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

/* rm -r of a scratch directory (two levels deep at most). */
static inline void fixture_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
            break;
        if (unlink(path) != 0)
            fixture_rmtree(path);
        free(path);
    }
    if (d != NULL)
        closedir(d);
    rmdir(dir);
}

/*
 * A stop request for the kernels' tests: counts how often it is asked and
 * says "stop" from the stop_at-th question on (0: never). Workers ask from
 * their own threads, hence the atomics.
 */
struct fixture_stop {
    atomic_ulong asked;
    unsigned long stop_at;
};

static inline bool fixture_stop_requested(void *arg)
{
    struct fixture_stop *f = arg;
    unsigned long n = atomic_fetch_add(&f->asked, 1) + 1;
    return f->stop_at > 0 && n >= f->stop_at;
}

/* cmocka setup/teardown: *state is a scratch directory name. */
static inline int fixture_setup(void **state)
{
    *state = fixture_mkdtemp();
    return *state != NULL ? 0 : -1;
}

static inline int fixture_teardown(void **state)
{
    fixture_rmtree(*state);
    free(*state);
    return 0;
}

#endif
