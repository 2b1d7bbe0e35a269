/*
 * HTTP Message Signatures (RFC 9421, hmac-sha256) and the sha-256
 * Content-Digest (RFC 9530): key derivation, signature bases, signing and
 * strict checking of the two shapes paglets uses (see sig.h).
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "wire/sig.h"

/* Labels of the two keys derived from the API key; change = new scheme. */
static const char mac_label[] = "paglets http message signatures v1";
static const char keyid_label[] = "paglets key id v1";

/* The components each shape covers, in the order we write them. */
static const char *const request_components[] = {
    "@method", "@authority", "@path", "@query", "content-digest",
};
#define N_REQUEST (sizeof(request_components) / sizeof(request_components[0]))
/* The same, serialised as component identifiers. */
static const char *const request_ids[N_REQUEST] = {
    "\"@method\"", "\"@authority\"",     "\"@path\"",
    "\"@query\"",  "\"content-digest\"",
};
static const char *const response_ids[] = {
    "\"@status\"",
    "\"content-digest\"",
    "\"signature\";req;key=\"" PAGLETS__SIG_LABEL "\"",
};
#define N_RESPONSE (sizeof(response_ids) / sizeof(response_ids[0]))

int paglets__sig_hmac(const void *key, size_t key_len, const void *data,
                      size_t len, unsigned char out[PAGLETS__SIG_MAC_BYTES])
{
    unsigned int n = PAGLETS__SIG_MAC_BYTES;
    if (key_len > (size_t)INT32_MAX)
        return -EINVAL;
    if (HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n) == NULL ||
        n != PAGLETS__SIG_MAC_BYTES)
        return -EIO;
    return 0;
}

int paglets__sig_key_init(struct paglets__sig_key *key, const char *api_key)
{
    unsigned char id[PAGLETS__SIG_MAC_BYTES];
    size_t n = strlen(api_key);
    if (paglets__sig_hmac(api_key, n, mac_label, sizeof(mac_label) - 1,
                          key->mac_key) != 0 ||
        paglets__sig_hmac(api_key, n, keyid_label, sizeof(keyid_label) - 1,
                          id) != 0)
        return -EIO;
    snprintf(key->keyid, sizeof(key->keyid), "pk-");
    for (size_t i = 0; i < 8; i++)
        snprintf(key->keyid + 3 + 2 * i, 3, "%02x", id[i]);
    return 0;
}

void paglets__sig_key_wipe(struct paglets__sig_key *key)
{
    OPENSSL_cleanse(key, sizeof(*key));
}

static void set_string(struct paglets__sf_bare *bare, const char *text)
{
    memset(bare, 0, sizeof(*bare));
    bare->type = PAGLETS__SF_STRING;
    bare->len = strlen(text);
    if (bare->len >= sizeof(bare->text))
        bare->len = sizeof(bare->text) - 1;
    memcpy(bare->text, text, bare->len);
    bare->text[bare->len] = '\0';
}

static void add_param(struct paglets__sf_params *p, const char *key,
                      const struct paglets__sf_bare *value)
{
    struct paglets__sf_param *param = &p->list[p->n++];
    snprintf(param->key, sizeof(param->key), "%s", key);
    param->value = *value;
}

static void add_string_param(struct paglets__sf_params *p, const char *key,
                             const char *text)
{
    struct paglets__sf_bare bare;
    set_string(&bare, text);
    add_param(p, key, &bare);
}

static void add_created(struct paglets__sf_params *p, int64_t created)
{
    struct paglets__sf_bare bare = {.type = PAGLETS__SF_INTEGER,
                                    .integer = created};
    add_param(p, "created", &bare);
}

static void add_component(struct paglets__sf_member *m, const char *name)
{
    struct paglets__sf_item *item = &m->items[m->n_items++];
    item->params.n = 0;
    set_string(&item->bare, name);
}

/* An empty inner list (memset of the whole member would be 20 KiB). */
static void inner_init(struct paglets__sf_member *m)
{
    m->inner = true;
    m->n_items = 0;
    m->params.n = 0;
}

static int append(struct paglets__buf *out, const char *text, size_t n)
{
    return paglets__buf_append(out, text, n);
}

