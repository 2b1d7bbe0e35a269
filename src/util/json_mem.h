/*
 * What JSON costs in memory: a per-thread allocation budget that jansson
 * allocates under while a request body or a reply is parsed and handled,
 * and the estimate the runtime charges agent state with.
 */
#ifndef PAGLETS_UTIL_JSON_MEM_H
#define PAGLETS_UTIL_JSON_MEM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * A budget scope on the calling thread. While it is open, every jansson
 * allocation on this thread is counted (malloc_usable_size) and one that
 * would take the live total past `limit` fails: jansson then reports "out
 * of memory" and the parse or the construction fails cleanly. Frees on
 * this thread give bytes back. Scopes nest (a host request that makes a
 * call parses the reply in a scope of its own): an allocation must fit
 * every open scope, and what an inner scope leaves allocated stays counted
 * in the outer ones. Lives on the caller's stack; not shared.
 */
struct paglets__budget {
    size_t limit;
    size_t used; /* live bytes allocated in the scope, net of frees */
    size_t peak;
    bool over; /* an allocation was refused */
    struct paglets__budget *outer;
};

/* Open a scope of limit bytes on this thread (innermost from now on). */
void paglets__budget_begin(struct paglets__budget *budget, size_t limit);

/*
 * Close the innermost scope, which must be budget. Returns true when an
 * allocation was refused in it.
 */
bool paglets__budget_end(struct paglets__budget *budget);

/*
 * json_loadb() under a scope of its own of limit bytes. NULL on failure
 * with jerr filled; *over (may be NULL) tells whether the budget, rather
 * than the text, was the reason.
 */
json_t *paglets__json_load_budget(const char *data, size_t len, size_t flags,
                                  size_t limit, json_error_t *jerr, bool *over);

/*
 * An estimate of the heap memory json holds with jansson's allocator on
 * 64-bit glibc (objects with their hash buckets and pairs, array tables,
 * strings, numbers; each block rounded as malloc does), shared values
 * counted every time they appear. Never less than what parsing the same
 * text keeps allocated: tests/unit/test_json_mem.c holds it to that.
 * Recursion as deep as the value; parsed values are at most 2048 deep.
 */
size_t paglets__json_footprint(const json_t *json);

#endif
