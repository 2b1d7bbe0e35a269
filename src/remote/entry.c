/*
 * Entry host selection shared by every command line that talks to a mesh
 * (`paglets hosts`, `paglets examples perf`): an explicit URL, or the
 * well-known local port on loopback and on the LAN address.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <paglets/client.h>

#include "util/netaddr.h"
#include "wire/url.h"

static bool is_url(const char *entry)
{
    return entry != NULL && strstr(entry, "://") != NULL;
}

/* The canonical form of text into url (url_size >= PAGLETS_URL_MAX). */
static int copy_url(char *url, size_t url_size, const char *text,
                    struct paglets_err *err)
{
    if (url_size < PAGLETS_URL_MAX)
        return paglets_err_set(err, -ENAMETOOLONG,
                               "URL buffer of %zu bytes is too small",
                               url_size);
    return paglets__url_normalize(text, url, err);
}

/* Does this /health reply name the host we want (or any, for NULL)? */
static bool is_wanted(const json_t *health, const char *name)
{
    if (name == NULL || name[0] == '\0')
        return true;
    const char *got = json_string_value(json_object_get(health, "name"));
    return got != NULL && strcmp(got, name) == 0;
}

/* The well-known port on loopback, then on the LAN address if any. */
static size_t candidates(char out[2][PAGLETS_URL_MAX])
{
    static const char *const loopback = "127.0.0.1";
    char lan[64];
    const char *addrs[2] = {loopback, NULL};
    if (paglets__default_route_address(lan, sizeof(lan), NULL) == 0 &&
        !paglets__is_loopback(lan))
        addrs[1] = lan;
    size_t n = 0;
    for (size_t i = 0; i < 2 && addrs[i] != NULL; i++) {
        struct paglets__url url;
        if (paglets__url_from_address(false, addrs[i], PAGLETS_DEFAULT_PORT,
                                      &url, NULL) == 0)
            memcpy(out[n++], url.text, strlen(url.text) + 1);
    }
    return n;
}

/* Health-check url and hand over its reply; 0 or the client's error. */
static int try_url(struct paglets_client *client, const char *text,
                   const struct paglets_call_opts *opts, char *url,
                   size_t url_size, json_t **health, struct paglets_err *err)
{
    json_t *reply = NULL;
    int rc = copy_url(url, url_size, text, err);
    if (rc == 0)
        rc = paglets_client_health_with(client, url, opts, &reply, err);
    if (rc == 0 && health != NULL)
        *health = reply;
    else
        json_decref(reply);
    return rc;
}

/*
 * The mesh's word on where a host is is only a hint: the URL it gives
 * must answer /health under that name, or the call (and the key with it)
 * would go wherever the entry host said.
 */
static int not_named(const json_t *health, const char *name, const char *url,
                     struct paglets_err *err)
{
    const char *got = json_string_value(json_object_get(health, "name"));
    char shown[128];
    if (got == NULL)
        got = "(no name)";
    paglets_escape(shown, sizeof(shown), got, strlen(got));
    return paglets_err_set(err, -ENOENT,
                           "no entry host named '%s': the mesh lists it at "
                           "%s, which answers as '%s'",
                           name, url, shown);
}

/*
 * Beyond the reference: when no candidate has the wanted name, ask the
 * mesh of one that answered for an online host of that name, so `--entry
 * NAME` also reaches hosts on other ports or machines.
 */
static int via_mesh(struct paglets_client *client, const char *base,
                    const char *name, const struct paglets_call_opts *opts,
                    char *url, size_t url_size, json_t **health,
                    struct paglets_err *err)
{
    json_t *hosts = NULL;
    int rc = paglets_client_hosts_with(client, base, opts, &hosts, NULL);
    const char *found = NULL;
    size_t i;
    const json_t *h;
    json_array_foreach(json_object_get(hosts, "hosts"), i, h)
    {
        const char *n = json_string_value(json_object_get(h, "name"));
        if (n != NULL && strcmp(n, name) == 0 &&
            json_is_true(json_object_get(h, "online")))
            found = json_string_value(json_object_get(h, "url"));
    }
    json_t *reply = NULL;
    if (rc == 0 && found != NULL)
        rc = try_url(client, found, opts, url, url_size, &reply, err);
    else
        rc = paglets_err_set(err, -ENOENT, "no entry host named '%s'", name);
    json_decref(hosts);
    if (rc == 0 && !is_wanted(reply, name))
        rc = not_named(reply, name, url, err);
    if (rc == 0 && health != NULL)
        *health = reply;
    else
        json_decref(reply);
    return rc;
}

int paglets_client_entry_with(struct paglets_client *client, const char *entry,
                              const struct paglets_call_opts *opts, char *url,
                              size_t url_size, json_t **health,
                              struct paglets_err *err)
{
    if (health != NULL)
        *health = NULL;
    if (is_url(entry))
        return try_url(client, entry, opts, url, url_size, health, err);
    char cand[2][PAGLETS_URL_MAX];
    size_t n = candidates(cand);
    struct paglets_err last = {0};
    const char *answered = NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *reply = NULL;
        paglets_err_clear(&last);
        if (paglets_client_health_with(client, cand[i], opts, &reply, &last) <
            0)
            continue;
        if (is_wanted(reply, entry)) {
            int rc = copy_url(url, url_size, cand[i], err);
            if (rc == 0 && health != NULL)
                *health = reply;
            else
                json_decref(reply);
            return rc;
        }
        json_decref(reply);
        if (answered == NULL)
            answered = cand[i];
    }
    if (answered != NULL)
        return via_mesh(client, answered, entry, opts, url, url_size, health,
                        err);
    return paglets_err_set(err, last.code, "no entry host answers on %s: %s",
                           n > 1 ? "loopback or the LAN" : "loopback",
                           last.message);
}

int paglets_client_entry(struct paglets_client *client, const char *entry,
                         char *url, size_t url_size, json_t **health,
                         struct paglets_err *err)
{
    return paglets_client_entry_with(client, entry, NULL, url, url_size, health,
                                     err);
}
