/*
 * The text report of `paglets examples perf`: one row per host, a disks:
 * table and notes:, laid out exactly as the reference prints them, read
 * from the typed summary; outliers flagged in their cells, and with
 * --compare a line of changes under each row.
 */
#include "perf_compat.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/perf_answers.h>

#include "report.h"

/*
 * Everything in the summary but the figures comes from hosts: names,
 * paths, messages. Each is escaped (paglets_escape) and cut to these
 * sizes, the cut marked with "...", so no host can act on the terminal or
 * fill it. Mesh host names are at most 127 bytes, so real ones are never
 * cut; paths are cut to 32 characters in the disks table anyway.
 */
#define NAME_MAX_BYTES 256
#define TEXT_MAX_BYTES 1024
#define CUT_MARK "..."

/* text escaped into out (size bytes), cut if need be. */
static const char *shown(char *out, size_t size, const char *text)
{
    if (text == NULL)
        text = "?";
    if (paglets_escape(out, size, text, strlen(text)) < size)
        return out;
    /* paglets_escape never cuts an escape or a character in half. */
    paglets_escape(out, size - strlen(CUT_MARK), text, strlen(text));
    memcpy(out + strlen(out), CUT_MARK, sizeof(CUT_MARK));
    return out;
}

/*
 * A figure too large to mean anything (a host's 1e308, say) prints as the
 * cap with ">": this many of the largest unit.
 */
#define FIGURE_CAP 1e6

/* Divide by base until under it or out of units; returns the unit index. */
static size_t scale(double *value, double base, size_t n_units)
{
    size_t i = 0;
    while (fabs(*value) >= base && i + 1 < n_units) {
        *value /= base;
        i++;
    }
    return i;
}

void paglets__perf_fmt_rate(double value, char *out, size_t size)
{
    static const char *const units[] = {"", "K", "M", "G"};
    if (!isfinite(value)) {
        snprintf(out, size, "-");
        return;
    }
    size_t i = scale(&value, 1000.0, sizeof(units) / sizeof(units[0]));
    if (fabs(value) >= FIGURE_CAP)
        snprintf(out, size, "%s%.0f%s", value > 0 ? ">" : "<-", FIGURE_CAP - 1,
                 units[i]);
    else
        snprintf(out, size, "%.1f%s", value, units[i]);
}

void paglets__perf_fmt_bytes(double value, char *out, size_t size)
{
    static const char *const units[] = {"B", "K", "M", "G", "T", "P"};
    if (!isfinite(value)) {
        snprintf(out, size, "-");
        return;
    }
    /* Whole bytes, as the reference truncates before scaling. */
    value = trunc(value);
    size_t i = scale(&value, 1024.0, sizeof(units) / sizeof(units[0]));
    if (fabs(value) >= FIGURE_CAP)
        snprintf(out, size, "%s%.0f%s", value > 0 ? ">" : "<-", FIGURE_CAP - 1,
                 units[i]);
    else if (i == 0)
        snprintf(out, size, "%.0fB", value);
    else
        snprintf(out, size, "%.1f%s", value, units[i]);
}

void paglets__perf_fmt_bytes_per_second(double value, char *out, size_t size)
{
    if (!(value > 0) || !isfinite(value)) {
        snprintf(out, size, "-");
        return;
    }
    paglets__perf_fmt_bytes(value, out, size);
    size_t len = strlen(out);
    if (len + 3 <= size)
        memcpy(out + len, "/s", 3);
}

/*
 * Print text padded (or cut, when max_chars > 0) to a width counted in
 * characters, not bytes, so UTF-8 names line up as in the reference.
 */
static void put_cell(FILE *out, const char *text, int width, bool left,
                     size_t max_chars)
{
    size_t bytes = 0, chars = 0;
    for (; text[bytes] != '\0'; bytes++) {
        if (((unsigned char)text[bytes] & 0xC0) == 0x80)
            continue;
        if (max_chars > 0 && chars == max_chars)
            break;
        chars++;
    }
    int pad = width > (int)chars ? width - (int)chars : 0;
    if (!left)
        fprintf(out, "%*s", pad, "");
    fwrite(text, 1, bytes, out);
    if (left)
        fprintf(out, "%*s", pad, "");
}

/* A figure as the table uses it: null in the JSON (NAN here) counts as 0. */
static double figure(double value)
{
    return isnan(value) ? 0 : value;
}

/* The metric called name in list (NULL when the part did not run). */
static const struct paglets_perf_metric *
find_metric(const struct paglets_perf_metrics *list, const char *name)
{
    for (size_t i = 0; list != NULL && i < list->n; i++)
        if (list->items[i].name != NULL &&
            strcmp(list->items[i].name, name) == 0)
            return &list->items[i];
    return NULL;
}

