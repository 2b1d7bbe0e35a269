/*
 * The log sink: timestamped single lines on stderr, written with one
 * fprintf so lines from different threads never interleave.
 */
#include "compat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/log.h"

atomic_int paglets__log_threshold = PAGLETS_LOG_WARN;
atomic_uint paglets__log_debug_mask = 0;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

static const struct {
    const char *name;
    unsigned mask;
} debug_categories[] = {
    {"agent", PAGLETS_LOG_CAT_AGENT}, {"all", ~0u},
    {"bench", PAGLETS_LOG_CAT_BENCH}, {"http", PAGLETS_LOG_CAT_HTTP},
    {"mesh", PAGLETS_LOG_CAT_MESH},
};

static void write_line(enum paglets_log_level level, const char *fmt,
                       va_list ap) PAGLETS_PRINTF(2, 0);

static void write_line(enum paglets_log_level level, const char *fmt,
                       va_list ap)
{
    char message[1024];
    vsnprintf(message, sizeof(message), fmt, ap);

    struct timespec now;
    struct tm tm;
    char stamp[32];
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ %s: %s\n", stamp, now.tv_nsec / 1000000L,
            level_names[level], message);
}

void paglets__log_write(enum paglets_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    write_line(level, fmt, ap);
    va_end(ap);
}

/* The mask of a category name; 0 (never enabled) for an unknown one. */
static unsigned category_mask(const char *category)
{
    for (size_t i = 0; category != NULL && i < sizeof(debug_categories) /
                                                   sizeof(debug_categories[0]);
         i++)
        if (strcmp(category, debug_categories[i].name) == 0)
            return debug_categories[i].mask;
    return 0;
}

bool paglets_log_is_enabled(enum paglets_log_level level, const char *category)
{
    if ((unsigned)level > PAGLETS_LOG_DEBUG)
        return false;
    if (level == PAGLETS_LOG_DEBUG)
        return (atomic_load_explicit(&paglets__log_debug_mask,
                                     memory_order_relaxed) &
                category_mask(category)) != 0;
    return (int)level <=
           atomic_load_explicit(&paglets__log_threshold, memory_order_relaxed);
}

void paglets_log_write(enum paglets_log_level level, const char *category,
                       const char *fmt, ...)
{
    if (!paglets_log_is_enabled(level, category))
        return;
    va_list ap;
    va_start(ap, fmt);
    write_line(level, fmt, ap);
    va_end(ap);
}

void paglets_log_set_level(enum paglets_log_level level)
{
    atomic_store(&paglets__log_threshold, (int)level);
}

int paglets_log_parse_level(const char *text, enum paglets_log_level *level)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcasecmp(text, level_names[i]) == 0) {
            *level = (enum paglets_log_level)i;
            return 0;
        }
    }
    return -EINVAL;
}

int paglets_log_set_debug(const char *categories, struct paglets_err *err)
{
    unsigned mask = 0;
    const char *p = categories;
    while (*p != '\0') {
        size_t len = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0;
             i < sizeof(debug_categories) / sizeof(debug_categories[0]); i++) {
            if (strlen(debug_categories[i].name) == len &&
                strncmp(p, debug_categories[i].name, len) == 0) {
                mask |= debug_categories[i].mask;
                found = true;
            }
        }
        if (!found)
            return paglets_err_set(err, -EINVAL,
                                   "unknown debug category '%.*s' (use "
                                   "agent, bench, http, mesh or all)",
                                   (int)len, p);
        p += len;
        if (*p == ',')
            p++;
    }
    atomic_store(&paglets__log_debug_mask, mask);
    paglets_log_set_level(PAGLETS_LOG_DEBUG);
    return 0;
}
