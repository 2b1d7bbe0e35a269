/*
 * Host lock: a process-wide mutex for benchmark children that share this
 * host process, then an exclusive flock for other processes of the user,
 * on a file in a directory only the user can write (lock.h).
 */
#include "perf_compat.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "lock.h"

/*
 * The in-process layer is a "busy" flag under a mutex with a condition
 * variable on the monotonic clock, rather than pthread_mutex_clocklock:
 * waits survive wall-clock jumps, and ThreadSanitizer understands it (it
 * does not intercept pthread_mutex_clocklock and reports every unlock).
 */
static pthread_mutex_t host_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t host_cond;
static bool host_busy; /* protected by host_mutex */
static pthread_once_t host_once = PTHREAD_ONCE_INIT;

static void init_cond(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&host_cond, &attr);
    pthread_condattr_destroy(&attr);
}

/* Seconds (non-negative, at most a day or so) as a timespec. */
static struct timespec to_timespec(double s)
{
    time_t whole = (time_t)s;
    return (struct timespec){whole, (long)((s - (double)whole) * 1e9)};
}

#define POLL_SECONDS 0.05

static int take_mutex(double timeout, const struct paglets__perf_stop *stop,
                      struct paglets_err *err)
{
    pthread_once(&host_once, init_cond);
    /* The condition variable waits on CLOCK_MONOTONIC, as this clock. */
    double wait = timeout > 0 ? (timeout < 1e9 ? timeout : 1e9) : 0;
    double end = paglets_monotonic_seconds() + wait;
    bool stopped = false;
    int rc = 0;
    pthread_mutex_lock(&host_mutex);
    /* With a stop request, in slices of POLL_SECONDS that look at it. */
    while (host_busy && rc == 0 && !(stopped = paglets__perf_stopped(stop))) {
        double now = paglets_monotonic_seconds();
        bool slice = stop != NULL && end - now > POLL_SECONDS;
        struct timespec until = to_timespec(slice ? now + POLL_SECONDS : end);
        rc = pthread_cond_timedwait(&host_cond, &host_mutex, &until);
        if (rc == ETIMEDOUT && slice)
            rc = 0;
    }
    /* A wake-up at the deadline that finds the lock free still takes it. */
    if (!host_busy && !stopped) {
        host_busy = true;
        rc = 0;
    }
    pthread_mutex_unlock(&host_mutex);
    if (stopped)
        return -ECANCELED;
    if (rc == ETIMEDOUT)
        return paglets_err_set(err, -ETIMEDOUT,
                               "benchmark lock busy after %.3fs", timeout);
    if (rc != 0)
        return paglets_err_set(err, -rc, "benchmark lock failed: %s",
                               paglets_strerror(rc));
    return 0;
}

static void give_mutex(void)
{
    pthread_mutex_lock(&host_mutex);
    host_busy = false;
    pthread_cond_signal(&host_cond);
    pthread_mutex_unlock(&host_mutex);
}

static void sleep_seconds(double s)
{
    struct timespec ts = to_timespec(s);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/*
 * flock has no timed form, so poll like the reference does. The lock
 * belongs to the open file description, which dies with the process: a
 * run killed with -9 never leaves the host locked.
 */
static int take_file(int fd, double deadline, double timeout,
                     const struct paglets__perf_stop *stop,
                     struct paglets_err *err)
{
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK)
            return paglets_err_set(err, -errno,
                                   "benchmark file lock failed: %s",
                                   paglets_strerror(errno));
        if (paglets__perf_stopped(stop))
            return -ECANCELED;
        double left = deadline - paglets_monotonic_seconds();
        if (left <= 0)
            return paglets_err_set(err, -ETIMEDOUT,
                                   "benchmark file lock busy after %.3fs",
                                   timeout);
        sleep_seconds(left < POLL_SECONDS ? left : POLL_SECONDS);
    }
}

/*
 * The lock file, opened so that nothing planted there can hang or fool
 * us: the directory without following a symlink, ours and closed to
 * everyone else; the file with O_NONBLOCK (a FIFO cannot block the open)
 * and O_NOFOLLOW, and it must be a regular file. Returns the descriptor or
 * a negative errno with err naming the path.
 */