/* What a table is written to, and what it shows besides the figures. */
struct table {
    FILE *out;
    const struct paglets_perf_text_options *options;
};

/*
 * The catalogue entry of the n-th figure column of a table: the catalogue
 * lists each table's columns in their order.
 */
static const struct paglets_perf_metric_info *
column_metric(enum paglets_perf_table table, size_t n)
{
    for (size_t i = 0; i < paglets_perf_metric_count(); i++) {
        const struct paglets_perf_metric_info *m = paglets_perf_metric_at(i);
        if (m->table == table && n-- == 0)
            return m;
    }
    return NULL;
}

/* Whether the figure of column n of a table is an outlier of host's. */
static bool flagged(const struct table *t, const char *host,
                    enum paglets_perf_table table, size_t n, const char *path)
{
    const struct paglets_perf_metric_info *m = column_metric(table, n);
    return t->options->outliers != NULL && m != NULL &&
           paglets_perf_outliers_lookup(t->options->outliers, host, m->id,
                                        path) != NULL;
}

/*
 * A right-aligned cell of width characters after its space; a flagged one
 * ends in '!' inside that width, so the line keeps its length.
 */
static void put_figure(FILE *out, const char *text, int width, bool flag)
{
    if (flag)
        fprintf(out, " %*s!", width - 1, text);
    else
        fprintf(out, " %*s", width, text);
}

static void put_ops(FILE *out, const struct paglets_perf_metric *metric,
                    int width, bool flag)
{
    char text[PAGLETS__PERF_FIGURE_MAX] = "-";
    if (metric != NULL)
        paglets__perf_fmt_rate(figure(metric->operations_per_second), text,
                               sizeof(text));
    put_figure(out, text, width, flag);
}

static void put_byte_rate(FILE *out, double value, bool flag)
{
    char text[PAGLETS__PERF_FIGURE_MAX];
    paglets__perf_fmt_bytes_per_second(figure(value), text, sizeof(text));
    put_figure(out, text, 10, flag);
}

static void
put_metric_bytes(FILE *out, const struct paglets_perf_metric *metric, bool flag)
{
    if (metric == NULL)
        put_figure(out, "-", 10, flag);
    else
        put_byte_rate(out, metric->bytes_per_second, flag);
}

/* The host's best volume: highest write and read rates, taken apart. */
static void best_disk(const struct paglets_perf_disk_result *disk,
                      double *write, double *read)
{
    *write = 0;
    *read = 0;
    for (size_t i = 0; disk != NULL && i < disk->volumes.n; i++) {
        const struct paglets_perf_disk_volume *v = &disk->volumes.items[i];
        *write = fmax(*write, figure(v->write_bytes_per_second));
        *read = fmax(*read, figure(v->read_bytes_per_second));
    }
}

/* The widths of the figure columns of the host rows and disks: rows. */
static const int host_widths[] = {10, 10, 10, 12, 10};
static const int volume_widths[] = {10, 10, 11};

/*
 * "  vs LABEL" and the change of each figure column of a row: host's, and
 * the volume path's for the disks: rows.
 */
static void put_changes(const struct table *t, enum paglets_perf_table table,
                        const char *host, const char *path)
{
    const struct paglets_perf_text_options *o = t->options;
    char label[NAME_MAX_BYTES];
    snprintf(label, sizeof(label), "  vs %s", o->compare_label);
    put_cell(t->out, label, 14, true, 0);
    const int *widths =
        table == PAGLETS_PERF_TABLE_HOSTS ? host_widths : volume_widths;
    size_t n = table == PAGLETS_PERF_TABLE_HOSTS
                   ? sizeof(host_widths) / sizeof(host_widths[0])
                   : sizeof(volume_widths) / sizeof(volume_widths[0]);
    if (table == PAGLETS_PERF_TABLE_DISKS)
        fprintf(t->out, " %32s %9s", "", "");
    for (size_t i = 0; i < n; i++) {
        const struct paglets_perf_metric_info *m = column_metric(table, i);
        const struct paglets_perf_change *c =
            m ? paglets_perf_changes_lookup(o->changes, o->n_changes, host,
                                            m->id, path)
              : NULL;
        char text[16] = "-";
        if (c != NULL)
            paglets_perf_ratio_format(c->ratio, text, sizeof(text));
        put_figure(t->out, text, widths[i],
                   c != NULL && c->verdict == PAGLETS_PERF_WORSE);
    }
    fputc('\n', t->out);
}

