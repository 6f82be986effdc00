#ifndef CLIBSSL_H
#define CLIBSSL_H
// Debian's libssl-dev (OpenSSL 3): TLS for the watcher's HTTP client, over memory BIOs.
//
// libssl.so.3 (and the libcrypto.so.3 it needs) is opened with dlopen the first time a TLS context
// is made, not linked: loading the two shared libraries costs about 1.7 MB of a process's memory
// (their relocations, symbol tables and start-up code), which a watcher that never speaks TLS (an
// http:// Prometheus and HAProxy) would pay for nothing; linked statically they would add 3.8 MB to
// the binary. The headers give the types and constants; every function is called through the
// clibssl_ wrappers below, which call what clibssl_load found. OpenSSL's own names are not
// defined here, so nothing the process links is interposed.
#include <stddef.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

// Opens libssl.so.3 once per process (later calls return the first outcome) and looks up every
// function below. 1 on success; 0 with the reason in `reason` (dlerror's message) otherwise. The
// wrappers may only be called after a successful load.
int clibssl_load(char *reason, size_t size);

const SSL_METHOD *clibssl_TLS_client_method(void);
SSL_CTX *clibssl_SSL_CTX_new(const SSL_METHOD *method);
void clibssl_SSL_CTX_free(SSL_CTX *context);
void clibssl_SSL_CTX_set_verify(SSL_CTX *context, int mode, SSL_verify_cb callback);
int clibssl_SSL_CTX_load_verify_locations(SSL_CTX *context, const char *file, const char *path);
int clibssl_SSL_CTX_set_default_verify_paths(SSL_CTX *context);
// SSL_CTX_set_min_proto_version, a macro over SSL_CTX_ctrl (Swift cannot import it).
int clibssl_SSL_CTX_set_min_proto_version(SSL_CTX *context, int version);
SSL *clibssl_SSL_new(SSL_CTX *context);
void clibssl_SSL_free(SSL *ssl);
void clibssl_SSL_set_bio(SSL *ssl, BIO *input, BIO *output);
void clibssl_SSL_set_connect_state(SSL *ssl);
X509_VERIFY_PARAM *clibssl_SSL_get0_param(SSL *ssl);
int clibssl_SSL_set1_host(SSL *ssl, const char *host);
// SSL_set_tlsext_host_name, a macro over SSL_ctrl.
int clibssl_SSL_set_tlsext_host_name(SSL *ssl, const char *name);
int clibssl_SSL_do_handshake(SSL *ssl);
int clibssl_SSL_read(SSL *ssl, void *buffer, int count);
int clibssl_SSL_write(SSL *ssl, const void *buffer, int count);
int clibssl_SSL_get_error(const SSL *ssl, int result);
long clibssl_SSL_get_verify_result(const SSL *ssl);
BIO *clibssl_BIO_new_mem(void);
int clibssl_BIO_read(BIO *bio, void *buffer, int count);
int clibssl_BIO_write(BIO *bio, const void *buffer, int count);
// BIO_pending, a macro over BIO_ctrl.
long clibssl_BIO_pending(BIO *bio);
int clibssl_X509_VERIFY_PARAM_set1_ip_asc(X509_VERIFY_PARAM *parameters, const char *address);
const char *clibssl_X509_verify_cert_error_string(long code);
void clibssl_ERR_clear_error(void);
unsigned long clibssl_ERR_get_error(void);
void clibssl_ERR_error_string_n(unsigned long code, char *buffer, size_t size);
#endif
