/*
 * jansson's allocations counted per thread (budgets), and the memory a
 * JSON value holds (footprint).
 */
#include "compat.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/json_mem.h"

/* The innermost open scope of this thread, or NULL. */
static _Thread_local struct paglets__budget *current;

/* A refused allocation marks every scope it did not fit, and the innermost. */
static bool fits(struct paglets__budget *inner, size_t n)
{
    bool ok = true;
    for (struct paglets__budget *b = inner; b != NULL; b = b->outer) {
        if (b->used >= b->limit || n > b->limit - b->used) {
            b->over = true;
            ok = false;
        }
    }
    if (!ok)
        inner->over = true;
    return ok;
}

static void *counted_malloc(size_t n)
{
    struct paglets__budget *inner = current;
    if (inner == NULL)
        return malloc(n);
    if (!fits(inner, n))
        return NULL;
    void *p = malloc(n);
    if (p == NULL)
        return NULL;
    size_t got = malloc_usable_size(p);
    for (struct paglets__budget *b = inner; b != NULL; b = b->outer) {
        b->used += got;
        if (b->used > b->peak)
            b->peak = b->used;
    }
    return p;
}

/*
 * A block may have been allocated outside every scope, or in another
 * thread: what it gives back is clamped at zero, never "owed".
 */
static void counted_free(void *p)
{
    struct paglets__budget *inner = current;
    if (inner != NULL && p != NULL) {
        size_t got = malloc_usable_size(p);
        for (struct paglets__budget *b = inner; b != NULL; b = b->outer)
            b->used = b->used > got ? b->used - got : 0;
    }
    free(p);
}

/*
 * jansson's allocator hooks are process-wide and must not change while
 * another thread allocates, so they are set once, before main() and
 * before any thread exists. Outside a scope they are malloc and free, so
 * blocks from either side may be freed by the other: code that uses
 * jansson before this runs, or frees our blocks with free(), is fine.
 */
__attribute__((constructor)) static void install_hooks(void)
{
    json_set_alloc_funcs(counted_malloc, counted_free);
}

void paglets__budget_begin(struct paglets__budget *budget, size_t limit)
{
    budget->limit = limit;
    budget->used = 0;
    budget->peak = 0;
    budget->over = false;
    budget->outer = current;
    current = budget;
}

bool paglets__budget_end(struct paglets__budget *budget)
{
    current = budget->outer;
    return budget->over;
}

json_t *paglets__json_load_budget(const char *data, size_t len, size_t flags,
                                  size_t limit, json_error_t *jerr, bool *over)
{
    struct paglets__budget budget;
    paglets__budget_begin(&budget, limit);
    json_t *json = json_loadb(data, len, flags, jerr);
    bool refused = paglets__budget_end(&budget);
    if (over != NULL)
        *over = refused;
    return json;
}

/* What malloc takes for a request of n bytes (glibc, 64-bit). */
static size_t block(size_t n)
{
    size_t chunk = (n + 8 + 15) & ~(size_t)15;
    return chunk < 32 ? 32 : chunk;
}

/* The smallest power of two >= n, at least min (a power of two too). */
static size_t pow2_at_least(size_t n, size_t min)
{
    size_t p = min;
    while (p < n && p < SIZE_MAX / 2)
        p *= 2;
    return p;
}

/*
 * jansson 2.14 on LP64: json_t is 16 bytes; an object adds a hashtable
 * (56) with 16-byte buckets (8 at first, doubling once as many pairs as
 * buckets are held) and one block per pair (56 bytes before the key); an
 * array adds 24 and a table of pointers (8 slots at first, doubling); a
 * string 16 and its bytes; a number 8. true, false and null are static.
 */
size_t paglets__json_footprint(const json_t *json)
{
    size_t total = 0;
    switch (json_typeof(json)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(json);
        total = block(72) + block(16 * pow2_at_least(n, 8));
        const char *key;
        size_t key_len;
        json_t *value;
        json_object_keylen_foreach((json_t *)json, key, key_len, value)
        {
            total += block(56 + key_len + 1) + paglets__json_footprint(value);
        }
        break;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(json);
        total = block(40) + block(8 * pow2_at_least(n, 8));
        for (size_t i = 0; i < n; i++)
            total += paglets__json_footprint(json_array_get(json, i));
        break;
    }
    case JSON_STRING:
        total = block(32) + block(json_string_length(json) + 1);
        break;
    case JSON_INTEGER:
    case JSON_REAL:
        total = block(24);
        break;
    default:
        break;
    }
    return total;
}
