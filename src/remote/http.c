/*
 * libcurl transport for JSON requests, with a capped reply buffer and
 * errno mapping for both transport failures and HTTP statuses.
 */
#include "compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "remote/http.h"
#include "util/buf.h"
#include "wire/error.h"

struct paglets__http {
    CURL *curl;
    struct curl_slist *headers; /* JSON content type and Authorization */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init_once(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
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
    http->curl = curl_easy_init();
    if (http->curl == NULL)
        goto nomem;
    struct curl_slist *h =
        curl_slist_append(NULL, "Content-Type: application/json");
    if (h == NULL)
        goto nomem;
    http->headers = h;
    /* Refuse libcurl's "Expect: 100-continue" round trip on big bodies. */
    h = curl_slist_append(http->headers, "Expect:");
    if (h == NULL)
        goto nomem;
    if (api_key != NULL && *api_key != '\0') {
        size_t len = strlen(api_key) + sizeof("Authorization: Bearer ");
        char *line = malloc(len);
        if (line == NULL)
            goto nomem;
        snprintf(line, len, "Authorization: Bearer %s", api_key);
        h = curl_slist_append(http->headers, line);
        explicit_bzero(line, len);
        free(line);
        if (h == NULL)
            goto nomem;
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
    curl_slist_free_all(http->headers);
    free(http);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct paglets__buf *buf = arg;
    size_t n = size * nmemb;
    /* Returning less than n makes libcurl fail with CURLE_WRITE_ERROR. */
    return paglets__buf_append(buf, data, n) == 0 ? n : 0;
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
    default:
        return -EIO;
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

int paglets__http_request(struct paglets__http *http, const char *method,
                          const char *url, const json_t *body, double timeout_s,
                          json_t **reply, long *status, struct paglets_err *err)
{
    char *payload = NULL;
    struct paglets__buf buf;
    paglets__buf_init(&buf, PAGLETS_HTTP_MAX_REPLY);
    json_t *parsed = NULL;
    long code = 0;
    int rc;

    if (body != NULL) {
        payload = json_dumps(body, JSON_COMPACT);
        if (payload == NULL) {
            rc = paglets_err_set(err, -ENOMEM, "cannot encode request");
            goto out;
        }
    }
    CURL *c = http->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, http->headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &buf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    long ms = timeout_s > 0 ? (long)(timeout_s * 1000) : 10000;
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms < 1 ? 1L : ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms < 1 ? 1L : ms);
    if (payload != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    }

    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        rc = paglets_err_set(err, errno_for_curl(cc), "%s %s: %s", method, url,
                             curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (buf.len > 0) {
        json_error_t jerr;
        parsed = json_loadb(buf.data, buf.len, 0, &jerr);
    }
    if (code < 200 || code > 299) {
        rc = reply_error(method, url, code, parsed, err);
        goto out;
    }
    if (reply != NULL && parsed == NULL) {
        rc = paglets_err_set(err, -EPROTO, "%s %s: reply is not JSON", method,
                             url);
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
    free(payload);
    return rc;
}
