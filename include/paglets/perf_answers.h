/*
 * Answers drawn from a benchmark summary (libpaglets_perf): the catalogue
 * of the figures a host result carries (one table: id, column, unit,
 * which direction is better, per-worker or per-volume), how a figure
 * compares with a reference (the mesh median, or the same host's past),
 * and which hosts of a run stand out against the mesh. The text table,
 * the JSON printer, the results database and the HTML report all use
 * these calls, so an outlier is decided in one place.
 *
 * As in <paglets/perf_result.h>, the structs are plain data that only
 * gain fields at the end, and the catalogue only gains entries at the end.
 */
#ifndef PAGLETS_PERF_ANSWERS_H
#define PAGLETS_PERF_ANSWERS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include <paglets/common.h>
#include <paglets/perf_result.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A host is flagged when its figure is at or below this fraction of the
 * mesh median (at or above the median divided by it where lower is
 * better). Valid thresholds are in (0, 1].
 */
#define PAGLETS_PERF_DEFAULT_OUTLIER_THRESHOLD 0.75
#define PAGLETS_PERF_MAX_OUTLIER_THRESHOLD 1.0
/* A median needs this many hosts that measured the figure. */
#define PAGLETS_PERF_OUTLIER_MIN_HOSTS 3

/* Which part of a HostBenchmarkResult a figure comes from. */
enum paglets_perf_part {
    PAGLETS_PERF_PART_CPU = 0,
    PAGLETS_PERF_PART_MEMORY = 1,
    PAGLETS_PERF_PART_DISK = 2, /* one figure per tested volume (path) */
};

/* Which table of `paglets examples perf` shows a figure. */
enum paglets_perf_table {
    PAGLETS_PERF_TABLE_NONE = 0,  /* only in the JSON */
    PAGLETS_PERF_TABLE_HOSTS = 1, /* the host rows */
    PAGLETS_PERF_TABLE_DISKS = 2, /* the disks: rows, one per volume */
};

/*
 * One entry of the catalogue. Entries are static: a pointer to one stays
 * valid for the life of the program and can be compared for identity.
 */
struct paglets_perf_metric_info {
    /*
     * Stable id, "PART.NAME": "cpu.integer", "cpu.integer-multi",
     * "memory.memory-copy", "disk.write", "disk.fsync". Stored in the
     * results database and printed in the JSON `outliers`.
     */
    const char *id;
    enum paglets_perf_part part;
    enum paglets_perf_table table;
    const char *column; /* its column's header in table, or NULL */
    /* What the figure counts: "op/s", "B/s", "files/s" or "s". */
    const char *unit;
    bool lower_is_better; /* a time (disk.fsync), not a rate */
    /*
     * A multi-core figure: across hosts it is compared per worker (the
     * rate divided by cpu.workers), so machines with more cores are not
     * flagged for having them.
     */
    bool per_worker;
};

/* Number of catalogue entries; ids are unique. */
PAGLETS_EXTERN size_t paglets_perf_metric_count(void);

/*
 * Entry i (0 .. count - 1) in catalogue order (the order of the table's
 * columns, then the figures only the JSON has), or NULL past the end.
 */
PAGLETS_EXTERN const struct paglets_perf_metric_info *
paglets_perf_metric_at(size_t i);

/*
 * The position of an entry in catalogue order (what lists of figures are
 * sorted by), or paglets_perf_metric_count() for a pointer that is not
 * one of its entries.
 */
PAGLETS_EXTERN size_t
paglets_perf_metric_index(const struct paglets_perf_metric_info *metric);

/* The entry with this id, or NULL. */
PAGLETS_EXTERN const struct paglets_perf_metric_info *
paglets_perf_metric_find(const char *id);

enum paglets_perf_read_flags {
    /* For per_worker metrics: divide by the result's cpu.workers. */
    PAGLETS_PERF_READ_PER_WORKER = 1u << 0,
};

