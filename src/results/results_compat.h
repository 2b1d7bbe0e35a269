/*
 * Feature-test macros of the run database: every .c of src/results
 * includes this first (GNU, for asprintf and statfs). Like the benchmark
 * library, it is written on the public API and keeps its own copy of
 * src/compat.h.
 */
#ifndef PAGLETS_RESULTS_RESULTS_COMPAT_H
#define PAGLETS_RESULTS_RESULTS_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#endif
