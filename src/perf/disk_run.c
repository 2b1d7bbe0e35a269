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

/* ~/.paglets/benchmarks, created if missing (mode 0700), or NULL. */
static char *home_fallback(void)
{
    const char *home = getenv("HOME");
    char *path = NULL;
    if (home == NULL || home[0] != '/' ||
        asprintf(&path, "%s/.paglets", home) < 0)
        return NULL;
    mkdir(path, 0700);
    free(path);
    if (asprintf(&path, "%s/.paglets/benchmarks", home) < 0)
        return NULL;
    mkdir(path, 0700);
    return path;
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
    char *home = NULL;
    const char *fallbacks[2];
    int rc = 0;
    if (env == NULL) {
        int mrc = paglets__perf_mounts_read("/proc/self/mountinfo", &mounts);
        if (mrc != 0)
            rc = paglets__perf_strv_add(&out->errors,
                                        "cannot read mount table: %s",
                                        paglets_strerror(mrc));
        if (request->n_paths == 0)
            home = home_fallback();
        if (home != NULL)
            fallbacks[real.n_fallbacks++] = home;
        fallbacks[real.n_fallbacks++] = paglets__perf_tmpdir();
        real.fallbacks = fallbacks;
        env = &real;
    }
    struct paglets__perf_disk_targets targets = {0};
    if (rc == 0)
        rc = paglets__perf_disk_discover(env, request->paths, request->n_paths,
                                         request->disk_size_bytes, &targets,
                                         &out->skipped);
    if (rc == 0)
        rc = bench_targets(&targets, request->disk_size_bytes, ops, stop, out);
    paglets__perf_disk_targets_release(&targets);
    paglets__perf_mounts_release(&mounts);
    free(home);
    return rc;
}