/*
 * Read a figure from one host's result into *value. For disk metrics
 * path names the volume (the first volume with that path counts); for
 * the others it must be NULL. Returns 0; -ENOENT when the result has no
 * such figure (the part did not run, the kernel or volume is missing,
 * cpu.workers is unknown with PAGLETS_PERF_READ_PER_WORKER); -ERANGE
 * when the figure is not a finite positive number (a failed kernel's 0,
 * NaN, a negative from a broken or hostile host): such figures are never
 * compared; -EINVAL for a NULL argument or a path given (or missing) for
 * the wrong kind of metric. *value is set only on 0. Any thread.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD int
paglets_perf_metric_read(const struct paglets_perf_metric_info *metric,
                         const struct paglets_perf_host_result *result,
                         const char *path, unsigned flags, double *value);

/* How a figure compares with its reference. */
enum paglets_perf_verdict {
    PAGLETS_PERF_WITHIN = 0, /* within the threshold, or not comparable */
    PAGLETS_PERF_WORSE = 1,  /* an outlier; against the past, a regression */
    PAGLETS_PERF_BETTER = 2, /* beyond the threshold the good way */
};

/*
 * Compare value with reference (both in the metric's unit) at threshold
 * t in (0, 1]: with ratio = value / reference, a higher-is-better figure
 * is WORSE when ratio <= t and BETTER when ratio >= 1 / t; a
 * lower-is-better one the other way round (WORSE when ratio >= 1 / t).
 * Both bounds count ("at or below"). WITHIN when either figure is not
 * finite and positive, the ratio is not finite, or t is out of range.
 * Any thread.
 */
PAGLETS_EXTERN enum paglets_perf_verdict
paglets_perf_metric_judge(const struct paglets_perf_metric_info *metric,
                          double value, double reference, double threshold);

/*
 * Format a figure of metric for people, in the units of the table:
 * "17.2M/s" (op/s, decimal), "2.1G/s" (B/s, binary), "9130/s" (files/s),
 * "0.0912s" (s); "-" when value is not finite and positive. Writes at
 * most size - 1 bytes and a NUL; returns the length the whole text
 * needs, as snprintf does. Any thread.
 */
PAGLETS_EXTERN size_t
paglets_perf_metric_format(const struct paglets_perf_metric_info *metric,
                           double value, char *out, size_t size);

/*
 * How outliers are found. Fill with paglets_perf_outlier_options_init()
 * first: fields are only ever added at the end, and _init gives them
 * their defaults.
 */
struct paglets_perf_outlier_options {
    double threshold; /* PAGLETS_PERF_DEFAULT_OUTLIER_THRESHOLD, (0, 1] */
};

PAGLETS_EXTERN void
paglets_perf_outlier_options_init(struct paglets_perf_outlier_options *options);

/*
 * A flagged figure: host's value against the median of the hosts that
 * measured it. For per_worker metrics value and median are per worker.
 * ratio is value / median.
 */
struct paglets_perf_outlier {
    char *host; /* the summary's host name */
    const struct paglets_perf_metric_info *metric;
    char *path; /* the volume, for disk metrics; else NULL */
    double value;
    double median;
    double ratio;
    size_t hosts; /* how many hosts the median is over */
};

/*
 * A median of one figure over a run (the line an HTML chart draws): one
 * per metric, and per volume path for disk metrics, that at least one
 * host measured. median is NAN when fewer than
 * PAGLETS_PERF_OUTLIER_MIN_HOSTS hosts measured it (nothing is compared).
 */
struct paglets_perf_median {
    const struct paglets_perf_metric_info *metric;
    char *path; /* disk metrics; else NULL */
    double median;
    size_t hosts;
};

/*
 * What paglets_perf_outliers_find() found. Plain data the caller owns
 * and releases with paglets_perf_outliers_release(); a zeroed struct is
 * an empty result.
 */
struct paglets_perf_outliers {
    /* Flagged figures, by host name (strcmp), catalogue order, path. */
    struct paglets_perf_outlier *items;
    size_t n;
    /* Every median, in catalogue order, then by path. */
    struct paglets_perf_median *medians;
    size_t n_medians;
};

/*
 * Compare every figure of every host in summary with the median of that
 * figure over the hosts that measured it, when at least
 * PAGLETS_PERF_OUTLIER_MIN_HOSTS did: multi-core figures per worker, disk
 * figures per volume path (the volumes of the same path on several
 * hosts; a path only one or two hosts tested has no median). A figure
 * paglets_perf_metric_judge() finds WORSE is flagged; figures that are not
 * finite and positive take no part. options NULL: the defaults. Fills
 * *out (borrowed summary; nothing of it kept) and returns 0; -EINVAL
 * with a message in err for a threshold out of range; -ENOMEM. On
 * failure *out is empty. Any thread.
 */
