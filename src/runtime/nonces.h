/*
 * The nonces of signed requests a host has seen, so a captured request
 * cannot be replayed while its `created` time is still inside the window.
 * Bounded: at most `capacity` nonces are kept. When full, the oldest is
 * dropped and the cache remembers its `created`: from then on a request
 * created at or before that time is refused as too old, since its nonce
 * may be one that was dropped. Replay protection thus never lapses; under
 * a flood of valid requests the window only narrows.
 */
#ifndef PAGLETS_RUNTIME_NONCES_H
#define PAGLETS_RUNTIME_NONCES_H

#include <stddef.h>
#include <stdint.h>

struct paglets__nonces;

/*
 * A cache of capacity nonces (> 0) for a window of window_seconds either
 * side of now. Caller frees with paglets__nonces_free(). NULL when out of
 * memory.
 */
struct paglets__nonces *paglets__nonces_new(size_t capacity,
                                            int64_t window_seconds);
void paglets__nonces_free(struct paglets__nonces *nonces);

/*
 * Record nonce of a request made at `created` and seen at `now` (Unix
 * seconds; the caller has checked the window). 0 when new; -EALREADY
 * when seen before and not yet expired; -ESTALE when created is no later
 * than a nonce the full cache had to drop. Any thread.
 */
int paglets__nonces_add(struct paglets__nonces *nonces, const char *nonce,
                        int64_t created, int64_t now);

/* How many nonces are kept now (for tests). */
size_t paglets__nonces_count(struct paglets__nonces *nonces);

#endif