static int open_lock_file(const char *dir, struct paglets_err *err)
{
    struct stat st;
    int fd = -1;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        int code = -errno;
        return paglets_err_set(err, code,
                               "cannot open benchmark lock directory '%s': %s",
                               dir, paglets_strerror(code));
    }
    int rc = fstat(dfd, &st) == 0 ? 0 : -errno;
    if (rc == 0 && (st.st_uid != geteuid() || (st.st_mode & 077) != 0))
        rc = paglets_err_set(err, -EPERM,
                             "benchmark lock directory '%s' must belong to "
                             "uid %u with mode 0700, not uid %u mode %04o",
                             dir, (unsigned)geteuid(), (unsigned)st.st_uid,
                             (unsigned)(st.st_mode & 07777));
    if (rc == 0) {
        fd = openat(dfd, PAGLETS_PERF_LOCK_FILE,
                    O_RDWR | O_CREAT | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC,
                    0600);
        rc = fd >= 0 && fstat(fd, &st) == 0 ? 0 : -errno;
    }
    if (rc == 0 && !S_ISREG(st.st_mode))
        rc = paglets_err_set(err, -EINVAL,
                             "benchmark lock '%s/%s' is not a regular file",
                             dir, PAGLETS_PERF_LOCK_FILE);
    if (rc != 0) {
        paglets_err_set(err, rc, "cannot open benchmark lock '%s/%s': %s", dir,
                        PAGLETS_PERF_LOCK_FILE,
                        rc == -ELOOP ? "it is a symbolic link"
                                     : paglets_strerror(rc));
        if (fd >= 0)
            close(fd);
        fd = rc;
    }
    close(dfd);
    return fd;
}

int paglets__perf_lock_acquire(struct paglets__perf_lock *lock, const char *dir,
                               double timeout_seconds, double *waited,
                               struct paglets_err *err)
{
    return paglets__perf_lock_acquire_or_stop(lock, dir, timeout_seconds, NULL,
                                              waited, err);
}

int paglets__perf_lock_acquire_or_stop(struct paglets__perf_lock *lock,
                                       const char *dir, double timeout_seconds,
                                       const struct paglets__perf_stop *stop,
                                       double *waited, struct paglets_err *err)
{
    double start = paglets_monotonic_seconds();
    lock->fd = -1;
    lock->have_mutex = false;
    int rc = take_mutex(timeout_seconds, stop, err);
    if (rc != 0)
        goto out;
    int fd = open_lock_file(dir, err);
    rc = fd < 0 ? fd
                : take_file(fd, start + timeout_seconds, timeout_seconds, stop,
                            err);
    if (rc != 0) {
        if (fd >= 0)
            close(fd);
        give_mutex();
        goto out;
    }
    lock->have_mutex = true;
    lock->fd = fd;
out:
    if (waited != NULL)
        *waited = paglets_monotonic_seconds() - start;
    return rc;
}

/* Create dir 0700 unless it exists; the lock's open checks the rest. */
static int make_dir(const char *dir, struct paglets_err *err)
{
    if (mkdir(dir, 0700) == 0 || errno == EEXIST)
        return 0;
    int code = -errno;
    return paglets_err_set(err, code,
                           "cannot create benchmark lock directory '%s': %s",
                           dir, paglets_strerror(code));
}

int paglets__perf_lock_dir(char *out, size_t size, struct paglets_err *err)
{
    const char *service = getenv("RUNTIME_DIRECTORY");
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    int n;
    if (service != NULL && service[0] == '/')
        /* systemd may list several, colon-separated: the first is ours. */
        n = snprintf(out, size, "%.*s", (int)strcspn(service, ":"), service);
    else if (runtime != NULL && runtime[0] == '/')
        n = snprintf(out, size, "%s/paglets", runtime);
    else
        n = snprintf(out, size, "/tmp/paglets-%u", (unsigned)geteuid());
    if (n < 0 || (size_t)n >= size)
        return paglets_err_set(err, -ENAMETOOLONG,
                               "benchmark lock directory name too long");
    return make_dir(out, err);
}

void paglets__perf_lock_release(struct paglets__perf_lock *lock)
{
    if (lock->fd >= 0) {
        flock(lock->fd, LOCK_UN);
        close(lock->fd);
        lock->fd = -1;
    }
    if (lock->have_mutex) {
        give_mutex();
        lock->have_mutex = false;
    }
}
