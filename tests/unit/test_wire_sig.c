/*
 * HTTP Message Signatures: RFC 9421's own test vectors for the signature
 * base and hmac-sha256, RFC 9530's for the Content-Digest, a fixed vector
 * for paglets' key derivation and request signature (the same one
 * tests/integration/pgsig.py computes), and what verification refuses.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wire/sig.h"

/* Component values of an example message, by serialised identifier. */
struct example {
    const char *const (*values)[2];
    size_t n;
};

static const char *example_value(void *arg,
                                 const struct paglets__sf_item *component)
{
    const struct example *e = arg;
    char id[256];
    if (paglets__sf_write_item(component, id, sizeof(id)) < 0)
        return NULL;
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->values[i][0], id) == 0)
            return e->values[i][1];
    return NULL;
}

/* The example messages of RFC 9421 appendix B.2 (test-request) and 2.4. */
static const char *const rfc_values[][2] = {
    {"\"date\"", "Tue, 20 Apr 2021 02:07:55 GMT"},
    {"\"@authority\"", "example.com"},
    {"\"content-type\"", "application/json"},
    {"\"@method\"", "POST"},
    {"\"@path\"", "/foo"},
    {"\"@query\"", "?param=Value&Pet=dog"},
    {"\"@status\"", "503"},
    {"\"content-length\"", "62"},
    {"\"content-digest\"",
     "sha-512=:0Y6iCBzGg5rZtoXS95Ijz03mslf6KAMCloESHObfwnHJDbkkWWQz6PhhU9kxs"
     "TbARtY2PTBOzq24uJFpHsMuAg==:"},
    {"\"@authority\";req", "example.com"},
    {"\"@method\";req", "POST"},
    {"\"@path\";req", "/foo"},
    {"\"content-digest\";req",
     "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7"
     "BNNyealdVLvRwEmTHWXvJwew==:"},
    {"\"signature\";req;key=\"sig1\"",
     ":LAH8BjcfcOcLojiuOBFWn0P5keD3xAOuJRGziCLuD8r5MW9S0RoXXLzLSRfGY/3SF8kV"
     "IkHjE13SEFdTo4Af/fJ/Pu9wheqoLVdwXyY/UkBIS1M8Brc8IODsn5DFIrG0IrburbLi0u"
     "Cc+E2ZIIb6HbUJ+o+jP58JelMTe0QE3IpWINTEzpxjqDf5/Df+InHCAkQCTuKsamjWXUp"
     "yOT1Wkxi7YPVNOjW4MfNuTZ9HdbD2Tr65+BXeTG9ZS/9SWuXAc+BZ8WyPz0QRz//ec3uWX"
     "d7bYYODSjRAxHqX+S1ag3LZElYyUKaAIjZ8MGOt4gXEwCSLDv/zqxZeWLj/PDkn6w==:"},
};

static void base_of(const char *field, const char *label, char *out,
                    size_t size)
{
    struct paglets__sf_member m;
    struct example e = {rfc_values, sizeof(rfc_values) / sizeof(rfc_values[0])};
    struct paglets__buf buf;
    assert_int_equal(paglets__sf_dict_find(field, label, &m), 0);
    paglets__buf_init(&buf, 1 << 16);
    assert_int_equal(paglets__sig_base(&m, example_value, &e, &buf), 0);
    assert_true(buf.len < size);
    memcpy(out, buf.data, buf.len + 1);
    paglets__buf_release(&buf);
}