int paglets__sig_base(const struct paglets__sf_member *params,
                      paglets__sig_value_fn value, void *arg,
                      struct paglets__buf *out)
{
    char id[PAGLETS__SF_MAX_ITEMS][PAGLETS__SIG_INPUT_MAX];
    int len[PAGLETS__SF_MAX_ITEMS];
    if (!params->inner)
        return -EINVAL;
    for (size_t i = 0; i < params->n_items; i++) {
        const struct paglets__sf_item *c = &params->items[i];
        if (c->bare.type != PAGLETS__SF_STRING)
            return -EINVAL;
        len[i] = paglets__sf_write_item(c, id[i], sizeof(id[i]));
        if (len[i] < 0)
            return -EINVAL;
        /* The same identifier twice is an error (RFC 9421 section 2.5). */
        for (size_t j = 0; j < i; j++)
            if (len[j] == len[i] && strcmp(id[i], id[j]) == 0)
                return -EINVAL;
        const char *v = value(arg, c);
        if (v == NULL)
            return -ENOENT;
        if (strpbrk(v, "\r\n") != NULL)
            return -EINVAL;
        int rc = append(out, id[i], (size_t)len[i]);
        if (rc == 0)
            rc = append(out, ": ", 2);
        if (rc == 0)
            rc = append(out, v, strlen(v));
        if (rc == 0)
            rc = append(out, "\n", 1);
        if (rc != 0)
            return rc;
    }
    char inner[PAGLETS__SIG_INPUT_MAX];
    int n = paglets__sf_write_inner(params, inner, sizeof(inner));
    if (n < 0)
        return n == -ENOSPC ? -EMSGSIZE : n;
    int rc = append(out, "\"@signature-params\": ", 21);
    return rc ? rc : append(out, inner, (size_t)n);
}

/* MAC of the base of params over value(); 0 or a negative errno. */
static int mac_of(const struct paglets__sig_key *key,
                  const struct paglets__sf_member *params,
                  paglets__sig_value_fn value, void *arg,
                  unsigned char mac[PAGLETS__SIG_MAC_BYTES])
{
    struct paglets__buf base;
    paglets__buf_init(&base, PAGLETS__SIG_BASE_MAX);
    int rc = paglets__sig_base(params, value, arg, &base);
    if (rc == 0)
        rc = paglets__sig_hmac(key->mac_key, sizeof(key->mac_key), base.data,
                               base.len, mac);
    paglets__buf_release(&base);
    return rc;
}

/* The Signature-Input and Signature values of params and mac. */
static int write_fields(const struct paglets__sf_member *params,
                        const unsigned char mac[PAGLETS__SIG_MAC_BYTES],
                        struct paglets__sig_fields *out)
{
    char inner[PAGLETS__SIG_INPUT_MAX], b64[48];
    if (paglets__sf_write_inner(params, inner, sizeof(inner)) < 0)
        return -ENOSPC;
    int n = snprintf(out->input, sizeof(out->input), "%s=%s",
                     PAGLETS__SIG_LABEL, inner);
    if (n < 0 || (size_t)n >= sizeof(out->input))
        return -ENOSPC;
    paglets__base64_encode(mac, PAGLETS__SIG_MAC_BYTES, b64);
    snprintf(out->signature, sizeof(out->signature),
             "%s=:%.44s:", PAGLETS__SIG_LABEL, b64);
    return 0;
}

static const char *request_value(void *arg,
                                 const struct paglets__sf_item *component)
{
    const struct paglets__sig_request *req = arg;
    const char *values[N_REQUEST] = {req->method, req->authority, req->path,
                                     req->query, req->content_digest};
    if (component->params.n != 0)
        return NULL;
    for (size_t i = 0; i < N_REQUEST; i++)
        if (strcmp(component->bare.text, request_components[i]) == 0)
            return values[i];
    return NULL;
}

