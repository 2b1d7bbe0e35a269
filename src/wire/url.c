/*
 * The host URL parser and normaliser (rules in wire/url.h).
 */
#include "compat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wire/url.h"

#define DNS_NAME_MAX 253
#define DNS_LABEL_MAX 63

/* -EINVAL naming the text (escaped, shortened) and what is wrong with it. */
static int refuse(struct paglets_err *err, const char *text, const char *why)
{
    char shown[72];
    size_t need = paglets_escape(shown, sizeof(shown), text, strlen(text));
    return paglets_err_set(err, -EINVAL, "'%s%s' is not a host URL: %s", shown,
                           need >= sizeof(shown) ? "..." : "", why);
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool starts_with_nocase(const char *text, const char *prefix)
{
    for (; *prefix != '\0'; text++, prefix++)
        if (lower(*text) != *prefix)
            return false;
    return true;
}

/* Length of "http://" or "https://" at the start of text, else 0. */
static size_t scheme_length(const char *text, bool *https)
{
    *https = starts_with_nocase(text, "https://");
    if (*https)
        return 8;
    return starts_with_nocase(text, "http://") ? 7 : 0;
}

bool paglets__url_has_http_scheme(const char *text)
{
    bool https;
    return text != NULL && scheme_length(text, &https) > 0;
}

static uint16_t default_port(bool https)
{
    return https ? 443 : 80;
}

const char *paglets__url_scheme(const struct paglets__url *url)
{
    return url->https ? "https" : "http";
}

/* What follows the authority: nothing, or the one trailing slash. */
static int check_rest(const char *text, const char *rest,
                      struct paglets_err *err)
{
    if (rest[0] == '\0' || (rest[0] == '/' && rest[1] == '\0'))
        return 0;
    if (rest[0] == '/')
        rest++;
    if (rest[0] == '?')
        return refuse(err, text, "a query is not allowed");
    if (rest[0] == '#')
        return refuse(err, text, "a fragment is not allowed");
    return refuse(err, text, "a path is not allowed");
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

static bool label_ok(const char *label, size_t n)
{
    if (n == 0 || n > DNS_LABEL_MAX || label[0] == '-' || label[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = label[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_'))
            return false;
    }
    return true;
}

/* A DNS name or, when its last label is all digits, an IPv4 address. */
static int parse_name(const char *text, const char *host, size_t n,
                      struct paglets__url *url, struct paglets_err *err)
{
    if (n == 0)
        return refuse(err, text, "the host is missing");
    if (n > DNS_NAME_MAX)
        return refuse(err, text, "the host name is longer than 253 bytes");
    for (size_t i = 0; i < n; i++)
        url->host[i] = lower(host[i]);
    url->host[n] = '\0';
    const char *dot = strrchr(url->host, '.');
    const char *last = dot ? dot + 1 : url->host;
    if (all_digits(last, strlen(last))) {
        struct in_addr addr;
        if (inet_pton(AF_INET, url->host, &addr) != 1)
            return refuse(err, text, "the host is not a valid IPv4 address");
        url->kind = PAGLETS__URL_IPV4;
        return 0;
    }
    for (const char *label = url->host;;) {
        const char *end = strchr(label, '.');
        size_t len = end ? (size_t)(end - label) : strlen(label);
        if (!label_ok(label, len))
            return refuse(err, text, "the host is not a valid name");
        if (end == NULL)
            break;
        label = end + 1;
    }
    url->kind = PAGLETS__URL_NAME;
    return 0;
}

static int parse_ipv6(const char *text, const char *host, size_t n,
                      struct paglets__url *url, struct paglets_err *err)
{
    char buf[INET6_ADDRSTRLEN + 1];
    struct in6_addr addr;
    if (memchr(host, '%', n) != NULL)
        return refuse(err, text, "an IPv6 zone id is not allowed");
    if (n >= sizeof(buf))
        return refuse(err, text, "the host is not a valid IPv6 address");
    memcpy(buf, host, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET6, buf, &addr) != 1 ||
        inet_ntop(AF_INET6, &addr, url->host, sizeof(url->host)) == NULL)
        return refuse(err, text, "the host is not a valid IPv6 address");
    url->kind = PAGLETS__URL_IPV6;
    return 0;
}

/* port: the text after ':' up to end, or NULL for the default. */
static int parse_port(const char *text, const char *port, const char *end,
                      struct paglets__url *url, struct paglets_err *err)
{
    if (port == NULL) {
        url->port = default_port(url->https);
        return 0;
    }
    size_t n = (size_t)(end - port);
    unsigned value = 0;
    if (!all_digits(port, n) || n > 5)
        return refuse(err, text, "the port must be a number from 1 to 65535");
    for (size_t i = 0; i < n; i++)
        value = value * 10 + (unsigned)(port[i] - '0');
    if (value < 1 || value > 65535)
        return refuse(err, text, "the port must be a number from 1 to 65535");
    url->port = (uint16_t)value;
    return 0;
}

static int parse_authority(const char *text, const char *auth, size_t n,
                           struct paglets__url *url, struct paglets_err *err)
{
    const char *end = auth + n;
    const char *port = NULL;
    if (memchr(auth, '@', n) != NULL)
        return refuse(err, text, "user info is not allowed");
    if (n > 0 && auth[0] == '[') {
        const char *close = memchr(auth, ']', n);
        if (close == NULL)
            return refuse(err, text, "'[' without ']'");
        if (close + 1 < end && close[1] != ':')
            return refuse(err, text, "only a port may follow ']'");
        if (close + 1 < end)
            port = close + 2;
        int rc =
            parse_ipv6(text, auth + 1, (size_t)(close - auth - 1), url, err);
        return rc ? rc : parse_port(text, port, end, url, err);
    }
    const char *colon = memchr(auth, ':', n);
    if (colon != NULL && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
        return refuse(err, text, "an IPv6 address needs brackets");
    if (colon != NULL)
        port = colon + 1;
    int rc = parse_name(text, auth, (size_t)((colon ? colon : end) - auth), url,
                        err);
    return rc ? rc : parse_port(text, port, end, url, err);
}

static int render(const char *text, struct paglets__url *url,
                  struct paglets_err *err)
{
    bool v6 = url->kind == PAGLETS__URL_IPV6;
    char port[8] = "";
    if (url->port != default_port(url->https))
        snprintf(port, sizeof(port), ":%u", (unsigned)url->port);
    int n = snprintf(url->text, sizeof(url->text), "%s://%s%s%s%s",
                     paglets__url_scheme(url), v6 ? "[" : "", url->host,
                     v6 ? "]" : "", port);
    if (n < 0 || (size_t)n >= sizeof(url->text))
        return refuse(err, text, "it is too long");
    return 0;
}

int paglets__url_parse(const char *text, struct paglets__url *out,
                       struct paglets_err *err)
{
    struct paglets__url url;
    memset(&url, 0, sizeof(url));
    if (text == NULL)
        return paglets_err_set(err, -EINVAL, "no URL given");
    size_t skip = scheme_length(text, &url.https);
    if (skip == 0)
        return refuse(err, text, "the scheme must be http or https");
    const char *auth = text + skip;
    size_t n = strcspn(auth, "/?#");
    int rc = check_rest(text, auth + n, err);
    if (rc == 0)
        rc = parse_authority(text, auth, n, &url, err);
    if (rc == 0)
        rc = render(text, &url, err);
    if (rc == 0)
        *out = url;
    return rc;
}

int paglets__url_normalize(const char *text, char *out, struct paglets_err *err)
{
    struct paglets__url url;
    int rc = paglets__url_parse(text, &url, err);
    if (rc == 0)
        memcpy(out, url.text, strlen(url.text) + 1);
    return rc;
}

int paglets__url_from_address(bool https, const char *addr, int port,
                              struct paglets__url *url, struct paglets_err *err)
{
    char text[PAGLETS_URL_MAX + 16];
    if (port < 1 || port > 65535)
        return paglets_err_set(err, -EINVAL, "port %d is out of range", port);
    bool v6 = strchr(addr, ':') != NULL;
    int n =
        snprintf(text, sizeof(text), "%s://%s%s%s:%d", https ? "https" : "http",
                 v6 ? "[" : "", addr, v6 ? "]" : "", port);
    if (n < 0 || (size_t)n >= sizeof(text))
        return paglets_err_set(err, -EINVAL, "address '%.64s...' is too long",
                               addr);
    return paglets__url_parse(text, url, err);
}

int paglets__url_split(const char *text, struct paglets__url *url,
                       const char **target, struct paglets_err *err)
{
    bool https;
    size_t skip = text ? scheme_length(text, &https) : 0;
    if (skip == 0)
        return refuse(err, text ? text : "",
                      "the scheme must be http or https");
    size_t n = skip + strcspn(text + skip, "/?#");
    char base[PAGLETS_URL_MAX + 16];
    if (n >= sizeof(base))
        return refuse(err, text, "it is too long");
    memcpy(base, text, n);
    base[n] = '\0';
    int rc = paglets__url_parse(base, url, err);
    if (rc == 0)
        *target = text + n;
    return rc;
}

const char *paglets__url_authority(const struct paglets__url *url)
{
    return url->text + strlen(paglets__url_scheme(url)) + 3;
}

int paglets__url_from_authority(bool https, const char *authority,
                                struct paglets__url *url,
                                struct paglets_err *err)
{
    char text[PAGLETS_URL_MAX + 16];
    if (authority == NULL || *authority == '\0')
        return paglets_err_set(err, -EINVAL, "no authority given");
    if (strpbrk(authority, "/?#@ \t") != NULL)
        return refuse(err, authority, "an authority is host[:port] alone");
    int n = snprintf(text, sizeof(text), "%s://%s", https ? "https" : "http",
                     authority);
    if (n < 0 || (size_t)n >= sizeof(text))
        return refuse(err, authority, "it is too long");
    return paglets__url_parse(text, url, err);
}
