/*
 * Renderers of a perf summary (the JSON the PerformanceBenchmarkAgent
 * replies with): the text table of `paglets examples perf` and its JSON
 * printer, plus the figure formatters they share.
 */
#ifndef PAGLETS_PERF_REPORT_H
#define PAGLETS_PERF_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/* Room for any figure the formatters below produce. */
#define PAGLETS__PERF_FIGURE_MAX 48

/* Operations per second in decimal units, one decimal: "17.2M". */
void paglets__perf_fmt_rate(double value, char *out, size_t size);

/* Bytes in binary units B..P: "512B", "128.0M". */
void paglets__perf_fmt_bytes(double value, char *out, size_t size);

/* A byte rate: "2.1G/s", or "-" when the value is not positive. */
void paglets__perf_fmt_bytes_per_second(double value, char *out, size_t size);

/*
 * Errors one HostBenchmarkResult carries: its own errors[] plus those of
 * its cpu, memory and disk parts. Tolerates missing or malformed parts.
 */
size_t paglets__perf_result_error_count(const json_t *result);

/*
 * The keys of a JSON object in strcmp order (borrowed from it); caller
 * frees the array. NULL when out of memory.
 */
const char **paglets__perf_sorted_keys(const json_t *object, size_t *n);

/* The text report (borrowed summary); 0 or -EIO when writing failed. */
int paglets__perf_write_text(const json_t *summary, bool verbose, FILE *out);

/*
 * json as Python's json.dumps(indent=2, sort_keys=True) writes it, with
 * shortest round-trip reals, then a newline. 0, -ENOMEM or -EIO.
 */
int paglets__perf_write_json(const json_t *json, FILE *out);

#endif
