/*
 * Agent ids: what a valid one looks like and how a host makes a fresh one.
 * An id is a path segment of /agents/{id}, so validation is what keeps a
 * peer's id from naming another path.
 */
#ifndef PAGLETS_WIRE_ID_H
#define PAGLETS_WIRE_ID_H

#include <stdbool.h>

#include <paglets/agent.h>

/*
 * True when id is 1..PAGLETS_ID_MAX-1 characters of [A-Za-z0-9_.-] and
 * neither "." nor "..". NULL is not valid.
 */
bool paglets__id_is_valid(const char *id);

/*
 * A fresh random agent id (32 hex digits from getrandom) into
 * id[PAGLETS_ID_MAX]. Returns 0 or the negative errno of getrandom.
 */
int paglets__id_generate(char id[PAGLETS_ID_MAX]);

#endif
