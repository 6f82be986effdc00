// See include/CLibSSL.h: libssl.so.3 opened on first use, its functions called through pointers.
#include "CLibSSL.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// Every OpenSSL function the wrappers call (libcrypto's too: dlsym on libssl's handle searches the
// libraries it loaded), each pointer typed from the function's declaration in the headers.
#define CLIBSSL_FUNCTIONS(F) \
    F(TLS_client_method) F(SSL_CTX_new) F(SSL_CTX_free) F(SSL_CTX_set_verify) \
    F(SSL_CTX_load_verify_locations) F(SSL_CTX_set_default_verify_paths) F(SSL_CTX_ctrl) \
    F(SSL_new) F(SSL_free) F(SSL_set_bio) F(SSL_set_connect_state) F(SSL_get0_param) F(SSL_set1_host) \
    F(SSL_ctrl) F(SSL_do_handshake) F(SSL_read) F(SSL_write) F(SSL_get_error) F(SSL_get_verify_result) \
    F(BIO_new) F(BIO_s_mem) F(BIO_read) F(BIO_write) F(BIO_ctrl) \
    F(X509_VERIFY_PARAM_set1_ip_asc) F(X509_verify_cert_error_string) \
    F(ERR_clear_error) F(ERR_get_error) F(ERR_error_string_n)

#define CLIBSSL_FIELD(name) __typeof__(name) *name;
static struct { CLIBSSL_FUNCTIONS(CLIBSSL_FIELD) } loaded;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded_all;        // written once, inside `once`
static char failure[512];     // why not, when loaded_all is 0

static void load_once(void) {
    // The soname the headers (OpenSSL 3) match; RTLD_LOCAL: nothing else resolves against it.
    void *library = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(failure, sizeof failure, "cannot load OpenSSL: %s", dlerror());
        return;
    }
#define CLIBSSL_LOOKUP(name) \
    if ((loaded.name = (__typeof__(loaded.name))dlsym(library, #name)) == NULL) { \
        snprintf(failure, sizeof failure, "cannot load OpenSSL: libssl.so.3 has no %s", #name); \
        return; \
    }
    CLIBSSL_FUNCTIONS(CLIBSSL_LOOKUP)
    loaded_all = 1;
}

int clibssl_load(char *reason, size_t size) {
    pthread_once(&once, load_once);
    if (!loaded_all && size > 0) snprintf(reason, size, "%s", failure);
    return loaded_all;
}

const SSL_METHOD *clibssl_TLS_client_method(void) { return loaded.TLS_client_method(); }
SSL_CTX *clibssl_SSL_CTX_new(const SSL_METHOD *method) { return loaded.SSL_CTX_new(method); }
void clibssl_SSL_CTX_free(SSL_CTX *context) { loaded.SSL_CTX_free(context); }
void clibssl_SSL_CTX_set_verify(SSL_CTX *context, int mode, SSL_verify_cb callback) {
    loaded.SSL_CTX_set_verify(context, mode, callback);
}
int clibssl_SSL_CTX_load_verify_locations(SSL_CTX *context, const char *file, const char *path) {
    return loaded.SSL_CTX_load_verify_locations(context, file, path);
}
int clibssl_SSL_CTX_set_default_verify_paths(SSL_CTX *context) { return loaded.SSL_CTX_set_default_verify_paths(context); }
int clibssl_SSL_CTX_set_min_proto_version(SSL_CTX *context, int version) {
    return (int)loaded.SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, version, NULL);
}
SSL *clibssl_SSL_new(SSL_CTX *context) { return loaded.SSL_new(context); }
void clibssl_SSL_free(SSL *ssl) { loaded.SSL_free(ssl); }
void clibssl_SSL_set_bio(SSL *ssl, BIO *input, BIO *output) { loaded.SSL_set_bio(ssl, input, output); }
void clibssl_SSL_set_connect_state(SSL *ssl) { loaded.SSL_set_connect_state(ssl); }
X509_VERIFY_PARAM *clibssl_SSL_get0_param(SSL *ssl) { return loaded.SSL_get0_param(ssl); }
int clibssl_SSL_set1_host(SSL *ssl, const char *host) { return loaded.SSL_set1_host(ssl, host); }
int clibssl_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)loaded.SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)name);
}
int clibssl_SSL_do_handshake(SSL *ssl) { return loaded.SSL_do_handshake(ssl); }
int clibssl_SSL_read(SSL *ssl, void *buffer, int count) { return loaded.SSL_read(ssl, buffer, count); }
int clibssl_SSL_write(SSL *ssl, const void *buffer, int count) { return loaded.SSL_write(ssl, buffer, count); }
int clibssl_SSL_get_error(const SSL *ssl, int result) { return loaded.SSL_get_error(ssl, result); }
long clibssl_SSL_get_verify_result(const SSL *ssl) { return loaded.SSL_get_verify_result(ssl); }
BIO *clibssl_BIO_new_mem(void) { return loaded.BIO_new(loaded.BIO_s_mem()); }
int clibssl_BIO_read(BIO *bio, void *buffer, int count) { return loaded.BIO_read(bio, buffer, count); }
int clibssl_BIO_write(BIO *bio, const void *buffer, int count) { return loaded.BIO_write(bio, buffer, count); }
long clibssl_BIO_pending(BIO *bio) { return loaded.BIO_ctrl(bio, BIO_CTRL_PENDING, 0, NULL); }
int clibssl_X509_VERIFY_PARAM_set1_ip_asc(X509_VERIFY_PARAM *parameters, const char *address) {
    return loaded.X509_VERIFY_PARAM_set1_ip_asc(parameters, address);
}
const char *clibssl_X509_verify_cert_error_string(long code) { return loaded.X509_verify_cert_error_string(code); }
void clibssl_ERR_clear_error(void) { loaded.ERR_clear_error(); }
unsigned long clibssl_ERR_get_error(void) { return loaded.ERR_get_error(); }
void clibssl_ERR_error_string_n(unsigned long code, char *buffer, size_t size) {
    loaded.ERR_error_string_n(code, buffer, size);
}
