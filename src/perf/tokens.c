/*
 * Child tokens (tokens.h): without them anyone who can list /agents could
 * post a child_result to a running parent and replace a host's figures.
 */
#include "perf_compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>

#include "tokens.h"

void paglets__perf_tokens_release(struct paglets__perf_tokens *t)
{
    free(t->items);
    *t = (struct paglets__perf_tokens){0};
}

static int random_hex(char out[PAGLETS__PERF_TOKEN_HEX + 1])
{
    unsigned char raw[PAGLETS__PERF_TOKEN_HEX / 2];
    size_t got = 0;
    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n < 0 && errno != EINTR)
            return -errno;
        got += n > 0 ? (size_t)n : 0;
    }
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

int paglets__perf_tokens_issue(struct paglets__perf_tokens *t,
                               const struct paglets_host_info *hosts,
                               size_t n_hosts)
{
    struct paglets__perf_token *items =
        calloc(n_hosts ? n_hosts : 1, sizeof(*items));
    if (items == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n_hosts; i++) {
        int rc = random_hex(items[i].token);
        if (rc != 0) {
            free(items);
            return rc;
        }
        snprintf(items[i].host, sizeof(items[i].host), "%s", hosts[i].name);
    }
    free(t->items);
    t->items = items;
    t->n = n_hosts;
    return 0;
}

static struct paglets__perf_token *find(const struct paglets__perf_tokens *t,
                                        const char *host)
{
    for (size_t i = 0; host != NULL && i < t->n; i++)
        if (strcmp(t->items[i].host, host) == 0)
            return &t->items[i];
    return NULL;
}

const char *paglets__perf_tokens_find(const struct paglets__perf_tokens *t,
                                      const char *host)
{
    const struct paglets__perf_token *item = find(t, host);
    return item ? item->token : NULL;
}

bool paglets__perf_token_is_valid(const char *text)
{
    return text != NULL && strlen(text) == PAGLETS__PERF_TOKEN_HEX &&
           strspn(text, "0123456789abcdef") == PAGLETS__PERF_TOKEN_HEX;
}

int paglets__perf_tokens_redeem(struct paglets__perf_tokens *t,
                                const char *host, const char *token)
{
    struct paglets__perf_token *item = find(t, host);
    /* Same length by now: CRYPTO_memcmp's time says nothing of the match. */
    if (item == NULL || item->used || !paglets__perf_token_is_valid(token) ||
        CRYPTO_memcmp(item->token, token, PAGLETS__PERF_TOKEN_HEX) != 0) {
        t->refused++;
        return -EPERM;
    }
    item->used = true;
    return 0;
}
