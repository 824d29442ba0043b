// Small C helpers that belong to no C library of their own:
// SHA-256 through OpenSSL's libcrypto, and glibc allocator tuning.
#ifndef DRAGNET_SUPPORT_H
#define DRAGNET_SUPPORT_H
#include <stddef.h>

/// Writes the SHA-256 of `length` bytes at `data` into `digest` (32 bytes).
/// Returns 1 on success, 0 on failure. `data` may be NULL when `length` is 0.
int dragnet_sha256(const void *data, size_t length, unsigned char *digest);

/// Writes the digest of `length` bytes by the algorithm OpenSSL calls `name` (`md5`, `sha1`,
/// `sha256`, `sha512`) into `digest` (at least 64 bytes). Returns its length, 0 on failure.
int dragnet_digest(const char *name, const void *data, size_t length, unsigned char *digest);

/// An incremental SHA-256 (an OpenSSL EVP_MD_CTX). NULL when out of memory.
void *dragnet_sha256_begin(void);
/// Adds `length` bytes to the digest. Returns 1 on success.
int dragnet_sha256_update(void *context, const void *data, size_t length);
/// Writes the digest (32 bytes) and frees the context. Returns 1 on success.
int dragnet_sha256_end(void *context, unsigned char *digest);
/// Frees a context without finishing it.
void dragnet_sha256_free(void *context);

/// Keeps buffers up to `mmap_threshold` bytes on the heap (instead of fresh
/// mmap()s) and retains up to `trim_threshold` bytes of freed heap, so that
/// short-lived page bodies reuse memory instead of faulting in new zeroed pages.
/// See mallopt(3). Does nothing on a C library without mallopt.
void dragnet_tune_allocator(int mmap_threshold, int trim_threshold);

/// memmem(3): the first occurrence of `needle` in `haystack`, or NULL. Haystacks of up
/// to 512 bytes (URLs) are searched with memchr + memcmp, which needs no setup.
const void *dragnet_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

#endif
