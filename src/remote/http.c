/*
 * libcurl transport for JSON requests: a capped reply buffer, a timeout
 * and deadline per request, cancellation, errno mapping for both
 * transport failures and HTTP statuses, request signatures and the check
 * of a keyed host's signed replies (wire/sig.h), and the CA for https.
 */
#include "compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "remote/http.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json_mem.h"
#include "wire/error.h"
#include "wire/sig.h"
#include "wire/url.h"

struct paglets__http {
    CURLM *multi;               /* owns the cache of keep-alive connections */
    CURL *curl;                 /* added to multi for one request at a time */
    struct curl_slist *headers; /* JSON content type, no Expect */
    struct paglets_cancel *cancel; /* borrowed; cancels every request */
    char *proxy; /* owned; NULL: no proxy, whatever the environment says */
    double max_timeout_s;        /* > 0: caps every request's limit */
    bool keyed;                  /* sign requests, want signed replies */
    struct paglets__sig_key key; /* derived from the API key */
    char *tls_ca;                /* CA file for https; NULL: system store */
};

/* One request's signature headers, and the MAC its reply must bind to. */
struct signing {
    struct curl_slist *headers; /* the fixed ones, then the signature */
    unsigned char mac[PAGLETS__SIG_MAC_BYTES];
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

/* The fixed headers of every request. */
static struct curl_slist *fixed_headers(void)
{
    struct curl_slist *h =
        curl_slist_append(NULL, "Content-Type: application/json");
    /* Refuse libcurl's "Expect: 100-continue" round trip on big bodies. */
    struct curl_slist *more = h ? curl_slist_append(h, "Expect:") : NULL;
    if (more == NULL)
        curl_slist_free_all(h);
    return more;
}

/* The CA file named by PAGLETS_TLS_CA, copied, or NULL. */
static int ca_from_env(struct paglets__http *http)
{
    const char *env = getenv("PAGLETS_TLS_CA");
    if (env == NULL || *env == '\0')
        return 0;
    http->tls_ca = strdup(env);
    return http->tls_ca ? 0 : -ENOMEM;
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
    http->headers = fixed_headers();
    if (http->multi == NULL || http->curl == NULL || http->headers == NULL ||
        ca_from_env(http) != 0)
        goto nomem;
    /* The key itself is never kept: only what is derived from it. */
    if (api_key != NULL && *api_key != '\0') {
        if (paglets__sig_key_init(&http->key, api_key) != 0) {
            paglets__http_free(http);
            paglets_err_set(err, -EIO, "cannot derive the signing key");
            return NULL;
        }
        http->keyed = true;
    }
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
    paglets__sig_key_wipe(&http->key);
    free(http->tls_ca);
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

int paglets__http_set_tls_ca(struct paglets__http *http, const char *file,
                             struct paglets_err *err)
{
    char *copy = NULL;
    if (file != NULL && *file != '\0') {
        if (access(file, R_OK) != 0) {
            int rc = -errno;
            return paglets_err_set(err, rc, "TLS CA file '%s': %s", file,
                                   paglets_strerror(rc));
        }
        copy = strdup(file);
        if (copy == NULL)
            return paglets_err_set(err, -ENOMEM, "out of memory");
    }
    free(http->tls_ca);
    http->tls_ca = copy;
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

static void setup(CURL *c, const struct paglets__http *http, const char *method,
                  const char *url, const char *payload,
                  const struct curl_slist *headers, long ms)
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
    if (http->tls_ca != NULL) {
        /* That CA alone: the system's directory of CAs is not consulted. */
        curl_easy_setopt(c, CURLOPT_CAINFO, http->tls_ca);
        curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
    }
    if (payload != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    }
}

static int append_header(struct curl_slist **list, const char *name,
                         const char *value)
{
    char line[PAGLETS__SIG_INPUT_MAX + 32];
    snprintf(line, sizeof(line), "%s: %s", name, value);
    struct curl_slist *h = curl_slist_append(*list, line);
    if (h == NULL)
        return -ENOMEM;
    *list = h;
    return 0;
}

/*



 */
static int sign(const struct paglets__http *http, const char *method,
                const char *url, const char *payload,
                const struct curl_slist *base, struct signing *s,
                struct paglets_err *err)
{
    struct paglets__url u;
    const char *target;
    char digest[PAGLETS__SIG_DIGEST_MAX], nonce[33];
    struct paglets__sig_fields f;
    s->headers = NULL;
    if (!http->keyed)
        return 0;
    int rc = paglets__url_split(url, &u, &target, err);
    if (rc != 0)
        return rc;
    /* The path and query as libcurl sends them; we never send fragments. */
    size_t path_len = strcspn(target, "?#");
    size_t query_len = strcspn(target + path_len, "#");
    char *path = path_len ? strndup(target, path_len) : strdup("/");
    char *query =
        query_len ? strndup(target + path_len, query_len) : strdup("?");
    paglets__sig_content_digest(payload ? payload : "",
                                payload ? strlen(payload) : 0, digest);
    struct paglets__sig_request req = {method, paglets__url_authority(&u), path,
                                       query, digest};
    if (path == NULL || query == NULL)
        rc = -ENOMEM;
    if (rc == 0)
        rc = paglets__sig_nonce(nonce);
    if (rc == 0)
        rc = paglets__sig_sign_request(
            &http->key, &req, (int64_t)paglets__wall_now(), nonce, &f, s->mac);
    for (const struct curl_slist *h = base; rc == 0 && h != NULL; h = h->next) {
        struct curl_slist *grown = curl_slist_append(s->headers, h->data);
        if (grown == NULL)
            rc = -ENOMEM;
        else
            s->headers = grown;
    }
    if (rc == 0)
        rc = append_header(&s->headers, "Content-Digest", digest);
    if (rc == 0)
        rc = append_header(&s->headers, "Signature-Input", f.input);
    if (rc == 0)
        rc = append_header(&s->headers, "Signature", f.signature);
    free(path);
    free(query);
    if (rc != 0)
        return paglets_err_set(err, rc, "%s %s: cannot sign the request: %s",
                               method, url, paglets_strerror(rc));
    return 0;
}

/*
 * A reply header's value copied into out[size], "" when absent. -EPROTO
 * when it is there twice or longer than out.
 */
static int reply_header(CURL *c, const char *name, char *out, size_t size)
{
    struct curl_header *h;
    out[0] = '\0';
    CURLHcode hc = curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h);
    if (hc == CURLHE_MISSING || hc == CURLHE_NOHEADERS)
        return 0;
    if (hc != CURLHE_OK || h->amount != 1 || strlen(h->value) >= size)
        return -EPROTO;
    memcpy(out, h->value, strlen(h->value) + 1);
    return 0;
}

/* The three fields of a reply signature. */
struct reply_fields {
    char digest[PAGLETS__SF_FIELD_MAX + 1];
    char input[PAGLETS__SF_FIELD_MAX + 1];
    char signature[PAGLETS__SF_FIELD_MAX + 1];
};

/*
 * A keyed client takes replies signed with its key, bound to its request.
 * An unsigned error status is let through as that error (*note says so):
 * libmicrohttpd's own errors and a refused signature carry none, and a
 * forged error can only make a call fail, which dropping it could too.
 */
static int check_reply(const struct paglets__http *http,
                       const struct signing *s, const char *method,
                       const char *url, long status,
                       const struct paglets__buf *body, const char **note,
                       struct paglets_err *err)
{
    struct reply_fields *f = malloc(sizeof(*f));
    struct paglets_err why = {0};
    const char *data = body->data ? body->data : "";
    int rc = f ? 0 : -ENOMEM;
    if (rc == 0 && (reply_header(http->curl, "Content-Digest", f->digest,
                                 sizeof(f->digest)) != 0 ||
                    reply_header(http->curl, "Signature-Input", f->input,
                                 sizeof(f->input)) != 0 ||
                    reply_header(http->curl, "Signature", f->signature,
                                 sizeof(f->signature)) != 0))
        rc = paglets_err_set(err, -EPROTO,
                             "%s %s: reply signature fields repeated or too "
                             "long",
                             method, url);
    if (rc == 0 && !*f->input && !*f->signature) {
        if (status >= 200 && status <= 299)
            rc = paglets_err_set(err, -EPROTO,
                                 "%s %s: reply is not signed: that host does "
                                 "not hold our API key",
                                 method, url);
        *note = " (unsigned reply)";
    } else if (rc == 0 &&
               paglets__sig_digest_check(f->digest, data, body->len) != 0) {
        rc = paglets_err_set(err, -EPROTO,
                             "%s %s: reply body does not match its "
                             "Content-Digest",
                             method, url);
    } else if (rc == 0 && paglets__sig_verify_response(
                              &http->key, (int)status, f->digest, s->mac,
                              f->input, f->signature, &why) != 0) {
        rc = paglets_err_set(err, -EPROTO, "%s %s: %s", method, url,
                             why.message);
    }
    if (rc == -ENOMEM)
        paglets_err_set(err, rc, "out of memory");
    free(f);
    return rc;
}

/*
 * The error a non-2xx reply stands for, with the peer's message escaped
 * and note (NULL for none) after the status.
 */
static int reply_error(const char *method, const char *url, long status,
                       const json_t *body, const char *note,
                       struct paglets_err *err)
{
    const char *msg = paglets__wire_error_message(body);
    char shown[PAGLETS_ERR_MESSAGE_MAX];
    if (msg != NULL)
        paglets_escape(shown, sizeof(shown), msg, strlen(msg));
    return paglets_err_set(err, paglets__wire_errno_of(status),
                           "%s %s: HTTP %ld%s%s%s", method, url, status,
                           note ? note : "", msg ? ": " : "", msg ? shown : "");
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
    struct signing signing = {0};
    const char *note = NULL;
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
    rc = sign(http, method, url, payload, headers, &signing, err);
    if (rc != 0)
        goto out;
    CURL *c = http->curl;
    setup(c, http, method, url, payload,
          signing.headers ? signing.headers : headers, ms);
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
    if (http->keyed) {
        rc = check_reply(http, &signing, method, url, code, &buf, &note, err);
        if (rc != 0)
            goto out;
    }
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
        rc = reply_error(method, url, code, parsed, note, err);
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
    curl_slist_free_all(signing.headers);
    free(payload);
    return rc;
}

void paglets__http_last_bytes(struct paglets__http *http, uint64_t *sent,
                              uint64_t *received)
{
    long request = 0, headers = 0;
    curl_off_t up = 0, down = 0;
    curl_easy_getinfo(http->curl, CURLINFO_REQUEST_SIZE, &request);
    curl_easy_getinfo(http->curl, CURLINFO_HEADER_SIZE, &headers);
    curl_easy_getinfo(http->curl, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(http->curl, CURLINFO_SIZE_DOWNLOAD_T, &down);
    *sent = (uint64_t)request + (uint64_t)up;
    *received = (uint64_t)headers + (uint64_t)down;
}
