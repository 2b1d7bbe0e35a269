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

void paglets__log_write(enum paglets_log_level level, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);

    struct timespec now;
    struct tm tm;
    char stamp[32];
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ %s: %s\n", stamp, now.tv_nsec / 1000000L,
            level_names[level], message);
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
