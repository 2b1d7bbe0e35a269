/*
 * libcurl transport for JSON requests: a capped reply buffer, a timeout
 * and deadline per request, cancellation, and errno mapping for both
 * transport failures and HTTP statuses.
 */
#include "compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "remote/http.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json_mem.h"
#include "wire/error.h"

struct paglets__http {
    CURLM *multi;               /* owns the cache of keep-alive connections */
    CURL *curl;                 /* added to multi for one request at a time */
    struct curl_slist *headers; /* JSON content type and Authorization */
    struct paglets_cancel *cancel; /* borrowed; cancels every request */
    char *proxy; /* owned; NULL: no proxy, whatever the environment says */
    double max_timeout_s; /* > 0: caps every request's limit */
};

/*
 * The Paglets-Hops of the request this thread serves on a host, or -1 on
 * threads that serve none (a CLI, the mesh's gossip thread).
 */
static _Thread_local int thread_hops = -1;

void paglets__http_set_thread_hops(int hops)
{
    thread_hops = hops;
}

int paglets__http_thread_hops(void)
{
    return thread_hops;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init_once(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The fixed headers; the API key is wiped from the heap after use. */
static int make_headers(struct paglets__http *http, const char *api_key)
{
    struct curl_slist *h =
        curl_slist_append(NULL, "Content-Type: application/json");
    if (h == NULL)
        return -ENOMEM;
    http->headers = h;
    /* Refuse libcurl's "Expect: 100-continue" round trip on big bodies. */
    h = curl_slist_append(http->headers, "Expect:");
    if (h == NULL)
        return -ENOMEM;
    if (api_key == NULL || *api_key == '\0')
        return 0;
    size_t len = strlen(api_key) + sizeof("Authorization: Bearer ");
    char *line = malloc(len);
    if (line == NULL)
        return -ENOMEM;
    snprintf(line, len, "Authorization: Bearer %s", api_key);
    h = curl_slist_append(http->headers, line);
    explicit_bzero(line, len);
    free(line);
    return h ? 0 : -ENOMEM;
}

struct paglets__http *paglets__http_new(const char *api_key,
                                        struct paglets_err *err)
{
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_result != CURLE_OK) {
        paglets_err_set(err, -EIO, "cannot initialise libcurl: %s",
                        curl_easy_strerror(curl_init_result));
        return NULL;
    }
    struct paglets__http *http = calloc(1, sizeof(*http));
    if (http == NULL)
        goto nomem;
    http->multi = curl_multi_init();
    http->curl = curl_easy_init();
    if (http->multi == NULL || http->curl == NULL ||
        make_headers(http, api_key) != 0)
        goto nomem;
    return http;
nomem:
    paglets__http_free(http);
    paglets_err_set(err, -ENOMEM, "out of memory creating HTTP client");
    return NULL;
}

void paglets__http_free(struct paglets__http *http)
{
    if (http == NULL)
        return;
    if (http->curl != NULL)
        curl_easy_cleanup(http->curl);
    if (http->multi != NULL)
        curl_multi_cleanup(http->multi);
    curl_slist_free_all(http->headers);
    free(http->proxy);
    free(http);
}

int paglets__http_set_proxy(struct paglets__http *http, const char *proxy)
{
    char *copy = NULL;
    if (proxy != NULL && *proxy != '\0' && (copy = strdup(proxy)) == NULL)
        return -ENOMEM;
    free(http->proxy);
    http->proxy = copy;
    return 0;
}

void paglets__http_set_cancel(struct paglets__http *http,
                              struct paglets_cancel *cancel)
{
    http->cancel = cancel;
}

void paglets__http_set_max_timeout(struct paglets__http *http, double seconds)
{
    http->max_timeout_s = seconds > 0 ? seconds : 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct paglets__buf *buf = arg;
    size_t n = size * nmemb;
    /* Returning less than n makes libcurl fail with CURLE_WRITE_ERROR. */
    return paglets__buf_append(buf, data, n) == 0 ? n : 0;
}

/* The cancel handles one request watches: its own and the client's. */
struct watch {
    const struct paglets_cancel *cancel[2];
};

static bool is_tripped(const struct watch *w)
{
    return paglets_cancel_is_tripped(w->cancel[0]) ||
           paglets_cancel_is_tripped(w->cancel[1]);
}

/* libcurl calls this as the transfer goes; non-zero aborts it. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return is_tripped(arg) ? 1 : 0;
}

/*
 * Run the prepared transfer to its end. Waiting in curl_multi_poll() on
 * the cancel handles' eventfds as well is what ends a request to a silent
 * peer at once when a handle is tripped: while nothing moves, libcurl
 * calls the progress function only about once a second.
 */
static CURLcode perform(struct paglets__http *http, const struct watch *w)
{
    struct curl_waitfd fds[2];
    unsigned n = 0;
    for (size_t i = 0; i < 2; i++)
        if (w->cancel[i] != NULL)
            fds[n++] = (struct curl_waitfd){
                .fd = paglets__cancel_fd(w->cancel[i]),
                .events = CURL_WAIT_POLLIN,
            };
    if (curl_multi_add_handle(http->multi, http->curl) != CURLM_OK)
        return CURLE_OUT_OF_MEMORY;
    CURLcode result = CURLE_OK;
    for (bool done = false; !done;) {
        int running, left;
        CURLMcode mc = curl_multi_perform(http->multi, &running);
        for (CURLMsg *m = curl_multi_info_read(http->multi, &left); m != NULL;
             m = curl_multi_info_read(http->multi, &left)) {
            if (m->msg == CURLMSG_DONE) {
                result = m->data.result;
                done = true;
            }
        }
        if (!done && is_tripped(w)) {
            result = CURLE_ABORTED_BY_CALLBACK;
            done = true;
        }
        if (!done && mc == CURLM_OK)
            mc = curl_multi_poll(http->multi, fds, n, 1000, NULL);
        if (!done && mc != CURLM_OK) {
            result = mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY
                                               : CURLE_RECV_ERROR;
            done = true;
        }
    }
    curl_multi_remove_handle(http->multi, http->curl);
    return result;
}

static int errno_for_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
        return -ECONNREFUSED;
    case CURLE_OPERATION_TIMEDOUT:
        return -ETIMEDOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
        return -EHOSTUNREACH;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return -EINVAL;
    case CURLE_WRITE_ERROR:
        return -EMSGSIZE;
    case CURLE_OUT_OF_MEMORY:
        return -ENOMEM;
    case CURLE_ABORTED_BY_CALLBACK:
        return -ECANCELED;
    default:
        return -EIO;
    }
}

