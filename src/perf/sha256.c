/*
 * SHA-256 through OpenSSL EVP: the library's tuned (SHA-NI / AVX2) code is
 * what `openssl speed` measures, so our figure is comparable to it.
 */
#include "perf_compat.h"

#include <errno.h>

#include "kernel_cpu.h"

int paglets__perf_sha256_init(struct paglets__perf_sha256 *h)
{
    h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    h->ctx = EVP_MD_CTX_new();
    if (h->md == NULL || h->ctx == NULL) {
        int rc = h->md == NULL ? -ENOSYS : -ENOMEM;
        paglets__perf_sha256_release(h);
        return rc;
    }
    return 0;
}

void paglets__perf_sha256_release(struct paglets__perf_sha256 *h)
{
    EVP_MD_CTX_free(h->ctx);
    EVP_MD_free(h->md);
    h->ctx = NULL;
    h->md = NULL;
}

int paglets__perf_sha256_digest(struct paglets__perf_sha256 *h,
                                const void *head, size_t head_len,
                                const void *tail, size_t tail_len,
                                unsigned char out[32])
{
    unsigned int len = 0;
    if (!EVP_DigestInit_ex2(h->ctx, h->md, NULL) ||
        !EVP_DigestUpdate(h->ctx, head, head_len) ||
        (tail_len > 0 && !EVP_DigestUpdate(h->ctx, tail, tail_len)) ||
        !EVP_DigestFinal_ex(h->ctx, out, &len) || len != 32)
        return -EIO;
    return 0;
}
