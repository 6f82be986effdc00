#ifndef CLIBUV_SHIM_H
#define CLIBUV_SHIM_H
#include <uv.h>
#include <pthread.h>

// glibc declares this only under _GNU_SOURCE, which Swift's Glibc module is not built with; libuv
// 1.44 (Debian 12) has no uv_thread_setname yet.
extern int pthread_setname_np(pthread_t thread, const char *name);

/// Names the calling thread (at most 15 bytes), as `top -H` and `perf` show it.
static inline int hashr_name_this_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
#endif
