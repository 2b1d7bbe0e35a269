/*
 * What request signatures cost, for bench/sig.sh: the codec alone (sign
 * and check a request, sign and check its reply) in ns per operation,
 * then sequential GET /health calls over one keep-alive connection to an
 * in-process host, without and with an API key, in us per request. One
 * warm-up, then REPEATS runs; prints median [min-max] of each.
 *
 * Usage: sig_cost [ITERATIONS] [REQUESTS] [REPEATS]
 *        (defaults 20000, 2000, 5)
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/paglets.h>

#include "util/clock.h"
#include "wire/sig.h"

#define MAX_REPEATS 50

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, const char *unit, double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), compare);
    printf("%-34s %10.2f %s  [%.2f-%.2f]\n", what, v[n / 2], unit, v[0],
           v[n - 1]);
}

enum op { SIGN_REQUEST, VERIFY_REQUEST, SIGN_REPLY, VERIFY_REPLY, N_OPS };

static const char *const op_names[N_OPS] = {
    "sign a request (1 KiB body)",
    "check a request",
    "sign a reply (1 KiB body)",
    "check a reply",
};

/* ns per operation of one op over n iterations. */
static double time_op(enum op op, long n, const struct paglets__sig_key *key)
{
    static char body[1024];
    char digest[PAGLETS__SIG_DIGEST_MAX], nonce[33];
    struct paglets__sig_fields req_f, reply_f;
    struct paglets__sig_checked checked;
    unsigned char mac[PAGLETS__SIG_MAC_BYTES];
    memset(body, 'x', sizeof(body));
    paglets__sig_content_digest(body, sizeof(body), digest);
    struct paglets__sig_request req = {"POST", "127.0.0.1:8765",
                                       "/agents/0123456789abcdef/messages", "?",
                                       digest};
    if (paglets__sig_nonce(nonce) != 0 ||
        paglets__sig_sign_request(key, &req, 1700000000, nonce, &req_f, mac) !=
            0 ||
        paglets__sig_sign_response(key, 200, digest, mac, 1700000000,
                                   &reply_f) != 0)
        abort();
    double start = paglets__mono_now();
    for (long i = 0; i < n; i++) {
        int rc = 0;
        switch (op) {
        case SIGN_REQUEST:
            paglets__sig_content_digest(body, sizeof(body), digest);
            rc = paglets__sig_nonce(nonce);
            if (rc == 0)
                rc = paglets__sig_sign_request(key, &req, 1700000000, nonce,
                                               &req_f, mac);
            break;
        case VERIFY_REQUEST:
            rc = paglets__sig_verify_request(key, &req, req_f.input,
                                             req_f.signature, &checked, NULL);
            break;
        case SIGN_REPLY:
            paglets__sig_content_digest(body, sizeof(body), digest);
            rc = paglets__sig_sign_response(key, 200, digest, mac, 1700000000,
                                            &reply_f);
            break;
        case VERIFY_REPLY:
            rc = paglets__sig_digest_check(digest, body, sizeof(body));
            if (rc == 0)
                rc = paglets__sig_verify_response(key, 200, digest, mac,
                                                  reply_f.input,
                                                  reply_f.signature, NULL);
            break;
        case N_OPS:
            break;
        }
        if (rc != 0)
            abort();
    }
    return (paglets__mono_now() - start) * 1e9 / (double)n;
}

/* us per GET /health over one client, against a host with key (or none). */
static double time_requests(const char *key, int n)
{
    struct paglets_host_config c;
    struct paglets_err err = {0};
    paglets_host_config_init(&c);
    c.name = "bench";
    c.port = 0;
    c.mesh = false;
    c.mesh_multicast = 0;
    c.api_key = key;
    struct paglets_host *host = paglets_host_new(&c, &err);
    if (host == NULL || paglets_host_start(host, &err) != 0) {
        fprintf(stderr, "sig_cost: %s\n", err.message);
        exit(1);
    }
    struct paglets_client *client = paglets_client_new(key, &err);
    json_t *health = NULL;
    if (client == NULL || paglets_client_health(client, paglets_host_url(host),
                                                &health, &err) != 0) {
        fprintf(stderr, "sig_cost: %s\n", err.message);
        exit(1);
    }
    json_decref(health);
    double start = paglets__mono_now();
    for (int i = 0; i < n; i++) {
        if (paglets_client_health(client, paglets_host_url(host), &health,
                                  &err) != 0) {
            fprintf(stderr, "sig_cost: %s\n", err.message);
            exit(1);
        }
        json_decref(health);
    }
    double us = (paglets__mono_now() - start) * 1e6 / n;
    paglets_client_free(client);
    paglets_host_free(host);
    return us;
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? atol(argv[1]) : 20000;
    int requests = argc > 2 ? atoi(argv[2]) : 2000;
    int repeats = argc > 3 ? atoi(argv[3]) : 5;
    if (iterations < 1 || requests < 1 || repeats < 1 ||
        repeats > MAX_REPEATS) {
        fprintf(stderr, "usage: sig_cost [ITERATIONS] [REQUESTS] "
                        "[REPEATS<=50]\n");
        return 2;
    }
    paglets_log_set_level(PAGLETS_LOG_WARN);
    struct paglets__sig_key key;
    if (paglets__sig_key_init(&key, "bench-key") != 0)
        return 1;
    double v[MAX_REPEATS];
    for (int op = 0; op < N_OPS; op++) {
        time_op(op, iterations / 10 + 1, &key); /* warm-up */
        for (int r = 0; r < repeats; r++)
            v[r] = time_op(op, iterations, &key);
        report(op_names[op], "ns", v, repeats);
    }
    double plain[MAX_REPEATS], keyed[MAX_REPEATS], diff[MAX_REPEATS];
    time_requests(NULL, requests / 10 + 1);
    time_requests("bench-key", requests / 10 + 1);
    for (int r = 0; r < repeats; r++) {
        plain[r] = time_requests(NULL, requests);
        keyed[r] = time_requests("bench-key", requests);
        diff[r] = keyed[r] - plain[r];
    }
    report("GET /health, no key", "us", plain, repeats);
    report("GET /health, signed both ways", "us", keyed, repeats);
    report("difference per request", "us", diff, repeats);
    return 0;
}
