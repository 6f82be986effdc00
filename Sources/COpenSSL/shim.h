#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
// Debian's libssl-dev: only libcrypto's SHA-256 is used (the worker's hash), through the low-level
// SHA256_Init/Update/Final. OpenSSL 3 deprecates them in favour of EVP, but EVP (and the one-shot
// SHA256(), built on it) loads the provider machinery on first use: about 3 MB more resident
// memory per process for one digest.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#endif
