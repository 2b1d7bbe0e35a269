/*
 * Inside struct paglets_fanout: shared by its bookkeeping (fanout.c), its
 * remote half (fanout_remote.c) and their unit tests.
 */
#ifndef PAGLETS_CORE_FANOUT_INT_H
#define PAGLETS_CORE_FANOUT_INT_H

#include <paglets/fanout.h>

enum paglets__fanout_status {
    PAGLETS__FANOUT_PENDING = 0,
    PAGLETS__FANOUT_DONE,   /* answered with a result */
    PAGLETS__FANOUT_FAILED, /* clone failed, error answer, or expired */
};

struct paglets__fanout_child {
    char *host_name; /* owned, like every pointer here */
    char *host_url;
    struct paglets_proxy proxy; /* valid when has_proxy */
    bool has_proxy;
    bool answered; /* the child sent its one answer: it disposes itself */
    bool disposed; /* the parent's cleanup already tried it */
    enum paglets__fanout_status status;
    json_t *result;      /* when DONE */
    char *error;         /* when FAILED */
    char *cleanup_error; /* NULL unless disposing it failed */
};

/* All fields are protected by the owning agent's state lock. */
struct paglets_fanout {
    struct paglets__fanout_child *children;
    size_t n_children, cap;
    double deadline; /* paglets_monotonic_seconds() clock */
    /*
     * Set once the round's children are being disposed: a clone that
     * returns after that is disposed at once and none is started, so a
     * cleanup that overtakes a slow fan-out leaves no child running.
     */
    bool closed;
};

/* Lock held. The child of host_name in this round, or NULL. */
struct paglets__fanout_child *
paglets__fanout_find(const struct paglets_fanout *fanout,
                     const char *host_name);

/* Lock held. Record why disposing host_name's child failed (copied). */
int paglets__fanout_set_cleanup_error(struct paglets_fanout *fanout,
                                      const char *host_name,
                                      const char *message);

#endif
