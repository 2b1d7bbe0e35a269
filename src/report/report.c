/*
 * The HTML report (report.h): the document around the parts, the run's
 * time and options. No script and no external asset: the style is inline.
 */
/* gmtime_r: POSIX.1-2008. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include <paglets/perf.h>

#include "report_int.h"

static const char style[] =
    "body{font-family:sans-serif;margin:16px;color:#222;background:#fff}\n"
    "table{border-collapse:collapse;margin:8px 0}\n"
    "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}\n"
    "td.num{text-align:right;font-family:monospace}\n"
    "section.chart{margin:0 0 16px}\n"
    "svg{display:block;font-family:monospace;font-size:12px}\n"
    "svg text{fill:#222}\n"
    "svg text.name{text-anchor:end}\n"
    "svg text.outlier{fill:" REPORT_COLOUR_OUTLIER ";font-weight:bold}\n"
    ".errors li{color:#a00}\n";

static void time_text(int64_t seconds, char *out, size_t size)
{
    time_t t = (time_t)seconds;
    struct tm tm;
    if (seconds <= 0 || gmtime_r(&t, &tm) == NULL ||
        strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, size, "unknown");
}

static void option_row(struct html *h, const char *name, double value)
{
    html_raw(h, "<tr><th>%s</th><td>%.15g</td></tr>\n", name, value);
}

/* The request's options, every one of them (defaults too). */
static void options_table(struct html *h, const struct paglets_report_run *run)
{
    const struct paglets_perf_request *r = run->request;
    html_raw(h, "<table class=\"run\">\n");
    char when[32];
    time_text(run->time_unix_seconds, when, sizeof(when));
    html_raw(h, "<tr><th>time</th><td>%s</td></tr>\n", when);
    if (run->run_id > 0)
        html_raw(h, "<tr><th>run</th><td>%" PRId64 "</td></tr>\n", run->run_id);
    html_raw(h, "<tr><th>hosts</th><td>%zu measured, %zu errors</td></tr>\n",
             paglets_perf_summary_result_count(run->summary),
             paglets_perf_summary_error_count(run->summary));
    option_row(h, "outlier threshold", run->outlier_threshold);
    if (r != NULL) {
        html_raw(h, "<tr><th>parts</th><td>%s%s%s</td></tr>\n",
                 r->include_cpu ? "cpu " : "",
                 r->include_memory ? "memory " : "",
                 r->include_disk ? "disk" : "");
        option_row(h, "duration (s)", r->duration_seconds);
        option_row(h, "disk size (bytes)", (double)r->disk_size_bytes);
        html_raw(h, "<tr><th>workers</th><td>");
        if (r->workers == 0)
            html_raw(h, "logical CPUs");
        else
            html_raw(h, "%u", r->workers);
        html_raw(h, "</td></tr>\n");
        option_row(h, "lock timeout (s)", r->lock_timeout_seconds);
        html_raw(h, "<tr><th>paths</th><td>");
        for (size_t i = 0; i < r->n_paths; i++) {
            html_raw(h, i ? "<br>" : "");
            html_text(h, r->paths[i]);
        }
        html_raw(h, "%s</td></tr>\n", r->n_paths ? "" : "all volumes");
    }
    html_raw(h, "</table>\n");
}

int paglets_report_html_write(const struct paglets_report_run *run, FILE *out)
{
    struct html h = {out, 0};
    char when[32];
    time_text(run->time_unix_seconds, when, sizeof(when));
    html_raw(&h,
             "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
             "<meta charset=\"utf-8\">\n"
             "<meta name=\"generator\" content=\"paglets %s\">\n"
             "<title>paglets benchmark, %s</title>\n<style>\n%s</style>\n"
             "</head>\n<body>\n<h1>paglets benchmark, %s</h1>\n",
             paglets_version(), when, style, when);
    options_table(&h, run);
    report_charts(&h, run);
    report_disks(&h, run);
    report_errors(&h, run);
    report_notes(&h, run);
    html_raw(&h, "</body>\n</html>\n");
    if (h.error == 0 && fflush(out) != 0)
        h.error = -EIO;
    return h.error;
}