/*
 * The request's limit in milliseconds: its timeout (or the default), no
 * more than the client's cap, cut to what is left before the deadline; 0
 * once the deadline has passed.
 */
static long limit_ms(const struct paglets__http *http,
                     const struct paglets_call_opts *opts, bool *by_deadline)
{
    double s = opts != NULL && opts->timeout_seconds > 0
                   ? opts->timeout_seconds
                   : PAGLETS_CLIENT_TIMEOUT_SECONDS;
    if (http->max_timeout_s > 0 && !(s <= http->max_timeout_s))
        s = http->max_timeout_s;
    *by_deadline = false;
    if (opts != NULL && opts->deadline_seconds > 0 &&
        opts->deadline_seconds - paglets__mono_now() < s) {
        s = opts->deadline_seconds - paglets__mono_now();
        *by_deadline = true;
    }
    if (!(s > 0))
        return 0;
    if (s > 1e6)
        s = 1e6; /* libcurl takes a long; a million seconds is forever */
    return s * 1000 < 1 ? 1L : (long)(s * 1000);
}

/*
 * The fixed headers, plus Paglets-Hops on a thread that serves a request:
 * one more than the request it serves. *extra: the list to free after.
 */
static struct curl_slist *request_headers(const struct paglets__http *http,
                                          struct curl_slist **extra)
{
    *extra = NULL;
    if (thread_hops < 0)
        return http->headers;
    char line[64];
    snprintf(line, sizeof(line), "%s: %d", PAGLETS__HOPS_HEADER,
             thread_hops + 1);
    struct curl_slist *list = NULL;
    for (const struct curl_slist *h = http->headers; h != NULL; h = h->next) {
        struct curl_slist *grown = curl_slist_append(list, h->data);
        if (grown == NULL)
            goto nomem;
        list = grown;
    }
    struct curl_slist *grown = curl_slist_append(list, line);
    if (grown == NULL)
        goto nomem;
    *extra = grown;
    return grown;
nomem:
    curl_slist_free_all(list);
    return NULL;
}

static void setup(CURL *c, const struct paglets__http *http,
                  struct curl_slist *headers, const char *method,
                  const char *url, const char *payload, long ms)
{
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    /*
     * "" turns libcurl's proxy variables (http_proxy, ALL_PROXY, ...) off:
     * a variable set for a browser must not route mesh traffic, and the
     * key with it, through a third party.
     */
    curl_easy_setopt(c, CURLOPT_PROXY, http->proxy ? http->proxy : "");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    if (payload != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    }
}

