#ifndef CLIBSSL_SHIM_H
#define CLIBSSL_SHIM_H
// Debian's libssl-dev (OpenSSL 3): TLS for the watcher's HTTP client, over memory BIOs. Only the
// HashrTLS target imports this, so only the watcher's binary loads libssl.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

// These are macros over SSL_CTX_ctrl/SSL_ctrl, which Swift cannot import; typed wrappers can be.
static inline int clibssl_ctx_set_min_proto_version(SSL_CTX *context, int version) {
    return (int)SSL_CTX_set_min_proto_version(context, version);
}
static inline int clibssl_set_server_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
static inline long clibssl_bio_pending(BIO *bio) {
    return (long)BIO_pending(bio);
}
#endif
