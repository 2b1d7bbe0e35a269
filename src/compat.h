/*
 * Feature-test macros for the whole library: every .c includes this first,
 * so all files see the same libc surface. _GNU_SOURCE is for O_DIRECT,
 * strerrordesc_np and strerrorname_np (behind paglets_strerror and
 * paglets_errname). It also selects the GNU strerror_r, which returns a
 * char * instead of filling the buffer and returning an int as POSIX's
 * does: call paglets_strerror instead.
 */
#ifndef PAGLETS_COMPAT_H
#define PAGLETS_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#endif
