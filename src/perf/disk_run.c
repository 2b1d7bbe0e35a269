/*
 * The disk part of a host run: build the real environment (mount table,
 * per-user fallbacks), pick targets, benchmark each one in turn.
 */
#include "perf_compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_disk.h"
#include "platform.h"

/*
 * ~/.paglets/benchmarks, the per-user fallback: created if missing (mode
 * 0700) so discovery can judge it, and removed again (with ~/.paglets)
 * by home_release() when this run created it and it is empty.
 */
struct home_dir {
    char *parent; /* ~/.paglets */
    char *path;   /* ~/.paglets/benchmarks, NULL without a usable $HOME */
    bool made_parent, made_path;
};

static void home_fallback(struct home_dir *h)
{
    const char *home = getenv("HOME");
    if (home == NULL || home[0] != '/' ||
        asprintf(&h->parent, "%s/.paglets", home) < 0) {
        h->parent = NULL;
        return;
    }
    h->made_parent = mkdir(h->parent, 0700) == 0;
    if (asprintf(&h->path, "%s/benchmarks", h->parent) < 0) {
        h->path = NULL;
        return;
    }
    h->made_path = mkdir(h->path, 0700) == 0;
}

/* Remove what home_fallback() made, if empty (rmdir fails otherwise). */
static void home_release(struct home_dir *h)
{
    if (h->made_path && h->path != NULL && rmdir(h->path) == 0)
        h->made_path = false;
    if (h->made_parent && !h->made_path && rmdir(h->parent) == 0)
        h->made_parent = false;
}

/* Is the fallback one of the volumes to test? */
static bool home_is_target(const struct home_dir *h,
                           const struct paglets__perf_disk_targets *targets)
{
    for (size_t i = 0; h->path != NULL && i < targets->n; i++)
        if (strcmp(targets->items[i].path, h->path) == 0)
            return true;
    return false;
}

static int bench_targets(const struct paglets__perf_disk_targets *targets,
                         uint64_t size,
                         const struct paglets__perf_disk_ops *ops,
                         const struct paglets__perf_stop *stop,
                         struct paglets_perf_disk_result *out)
{
    const struct paglets__perf_disk_target *t = targets->items;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < targets->n; i++) {
        struct paglets_perf_disk_volume v = {0};
        struct paglets_err err = {0};
        int vrc =
            paglets__perf_disk_bench_volume(&t[i], size, ops, stop, &v, &err);
        if (vrc != 0) {
            /* A failed volume has no figures: only its error is kept. */
            rc = vrc == -ECANCELED
                     ? vrc
                     : paglets__perf_strv_add(&out->errors, "%s: %s", t[i].path,
                                              err.message);
            paglets__perf_disk_volume_release(&v);
            continue;
        }
        struct paglets_perf_disk_volume *slot =
            PAGLETS__PERF_PUSH(&out->volumes);
        if (slot == NULL) {
            paglets__perf_disk_volume_release(&v);
            return -ENOMEM;
        }
        *slot = v;
    }
    return rc;
}

int paglets__perf_disk_run(const struct paglets_perf_request *request,
                           const struct paglets__perf_disk_env *env,
                           const struct paglets__perf_disk_ops *ops,
                           const struct paglets__perf_stop *stop,
                           struct paglets_perf_disk_result *out)
{
    struct paglets__perf_mounts mounts = {0};
    struct paglets__perf_disk_env real = {&mounts, NULL, 0, access, statvfs};
    struct home_dir home = {0};
    const char *fallbacks[2];
    int rc = 0;
    if (env == NULL) {
        int mrc = paglets__perf_mounts_read("/proc/self/mountinfo", &mounts);
        if (mrc != 0)
            rc = paglets__perf_strv_add(&out->errors,
                                        "cannot read mount table: %s",
                                        paglets_strerror(mrc));
        if (request->n_paths == 0)
            home_fallback(&home);
        if (home.path != NULL)
            fallbacks[real.n_fallbacks++] = home.path;
        fallbacks[real.n_fallbacks++] = paglets__perf_tmpdir();
        real.fallbacks = fallbacks;
        env = &real;
    }
    struct paglets__perf_disk_targets targets = {0};
    if (rc == 0)
        rc = paglets__perf_disk_discover(env, request->paths, request->n_paths,
                                         request->disk_size_bytes, &targets,
                                         &out->skipped);
    /* Created only to be judged: gone before the volumes are tested. */
    if (!home_is_target(&home, &targets))
        home_release(&home);
    if (rc == 0)
        rc = bench_targets(&targets, request->disk_size_bytes, ops, stop, out);
    home_release(&home);
    paglets__perf_disk_targets_release(&targets);
    paglets__perf_mounts_release(&mounts);
    free(home.parent);
    free(home.path);
    return rc;
}