static void put_host_row(const struct table *t,
                         const struct paglets_perf_host_entry *e)
{
    FILE *out = t->out;
    const char *host = e->host_name;
    const struct paglets_perf_cpu_result *cpu = e->result.cpu;
    const struct paglets_perf_metrics *single = cpu ? &cpu->single_core : NULL;
    const struct paglets_perf_metrics *memory =
        e->result.memory ? &e->result.memory->metrics : NULL;
    const enum paglets_perf_table hosts = PAGLETS_PERF_TABLE_HOSTS;
    double disk_write, disk_read;
    best_disk(e->result.disk, &disk_write, &disk_read);
    char name[NAME_MAX_BYTES];
    put_cell(out, shown(name, sizeof(name), host), 14, true, 0);
    put_ops(out, find_metric(single, "integer"), host_widths[0],
            flagged(t, host, hosts, 0, NULL));
    put_ops(out, find_metric(single, "float"), host_widths[1],
            flagged(t, host, hosts, 1, NULL));
    put_metric_bytes(out, find_metric(single, "sha256"),
                     flagged(t, host, hosts, 2, NULL));
    put_ops(out, find_metric(cpu ? &cpu->multi_core : NULL, "integer-multi"),
            host_widths[3], flagged(t, host, hosts, 3, NULL));
    put_metric_bytes(out, find_metric(memory, "memory-copy"),
                     flagged(t, host, hosts, 4, NULL));
    put_byte_rate(out, disk_write, false);
    put_byte_rate(out, disk_read, false);
    fprintf(out, " %3zu\n", paglets_perf_host_result_error_count(&e->result));
    if (t->options->compare_label != NULL)
        put_changes(t, hosts, host, NULL);
}

static void put_volume_row(const struct table *t, const char *host,
                           const struct paglets_perf_disk_volume *volume)
{
    FILE *out = t->out;
    const enum paglets_perf_table disks = PAGLETS_PERF_TABLE_DISKS;
    char size[PAGLETS__PERF_FIGURE_MAX], files[PAGLETS__PERF_FIGURE_MAX];
    char name[NAME_MAX_BYTES], path[NAME_MAX_BYTES];
    paglets__perf_fmt_bytes((double)volume->benchmark_size_bytes, size,
                            sizeof(size));
    put_cell(out, shown(name, sizeof(name), host), 14, true, 0);
    fputc(' ', out);
    put_cell(out, shown(path, sizeof(path), volume->path ? volume->path : ""),
             32, true, 32);
    fprintf(out, " %9s", size);
    put_byte_rate(out, volume->write_bytes_per_second,
                  flagged(t, host, disks, 0, volume->path));
    put_byte_rate(out, volume->read_bytes_per_second,
                  flagged(t, host, disks, 1, volume->path));
    double rate = figure(volume->metadata_files_per_second);
    if (rate < 1e9)
        snprintf(files, sizeof(files), "%.0f/s", rate);
    else
        snprintf(files, sizeof(files), ">1e9/s");
    put_figure(out, files, volume_widths[2],
               flagged(t, host, disks, 2, volume->path));
    fputc('\n', out);
    if (t->options->compare_label != NULL && volume->path != NULL)
        put_changes(t, disks, host, volume->path);
}

static void put_disks(const struct table *t,
                      const struct paglets__perf_entries *results)
{
    bool header = false;
    for (size_t h = 0; h < results->n; h++) {
        const struct paglets_perf_host_entry *e = &results->items[h];
        const struct paglets_perf_disk_result *disk = e->result.disk;
        for (size_t i = 0; disk != NULL && i < disk->volumes.n; i++) {
            if (!header) {
                fprintf(t->out, "\ndisks:\n%-14s %-32s %9s %10s %10s %10s\n",
                        "host", "path", "size", "write", "read", "metadata");
                header = true;
            }
            put_volume_row(t, e->host_name, &disk->volumes.items[i]);
        }
    }
}

/* Collects the notes: lines, so the "notes:" header prints only if any. */
struct notes {
    FILE *out;
    bool any;
};

/* One "  - HOST: PREFIXMESSAGE" line; host and message escaped. */
static void note(struct notes *notes, const char *host, const char *prefix,
                 const char *message)
{
    char name[NAME_MAX_BYTES], text[TEXT_MAX_BYTES];
    if (!notes->any)
        fprintf(notes->out, "\nnotes:\n");
    notes->any = true;
    fprintf(notes->out, "  - %s: %s%s\n", shown(name, sizeof(name), host),
            prefix, shown(text, sizeof(text), message));
}

static void note_strings(struct notes *notes, const char *host,
                         const struct paglets_perf_strings *list)
{
    for (size_t i = 0; i < list->n; i++)
        note(notes, host, "", list->items[i]);
}

static void note_messages(struct notes *notes,
                          const struct paglets__perf_messages *list,
                          const char *prefix)
{
    for (size_t i = 0; i < list->n; i++)
        note(notes, list->items[i].host_name, prefix, list->items[i].message);
}

