#include "dragnet_digest.h"
#include <openssl/evp.h>

int dragnet_sha256(const void *data, size_t length, unsigned char *digest) {
    static const unsigned char empty = 0;
    unsigned int written = 0;
    if (data == NULL) {
        data = &empty;
        length = 0;
    }
    return EVP_Digest(data, length, digest, &written, EVP_sha256(), NULL) == 1 && written == 32;
}
