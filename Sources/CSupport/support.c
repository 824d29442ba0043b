#define _GNU_SOURCE
#include "dragnet_support.h"
#include <string.h>
#include <openssl/evp.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int dragnet_sha256(const void *data, size_t length, unsigned char *digest) {
    static const unsigned char empty = 0;
    unsigned int written = 0;
    if (data == NULL) {
        data = &empty;
        length = 0;
    }
    return EVP_Digest(data, length, digest, &written, EVP_sha256(), NULL) == 1 && written == 32;
}

int dragnet_digest(const char *name, const void *data, size_t length, unsigned char *digest) {
    static const unsigned char empty = 0;
    unsigned int written = 0;
    const EVP_MD *md = EVP_get_digestbyname(name);
    if (md == NULL) return 0;
    if (data == NULL) {
        data = &empty;
        length = 0;
    }
    return EVP_Digest(data, length, digest, &written, md, NULL) == 1 ? (int)written : 0;
}

void dragnet_tune_allocator(int mmap_threshold, int trim_threshold) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
#else
    (void)mmap_threshold;
    (void)trim_threshold;
#endif
}

const void *dragnet_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    /* glibc's memmem prepares a 256-entry shift table on every call: right for a page,
       most of the cost for a URL. Short haystacks take memchr on the needle's first
       byte, then its last byte and the rest compared in place (at most haystack_length * needle_length steps). */
    if (needle_length == 0) return haystack;
    if (needle_length > haystack_length) return NULL;
    if (haystack_length > 512) return memmem(haystack, haystack_length, needle, needle_length);
    const unsigned char *h = haystack;
    const unsigned char *n = needle;
    const unsigned char *last = h + (haystack_length - needle_length);
    const unsigned char *p = h;
    const unsigned char end = n[needle_length - 1];
    while (p <= last) {
        p = memchr(p, n[0], (size_t)(last - p) + 1);
        if (p == NULL) return NULL;
        if (p[needle_length - 1] == end) {
            size_t i = 1;
            while (i + 1 < needle_length && p[i] == n[i]) i++;
            if (i + 1 >= needle_length) return p;
        }
        p++;
    }
    return NULL;
}

void *dragnet_sha256_begin(void) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context != NULL && EVP_DigestInit_ex(context, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(context);
        return NULL;
    }
    return context;
}

int dragnet_sha256_update(void *context, const void *data, size_t length) {
    return length == 0 || EVP_DigestUpdate((EVP_MD_CTX *)context, data, length) == 1;
}

int dragnet_sha256_end(void *context, unsigned char *digest) {
    unsigned int written = 0;
    int ok = EVP_DigestFinal_ex((EVP_MD_CTX *)context, digest, &written) == 1 && written == 32;
    EVP_MD_CTX_free((EVP_MD_CTX *)context);
    return ok;
}

void dragnet_sha256_free(void *context) {
    EVP_MD_CTX_free((EVP_MD_CTX *)context);
}