/* Skipped targets: those the request named, or with all, every one. */
static void note_skipped(struct notes *notes, const char *host,
                         const struct paglets_perf_disk_skips *skipped,
                         bool all)
{
    for (size_t i = 0; i < skipped->n; i++) {
        const struct paglets_perf_disk_skip *skip = &skipped->items[i];
        if (!all && !skip->requested)
            continue;
        char path[NAME_MAX_BYTES], prefix[NAME_MAX_BYTES + 16];
        snprintf(prefix, sizeof(prefix),
                 "skipped %s: ", shown(path, sizeof(path), skip->path));
        note(notes, host, prefix, skip->reason ? skip->reason : "?");
    }
}

/* Diagnostics of the tested volumes (page cache not bypassed, ...). */
static void note_volumes(struct notes *notes, const char *host,
                         const struct paglets_perf_disk_volumes *volumes)
{
    for (size_t i = 0; i < volumes->n; i++) {
        const struct paglets_perf_disk_volume *v = &volumes->items[i];
        char path[NAME_MAX_BYTES], prefix[NAME_MAX_BYTES + 8];
        snprintf(prefix, sizeof(prefix),
                 "%s: ", shown(path, sizeof(path), v->path));
        for (size_t j = 0; j < v->notes.n; j++)
            note(notes, host, prefix, v->notes.items[j]);
    }
}

/* Errors inside one host's result: its own, then cpu, memory, disk. */
static void note_result(struct notes *notes, const char *host,
                        const struct paglets_perf_host_result *r, bool verbose)
{
    note_strings(notes, host, &r->errors);
    if (r->cpu != NULL)
        note_strings(notes, host, &r->cpu->errors);
    if (r->memory != NULL)
        note_strings(notes, host, &r->memory->errors);
    if (r->disk == NULL)
        return;
    note_strings(notes, host, &r->disk->errors);
    if (verbose)
        note_volumes(notes, host, &r->disk->volumes);
    note_skipped(notes, host, &r->disk->skipped, verbose);
}

/* One line per outlier, after the errors. */
static void note_outliers(struct notes *notes,
                          const struct paglets_perf_outliers *outliers)
{
    for (size_t i = 0; outliers != NULL && i < outliers->n; i++) {
        char text[TEXT_MAX_BYTES];
        paglets_perf_outlier_format(&outliers->items[i], text, sizeof(text));
        note(notes, outliers->items[i].host, "", text);
    }
}

/* One line per regression against the compared run. */
static void note_regressions(struct notes *notes,
                             const struct paglets_perf_text_options *o)
{
    if (o->compare_label == NULL)
        return;
    char prefix[NAME_MAX_BYTES];
    snprintf(prefix, sizeof(prefix), "regression since %s: ", o->compare_label);
    for (size_t i = 0; i < o->n_changes; i++) {
        const struct paglets_perf_change *c = &o->changes[i];
        if (c->verdict != PAGLETS_PERF_WORSE)
            continue;
        char text[TEXT_MAX_BYTES];
        paglets_perf_change_format(c, text, sizeof(text));
        note(notes, c->host, prefix, text);
    }
}

static void put_notes(FILE *out, const struct paglets_perf_summary *summary,
                      const struct paglets_perf_text_options *options)
{
    bool verbose = options->flags & PAGLETS_PERF_TEXT_VERBOSE;
    struct notes notes = {out, false};
    note_messages(&notes, &summary->errors, "");
    note_messages(&notes, &summary->cleanup_errors, "cleanup failed: ");
    for (size_t i = 0; i < summary->pending_hosts.n; i++)
        note(&notes, summary->pending_hosts.items[i], "",
             "no answer: still pending when the run ended");
    note_messages(&notes, &summary->ignored_hosts, "ignored: ");
    if (summary->refused_results > 0) {
        if (!notes.any)
            fprintf(out, "\nnotes:\n");
        notes.any = true;
        fprintf(out,
                "  - %zu child_result message%s refused: a wrong or "
                "reused token\n",
                summary->refused_results,
                summary->refused_results == 1 ? "" : "s");
    }
    for (size_t h = 0; h < summary->results.n; h++)
        note_result(&notes, summary->results.items[h].host_name,
                    &summary->results.items[h].result, verbose);
    note_outliers(&notes, options->outliers);
    note_regressions(&notes, options);
}

int paglets__perf_write_text(const struct paglets_perf_summary *summary,
                             const struct paglets_perf_text_options *options,
                             FILE *out)
{
    const struct table t = {out, options};
    fprintf(out, "%-14s %10s %10s %10s %12s %10s %10s %10s %3s\n", "host",
            "int/s", "float/s", "sha", "multi-int/s", "mem copy", "disk wr",
            "disk rd", "err");
    for (size_t h = 0; h < summary->results.n; h++)
        put_host_row(&t, &summary->results.items[h]);
    put_disks(&t, &summary->results);
    put_notes(out, summary, options);
    return ferror(out) ? -EIO : 0;
}