static void test_sig_base_matches_rfc9421_examples(void **state)
{
    (void)state;
    static const struct {
        const char *input, *label, *base;
    } cases[] = {
        /* B.2.5, hmac-sha256 over the test request. */
        {"sig-b25=(\"date\" \"@authority\" \"content-type\")"
         ";created=1618884473;keyid=\"test-shared-secret\"",
         "sig-b25",
         "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
         "\"@authority\": example.com\n"
         "\"content-type\": application/json\n"
         "\"@signature-params\": (\"date\" \"@authority\" \"content-type\")"
         ";created=1618884473;keyid=\"test-shared-secret\""},
        /* 2.4: a response bound to its request with ;req. */
        {"reqres=(\"@status\" \"content-digest\" \"content-type\" "
         "\"@authority\";req \"@method\";req \"@path\";req "
         "\"content-digest\";req);created=1618884479;keyid=\"test-key-ecc-"
         "p256\"",
         "reqres",
         "\"@status\": 503\n"
         "\"content-digest\": sha-512=:0Y6iCBzGg5rZtoXS95Ijz03mslf6KAMCloESH"
         "ObfwnHJDbkkWWQz6PhhU9kxsTbARtY2PTBOzq24uJFpHsMuAg==:\n"
         "\"content-type\": application/json\n"
         "\"@authority\";req: example.com\n"
         "\"@method\";req: POST\n"
         "\"@path\";req: /foo\n"
         "\"content-digest\";req: sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF"
         "41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\n"
         "\"@signature-params\": (\"@status\" \"content-digest\" "
         "\"content-type\" \"@authority\";req \"@method\";req \"@path\";req "
         "\"content-digest\";req);created=1618884479;keyid=\"test-key-ecc-"
         "p256\""},
        /* 2.4 (second example): the request's signature itself, ;key=. */
        {"reqres=(\"@status\" \"content-length\" \"content-type\" "
         "\"signature\";req;key=\"sig1\" \"@authority\";req \"@method\";req)"
         ";created=1618884479;keyid=\"test-key-ecc-p256\"",
         "reqres",
         "\"@status\": 503\n"
         "\"content-length\": 62\n"
         "\"content-type\": application/json\n"
         "\"signature\";req;key=\"sig1\": :LAH8BjcfcOcLojiuOBFWn0P5keD3xAOuJ"
         "RGziCLuD8r5MW9S0RoXXLzLSRfGY/3SF8kVIkHjE13SEFdTo4Af/fJ/Pu9wheqoLVdw"
         "XyY/UkBIS1M8Brc8IODsn5DFIrG0IrburbLi0uCc+E2ZIIb6HbUJ+o+jP58JelMTe0"
         "QE3IpWINTEzpxjqDf5/Df+InHCAkQCTuKsamjWXUpyOT1Wkxi7YPVNOjW4MfNuTZ9Hd"
         "bD2Tr65+BXeTG9ZS/9SWuXAc+BZ8WyPz0QRz//ec3uWXd7bYYODSjRAxHqX+S1ag3LZ"
         "ElYyUKaAIjZ8MGOt4gXEwCSLDv/zqxZeWLj/PDkn6w==:\n"
         "\"@authority\";req: example.com\n"
         "\"@method\";req: POST\n"
         "\"@signature-params\": (\"@status\" \"content-length\" "
         "\"content-type\" \"signature\";req;key=\"sig1\" \"@authority\";req "
         "\"@method\";req);created=1618884479;keyid=\"test-key-ecc-p256\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char base[2048];
        base_of(cases[i].input, cases[i].label, base, sizeof(base));
        if (strcmp(base, cases[i].base) != 0)
            fail_msg("case %zu:\n%s\nwant:\n%s", i, base, cases[i].base);
    }
}

/* RFC 9421 B.1.4's test-shared-secret, decoded. */
static int shared_secret(unsigned char out[64])
{
    struct paglets__sf_member m;
    int rc = paglets__sf_dict_find(
        "k=:uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmH"
        "hIDi6pcl8jsasjlTMtDQ==:",
        "k", &m);
    if (rc == 0 && m.item.bare.len == 64)
        memcpy(out, m.item.bare.text, 64);
    return rc == 0 && m.item.bare.len == 64 ? 0 : -EINVAL;
}

static void test_sig_hmac_matches_rfc9421_b25(void **state)
{
    (void)state;
    unsigned char secret[64], mac[PAGLETS__SIG_MAC_BYTES];
    char base[1024];
    struct paglets__sf_member sig;
    assert_int_equal(shared_secret(secret), 0);
    base_of("sig-b25=(\"date\" \"@authority\" \"content-type\")"
            ";created=1618884473;keyid=\"test-shared-secret\"",
            "sig-b25", base, sizeof(base));
    assert_int_equal(
        paglets__sig_hmac(secret, sizeof(secret), base, strlen(base), mac), 0);
    assert_int_equal(
        paglets__sf_dict_find(
            "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:", "sig-b25",
            &sig),
        0);
    assert_int_equal(sig.item.bare.len, sizeof(mac));
    assert_memory_equal(sig.item.bare.text, mac, sizeof(mac));
}

static void test_sig_base_refuses_bad_components(void **state)
{
    (void)state;
    static const struct {
        const char *input;
        int rc;
    } cases[] = {
        {"s=(\"date\" \"date\")", -EINVAL},
        {"s=(\"@authority\";req \"@authority\";req)", -EINVAL},
        {"s=(date)", -EINVAL},
        {"s=(1)", -EINVAL},
        {"s=(\"x-missing\")", -ENOENT},
        {"s=(\"@method\";req;bs)", -ENOENT},
        {"s=\"date\"", -EINVAL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets__sf_member m;
        struct example e = {rfc_values,
                            sizeof(rfc_values) / sizeof(rfc_values[0])};
        struct paglets__buf buf;
        assert_int_equal(paglets__sf_dict_find(cases[i].input, "s", &m), 0);
        paglets__buf_init(&buf, 1 << 16);
        int rc = paglets__sig_base(&m, example_value, &e, &buf);
        paglets__buf_release(&buf);
        if (rc != cases[i].rc)
            fail_msg("case %zu '%s': %d, want %d", i, cases[i].input, rc,
                     cases[i].rc);
    }
}

static void test_sig_content_digest_matches_rfc9530(void **state)
{
    (void)state;
    static const char body[] = "{\"hello\": \"world\"}";
    char digest[PAGLETS__SIG_DIGEST_MAX];
    paglets__sig_content_digest(body, strlen(body), digest);
    assert_string_equal(
        digest, "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
    assert_int_equal(paglets__sig_digest_check(digest, body, strlen(body)), 0);
    /* Other members are ignored; the sha-256 one must match. */
    assert_int_equal(
        paglets__sig_digest_check(
            "sha-512=:AAAA:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9"
            "DBPE=:",
            body, strlen(body)),
        0);
    assert_int_equal(paglets__sig_digest_check(digest, body, 3), -EBADMSG);
    assert_int_equal(paglets__sig_digest_check("sha-512=:AAAA:", body, 3),
                     -ENOENT);
    assert_int_equal(paglets__sig_digest_check("sha-256=:AAAA:", body, 3),
                     -EINVAL);
    assert_int_equal(paglets__sig_digest_check("sha-256=1", body, 3), -EINVAL);
    assert_int_equal(paglets__sig_digest_check("sha-256=:", body, 3), -EINVAL);
    paglets__sig_content_digest("", 0, digest);
    assert_string_equal(
        digest, "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
}

/* The vector tests/integration/pgsig.py computes for the same inputs. */
#define KEY "s3cret-key"
#define BODY_DIGEST "sha-256=:2lWKnkuPUbEz05ZTraxpYbTmOa5Eh4RM+JFFdAj4p+0=:"
#define NONCE "0123456789abcdef0123456789abcdef"

static const struct paglets__sig_request vector_request = {
    .method = "POST",
    .authority = "127.0.0.1:8765",
    .path = "/agents",
    .query = "?",
    .content_digest = BODY_DIGEST,
};

static void test_sig_key_derivation_is_fixed(void **state)
{
    (void)state;
    struct paglets__sig_key a, b;
    assert_int_equal(paglets__sig_key_init(&a, KEY), 0);
    assert_string_equal(a.keyid, "pk-1932d2ad733dc7c7");
    assert_int_equal(paglets__sig_key_init(&b, KEY "x"), 0);
    assert_string_not_equal(a.keyid, b.keyid);
    assert_memory_not_equal(a.mac_key, b.mac_key, sizeof(a.mac_key));
    /* Neither derived value is the key itself. */
    assert_memory_not_equal(a.mac_key, KEY, strlen(KEY));
    paglets__sig_key_wipe(&b);
    for (size_t i = 0; i < sizeof(b.mac_key); i++)
        assert_int_equal(b.mac_key[i], 0);
}

static void test_sig_sign_request_matches_vector(void **state)
{
    (void)state;
    struct paglets__sig_key key;
    struct paglets__sig_fields f;
    unsigned char mac[PAGLETS__SIG_MAC_BYTES];
    assert_int_equal(paglets__sig_key_init(&key, KEY), 0);
    assert_int_equal(paglets__sig_sign_request(&key, &vector_request,
                                               1700000000, NONCE, &f, mac),
                     0);
    assert_string_equal(
        f.input, "paglets=(\"@method\" \"@authority\" \"@path\" \"@query\" "
                 "\"content-digest\");created=1700000000;nonce=\"" NONCE
                 "\";keyid=\"pk-1932d2ad733dc7c7\";alg=\"hmac-sha256\"");
    assert_string_equal(
        f.signature, "paglets=:KW98zjIlkILEZNGHZmrMZ9/lWOgI4sGBBcEn7O6ZEjU=:");

    struct paglets__sig_fields r;
    assert_int_equal(
        paglets__sig_sign_response(
            &key, 201, "sha-256=:RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=:",
            mac, 1700000001, &r),
        0);
    assert_string_equal(
        r.signature, "paglets=:tCzycttKsbemvDtz9Bdi3KqMLfV3zJUL7BeUce+F9iQ=:");
}

static void test_sig_verify_request_accepts_its_own(void **state)
{
    (void)state;
    struct paglets__sig_key key;
    struct paglets__sig_fields f;
    struct paglets__sig_checked c;
    unsigned char mac[PAGLETS__SIG_MAC_BYTES];
    struct paglets_err err = {0};
    assert_int_equal(paglets__sig_key_init(&key, KEY), 0);
    assert_int_equal(
        paglets__sig_sign_request(&key, &vector_request, 42, NONCE, &f, mac),
        0);
    assert_int_equal(paglets__sig_verify_request(&key, &vector_request, f.input,
                                                 f.signature, &c, &err),
                     0);
    assert_int_equal(c.created, 42);
    assert_string_equal(c.nonce, NONCE);
    assert_memory_equal(c.mac, mac, sizeof(mac));
}

static void test_sig_verify_request_refuses(void **state)
{
    (void)state;
    struct paglets__sig_key key, other;
    struct paglets__sig_fields f;
    unsigned char mac[PAGLETS__SIG_MAC_BYTES];
    assert_int_equal(paglets__sig_key_init(&key, KEY), 0);
    assert_int_equal(paglets__sig_key_init(&other, "another key"), 0);
    assert_int_equal(
        paglets__sig_sign_request(&key, &vector_request, 42, NONCE, &f, mac),
        0);
    const char *in = f.input, *sig = f.signature;
    const struct {
        const char *what;
        struct paglets__sig_request req;
        const struct paglets__sig_key *key;
        const char *input, *signature, *reason;
    } cases[] = {
        {"method",
         {"GET", "127.0.0.1:8765", "/agents", "?", BODY_DIGEST},
         &key,
         in,
         sig,
         "does not match"},
        {"authority",
         {"POST", "127.0.0.1:8766", "/agents", "?", BODY_DIGEST},
         &key,
         in,
         sig,
         "does not match"},
        {"path",
         {"POST", "127.0.0.1:8765", "/agentz", "?", BODY_DIGEST},
         &key,
         in,
         sig,
         "does not match"},
        {"query",
         {"POST", "127.0.0.1:8765", "/agents", "?x", BODY_DIGEST},
         &key,
         in,
         sig,
         "does not match"},
        {"digest",
         {"POST", "127.0.0.1:8765", "/agents", "?",
          "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"},
         &key,
         in,
         sig,
         "does not match"},
        {"other key", vector_request, &other, in, sig, "another API key"},
        {"no signature input", vector_request, &key, "", sig, "no 'paglets'"},
        {"other label", vector_request, &key,
         "sig1=(\"@method\");created=1;keyid=\"k\"", sig, "no 'paglets'"},
        {"malformed input", vector_request, &key, "paglets=(\"@method\"", sig,
         "malformed"},
        {"item, not list", vector_request, &key, "paglets=\"@method\"", sig,
         "malformed"},
        {"fewer components", vector_request, &key,
         "paglets=(\"@method\" \"@authority\" \"@path\" \"@query\");created=42"
         ";nonce=\"" NONCE "\";keyid=\"pk-1932d2ad733dc7c7\"",
         sig, "must cover"},
        {"reordered", vector_request, &key,
         "paglets=(\"@authority\" \"@method\" \"@path\" \"@query\" "
         "\"content-digest\");created=42;nonce=\"" NONCE
         "\";keyid=\"pk-1932d2ad733dc7c7\"",
         sig, "must cover"},
        {"component parameter", vector_request, &key,
         "paglets=(\"@method\";req \"@authority\" \"@path\" \"@query\" "
         "\"content-digest\");created=42;nonce=\"" NONCE
         "\";keyid=\"pk-1932d2ad733dc7c7\"",
         sig, "must cover"},
        {"no created", vector_request, &key,
         "paglets=(\"@method\" \"@authority\" \"@path\" \"@query\" "
         "\"content-digest\");nonce=\"" NONCE
         "\";keyid=\"pk-1932d2ad733dc7c7\"",
         sig, "no 'created'"},
        {"no nonce", vector_request, &key,
         "paglets=(\"@method\" \"@authority\" \"@path\" \"@query\" "
         "\"content-digest\");created=42;keyid=\"pk-1932d2ad733dc7c7\"",
         sig, "no nonce"},
        {"empty nonce", vector_request, &key,
         "paglets=(\"@method\" \"@authority\" \"@path\" \"@query\" "
         "\"content-digest\");created=42;nonce=\"\";keyid=\"pk-"
         "1932d2ad733dc7c7\"",
         sig, "no nonce"},
        {"no keyid", vector_request, &key,
         "paglets=(\"@method\" \"@authority\" \"@path\" \"@query\" "
         "\"content-digest\");created=42;nonce=\"" NONCE "\"",
         sig, "no key id"},
        {"other alg", vector_request, &key,
         "paglets=(\"@method\" \"@authority\" \"@path\" \"@query\" "
         "\"content-digest\");created=42;nonce=\"" NONCE
         "\";keyid=\"pk-1932d2ad733dc7c7\";alg=\"rsa-pss-sha512\"",
         sig, "algorithm"},
        {"unknown parameter", vector_request, &key,
         "paglets=(\"@method\" \"@authority\" \"@path\" \"@query\" "
         "\"content-digest\");created=42;nonce=\"" NONCE
         "\";keyid=\"pk-1932d2ad733dc7c7\";expires=99",
         sig, "unexpected parameter 'expires'"},
        {"changed created", vector_request, &key,
         "paglets=(\"@method\" \"@authority\" \"@path\" \"@query\" "
         "\"content-digest\");created=43;nonce=\"" NONCE
         "\";keyid=\"pk-1932d2ad733dc7c7\";alg=\"hmac-sha256\"",
         sig, "does not match"},
        {"no signature", vector_request, &key, in, "", "MAC of 32 bytes"},
        {"short MAC", vector_request, &key, in,
         "paglets=:AAAA:", "MAC of 32 bytes"},
        {"MAC as string", vector_request, &key, in, "paglets=\"x\"",
         "MAC of 32 bytes"},
        {"MAC with parameter", vector_request, &key, in,
         "paglets=:KW98zjIlkILEZNGHZmrMZ9/lWOgI4sGBBcEn7O6ZEjU=:;x",
         "MAC of 32 bytes"},
        {"other MAC", vector_request, &key, in,
         "paglets=:KW98zjIlkILEZNGHZmrMZ9/lWOgI4sGBBcEn7O6ZEjV=:",
         "does not match"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets__sig_checked c;
        struct paglets_err err = {0};
        int rc = paglets__sig_verify_request(cases[i].key, &cases[i].req,
                                             cases[i].input, cases[i].signature,
                                             &c, &err);
        if (rc != -EACCES || strstr(err.message, cases[i].reason) == NULL)
            fail_msg("%s: %d '%s', want -EACCES '%s'", cases[i].what, rc,
                     err.message, cases[i].reason);
    }
}

static void test_sig_verify_response(void **state)
{
    (void)state;
    struct paglets__sig_key key, other;
    struct paglets__sig_fields f;
    unsigned char mac[PAGLETS__SIG_MAC_BYTES], mac2[PAGLETS__SIG_MAC_BYTES];
    const char *digest = BODY_DIGEST;
    assert_int_equal(paglets__sig_key_init(&key, KEY), 0);
    assert_int_equal(paglets__sig_key_init(&other, "another key"), 0);
    memset(mac, 7, sizeof(mac));
    memset(mac2, 8, sizeof(mac2));
    assert_int_equal(paglets__sig_sign_response(&key, 200, digest, mac, 5, &f),
                     0);
    struct paglets_err err = {0};
    assert_int_equal(paglets__sig_verify_response(&key, 200, digest, mac,
                                                  f.input, f.signature, &err),
                     0);
    const struct {
        const char *what;
        const struct paglets__sig_key *key;
        int status;
        const char *digest;
        const unsigned char *mac;
        const char *input, *signature;
    } cases[] = {
        {"status", &key, 201, digest, mac, f.input, f.signature},
        {"body", &key, 200,
         "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:", mac, f.input,
         f.signature},
        {"other request", &key, 200, digest, mac2, f.input, f.signature},
        {"other key", &other, 200, digest, mac, f.input, f.signature},
        {"unsigned", &key, 200, digest, mac, "", ""},
        {"request-shaped", &key, 200, digest, mac,
         "paglets=(\"@status\" \"content-digest\");created=5;keyid=\"pk-"
         "1932d2ad733dc7c7\"",
         f.signature},
        {"other binding", &key, 200, digest, mac,
         "paglets=(\"@status\" \"content-digest\" "
         "\"signature\";req;key=\"sig1\");created=5;keyid=\"pk-"
         "1932d2ad733dc7c7\"",
         f.signature},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct paglets_err e = {0};
        int rc = paglets__sig_verify_response(
            cases[i].key, cases[i].status, cases[i].digest, cases[i].mac,
            cases[i].input, cases[i].signature, &e);
        if (rc != -EPROTO || e.message[0] == '\0')
            fail_msg("%s: %d '%s', want -EPROTO", cases[i].what, rc, e.message);
    }
}

static void test_sig_nonce_is_fresh_hex(void **state)
{
    (void)state;
    char a[33], b[33];
    assert_int_equal(paglets__sig_nonce(a), 0);
    assert_int_equal(paglets__sig_nonce(b), 0);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sig_base_matches_rfc9421_examples),
        cmocka_unit_test(test_sig_hmac_matches_rfc9421_b25),
        cmocka_unit_test(test_sig_base_refuses_bad_components),
        cmocka_unit_test(test_sig_content_digest_matches_rfc9530),
        cmocka_unit_test(test_sig_key_derivation_is_fixed),
        cmocka_unit_test(test_sig_sign_request_matches_vector),
        cmocka_unit_test(test_sig_verify_request_accepts_its_own),
        cmocka_unit_test(test_sig_verify_request_refuses),
        cmocka_unit_test(test_sig_verify_response),
        cmocka_unit_test(test_sig_nonce_is_fresh_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
