/*
 * The report's SVG bar charts: one per figure and volume path that a host
 * measured, one row per host, geometry as report.h declares it.
 */
#include <math.h>
#include <stdlib.h>

#include <paglets/perf_answers.h>
#include <paglets/perf_result.h>

#include "report_int.h"

/* Host i's figure, or NAN when it has none that compares. */
static double figure(const struct paglets_perf_median *m,
                     const struct paglets_perf_host_entry *e)
{
    unsigned flags = m->metric->per_worker ? PAGLETS_PERF_READ_PER_WORKER : 0;
    double v;
    if (paglets_perf_metric_read(m->metric, &e->result, m->path, flags, &v) !=
        0)
        return NAN;
    return v;
}

static bool usable(double v)
{
    return isfinite(v) && v > 0;
}

/* x of a value on the chart's scale. */
static double x_of(double v, double scale)
{
    return REPORT_BAR_X + v / scale * REPORT_BAR_MAX;
}

static void chart_title(struct html *h, const struct paglets_perf_median *m,
                        size_t index)
{
    html_raw(h, "<section class=\"chart\" id=\"chart-%zu\">\n<h3>%s", index,
             m->metric->id);
    if (m->path != NULL) {
        html_raw(h, " ");
        html_text(h, m->path);
    }
    html_raw(h, " <small>(%s%s)</small></h3>\n", m->metric->unit,
             m->metric->per_worker ? " per worker" : "");
}

static void median_text(struct html *h, const struct paglets_perf_median *m,
                        double threshold)
{
    char text[48];
    if (!usable(m->median)) {
        html_raw(h,
                 "<text x=\"%d\" y=\"18\">no median: %zu host%s measured it, "
                 "%d needed</text>\n",
                 REPORT_BAR_X, m->hosts, m->hosts == 1 ? "" : "s",
                 PAGLETS_PERF_OUTLIER_MIN_HOSTS);
        return;
    }
    paglets_perf_metric_format(m->metric, m->median, text, sizeof(text));
    html_raw(h,
             "<text x=\"%d\" y=\"18\">median %s of %zu hosts; outliers at "
             "%g x or %s</text>\n",
             REPORT_BAR_X, text, m->hosts, threshold,
             m->metric->lower_is_better ? "above" : "below");
}

/* Row i: the name, the bar, the value and, for an outlier, its ratio. */
static void chart_row(struct html *h, const struct paglets_report_run *run,
                      const struct paglets_perf_median *m, size_t i,
                      double scale)
{
    const struct paglets_perf_host_entry *e =
        paglets_perf_summary_result(run->summary, i);
    double v = figure(m, e);
    int y = REPORT_CHART_TOP + (int)i * REPORT_ROW_HEIGHT;
    html_raw(h, "<g><title>");
    html_text(h, e->host_name);
    html_raw(h, "</title>\n<text x=\"%d\" y=\"%d\" class=\"name\">",
             REPORT_BAR_X - 6, y + REPORT_BAR_OFFSET + 11);
    html_text_cut(h, e->host_name, REPORT_LABEL_CHARS);
    html_raw(h, "</text>\n");
    if (!usable(v)) {
        html_raw(h, "<text x=\"%d\" y=\"%d\">-</text></g>\n", REPORT_BAR_X + 4,
                 y + REPORT_BAR_OFFSET + 11);
        return;
    }
    const struct paglets_perf_outlier *o = paglets_perf_outliers_lookup(
        run->outliers, e->host_name, m->metric->id, m->path);
    double len = v / scale * REPORT_BAR_MAX;
    char value[48];
    paglets_perf_metric_format(m->metric, v, value, sizeof(value));
    html_raw(h,
             "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%d\" "
             "fill=\"%s\"/>\n",
             REPORT_BAR_X, y + REPORT_BAR_OFFSET,
             len < REPORT_BAR_MIN ? REPORT_BAR_MIN : round(len),
             REPORT_BAR_HEIGHT, o ? REPORT_COLOUR_OUTLIER : REPORT_COLOUR_BAR);
    html_raw(h, "<text x=\"%.0f\" y=\"%d\"%s>%s", round(x_of(v, scale)) + 6,
             y + REPORT_BAR_OFFSET + 11, o ? " class=\"outlier\"" : "", value);
    if (o != NULL)
        html_raw(h, " ! %.2fx", o->ratio);
    html_raw(h, "</text></g>\n");
}

static void chart(struct html *h, const struct paglets_report_run *run,
                  const struct paglets_perf_median *m, size_t index)
{
    size_t n = paglets_perf_summary_result_count(run->summary);
    double scale = usable(m->median) ? m->median : 0;
    for (size_t i = 0; i < n; i++) {
        double v = figure(m, paglets_perf_summary_result(run->summary, i));
        if (usable(v) && v > scale)
            scale = v;
    }
    if (scale <= 0)
        scale = 1;
    int height =
        REPORT_CHART_TOP + (int)n * REPORT_ROW_HEIGHT + REPORT_CHART_BOTTOM;
    chart_title(h, m, index);
    html_raw(h,
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
             "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
             "aria-label=\"%s across hosts\">\n"
             "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
             REPORT_CHART_WIDTH, height, REPORT_CHART_WIDTH, height,
             m->metric->id, REPORT_CHART_WIDTH, height, REPORT_COLOUR_GROUND);
    median_text(h, m, run->outlier_threshold);
    for (size_t i = 0; i < n; i++)
        chart_row(h, run, m, i, scale);
    if (usable(m->median)) {
        double x = round(x_of(m->median, scale));
        html_raw(h,
                 "<line x1=\"%.0f\" y1=\"%d\" x2=\"%.0f\" y2=\"%d\" "
                 "stroke=\"%s\" stroke-width=\"2\"/>\n",
                 x, REPORT_CHART_TOP - 4, x, height - REPORT_CHART_BOTTOM + 4,
                 REPORT_COLOUR_MEDIAN);
    }
    html_raw(h, "</svg>\n</section>\n");
}

void report_charts(struct html *h, const struct paglets_report_run *run)
{
    const struct paglets_perf_outliers *o = run->outliers;
    html_raw(h, "<h2 id=\"charts\">Figures</h2>\n");
    if (o->n_medians == 0 ||
        paglets_perf_summary_result_count(run->summary) == 0) {
        html_raw(h, "<p>No host measured anything.</p>\n");
        return;
    }
    for (size_t i = 0; i < o->n_medians; i++)
        chart(h, run, &o->medians[i], i);
}
