#ifndef CLIBUV_SHIM_H
#define CLIBUV_SHIM_H
#include <uv.h>
#include <pthread.h>
#include <spawn.h>

// glibc declares this only under _GNU_SOURCE, which Swift's Glibc module is not built with; libuv
// 1.44 (Debian 12) has no uv_thread_setname yet.
extern int pthread_setname_np(pthread_t thread, const char *name);

// Likewise (glibc 2.34+): closes every descriptor from `from` up in a posix_spawn child, so a child
// never holds a socket its parent closes later (hiredis's sockets are not close-on-exec).
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/// Names the calling thread (at most 15 bytes), as `top -H` and `perf` show it.
static inline int hashr_name_this_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
#endif
