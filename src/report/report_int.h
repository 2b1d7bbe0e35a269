/* The parts of the HTML report, one file each (report.c puts them together). */
#ifndef PAGLETS_REPORT_REPORT_INT_H
#define PAGLETS_REPORT_REPORT_INT_H

#include "html.h"
#include "report.h"

/* One SVG bar chart per median of run->outliers (chart.c). */
void report_charts(struct html *h, const struct paglets_report_run *run);

/* The disk table: one row per host and tested volume (tables.c). */
void report_disks(struct html *h, const struct paglets_report_run *run);

/* Errors of every kind, then notes: outliers, volume notes (tables.c). */
void report_errors(struct html *h, const struct paglets_report_run *run);
void report_notes(struct html *h, const struct paglets_report_run *run);

#endif
