/*
 * Fuzz the host URL parser (wire/url.c) with what users, peers and clone
 * requests may send. Whatever it accepts must be canonical: the canonical
 * text parses to the same parts, fits PAGLETS_URL_MAX, names no path,
 * user info, query or fragment, and is what the URL of its host and port
 * as a listening address gives. What it refuses carries -EINVAL and a
 * reason.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const struct paglets__url *url)
{
    struct paglets__url again, built;
    const char *rest = strstr(url->text, "://");
    if (strlen(url->text) >= PAGLETS_URL_MAX || rest == NULL ||
        strpbrk(rest + 3, "/@?#") != NULL || url->port == 0)
        abort();
    if (paglets__url_parse(url->text, &again, NULL) != 0 ||
        memcmp(url, &again, sizeof(again)) != 0)
        abort(); /* the canonical form is a fixed point */
    if (paglets__url_from_address(url->https, url->host, url->port, &built,
                                  NULL) != 0 ||
        strcmp(built.text, url->text) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct paglets__url url;
    memset(&url, 0, sizeof(url));
    struct paglets_err err = {0};
    int rc = paglets__url_parse(text, &url, &err);
    if (rc == 0)
        check_accepted(&url);
    else if (rc != -EINVAL || err.message[0] == '\0')
        abort();
    free(text);
    return 0;
}