static bool nonce_is_valid(const char *nonce)
{
    size_t n = strlen(nonce);
    if (n == 0 || n >= PAGLETS__SIG_NONCE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (nonce[i] < 0x20 || nonce[i] > 0x7e)
            return false;
    return true;
}

int paglets__sig_sign_request(const struct paglets__sig_key *key,
                              const struct paglets__sig_request *req,
                              int64_t created, const char *nonce,
                              struct paglets__sig_fields *out,
                              unsigned char mac[PAGLETS__SIG_MAC_BYTES])
{
    if (!nonce_is_valid(nonce))
        return -EINVAL;
    struct paglets__sf_member params;
    inner_init(&params);
    for (size_t i = 0; i < N_REQUEST; i++)
        add_component(&params, request_components[i]);
    add_created(&params.params, created);
    add_string_param(&params.params, "nonce", nonce);
    add_string_param(&params.params, "keyid", key->keyid);
    add_string_param(&params.params, "alg", PAGLETS__SIG_ALG);
    int rc = mac_of(key, &params, request_value, (void *)req, mac);
    return rc ? rc : write_fields(&params, mac, out);
}

/*
 * The parameters a signature of ours may carry: created (required),
 * keyid (required, ours), alg (optional, ours), and nonce where
 * `nonce` is non-NULL (then required). Anything else is refused.
 */
static int check_params(const struct paglets__sig_key *key,
                        const struct paglets__sf_params *params,
                        int64_t *created, char *nonce, const char *what,
                        struct paglets_err *err)
{
    const struct paglets__sf_bare *c = NULL, *k = NULL, *a = NULL, *n = NULL;
    for (size_t i = 0; i < params->n; i++) {
        const struct paglets__sf_param *p = &params->list[i];
        const struct paglets__sf_bare **slot = NULL;
        if (strcmp(p->key, "created") == 0)
            slot = &c;
        else if (strcmp(p->key, "keyid") == 0)
            slot = &k;
        else if (strcmp(p->key, "alg") == 0)
            slot = &a;
        else if (strcmp(p->key, "nonce") == 0 && nonce != NULL)
            slot = &n;
        if (slot == NULL)
            return paglets_err_set(err, -EACCES,
                                   "%s signature: unexpected parameter '%s'",
                                   what, p->key);
        *slot = &p->value;
    }
    if (c == NULL || c->type != PAGLETS__SF_INTEGER)
        return paglets_err_set(err, -EACCES, "%s signature: no 'created' time",
                               what);
    if (k == NULL || k->type != PAGLETS__SF_STRING)
        return paglets_err_set(err, -EACCES, "%s signature: no key id", what);
    if (a != NULL &&
        (a->type != PAGLETS__SF_STRING || strcmp(a->text, PAGLETS__SIG_ALG)))
        return paglets_err_set(
            err, -EACCES, "%s signature: algorithm is not " PAGLETS__SIG_ALG,
            what);
    if (nonce != NULL) {
        if (n == NULL || n->type != PAGLETS__SF_STRING ||
            !nonce_is_valid(n->text))
            return paglets_err_set(err, -EACCES,
                                   "%s signature: no nonce of 1-64 characters",
                                   what);
        memcpy(nonce, n->text, n->len + 1);
    }
    if (strcmp(k->text, key->keyid) != 0)
        return paglets_err_set(err, -EACCES,
                               "%s signature: made with another API key (key "
                               "id '%s', ours is '%s')",
                               what, k->text, key->keyid);
    *created = c->integer;
    return 0;
}

/* The MAC in a Signature field value: a 32-byte sequence, no parameters. */
static int read_mac(const char *field,
                    unsigned char mac[PAGLETS__SIG_MAC_BYTES], const char *what,
                    struct paglets_err *err)
{
    struct paglets__sf_member m;
    int rc = paglets__sf_dict_find(field, PAGLETS__SIG_LABEL, &m);
    if (rc != 0 || m.inner || m.item.bare.type != PAGLETS__SF_BYTES ||
        m.item.bare.len != PAGLETS__SIG_MAC_BYTES || m.item.params.n != 0)
        return paglets_err_set(err, -EACCES,
                               "%s signature: no '" PAGLETS__SIG_LABEL
                               "' MAC of %d bytes in the Signature field",
                               what, PAGLETS__SIG_MAC_BYTES);
    memcpy(mac, m.item.bare.text, PAGLETS__SIG_MAC_BYTES);
    return 0;
}

/* Parse Signature-Input's "paglets" member into *m. */
static int read_input(const char *field, struct paglets__sf_member *m,
                      const char *what, struct paglets_err *err)
{
    int rc = paglets__sf_dict_find(field, PAGLETS__SIG_LABEL, m);
    if (rc == -ENOENT)
        return paglets_err_set(err, -EACCES,
                               "%s signature: no '" PAGLETS__SIG_LABEL
                               "' member in Signature-Input",
                               what);
    if (rc != 0 || !m->inner)
        return paglets_err_set(err, -EACCES,
                               "%s signature: malformed Signature-Input", what);
    return 0;
}

/* Compare in constant time; the MAC we expect never leaves this file. */
static int check_mac(const unsigned char got[PAGLETS__SIG_MAC_BYTES],
                     const unsigned char want[PAGLETS__SIG_MAC_BYTES],
                     const char *what, struct paglets_err *err)
{
    if (CRYPTO_memcmp(got, want, PAGLETS__SIG_MAC_BYTES) != 0)
        return paglets_err_set(err, -EACCES, "%s signature does not match",
                               what);
    return 0;
}

/* The components are names[n], serialised, in this order. */
static bool covers_exactly(const struct paglets__sf_member *m,
                           const char *const *names, size_t n)
{
    char id[PAGLETS__SIG_INPUT_MAX];
    if (m->n_items != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (m->items[i].bare.type != PAGLETS__SF_STRING ||
            paglets__sf_write_item(&m->items[i], id, sizeof(id)) < 0 ||
            strcmp(id, names[i]) != 0)
            return false;
    return true;
}

int paglets__sig_verify_request(const struct paglets__sig_key *key,
                                const struct paglets__sig_request *req,
                                const char *input, const char *signature,
                                struct paglets__sig_checked *out,
                                struct paglets_err *err)
{
    struct paglets__sf_member m;
    unsigned char got[PAGLETS__SIG_MAC_BYTES], want[PAGLETS__SIG_MAC_BYTES];
    int rc = read_input(input, &m, "request", err);
    if (rc == 0 && !covers_exactly(&m, request_ids, N_REQUEST))
        rc = paglets_err_set(err, -EACCES,
                             "request signature: must cover (\"@method\" "
                             "\"@authority\" \"@path\" \"@query\" "
                             "\"content-digest\")");
    if (rc == 0)
        rc = check_params(key, &m.params, &out->created, out->nonce, "request",
                          err);
    if (rc == 0)
        rc = read_mac(signature, got, "request", err);
    if (rc == 0 && mac_of(key, &m, request_value, (void *)req, want) != 0)
        rc = paglets_err_set(err, -EACCES,
                             "request signature: cannot build the signature "
                             "base");
    if (rc == 0)
        rc = check_mac(got, want, "request", err);
    if (rc == 0)
        memcpy(out->mac, got, sizeof(out->mac));
    OPENSSL_cleanse(want, sizeof(want));
    return rc;
}

/* A reply's components: @status, content-digest, the request's MAC. */
struct response {
    char status[8];
    const char *content_digest;
    char req_signature[52]; /* ":BASE64:" */
};

static const char *response_value(void *arg,
                                  const struct paglets__sf_item *component)
{
    const struct response *r = arg;
    const char *name = component->bare.text;
    const struct paglets__sf_params *p = &component->params;
    if (p->n == 0 && strcmp(name, "@status") == 0)
        return r->status;
    if (p->n == 0 && strcmp(name, "content-digest") == 0)
        return r->content_digest;
    const struct paglets__sf_bare *req = paglets__sf_param_get(p, "req");
    const struct paglets__sf_bare *key = paglets__sf_param_get(p, "key");
    if (strcmp(name, "signature") == 0 && p->n == 2 && req != NULL &&
        req->type == PAGLETS__SF_BOOLEAN && req->integer && key != NULL &&
        key->type == PAGLETS__SF_STRING &&
        strcmp(key->text, PAGLETS__SIG_LABEL) == 0)
        return r->req_signature;
    return NULL;
}

static void response_init(struct response *r, int status,
                          const char *content_digest,
                          const unsigned char req_mac[PAGLETS__SIG_MAC_BYTES])
{
    char b64[48];
    snprintf(r->status, sizeof(r->status), "%d", status);
    r->content_digest = content_digest;
    paglets__base64_encode(req_mac, PAGLETS__SIG_MAC_BYTES, b64);
    snprintf(r->req_signature, sizeof(r->req_signature), ":%.44s:", b64);
}

/* ("@status" "content-digest" "signature";req;key="paglets") */
static void response_components(struct paglets__sf_member *m)
{
    inner_init(m);
    add_component(m, "@status");
    add_component(m, "content-digest");
    add_component(m, "signature");
    struct paglets__sf_bare yes = {.type = PAGLETS__SF_BOOLEAN, .integer = 1};
    add_param(&m->items[2].params, "req", &yes);
    add_string_param(&m->items[2].params, "key", PAGLETS__SIG_LABEL);
}

int paglets__sig_sign_response(
    const struct paglets__sig_key *key, int status, const char *content_digest,
    const unsigned char req_mac[PAGLETS__SIG_MAC_BYTES], int64_t created,
    struct paglets__sig_fields *out)
{
    struct paglets__sf_member params;
    struct response r;
    unsigned char mac[PAGLETS__SIG_MAC_BYTES];
    response_init(&r, status, content_digest, req_mac);
    response_components(&params);
    add_created(&params.params, created);
    add_string_param(&params.params, "keyid", key->keyid);
    add_string_param(&params.params, "alg", PAGLETS__SIG_ALG);
    int rc = mac_of(key, &params, response_value, &r, mac);
    return rc ? rc : write_fields(&params, mac, out);
}

int paglets__sig_verify_response(
    const struct paglets__sig_key *key, int status, const char *content_digest,
    const unsigned char req_mac[PAGLETS__SIG_MAC_BYTES], const char *input,
    const char *signature, struct paglets_err *err)
{
    struct paglets__sf_member m;
    struct response r;
    unsigned char got[PAGLETS__SIG_MAC_BYTES], want[PAGLETS__SIG_MAC_BYTES];
    int64_t created;
    response_init(&r, status, content_digest, req_mac);
    int rc = read_input(input, &m, "reply", err);
    if (rc == 0 && !covers_exactly(&m, response_ids, N_RESPONSE))
        rc = paglets_err_set(err, -EACCES,
                             "reply signature: must cover (\"@status\" "
                             "\"content-digest\" "
                             "\"signature\";req;key=\"paglets\")");
    if (rc == 0)
        rc = check_params(key, &m.params, &created, NULL, "reply", err);
    if (rc == 0)
        rc = read_mac(signature, got, "reply", err);
    if (rc == 0 && mac_of(key, &m, response_value, &r, want) != 0)
        rc = paglets_err_set(err, -EACCES,
                             "reply signature: cannot build the signature "
                             "base");
    if (rc == 0)
        rc = check_mac(got, want, "reply", err);
    OPENSSL_cleanse(want, sizeof(want));
    return rc == 0 ? 0 : -EPROTO;
}

void paglets__sig_content_digest(const void *body, size_t len,
                                 char out[PAGLETS__SIG_DIGEST_MAX])
{
    unsigned char digest[32];
    unsigned int n = sizeof(digest);
    char b64[48];
    if (EVP_Digest(body, len, digest, &n, EVP_sha256(), NULL) != 1)
        memset(digest, 0, sizeof(digest)); /* never matches a real body */
    paglets__base64_encode(digest, sizeof(digest), b64);
    snprintf(out, PAGLETS__SIG_DIGEST_MAX, "sha-256=:%.44s:", b64);
}

int paglets__sig_digest_check(const char *field, const void *body, size_t len)
{
    struct paglets__sf_member m;
    int rc = paglets__sf_dict_find(field, "sha-256", &m);
    if (rc != 0)
        return rc;
    if (m.inner || m.item.bare.type != PAGLETS__SF_BYTES ||
        m.item.bare.len != 32)
        return -EINVAL;
    unsigned char digest[32];
    unsigned int n = sizeof(digest);
    if (EVP_Digest(body, len, digest, &n, EVP_sha256(), NULL) != 1)
        return -EIO;
    return memcmp(digest, m.item.bare.text, sizeof(digest)) ? -EBADMSG : 0;
}

int paglets__sig_nonce(char out[33])
{
    unsigned char bytes[16];
    if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
        return -EIO;
    for (size_t i = 0; i < sizeof(bytes); i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
    return 0;
}
