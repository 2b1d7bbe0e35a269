/*
 * The HTML report of a benchmark run (libpaglets_report): one
 * self-contained file (no external asset, no script) with, per figure of
 * the catalogue (<paglets/perf_answers.h>), an SVG bar chart across the
 * hosts, the mesh median as a line and the outliers in their own colour
 * with their ratio; the disk table; errors and notes; the run's options
 * and time. Rendered from the typed results (<paglets/perf_result.h>) and
 * the outliers found by paglets_perf_outliers_find(), never a second
 * median. Written on the public API alone, like the run database, which it
 * does not know (src/cli passes what a stored run holds).
 *
 * Every string a host sent goes through one function (html.c): made safe
 * by paglets_escape() (controls, bad UTF-8, bidi marks), then its HTML
 * metacharacters turned into entities.
 *
 * The SVG geometry is fixed so a test (and a reader) can find things
 * (docs/REPORT.md draws it): each chart is REPORT_CHART_WIDTH wide; host
 * i (0-based, host-name order) is the row at y = REPORT_CHART_TOP +
 * i * REPORT_ROW_HEIGHT; its bar starts at x = REPORT_BAR_X, y = row +
 * REPORT_BAR_OFFSET, is REPORT_BAR_HEIGHT high and value / scale *
 * REPORT_BAR_MAX long (at least REPORT_BAR_MIN), where scale is the
 * largest value or median of the chart. The median is a vertical line at
 * x = REPORT_BAR_X + median / scale * REPORT_BAR_MAX. Names are cut to
 * REPORT_LABEL_CHARS characters (the whole name is the row's tooltip), so
 * labels never overlap at any host count: the chart grows by one row per
 * host.
 */
#ifndef PAGLETS_REPORT_REPORT_H
#define PAGLETS_REPORT_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <paglets/common.h>
#include <paglets/perf.h>
#include <paglets/perf_answers.h>

#define REPORT_CHART_WIDTH 720
#define REPORT_CHART_TOP 28   /* first row; the median's text above */
#define REPORT_CHART_BOTTOM 8 /* below the last row */
#define REPORT_ROW_HEIGHT 20
#define REPORT_BAR_X 180 /* names end at REPORT_BAR_X - 6 */
#define REPORT_BAR_OFFSET 3
#define REPORT_BAR_HEIGHT 14
#define REPORT_BAR_MAX 400
#define REPORT_BAR_MIN 2
#define REPORT_LABEL_CHARS 22

/* Colours (#rrggbb): the chart's ground, a bar, an outlier, the median. */
#define REPORT_COLOUR_GROUND "#f4f6f8"
#define REPORT_COLOUR_BAR "#4878a8"
#define REPORT_COLOUR_OUTLIER "#d62728"
#define REPORT_COLOUR_MEDIAN "#222222"

/* A run as the report shows it; everything borrowed. */
struct paglets_report_run {
    const struct paglets_perf_summary *summary;   /* required */
    const struct paglets_perf_outliers *outliers; /* required */
    const struct paglets_perf_request *request;   /* its options, or NULL */
    double outlier_threshold;  /* what outliers were found with */
    int64_t time_unix_seconds; /* when it started; 0: unknown */
    int64_t run_id;            /* 0: not stored */
};

/*
 * Write the report of run to out. Returns 0, -EIO when out cannot be
 * written, -ENOMEM. Any thread, one call per FILE at a time.
 */
PAGLETS_NODISCARD int
paglets_report_html_write(const struct paglets_report_run *run, FILE *out);

/*
 * Write the report to path ("-": stdout) atomically: a temporary file in
 * the same directory, mode 0644, flushed to disk and renamed over path,
 * so a reader sees the old file or the whole new one, and an error leaves
 * no temporary file behind. Returns 0, or a negative errno with a message
 * naming path in err.
 */
PAGLETS_NODISCARD int
paglets_report_html_save(const struct paglets_report_run *run, const char *path,
                         struct paglets_err *err);

#endif
