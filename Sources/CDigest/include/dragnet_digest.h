// SHA-256 through OpenSSL's libcrypto (uses the CPU's SHA extensions when present).
#ifndef DRAGNET_DIGEST_H
#define DRAGNET_DIGEST_H
#include <stddef.h>

/// Writes the SHA-256 of `length` bytes at `data` into `digest` (32 bytes).
/// Returns 1 on success, 0 on failure. `data` may be NULL when `length` is 0.
int dragnet_sha256(const void *data, size_t length, unsigned char *digest);

#endif
