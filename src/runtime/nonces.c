/*
 * The replay cache (nonces.h): a ring of nonces in arrival order, so the
 * oldest is dropped first, and an open-addressing table over it (linear
 * probing, deletion by backward shift) to find one in O(1). Nonces are
 * kept as the first 16 bytes of their SHA-256: only holders of the key
 * can add any (the MAC is checked first), and 128 bits do not collide.
 */
#include "compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "runtime/nonces.h"

struct entry {
    unsigned char digest[16];
    int64_t created;
};

struct paglets__nonces {
    pthread_mutex_t lock; /* guards everything below */
    struct entry *ring;   /* capacity entries, oldest at head */
    size_t capacity, head, count;
    uint32_t *slots; /* n_slots, each 0 or 1 + a ring index */
    size_t n_slots;  /* a power of two, >= 2 * capacity */
    int64_t window;
    int64_t floor; /* requests created at or before this are refused */
    bool dropped;  /* floor is set */
};

struct paglets__nonces *paglets__nonces_new(size_t capacity,
                                            int64_t window_seconds)
{
    if (capacity == 0 || capacity > UINT32_MAX / 4)
        return NULL;
    struct paglets__nonces *n = calloc(1, sizeof(*n));
    if (n == NULL)
        return NULL;
    n->capacity = capacity;
    n->window = window_seconds;
    for (n->n_slots = 1; n->n_slots < 2 * capacity; n->n_slots <<= 1)
        ;
    n->ring = calloc(capacity, sizeof(*n->ring));
    n->slots = calloc(n->n_slots, sizeof(*n->slots));
    if (n->ring == NULL || n->slots == NULL) {
        paglets__nonces_free(n);
        return NULL;
    }
    pthread_mutex_init(&n->lock, NULL);
    return n;
}

void paglets__nonces_free(struct paglets__nonces *n)
{
    if (n == NULL)
        return;
    if (n->ring != NULL && n->slots != NULL)
        pthread_mutex_destroy(&n->lock);
    free(n->ring);
    free(n->slots);
    free(n);
}

static size_t home(const struct paglets__nonces *n,
                   const unsigned char digest[16])
{
    uint64_t h;
    memcpy(&h, digest, sizeof(h));
    return (size_t)h & (n->n_slots - 1);
}

/* The slot holding digest, or the empty slot where it would go. */
static size_t find(const struct paglets__nonces *n,
                   const unsigned char digest[16], bool *found)
{
    size_t i = home(n, digest);
    while (n->slots[i] != 0) {
        if (memcmp(n->ring[n->slots[i] - 1].digest, digest, 16) == 0) {
            *found = true;
            return i;
        }
        i = (i + 1) & (n->n_slots - 1);
    }
    *found = false;
    return i;
}

/* Empty slot i and shift the run after it back (Knuth's algorithm R). */
static void erase_slot(struct paglets__nonces *n, size_t i)
{
    size_t mask = n->n_slots - 1, j = i;
    n->slots[i] = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (n->slots[j] == 0)
            return;
        size_t k = home(n, n->ring[n->slots[j] - 1].digest);
        /* Move j back to i unless its home lies cyclically in (i, j]. */
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        n->slots[i] = n->slots[j];
        n->slots[j] = 0;
        i = j;
    }
}

static void drop_oldest(struct paglets__nonces *n)
{
    bool found;
    size_t slot = find(n, n->ring[n->head].digest, &found);
    if (found)
        erase_slot(n, slot);
    n->head = (n->head + 1) % n->capacity;
    n->count--;
}

int paglets__nonces_add(struct paglets__nonces *n, const char *nonce,
                        int64_t created, int64_t now)
{
    unsigned char sha[32];
    unsigned int len = sizeof(sha);
    if (EVP_Digest(nonce, strlen(nonce), sha, &len, EVP_sha256(), NULL) != 1)
        return -EIO;
    pthread_mutex_lock(&n->lock);
    /* Expired nonces can go: their requests fail the window check. */
    while (n->count > 0 && now - n->ring[n->head].created > n->window)
        drop_oldest(n);
    int rc = 0;
    bool found;
    size_t slot = find(n, sha, &found);
    int64_t floor = n->floor;
    bool full = n->count == n->capacity;
    /* Room is made by dropping the oldest; its time becomes the floor. */
    if (full && (!n->dropped || n->ring[n->head].created > floor))
        floor = n->ring[n->head].created;
    if (found) {
        rc = -EALREADY;
    } else if ((n->dropped || full) && created <= floor) {
        rc = -ESTALE;
    } else {
        if (full) {
            n->floor = floor;
            n->dropped = true;
            drop_oldest(n);
            slot = find(n, sha, &found); /* the shift may have moved it */
        }
        size_t tail = (n->head + n->count) % n->capacity;
        memcpy(n->ring[tail].digest, sha, 16);
        n->ring[tail].created = created;
        n->slots[slot] = (uint32_t)tail + 1;
        n->count++;
    }
    pthread_mutex_unlock(&n->lock);
    return rc;
}

size_t paglets__nonces_count(struct paglets__nonces *n)
{
    pthread_mutex_lock(&n->lock);
    size_t count = n->count;
    pthread_mutex_unlock(&n->lock);
    return count;
}
