/*
 * The parent's child tokens: one fresh random token per host of a round,
 * put in that host's clone state and nowhere else; a child_result counts
 * only with its host's token, once. Anything else is refused and counted.
 */
#ifndef PAGLETS_PERF_TOKENS_H
#define PAGLETS_PERF_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

#include <paglets/host.h>

/* 32 random bytes as lowercase hex. */
#define PAGLETS__PERF_TOKEN_HEX 64

struct paglets__perf_token {
    char host[sizeof(((struct paglets_host_info *)0)->name)];
    char token[PAGLETS__PERF_TOKEN_HEX + 1];
    bool used;
};

/* A round's tokens; zero-initialised is empty. Owner: the parent's state. */
struct paglets__perf_tokens {
    struct paglets__perf_token *items; /* owned */
    size_t n;
    size_t refused; /* child_results refused this round */
};

/* Forget every token and the refused count. */
void paglets__perf_tokens_release(struct paglets__perf_tokens *t);

/*
 * Replace t's tokens by a fresh one per host (from getrandom). 0, -ENOMEM,
 * or getrandom's negative errno; t is unchanged on failure.
 */
int paglets__perf_tokens_issue(struct paglets__perf_tokens *t,
                               const struct paglets_host_info *hosts,
                               size_t n_hosts);

/* The token issued for host (borrowed from t), or NULL. */
const char *paglets__perf_tokens_find(const struct paglets__perf_tokens *t,
                                      const char *host);

/*
 * Accept token (may be NULL) for host, once: 0 and the token is used up;
 * -EPERM for an unknown host, a wrong token or one used before, counted in
 * t->refused. Compares in constant time.
 */
int paglets__perf_tokens_redeem(struct paglets__perf_tokens *t,
                                const char *host, const char *token);

/* Is text a token in form (64 lowercase hex digits)? */
bool paglets__perf_token_is_valid(const char *text);

#endif
