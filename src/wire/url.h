/*
 * Host URLs: the one parser and normaliser for every place a host is
 * named by URL (its own --public-url, --peer seeds, proxies, clone
 * targets, entry hosts, HostRefs from peers). A host URL is
 * scheme://host[:port] and nothing else:
 *
 *   - scheme: http or https, in any case;
 *   - host: a DNS name (labels of [A-Za-z0-9_-], 1-63 bytes, no label
 *     starting or ending with '-', 253 bytes in all, no trailing dot), an
 *     IPv4 address in dotted-quad form (a name whose last label is all
 *     digits must be one), or an IPv6 address in brackets (no zone id);
 *   - port: 1-65535; absent means 80 for http and 443 for https;
 *   - no user info, path, query or fragment. One trailing "/" is accepted
 *     and dropped ("http://h:1/" is "http://h:1"); anything after it is a
 *     path and refused.
 *
 * The canonical form lower-cases scheme and host, writes IPv6 the way
 * inet_ntop does, drops leading zeros of the port and leaves out the
 * scheme's default port (RFC 3986 6.2.3), so two spellings of one host
 * compare equal with strcmp.
 */
#ifndef PAGLETS_WIRE_URL_H
#define PAGLETS_WIRE_URL_H

#include <stdbool.h>
#include <stdint.h>

#include <paglets/agent.h>

enum paglets__url_host_kind {
    PAGLETS__URL_NAME, /* a DNS name, lower case */
    PAGLETS__URL_IPV4,
    PAGLETS__URL_IPV6, /* host holds the address without brackets */
};

/* 253 bytes of DNS name and a NUL; IPv6 text is shorter. */
#define PAGLETS__URL_HOST_MAX 254

/* A parsed host URL; every field is filled by paglets__url_parse(). */
struct paglets__url {
    bool https;
    enum paglets__url_host_kind kind;
    char host[PAGLETS__URL_HOST_MAX];
    uint16_t port;              /* 80 or 443 when the text names none */
    char text[PAGLETS_URL_MAX]; /* the canonical form */
};

/*
 * Parse text as a host URL. Returns 0, or -EINVAL with the reason in err
 * (the text shown escaped); *url is unchanged on failure.
 */
int paglets__url_parse(const char *text, struct paglets__url *url,
                       struct paglets_err *err);

/*
 * The canonical form of text into out[PAGLETS_URL_MAX] (out may be text
 * itself): 0, or -EINVAL as paglets__url_parse(), leaving out unchanged.
 */
int paglets__url_normalize(const char *text, char *out,
                           struct paglets_err *err);

/*
 * The URL of a listening address: addr is a name, IPv4 or IPv6 address
 * (without brackets), port 1-65535. Returns 0 or -EINVAL as
 * paglets__url_parse().
 */
int paglets__url_from_address(bool https, const char *addr, int port,
                              struct paglets__url *url,
                              struct paglets_err *err);

/*
 * True when text starts with "http://" or "https://" in any case: it
 * means a URL (and must parse as one), not a host name.
 */
bool paglets__url_has_http_scheme(const char *text);

/*
 * Split a request URL, a host URL followed by a path and query
 * ("http://h:1/agents/x?y"), at the end of its authority: *url gets the
 * host URL as paglets__url_parse() gives it, *target points into text at
 * the rest ("/agents/x?y", or "" when there is none). 0 or -EINVAL.
 */
int paglets__url_split(const char *text, struct paglets__url *url,
                       const char **target, struct paglets_err *err);

/* The canonical authority of url: host[:port] (borrowed from url->text). */
const char *paglets__url_authority(const struct paglets__url *url);

/*
 * Parse authority (an HTTP Host header: host[:port], nothing else) as the
 * authority of a URL of that scheme. 0 or -EINVAL as paglets__url_parse().
 */
int paglets__url_from_authority(bool https, const char *authority,
                                struct paglets__url *url,
                                struct paglets_err *err);

/* "http" or "https". */
const char *paglets__url_scheme(const struct paglets__url *url);

#endif
