/*
 * The text report of `paglets examples perf`: one row per host, a disks:
 * table and notes:, laid out exactly as the reference prints them.
 */
#include "perf_compat.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

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
    size_t i = scale(&value, 1000.0, sizeof(units) / sizeof(units[0]));
    snprintf(out, size, "%.1f%s", value, units[i]);
}

void paglets__perf_fmt_bytes(double value, char *out, size_t size)
{
    static const char *const units[] = {"B", "K", "M", "G", "T", "P"};
    /* Whole bytes, as the reference truncates before scaling. */
    value = trunc(value);
    size_t i = scale(&value, 1024.0, sizeof(units) / sizeof(units[0]));
    if (i == 0)
        snprintf(out, size, "%.0fB", value);
    else
        snprintf(out, size, "%.1f%s", value, units[i]);
}

void paglets__perf_fmt_bytes_per_second(double value, char *out, size_t size)
{
    if (!(value > 0)) {
        snprintf(out, size, "-");
        return;
    }
    paglets__perf_fmt_bytes(value, out, size);
    size_t len = strlen(out);
    if (len + 3 <= size)
        memcpy(out + len, "/s", 3);
}

static size_t array_size_of(const json_t *object, const char *key)
{
    return json_array_size(json_object_get(object, key));
}

size_t paglets__perf_result_error_count(const json_t *result)
{
    size_t n = array_size_of(result, "errors");
    static const char *const parts[] = {"cpu", "memory", "disk"};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        n += array_size_of(json_object_get(result, parts[i]), "errors");
    return n;
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

static const json_t *find_metric(const json_t *part, const char *list,
                                 const char *name)
{
    size_t i;
    json_t *metric;
    json_array_foreach(json_object_get(part, list), i, metric)
    {
        if (json_is_string(json_object_get(metric, "name")) &&
            strcmp(json_string_value(json_object_get(metric, "name")), name) ==
                0)
            return metric;
    }
    return NULL;
}

static double number_of(const json_t *object, const char *key)
{
    return json_number_value(json_object_get(object, key));
}

static void put_ops(FILE *out, const json_t *metric, int width)
{
    char text[PAGLETS__PERF_FIGURE_MAX] = "-";
    if (metric != NULL)
        paglets__perf_fmt_rate(number_of(metric, "operations_per_second"), text,
                               sizeof(text));
    fprintf(out, " %*s", width, text);
}

static void put_byte_rate(FILE *out, double value)
{
    char text[PAGLETS__PERF_FIGURE_MAX];
    paglets__perf_fmt_bytes_per_second(value, text, sizeof(text));
    fprintf(out, " %10s", text);
}

static void put_metric_bytes(FILE *out, const json_t *metric)
{
    if (metric == NULL)
        fprintf(out, " %10s", "-");
    else
        put_byte_rate(out, number_of(metric, "bytes_per_second"));
}

/* The host's best volume: highest write and read rates, taken apart. */
static void best_disk(const json_t *result, double *write, double *read)
{
    *write = 0;
    *read = 0;
    size_t i;
    json_t *volume;
    json_t *volumes =
        json_object_get(json_object_get(result, "disk"), "volumes");
    json_array_foreach(volumes, i, volume)
    {
        *write = fmax(*write, number_of(volume, "write_bytes_per_second"));
        *read = fmax(*read, number_of(volume, "read_bytes_per_second"));
    }
}

static void put_host_row(FILE *out, const char *host, const json_t *result)
{
    const json_t *cpu = json_object_get(result, "cpu");
    const json_t *memory = json_object_get(result, "memory");
    double disk_write, disk_read;
    best_disk(result, &disk_write, &disk_read);
    put_cell(out, host, 14, true, 0);
    put_ops(out, find_metric(cpu, "single_core", "integer"), 10);
    put_ops(out, find_metric(cpu, "single_core", "float"), 10);
    put_metric_bytes(out, find_metric(cpu, "single_core", "sha256"));
    put_ops(out, find_metric(cpu, "multi_core", "integer-multi"), 12);
    put_metric_bytes(out, find_metric(memory, "metrics", "memory-copy"));
    put_byte_rate(out, disk_write);
    put_byte_rate(out, disk_read);
    fprintf(out, " %3zu\n", paglets__perf_result_error_count(result));
}

static const json_t *result_of(const json_t *results, const char *host)
{
    return json_object_get(json_object_get(results, host), "result");
}

static void put_volume_row(FILE *out, const char *host, const json_t *volume)
{
    char size[PAGLETS__PERF_FIGURE_MAX];
    const json_t *path = json_object_get(volume, "path");
    paglets__perf_fmt_bytes(number_of(volume, "benchmark_size_bytes"), size,
                            sizeof(size));
    put_cell(out, host, 14, true, 0);
    fputc(' ', out);
    put_cell(out, json_is_string(path) ? json_string_value(path) : "", 32, true,
             32);
    fprintf(out, " %9s", size);
    put_byte_rate(out, number_of(volume, "write_bytes_per_second"));
    put_byte_rate(out, number_of(volume, "read_bytes_per_second"));
    fprintf(out, " %9.0f/s\n", number_of(volume, "metadata_files_per_second"));
}

static void put_disks(FILE *out, const json_t *results, const char **hosts,
                      size_t n_hosts)
{
    bool header = false;
    for (size_t h = 0; h < n_hosts; h++) {
        size_t i;
        json_t *volume;
        const json_t *disk =
            json_object_get(result_of(results, hosts[h]), "disk");
        json_array_foreach(json_object_get(disk, "volumes"), i, volume)
        {
            if (!header) {
                fprintf(out, "\ndisks:\n%-14s %-32s %9s %10s %10s %10s\n",
                        "host", "path", "size", "write", "read", "metadata");
                header = true;
            }
            put_volume_row(out, hosts[h], volume);
        }
    }
}

/* Collects the notes: lines, so the "notes:" header prints only if any. */
struct notes {
    FILE *out;
    bool any;
};

static void note(struct notes *notes, const char *host, const char *prefix,
                 const char *message)
{
    if (!notes->any)
        fprintf(notes->out, "\nnotes:\n");
    notes->any = true;
    fprintf(notes->out, "  - %s: %s%s\n", host, prefix, message);
}

static void note_strings(struct notes *notes, const char *host,
                         const json_t *array)
{
    size_t i;
    json_t *item;
    json_array_foreach(array, i, item)
    {
        if (json_is_string(item))
            note(notes, host, "", json_string_value(item));
        else
            note(notes, host, "", "(malformed error)");
    }
}

static void note_map(struct notes *notes, const json_t *map, const char *prefix)
{
    size_t n;
    const char **hosts = paglets__perf_sorted_keys(map, &n);
    for (size_t i = 0; hosts != NULL && i < n; i++) {
        const json_t *message = json_object_get(map, hosts[i]);
        note(notes, hosts[i], prefix,
             json_is_string(message) ? json_string_value(message)
                                     : "(malformed error)");
    }
    free(hosts);
}

static void note_skipped(struct notes *notes, const char *host,
                         const json_t *skipped)
{
    size_t i;
    json_t *skip;
    json_array_foreach(skipped, i, skip)
    {
        const char *path = json_string_value(json_object_get(skip, "path"));
        const char *reason = json_string_value(json_object_get(skip, "reason"));
        char line[1024];
        snprintf(line, sizeof(line), "%s: %s", path ? path : "?",
                 reason ? reason : "?");
        note(notes, host, "skipped ", line);
    }
}

/* Diagnostics of the tested volumes (page cache not bypassed, ...). */
static void note_volumes(struct notes *notes, const char *host,
                         const json_t *volumes)
{
    size_t i, j;
    json_t *volume, *text;
    json_array_foreach(volumes, i, volume)
    {
        const char *path = json_string_value(json_object_get(volume, "path"));
        json_array_foreach(json_object_get(volume, "notes"), j, text)
        {
            if (!json_is_string(text))
                continue;
            char prefix[1024];
            snprintf(prefix, sizeof(prefix), "%s: ", path ? path : "?");
            note(notes, host, prefix, json_string_value(text));
        }
    }
}

static void put_notes(FILE *out, const json_t *summary, const char **hosts,
                      size_t n_hosts, bool verbose)
{
    struct notes notes = {out, false};
    const json_t *results = json_object_get(summary, "results");
    note_map(&notes, json_object_get(summary, "errors"), "");
    note_map(&notes, json_object_get(summary, "cleanup_errors"),
             "cleanup failed: ");
    for (size_t h = 0; h < n_hosts; h++) {
        const json_t *result = result_of(results, hosts[h]);
        const json_t *disk = json_object_get(result, "disk");
        note_strings(&notes, hosts[h], json_object_get(result, "errors"));
        note_strings(&notes, hosts[h],
                     json_object_get(json_object_get(result, "cpu"), "errors"));
        note_strings(
            &notes, hosts[h],
            json_object_get(json_object_get(result, "memory"), "errors"));
        note_strings(&notes, hosts[h], json_object_get(disk, "errors"));
        if (!verbose)
            continue;
        note_volumes(&notes, hosts[h], json_object_get(disk, "volumes"));
        note_skipped(&notes, hosts[h], json_object_get(disk, "skipped"));
    }
}

int paglets__perf_write_text(const json_t *summary, bool verbose, FILE *out)
{
    const json_t *results = json_object_get(summary, "results");
    size_t n_hosts;
    const char **hosts = paglets__perf_sorted_keys(results, &n_hosts);
    if (hosts == NULL)
        return -ENOMEM;
    fprintf(out, "%-14s %10s %10s %10s %12s %10s %10s %10s %3s\n", "host",
            "int/s", "float/s", "sha", "multi-int/s", "mem copy", "disk wr",
            "disk rd", "err");
    for (size_t h = 0; h < n_hosts; h++)
        put_host_row(out, hosts[h], result_of(results, hosts[h]));
    put_disks(out, results, hosts, n_hosts);
    put_notes(out, summary, hosts, n_hosts, verbose);
    free(hosts);
    return ferror(out) ? -EIO : 0;
}