PAGLETS_EXTERN PAGLETS_NODISCARD int
paglets_perf_outliers_find(const struct paglets_perf_summary *summary,
                           const struct paglets_perf_outlier_options *options,
                           struct paglets_perf_outliers *out,
                           struct paglets_err *err);

/* Free what outliers owns and zero it. NULL is a no-op. */
PAGLETS_EXTERN void
paglets_perf_outliers_release(struct paglets_perf_outliers *outliers);

/*
 * The outlier of host for the metric with this id (and volume path for
 * disk metrics, else NULL), or NULL when that figure is not flagged: what
 * a renderer asks for each cell. Borrowed from outliers.
 */
PAGLETS_EXTERN const struct paglets_perf_outlier *
paglets_perf_outliers_lookup(const struct paglets_perf_outliers *outliers,
                             const char *host, const char *metric_id,
                             const char *path);

/*
 * The median of the metric with this id (and path for disk metrics), or
 * NULL when no host measured it. Borrowed from outliers.
 */
PAGLETS_EXTERN const struct paglets_perf_median *
paglets_perf_outliers_median(const struct paglets_perf_outliers *outliers,
                             const char *metric_id, const char *path);

/*
 * The flagged figures as the JSON `outliers` array (new reference; NULL
 * when out of memory): [{"host", "metric" (the id), "path" (null unless
 * disk), "value", "median", "ratio"}], in the order of items.
 */
PAGLETS_EXTERN json_t *
paglets_perf_outliers_to_json(const struct paglets_perf_outliers *outliers);

/*
 * One outlier as the text of its `notes:` line, without the host:
 * "cpu.integer 120.0M/s is 0.35 x the median 342.0M/s of 5 hosts",
 * "disk.write /srv: ...", "... per worker ..." for per_worker metrics.
 * The path is copied as is: escape the result before it reaches a
 * terminal. snprintf's contract, as paglets_perf_metric_format().
 */
PAGLETS_EXTERN size_t paglets_perf_outlier_format(
    const struct paglets_perf_outlier *outlier, char *out, size_t size);

/*
 * One figure of one host against the same host in an earlier run
 * (`paglets results diff`, `paglets examples perf --compare`). Plain data;
 * whoever fills an array of them owns the strings.
 */
struct paglets_perf_change {
    char *host;
    const struct paglets_perf_metric_info *metric;
    char *path;    /* the volume, for disk figures; else NULL */
    double before; /* NAN when the earlier run has no usable figure */
    double after;  /* NAN when the later run has none */
    double ratio;  /* after / before; NAN when either is missing */
    /*
     * paglets_perf_metric_judge(metric, after, before, threshold): WORSE
     * is a regression (a fall, or a rise for lower-is-better figures).
     */
    enum paglets_perf_verdict verdict;
};

/*
 * The change of host's figure (metric id; path for disk figures, else
 * NULL) in changes[0 .. n - 1], or NULL when there is none. The array
 * must be sorted by host (strcmp), catalogue order, then path (NULL
 * first), as paglets_results_diff() fills it: the lookup is a binary
 * search. Borrowed from changes. Any thread.
 */
PAGLETS_EXTERN const struct paglets_perf_change *
paglets_perf_changes_lookup(const struct paglets_perf_change *changes, size_t n,
                            const char *host, const char *metric_id,
                            const char *path);

/*
 * One change as text, without the host: "cpu.integer 100.0M/s -> 60.0M/s
 * (0.6 x)", "disk.write /srv: - -> 120.0M/s" for a figure only one run
 * has. The path is copied as is: escape before printing. snprintf's
 * contract, as paglets_perf_metric_format().
 */
PAGLETS_EXTERN size_t paglets_perf_change_format(
    const struct paglets_perf_change *change, char *out, size_t size);

/*
 * A ratio as the change a table cell shows: "+3.1%", "-77.0%", "+0.0%";
 * "-" when it is not finite and positive; beyond +-9999% capped as
 * ">+9999%". At most 8 characters. snprintf's contract.
 */
PAGLETS_EXTERN size_t paglets_perf_ratio_format(double ratio, char *out,
                                                size_t size);

#ifdef __cplusplus
}
#endif

#endif
