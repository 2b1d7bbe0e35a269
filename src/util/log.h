/*
 * One-line log records on stderr. The macros test the level before they
 * evaluate their arguments, so disabled debug lines cost one load.
 */
#ifndef PAGLETS_UTIL_LOG_H
#define PAGLETS_UTIL_LOG_H

#include <stdatomic.h>

#include <paglets/common.h>

enum paglets__log_category {
    PAGLETS_LOG_CAT_MESH = 1u << 0,
    PAGLETS_LOG_CAT_HTTP = 1u << 1,
    PAGLETS_LOG_CAT_AGENT = 1u << 2,
    PAGLETS_LOG_CAT_BENCH = 1u << 3,
};

extern atomic_int paglets__log_threshold;
extern atomic_uint paglets__log_debug_mask;

void paglets__log_write(enum paglets_log_level level, const char *fmt, ...)
    PAGLETS_PRINTF(2, 3);

#define paglets_log(level, ...)                                                \
    do {                                                                       \
        if ((int)(level) <= atomic_load_explicit(&paglets__log_threshold,      \
                                                 memory_order_relaxed))        \
            paglets__log_write((level), __VA_ARGS__);                          \
    } while (0)

#define paglets_log_error(...) paglets_log(PAGLETS_LOG_ERROR, __VA_ARGS__)
#define paglets_log_warn(...) paglets_log(PAGLETS_LOG_WARN, __VA_ARGS__)
#define paglets_log_info(...) paglets_log(PAGLETS_LOG_INFO, __VA_ARGS__)

/* Debug lines belong to a category and print only when it is enabled. */
#define paglets_log_debug(category, ...)                                       \
    do {                                                                       \
        if (atomic_load_explicit(&paglets__log_debug_mask,                     \
                                 memory_order_relaxed) &                       \
            (category))                                                        \
            paglets__log_write(PAGLETS_LOG_DEBUG, __VA_ARGS__);                \
    } while (0)

#endif
