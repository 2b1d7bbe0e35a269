/*
 * The host-local benchmark lock: one run at a time per machine and user,
 * across the threads of this process (mutex) and across processes
 * (flock). The file lives where other users cannot plant anything, so
 * hosts of different users do not exclude each other.
 */
#ifndef PAGLETS_PERF_LOCK_H
#define PAGLETS_PERF_LOCK_H

#include <stdbool.h>
#include <stddef.h>

#include <paglets/common.h>

#include "bench.h"

#define PAGLETS_PERF_LOCK_FILE "paglets-benchmark.lock"

struct paglets__perf_lock {
    int fd;          /* flock'ed <dir>/paglets-benchmark.lock, or -1 */
    bool have_mutex; /* this holder owns the in-process layer */
};

/*
 * Take both layers, waiting up to timeout_seconds in total (polling the
 * file lock every 50 ms); nothing in it blocks longer. dir must be a
 * directory (not a symlink) of this user with mode 0700, and the lock
 * file in it a regular file (created 0600 if missing), else the error
 * names the path. waited gets the seconds spent, success or not. Returns
 * 0, -ETIMEDOUT with the reference's exact message in err, or another
 * negative errno. Any thread; the holder must release.
 */
PAGLETS_NODISCARD int
paglets__perf_lock_acquire(struct paglets__perf_lock *lock, const char *dir,
                           double timeout_seconds, double *waited,
                           struct paglets_err *err);

/*
 * paglets__perf_lock_acquire that also gives up when stop (NULL: never)
 * asks, within 50 ms: -ECANCELED, nothing held, no message.
 */
PAGLETS_NODISCARD int
paglets__perf_lock_acquire_or_stop(struct paglets__perf_lock *lock,
                                   const char *dir, double timeout_seconds,
                                   const struct paglets__perf_stop *stop,
                                   double *waited, struct paglets_err *err);

/* Drop both layers; a released or never-taken lock is left alone. */
void paglets__perf_lock_release(struct paglets__perf_lock *lock);

/*
 * The lock's directory into out: $RUNTIME_DIRECTORY (its first entry: the
 * service's /run/paglets, RuntimeDirectory= in the systemd unit), else
 * $XDG_RUNTIME_DIR/paglets, else /tmp/paglets-UID; created with mode 0700
 * when missing. 0, or a negative errno with err naming the path.
 */
int paglets__perf_lock_dir(char *out, size_t size, struct paglets_err *err);

#endif