/* The error a non-2xx reply stands for, with the peer's message escaped. */
static int reply_error(const char *method, const char *url, long status,
                       const json_t *body, struct paglets_err *err)
{
    const char *msg = paglets__wire_error_message(body);
    char shown[PAGLETS_ERR_MESSAGE_MAX];
    if (msg != NULL)
        paglets_escape(shown, sizeof(shown), msg, strlen(msg));
    return paglets_err_set(err, paglets__wire_errno_of(status),
                           "%s %s: HTTP %ld%s%s", method, url, status,
                           msg ? ": " : "", msg ? shown : "");
}

/* The error of a transfer that failed, with libcurl's own words. */
static int transfer_error(const char *method, const char *url, CURLcode cc,
                          const char *detail, bool by_deadline,
                          struct paglets_err *err)
{
    int code = errno_for_curl(cc);
    if (code == -ECANCELED)
        return paglets_err_set(err, code, "%s %s: cancelled", method, url);
    return paglets_err_set(
        err, code, "%s %s: %s%s", method, url,
        code == -ETIMEDOUT && by_deadline ? "deadline reached: " : "",
        *detail ? detail : curl_easy_strerror(cc));
}

/*
 * The reply as JSON, or NULL with jansson's reason (escaped: it quotes the
 * reply) in why. Duplicate keys are refused, as hosts refuse them in
 * requests: a reply must not say two things at once.
 */
static json_t *parse_reply(const struct paglets__buf *buf, bool *over,
                           char *why, size_t size)
{
    json_error_t jerr;
    json_t *json = paglets__json_load_budget(
        buf->data, buf->len, JSON_REJECT_DUPLICATES,
        PAGLETS_CLIENT_MAX_REPLY_MEMORY_BYTES, &jerr, over);
    if (json == NULL)
        paglets_escape(why, size, jerr.text, strlen(jerr.text));
    return json;
}

int paglets__http_request(struct paglets__http *http, const char *method,
                          const char *url, const json_t *body,
                          const struct paglets_call_opts *opts, json_t **reply,
                          long *status, struct paglets_err *err)
{
    char *payload = NULL;
    struct curl_slist *extra = NULL;
    char detail[CURL_ERROR_SIZE] = "";
    char why[JSON_ERROR_TEXT_LENGTH * 4] = "empty reply";
    struct paglets__buf buf;
    paglets__buf_init(&buf, PAGLETS_CLIENT_MAX_REPLY_BYTES);
    json_t *parsed = NULL;
    long code = 0;
    bool by_deadline;
    struct watch w = {{opts ? opts->cancel : NULL, http->cancel}};
    long ms = limit_ms(http, opts, &by_deadline);
    int rc;

    if (is_tripped(&w)) {
        rc = paglets_err_set(err, -ECANCELED, "%s %s: cancelled", method, url);
        goto out;
    }
    if (ms == 0) {
        rc = paglets_err_set(err, -ETIMEDOUT, "%s %s: deadline passed", method,
                             url);
        goto out;
    }
    if (body != NULL) {
        payload = json_dumps(body, JSON_COMPACT);
        if (payload == NULL) {
            rc = paglets_err_set(err, -ENOMEM, "cannot encode request");
            goto out;
        }
    }
    struct curl_slist *headers = request_headers(http, &extra);
    if (headers == NULL) {
        rc = paglets_err_set(err, -ENOMEM, "out of memory");
        goto out;
    }
    CURL *c = http->curl;
    setup(c, http, headers, method, url, payload, ms);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &buf);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &w);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    CURLcode cc = perform(http, &w);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    if (cc != CURLE_OK) {
        rc = transfer_error(method, url, cc, detail, by_deadline, err);
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (buf.len > 0) {
        bool over = false;
        size_t len = buf.len;
        parsed = parse_reply(&buf, &over, why, sizeof(why));
        paglets__buf_release(&buf);
        if (over) {
            rc = paglets_err_set(err, -EMSGSIZE,
                                 "%s %s: reply of %zu bytes needs more than "
                                 "%u MiB of memory to parse",
                                 method, url, len,
                                 PAGLETS_CLIENT_MAX_REPLY_MEMORY_BYTES >> 20);
            goto out;
        }
    }
    if (code < 200 || code > 299) {
        rc = reply_error(method, url, code, parsed, err);
        goto out;
    }
    if (reply != NULL && parsed == NULL) {
        rc = paglets_err_set(err, -EPROTO, "%s %s: reply is not JSON: %s",
                             method, url, why);
        goto out;
    }
    if (reply != NULL) {
        *reply = parsed;
        parsed = NULL;
    }
    rc = 0;
out:
    if (status != NULL)
        *status = code;
    json_decref(parsed);
    paglets__buf_release(&buf);
    curl_slist_free_all(extra);
    free(payload);
    return rc;
}
