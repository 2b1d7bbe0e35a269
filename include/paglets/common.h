/*
 * Shared vocabulary of the paglets library: export macro, error reports,
 * version strings, logging, the monotonic clock and the size/duration
 * parsers every command line and request decoder uses.
 */
#ifndef PAGLETS_COMMON_H
#define PAGLETS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PAGLETS_EXTERN __attribute__((visibility("default")))
#define PAGLETS_NODISCARD __attribute__((warn_unused_result))
#define PAGLETS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* Bumped when an HTTP path or JSON shape changes incompatibly. */
#define PAGLETS_API_VERSION 1

/*
 * The port a host listens on unless told otherwise, and where clients look
 * for one (paglets_client_entry()).
 */
#define PAGLETS_DEFAULT_PORT 8765

/*
 * An error report: a negative errno and a one-line message. Functions that
 * return a pointer fill an optional struct paglets_err *err on failure.
 */
#define PAGLETS_ERR_MESSAGE_MAX 256
struct paglets_err {
    int code;
    char message[PAGLETS_ERR_MESSAGE_MAX];
};

/*
 * Record an error in err (which may be NULL). The first error wins: a later
 * call on an err that already holds one changes nothing. Returns code, so
 * callers can write `return paglets_err_set(err, -EINVAL, "...")`.
 */
PAGLETS_EXTERN int paglets_err_set(struct paglets_err *err, int code,
                                   const char *fmt, ...) PAGLETS_PRINTF(3, 4);

/* Forget any recorded error. */
PAGLETS_EXTERN void paglets_err_clear(struct paglets_err *err);

/* Text for a negative errno (thread-safe, static storage). */
PAGLETS_EXTERN const char *paglets_strerror(int code);

/* Stable symbolic name for a negative errno: "ETIMEDOUT", "EINVAL", ... */
PAGLETS_EXTERN const char *paglets_errname(int code);

/*
 * Copy len bytes of untrusted text (a peer's name, a URL, an error message
 * from the network) into out so it is safe to show on a terminal or in one
 * log line. C0 controls, DEL and bytes that are not valid UTF-8 become
 * "\xNN"; C1 controls and the bidirectional controls U+200E-U+200F,
 * U+202A-U+202E and U+2066-U+2069 become "\uNNNN"; a backslash becomes
 * "\\", so every escape reads back unambiguously. Other characters are
 * copied, NUL bytes inside text are escaped like any control.
 *
 * Writes at most size - 1 bytes and a NUL (nothing when size is 0), never
 * cutting an escape or a character in half. Returns the length the whole
 * escaped text needs, as snprintf does: a result >= size means out was cut
 * short. The result is at most 4 * len. Any thread; text and out must not
 * overlap.
 */
PAGLETS_EXTERN size_t paglets_escape(char *out, size_t size, const char *text,
                                     size_t len);

/*
 * The version of these headers; paglets_version_number() tells the version
 * of the library actually linked. CMake reads the three numbers from here,
 * so they are the one place the version is written.
 */
#define PAGLETS_VERSION_MAJOR 0
#define PAGLETS_VERSION_MINOR 1
#define PAGLETS_VERSION_PATCH 0
/* One comparable number: 0.1.0 is 0x000100. */
#define PAGLETS_VERSION_HEX                                                    \
    ((PAGLETS_VERSION_MAJOR << 16) | (PAGLETS_VERSION_MINOR << 8) |            \
     PAGLETS_VERSION_PATCH)

/* The linked library's version as PAGLETS_VERSION_HEX computes it. */
PAGLETS_EXTERN unsigned paglets_version_number(void);

/* The linked library's version as text: "0.1.0". */
PAGLETS_EXTERN const char *paglets_version(void);

/*
 * The build identifier ("c-0.1.0+<git sha>"): the mesh version a host uses
 * when none is configured, so only identical builds mesh by default.
 */
PAGLETS_EXTERN const char *paglets_build_id(void);

/* Compiler name and version this library was built with. */
PAGLETS_EXTERN const char *paglets_compiler(void);

enum paglets_log_level {
    PAGLETS_LOG_ERROR = 0,
    PAGLETS_LOG_WARN = 1,
    PAGLETS_LOG_INFO = 2,
    PAGLETS_LOG_DEBUG = 3,
};

/* Set the process-wide log threshold (default: warn). Any thread. */
PAGLETS_EXTERN void paglets_log_set_level(enum paglets_log_level level);

/*
 * Turn on debug output for a comma-separated list of categories ("mesh",
 * "http", "agent", "bench", or "all"); also raises the level to debug.
 * Returns 0 or -EINVAL naming the unknown category in err.
 */
PAGLETS_EXTERN int paglets_log_set_debug(const char *categories,
                                         struct paglets_err *err);

/* Parse "error", "warn", "info" or "debug". Returns 0 or -EINVAL. */
PAGLETS_EXTERN int paglets_log_parse_level(const char *text,
                                           enum paglets_log_level *level);

/*
 * Write one log line the way the library does (UTC timestamp, level,
 * message; one write to stderr, so lines of different threads never
 * interleave), for code built on the library: agent types, programs
 * embedding a host. Follow the library's style: lowercase, the failure
 * first, no final period. A PAGLETS_LOG_DEBUG line prints only while its
 * category ("mesh", "http", "agent", "bench") is enabled with
 * paglets_log_set_debug(); other levels print when they are at or above
 * the threshold of paglets_log_set_level(), and category may be NULL.
 * Any thread.
 */
PAGLETS_EXTERN void paglets_log_write(enum paglets_log_level level,
                                      const char *category, const char *fmt,
                                      ...) PAGLETS_PRINTF(3, 4);

/*
 * Whether paglets_log_write(level, category, ...) would print now: test it
 * first when building the message costs something. Any thread.
 */
PAGLETS_EXTERN bool paglets_log_is_enabled(enum paglets_log_level level,
                                           const char *category);

/*
 * Seconds on CLOCK_MONOTONIC (unaffected by wall-clock changes), for
 * intervals and deadlines (the clock of struct paglets_call_opts'
 * deadline_seconds); also valid as an absolute time for waits on a condition
 * variable whose clock is CLOCK_MONOTONIC. Any thread.
 */
PAGLETS_EXTERN double paglets_monotonic_seconds(void);

/*
 * Parse a byte size: a positive number with an optional binary suffix
 * K, M, G or T (x1024^n), an optional trailing B, decimals allowed
 * ("1.5G"), case-insensitive. Returns 0, or -EINVAL / -ERANGE with a
 * message in err.
 */
PAGLETS_EXTERN int paglets_parse_size(const char *text, uint64_t *bytes,
                                      struct paglets_err *err);

/*
 * Parse a duration in seconds: a non-negative number with an optional unit
 * ms, s or m ("0.5", "250ms", "2m"). NaN and infinities are rejected.
 * Returns 0, or -EINVAL / -ERANGE with a message in err.
 */
PAGLETS_EXTERN int paglets_parse_seconds(const char *text, double *seconds,
                                         struct paglets_err *err);

#ifdef __cplusplus
}
#endif

#endif
