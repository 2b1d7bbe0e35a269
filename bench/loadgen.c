/*
 * A bounded HTTP load generator for bench/load.sh: sends exactly TOTAL
 * requests to one URL with CONCURRENCY of them in flight at all times
 * (libcurl multi, one connection per in-flight request), each bounded by
 * TIMEOUT seconds, and prints the count of failures (transport errors and
 * non-2xx replies) and latency percentiles. Exit status 1 when any request
 * failed, 2 on usage errors.
 *
 * Usage: loadgen URL TOTAL CONCURRENCY TIMEOUT_S [JSON_BODY]
 * With a body the request is a POST of that JSON, otherwise a GET.
 */
/* clock_gettime and CLOCK_MONOTONIC are POSIX, not C17. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

struct slot {
    CURL *easy;
    double started;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t discard(char *data, size_t size, size_t nmemb, void *arg)
{
    (void)data;
    (void)arg;
    return size * nmemb;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

static long parse_count(const char *text, long max)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    return errno != 0 || *end != '\0' || n < 1 || n > max ? -1 : n;
}

static CURL *make_easy(const char *url, const char *body,
                       struct curl_slist *headers, long timeout_seconds)
{
    CURL *easy = curl_easy_init();
    if (easy == NULL)
        return NULL;
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, timeout_seconds);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    if (body != NULL)
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    return easy;
}

struct run {
    CURLM *multi;
    struct slot *slots;
    double *latency;
    size_t done, failed, started;
    long total;
};

/* Collect finished transfers; restart their handles while work remains. */
static void reap(struct run *r)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(r->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct slot *s;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
        long status = 0;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        CURLcode rc = msg->data.result;
        r->latency[r->done++] = now_s() - s->started;
        if (rc != CURLE_OK || status < 200 || status > 299) {
            if (r->failed++ < 5)
                fprintf(stderr, "loadgen: request failed: %s, HTTP %ld\n",
                        curl_easy_strerror(rc), status);
        }
        curl_multi_remove_handle(r->multi, s->easy);
        if ((long)r->started < r->total) {
            s->started = now_s();
            r->started++;
            curl_multi_add_handle(r->multi, s->easy);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 6) {
        fprintf(stderr, "usage: loadgen URL TOTAL CONCURRENCY TIMEOUT_S "
                        "[JSON_BODY]\n");
        return 2;
    }
    long total = parse_count(argv[2], 10000000);
    long conc = parse_count(argv[3], 100000);
    long timeout = parse_count(argv[4], 3600);
    if (total < 0 || conc < 0 || timeout < 0) {
        fprintf(stderr, "loadgen: TOTAL, CONCURRENCY and TIMEOUT_S must be "
                        "positive integers\n");
        return 2;
    }
    if (conc > total)
        conc = total;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct curl_slist *headers =
        curl_slist_append(NULL, "Content-Type: application/json");
    struct run r = {.multi = curl_multi_init(),
                    .slots = calloc((size_t)conc, sizeof(struct slot)),
                    .latency = calloc((size_t)total, sizeof(double)),
                    .total = total};
    if (r.multi == NULL || r.slots == NULL || r.latency == NULL) {
        fprintf(stderr, "loadgen: out of memory\n");
        return 2;
    }
    curl_multi_setopt(r.multi, CURLMOPT_MAXCONNECTS, conc);
    double begin = now_s();
    for (long i = 0; i < conc; i++) {
        struct slot *s = &r.slots[i];
        s->easy =
            make_easy(argv[1], argc == 6 ? argv[5] : NULL, headers, timeout);
        if (s->easy == NULL) {
            fprintf(stderr, "loadgen: cannot create a curl handle\n");
            return 2;
        }
        curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
        s->started = now_s();
        r.started++;
        curl_multi_add_handle(r.multi, s->easy);
    }
    int running = 1;
    while ((long)r.done < total) {
        curl_multi_perform(r.multi, &running);
        reap(&r);
        if ((long)r.done < total)
            curl_multi_poll(r.multi, NULL, 0, 100, NULL);
    }
    double wall = now_s() - begin;
    qsort(r.latency, r.done, sizeof(double), by_value);
    printf("requests=%zu failed=%zu concurrency=%ld wall_s=%.3f rps=%.0f "
           "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
           r.done, r.failed, conc, wall, (double)r.done / wall,
           1e3 * percentile(r.latency, r.done, 0.50),
           1e3 * percentile(r.latency, r.done, 0.99),
           1e3 * percentile(r.latency, r.done, 1.0));
    for (long i = 0; i < conc; i++)
        curl_easy_cleanup(r.slots[i].easy);
    curl_multi_cleanup(r.multi);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    free(r.slots);
    free(r.latency);
    return r.failed == 0 ? 0 : 1;
}
