/*
 * Feature-test macros of the benchmark library: every .c of src/perf
 * includes this first, so all its files see the same libc surface (GNU,
 * for vasprintf, O_DIRECT and gnu_get_libc_version). The library is
 * written on the public API, so it keeps its own copy of src/compat.h.
 */
#ifndef PAGLETS_PERF_PERF_COMPAT_H
#define PAGLETS_PERF_PERF_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#endif
