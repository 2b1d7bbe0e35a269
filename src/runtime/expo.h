/*
 * The Prometheus text exposition format 0.0.4 (expo.c): one writer, with
 * the escaping of help texts and label values in one place, that GET
 * /metrics renders every family through.
 */
#ifndef PAGLETS_RUNTIME_EXPO_H
#define PAGLETS_RUNTIME_EXPO_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* The Content-Type of the format. */
#define PAGLETS__EXPO_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * A document being written. The first failure (-ENOMEM, -EMSGSIZE past
 * the buffer's limit) sticks in rc and later calls do nothing.
 */
struct paglets__expo {
    struct paglets__buf buf;
    int rc;
};

void paglets__expo_init(struct paglets__expo *e, size_t limit);
void paglets__expo_release(struct paglets__expo *e);

/*
 * "# HELP name help" and "# TYPE name type" (type: "gauge" or "counter";
 * a counter's name ends in _total). Call once per family, before its
 * samples, which follow together.
 */
void paglets__expo_family(struct paglets__expo *e, const char *name,
                          const char *type, const char *help);

/*
 * One sample: name{label="value",...} value. labels holds n_labels
 * pairs (name, value); values are escaped (\\, \", \n). Non-finite values
 * are written as NaN, +Inf, -Inf.
 */
void paglets__expo_sample(struct paglets__expo *e, const char *name,
                          const char *const *labels, size_t n_labels,
                          double value);

/* As paglets__expo_sample() for a counter's exact integer value. */
void paglets__expo_count(struct paglets__expo *e, const char *name,
                         const char *const *labels, size_t n_labels,
                         uint64_t value);

/* The text written: the caller owns it (free()); NULL after a failure. */
char *paglets__expo_detach(struct paglets__expo *e);

#endif
