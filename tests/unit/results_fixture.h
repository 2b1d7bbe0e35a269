/*
 * Helpers shared by the run database tests: a scratch directory per test
 * (never the real home), summaries made from JSON, and runs stored from
 * them.
 */
#ifndef PAGLETS_TESTS_UNIT_RESULTS_FIXTURE_H
#define PAGLETS_TESTS_UNIT_RESULTS_FIXTURE_H

#include "perf_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <paglets/perf.h>

#include "results/results.h"

/* *state of a results test: its scratch directory and database path. */
struct scratch {
    char *dir;
    char *db;
};

static inline int scratch_setup(void **state)
{
    struct scratch *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->dir = fixture_mkdtemp()) == NULL ||
        asprintf(&s->db, "%s/results.db", s->dir) < 0)
        return -1;
    *state = s;
    return 0;
}

static inline int scratch_teardown(void **state)
{
    struct scratch *s = *state;
    fixture_rmtree(s->dir);
    free(s->dir);
    free(s->db);
    free(s);
    return 0;
}

static inline struct paglets_perf_summary *summary_from_text(const char *text)
{
    json_error_t error;
    json_t *json = json_loads(text, 0, &error);
    if (json == NULL)
        fail_msg("fixture JSON: %s", error.text);
    struct paglets_err err = {0};
    struct paglets_perf_summary *summary =
        paglets_perf_summary_from_json(json, &err);
    json_decref(json);
    if (summary == NULL)
        fail_msg("fixture summary: %s", err.message);
    return summary;
}

/* Open path with the defaults, failing the test with the message. */
static inline struct paglets_results *open_db(const char *path)
{
    struct paglets_err err = {0};
    struct paglets_results *db = paglets_results_new(path, NULL, &err);
    if (db == NULL)
        fail_msg("paglets_results_new: %s", err.message);
    return db;
}

/* A record of summary (borrowed) with the default request it owns. */
struct fixture_record {
    struct paglets_perf_request request;
    struct paglets_results_record record;
};

static inline void
fixture_record_init(struct fixture_record *r,
                    const struct paglets_perf_summary *summary)
{
    paglets_perf_request_init(&r->request);
    paglets_results_record_init(&r->record);
    r->record.request = &r->request;
    r->record.summary = summary;
    r->record.time_unix_seconds = 1714557600; /* 2024-05-01T10:00:00Z */
}

static inline void fixture_record_release(struct fixture_record *r)
{
    paglets_perf_request_release(&r->request);
}

/* Store summary made with request (NULL: the defaults); returns its id. */
static inline int64_t store(struct paglets_results *db,
                            const struct paglets_perf_summary *summary,
                            const struct paglets_perf_request *request)
{
    struct fixture_record r;
    fixture_record_init(&r, summary);
    if (request != NULL)
        r.record.request = request;
    int64_t id = 0;
    struct paglets_err err = {0};
    if (paglets_results_store(db, &r.record, &id, &err) != 0)
        fail_msg("paglets_results_store: %s", err.message);
    fixture_record_release(&r);
    return id;
}

#endif
