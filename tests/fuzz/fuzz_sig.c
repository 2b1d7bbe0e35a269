/*
 * Fuzz the signature codec (wire/sf.c, wire/sig.c) with what a peer may
 * put in Signature-Input, Signature and Content-Digest. The input is two
 * field values separated by a newline. Whatever the dictionary parser
 * accepts must serialise, and the serialisation must parse back to itself
 * (a fixed point); verification of either shape must refuse with a reason
 * (a random MAC never matches), and digest checks must give one of the
 * documented codes.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const char *field, const char *key)
{
    struct paglets__sf_member m, again;
    char text[PAGLETS__SF_FIELD_MAX], dict[PAGLETS__SF_FIELD_MAX + 80];
    char text2[PAGLETS__SF_FIELD_MAX];
    int rc = paglets__sf_dict_find(field, key, &m);
    if (rc == -ENOENT || rc == -EINVAL)
        return;
    if (rc != 0)
        abort();
    int n = m.inner ? paglets__sf_write_inner(&m, text, sizeof(text))
                    : paglets__sf_write_item(&m.item, text, sizeof(text));
    if (n < 0)
        abort(); /* everything parsed can be written back */
    snprintf(dict, sizeof(dict), "%s=%s", key, text);
    if (paglets__sf_dict_find(dict, key, &again) != 0)
        abort();
    int n2 = again.inner
                 ? paglets__sf_write_inner(&again, text2, sizeof(text2))
                 : paglets__sf_write_item(&again.item, text2, sizeof(text2));
    if (n2 != n || strcmp(text, text2) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2 * PAGLETS__SF_FIELD_MAX)
        return 0;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *second = strchr(text, '\n');
    if (second != NULL)
        *second++ = '\0';
    else
        second = text;

    static const char *const keys[] = {"paglets", "sha-256", "sig1", "a"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        check_round_trip(text, keys[i]);

    static struct paglets__sig_key key;
    if (key.keyid[0] == '\0' && paglets__sig_key_init(&key, "fuzz-key") != 0)
        abort();
    struct paglets__sig_request req = {"POST", "127.0.0.1:8765", "/agents", "?",
                                       second};
    struct paglets__sig_checked checked;
    struct paglets_err err = {0};
    int rc =
        paglets__sig_verify_request(&key, &req, text, second, &checked, &err);
    if (rc != -EACCES || err.message[0] == '\0')
        abort();
    unsigned char mac[PAGLETS__SIG_MAC_BYTES] = {0};
    paglets_err_clear(&err);
    rc = paglets__sig_verify_response(&key, 200, second, mac, text, second,
                                      &err);
    if (rc != -EPROTO || err.message[0] == '\0')
        abort();
    rc = paglets__sig_digest_check(text, second, strlen(second));
    if (rc != 0 && rc != -EBADMSG && rc != -ENOENT && rc != -EINVAL)
        abort();
    free(text);
    return 0;
}
