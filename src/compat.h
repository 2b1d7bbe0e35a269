/*
 * Feature-test macros for the whole library: every .c includes this first,
 * so all files see the same libc surface (GNU for mkdtemp, O_DIRECT,
 * strerror_r's GNU form is avoided by _POSIX_C_SOURCE semantics below).
 */
#ifndef PAGLETS_COMPAT_H
#define PAGLETS_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#endif
