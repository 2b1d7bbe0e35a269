/*
 * The typed summary of a collection and its two renderers: the text table
 * of `paglets examples perf` and the JSON printer, plus the figure
 * formatters the table uses.
 */
#ifndef PAGLETS_PERF_REPORT_H
#define PAGLETS_PERF_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include <paglets/perf.h>

struct paglets__perf_entries {
    struct paglets_perf_host_entry *items;
    size_t n;
};

struct paglets__perf_messages {
    struct paglets_perf_host_message *items;
    size_t n;
};

/*
 * What the agent's summary JSON says, decoded once (summary.c). Lists of
 * hosts are sorted by host name (strcmp), as the table prints them.
 */
struct paglets_perf_summary {
    struct paglets__perf_entries results;
    struct paglets__perf_messages errors;         /* hosts without result */
    struct paglets__perf_messages cleanup_errors; /* children not disposed */
    struct paglets_perf_strings pending_hosts;    /* in the agent's order */
    struct paglets__perf_messages ignored_hosts;  /* not online at start */
    size_t refused_results; /* child_results the parent refused (403) */
};

/* Room for any figure the formatters below produce. */
#define PAGLETS__PERF_FIGURE_MAX 48

/* Operations per second in decimal units, one decimal: "17.2M". */
void paglets__perf_fmt_rate(double value, char *out, size_t size);

/* Bytes in binary units B..P: "512B", "128.0M". */
void paglets__perf_fmt_bytes(double value, char *out, size_t size);

/* A byte rate: "2.1G/s", or "-" when the value is not positive. */
void paglets__perf_fmt_bytes_per_second(double value, char *out, size_t size);

/*
 * The text report (borrowed summary and options, never NULL); 0 or -EIO
 * when writing failed.
 */
int paglets__perf_write_text(const struct paglets_perf_summary *summary,
                             const struct paglets_perf_text_options *options,
                             FILE *out);

/*
 * json as Python's json.dumps(indent=2, sort_keys=True) writes it, with
 * shortest round-trip reals, then a newline. 0, -ENOMEM or -EIO.
 */
int paglets__perf_write_json(const json_t *json, FILE *out);

#endif
