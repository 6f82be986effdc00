#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
// Debian's libssl-dev: only libcrypto's EVP digests are used (the worker's SHA-256).
#include <openssl/evp.h>
#endif
