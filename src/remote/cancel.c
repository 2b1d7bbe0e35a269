/*
 * Cancel handles: an atomic flag for the check, and an eventfd that turns
 * readable when tripped, so a client blocked in poll() wakes at once
 * instead of at its next timeout.
 */
#include "compat.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "remote/http.h"

/* Only lock-free atomics may be touched from a signal handler (C11 7.14.1.1).
 */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free");

struct paglets_cancel {
    atomic_int tripped;
    int fd; /* eventfd; never read, so it stays readable once tripped */
};

struct paglets_cancel *paglets_cancel_new(struct paglets_err *err)
{
    struct paglets_cancel *cancel = calloc(1, sizeof(*cancel));
    if (cancel == NULL) {
        paglets_err_set(err, -ENOMEM, "out of memory creating cancel handle");
        return NULL;
    }
    atomic_init(&cancel->tripped, 0);
    cancel->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (cancel->fd < 0) {
        int rc = -errno;
        free(cancel);
        paglets_err_set(err, rc, "cannot create cancel handle: %s",
                        paglets_strerror(rc));
        return NULL;
    }
    return cancel;
}

void paglets_cancel_free(struct paglets_cancel *cancel)
{
    if (cancel == NULL)
        return;
    close(cancel->fd);
    free(cancel);
}

void paglets_cancel_trip(struct paglets_cancel *cancel)
{
    if (cancel == NULL)
        return;
    /* A signal handler must leave errno as it found it. */
    int saved = errno;
    atomic_store_explicit(&cancel->tripped, 1, memory_order_release);
    uint64_t one = 1;
    ssize_t n = write(cancel->fd, &one, sizeof(one));
    (void)n; /* only fails when the counter is full: readable already */
    errno = saved;
}

bool paglets_cancel_is_tripped(const struct paglets_cancel *cancel)
{
    return cancel != NULL &&
           atomic_load_explicit(&cancel->tripped, memory_order_acquire) != 0;
}

int paglets__cancel_fd(const struct paglets_cancel *cancel)
{
    return cancel->fd;
}
