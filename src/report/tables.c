/*
 * The report's tables and lists: the disks, the errors, the notes. Every
 * host string goes through html_text().
 */
#include <inttypes.h>
#include <stdio.h>

#include <paglets/perf_answers.h>
#include <paglets/perf_result.h>

#include "report_int.h"

/* A <td> with a figure of the catalogue entry id, as the table shows it. */
static void figure_cell(struct html *h, const char *id, double value)
{
    char text[48];
    paglets_perf_metric_format(paglets_perf_metric_find(id), value, text,
                               sizeof(text));
    html_raw(h, "<td class=\"num\">%s</td>", text);
}

static void text_cell(struct html *h, const char *text)
{
    html_raw(h, "<td>");
    html_text(h, text && *text ? text : "-");
    html_raw(h, "</td>");
}

static void volume_row(struct html *h, const char *host,
                       const struct paglets_perf_disk_volume *v)
{
    html_raw(h, "<tr>");
    text_cell(h, host);
    text_cell(h, v->path);
    text_cell(h, v->device);
    text_cell(h, v->filesystem);
    html_raw(h, "<td class=\"num\">%" PRIu64 "</td>", v->benchmark_size_bytes);
    figure_cell(h, "disk.write", v->write_bytes_per_second);
    figure_cell(h, "disk.fsync", v->fsync_seconds);
    figure_cell(h, "disk.read", v->read_bytes_per_second);
    figure_cell(h, "disk.metadata", v->metadata_files_per_second);
    html_raw(h, "<td>%s</td></tr>\n", v->read_cache_bypassed ? "yes" : "no");
}

void report_disks(struct html *h, const struct paglets_report_run *run)
{
    size_t n = paglets_perf_summary_result_count(run->summary), rows = 0;
    html_raw(h, "<h2 id=\"disks\">Disks</h2>\n");
    for (size_t i = 0; i < n; i++) {
        const struct paglets_perf_host_entry *e =
            paglets_perf_summary_result(run->summary, i);
        const struct paglets_perf_disk_result *d = e->result.disk;
        for (size_t j = 0; d != NULL && j < d->volumes.n; j++) {
            if (rows++ == 0)
                html_raw(h, "<table class=\"disks\">\n<thead><tr><th>host</th>"
                            "<th>path</th><th>device</th><th>filesystem</th>"
                            "<th>size (bytes)</th><th>write</th><th>fsync</th>"
                            "<th>read</th><th>metadata</th>"
                            "<th>read bypassed cache</th></tr></thead>\n"
                            "<tbody>\n");
            volume_row(h, e->host_name, &d->volumes.items[j]);
        }
    }
    if (rows == 0)
        html_raw(h, "<p>No volume was tested.</p>\n");
    else
        html_raw(h, "</tbody>\n</table>\n");
}

/* One list item: the host, then the message (both host text). */
static void item(struct html *h, const char *host, const char *prefix,
                 const char *message)
{
    html_raw(h, "<li><b>");
    html_text(h, host);
    html_raw(h, "</b>: %s", prefix);
    html_text(h, message);
    html_raw(h, "</li>\n");
}

static void strings(struct html *h, const char *host,
                    const struct paglets_perf_strings *list, size_t *n)
{
    for (size_t i = 0; list != NULL && i < list->n; i++, (*n)++)
        item(h, host, "", list->items[i]);
}

typedef const struct paglets_perf_host_message *(*message_at_fn)(
    const struct paglets_perf_summary *, size_t);

static void messages(struct html *h, const struct paglets_perf_summary *s,
                     size_t count, message_at_fn at, const char *prefix,
                     size_t *n)
{
    for (size_t i = 0; i < count; i++, (*n)++)
        item(h, at(s, i)->host_name, prefix, at(s, i)->message);
}

void report_errors(struct html *h, const struct paglets_report_run *run)
{
    const struct paglets_perf_summary *s = run->summary;
    size_t n = 0;
    html_raw(h, "<h2 id=\"errors\">Errors</h2>\n<ul class=\"errors\">\n");
    messages(h, s, paglets_perf_summary_host_error_count(s),
             paglets_perf_summary_host_error, "", &n);
    messages(h, s, paglets_perf_summary_cleanup_error_count(s),
             paglets_perf_summary_cleanup_error, "cleanup failed: ", &n);
    for (size_t i = 0; i < paglets_perf_summary_pending_count(s); i++, n++)
        item(h, paglets_perf_summary_pending_host(s, i), "",
             "no answer: still pending when the run ended");
    messages(h, s, paglets_perf_summary_ignored_host_count(s),
             paglets_perf_summary_ignored_host, "ignored: ", &n);
    for (size_t i = 0; i < paglets_perf_summary_result_count(s); i++) {
        const struct paglets_perf_host_entry *e =
            paglets_perf_summary_result(s, i);
        const struct paglets_perf_host_result *r = &e->result;
        strings(h, e->host_name, &r->errors, &n);
        strings(h, e->host_name, r->cpu ? &r->cpu->errors : NULL, &n);
        strings(h, e->host_name, r->memory ? &r->memory->errors : NULL, &n);
        strings(h, e->host_name, r->disk ? &r->disk->errors : NULL, &n);
    }
    size_t refused = paglets_perf_summary_refused_results(s);
    if (refused > 0)
        html_raw(h,
                 "<li>%zu child_result message%s refused: a wrong or reused "
                 "token</li>\n",
                 refused, refused == 1 ? "" : "s");
    if (n == 0 && refused == 0)
        html_raw(h, "<li>none</li>\n");
    html_raw(h, "</ul>\n");
}

void report_notes(struct html *h, const struct paglets_report_run *run)
{
    const struct paglets_perf_summary *s = run->summary;
    const struct paglets_perf_outliers *o = run->outliers;
    size_t n = 0;
    html_raw(h, "<h2 id=\"notes\">Notes</h2>\n<ul class=\"notes\">\n");
    for (size_t i = 0; i < o->n; i++, n++) {
        char text[1024];
        paglets_perf_outlier_format(&o->items[i], text, sizeof(text));
        item(h, o->items[i].host, "outlier: ", text);
    }
    for (size_t i = 0; i < paglets_perf_summary_result_count(s); i++) {
        const struct paglets_perf_host_entry *e =
            paglets_perf_summary_result(s, i);
        const struct paglets_perf_disk_result *d = e->result.disk;
        for (size_t j = 0; d != NULL && j < d->volumes.n; j++)
            strings(h, e->host_name, &d->volumes.items[j].notes, &n);
        for (size_t j = 0; d != NULL && j < d->skipped.n; j++, n++) {
            const struct paglets_perf_disk_skip *skip = &d->skipped.items[j];
            html_raw(h, "<li><b>");
            html_text(h, e->host_name);
            html_raw(h, "</b>: skipped ");
            html_text(h, skip->path);
            html_raw(h, ": ");
            html_text(h, skip->reason ? skip->reason : "?");
            html_raw(h, "</li>\n");
        }
    }
    if (n == 0)
        html_raw(h, "<li>none</li>\n");
    html_raw(h, "</ul>\n");
}
