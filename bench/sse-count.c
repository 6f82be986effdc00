/* bench/sse-count.c: many EventSource streams on one epoll loop, counting events.
 *   sse-count PORT PATH STREAMS NEEDLE STATEFILE
 * Opens STREAMS connections to 127.0.0.1:PORT, sends `GET PATH` (Accept: text/event-stream), and
 * counts occurrences of NEEDLE (e.g. "data: hashr-") in each stream, a needle split across reads
 * counted once. Every 200 ms it rewrites STATEFILE with one line:
 *   opened OK_HEADS closed CLOSED min MIN max MAX total TOTAL
 * (OK_HEADS: streams that got an "HTTP/1.1 200" head). Ends on SIGTERM/SIGINT after a final write.
 * Built by bench/fanout with `cc -O2`. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct { int fd; long count; int ok, closed, headbytes; char tail[64]; int tail_len; char head[16]; } stream_t;
static volatile sig_atomic_t stop;
static void on_signal(int s) { (void)s; stop = 1; }

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static void write_state(const char *path, stream_t *s, int n) {
    long min = -1, max = 0, total = 0; int ok = 0, closed = 0;
    for (int i = 0; i < n; i++) {
        if (min < 0 || s[i].count < min) min = s[i].count;
        if (s[i].count > max) max = s[i].count;
        total += s[i].count; ok += s[i].ok; closed += s[i].closed;
    }
    char tmp[4096]; snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w"); if (!f) return;
    fprintf(f, "opened %d closed %d min %ld max %ld total %ld\n", ok, closed, min < 0 ? 0 : min, max, total);
    fclose(f); rename(tmp, path);
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: sse-count PORT PATH STREAMS NEEDLE STATEFILE\n"); return 2; }
    int port = atoi(argv[1]), n = atoi(argv[3]);
    const char *path = argv[2], *needle = argv[4], *state = argv[5];
    size_t nl = strlen(needle);
    if (nl < 2 || nl > 60) { fprintf(stderr, "needle length 2..60\n"); return 2; }
    signal(SIGTERM, on_signal); signal(SIGINT, on_signal);
    stream_t *s = calloc(n, sizeof *s);
    int ep = epoll_create1(0);
    char request[1024];
    int rl = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n", path);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    for (int i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("connect"); return 1; }
        if (write(fd, request, rl) != rl) { perror("write"); return 1; }
        fcntl(fd, F_SETFL, O_NONBLOCK);
        s[i].fd = fd;
        struct epoll_event e = { .events = EPOLLIN, .data.u32 = i };
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
    }
    static char buf[1 << 18];
    char joined[(1 << 18) + 64];
    struct epoll_event events[256];
    double last = 0;
    while (!stop) {
        int k = epoll_wait(ep, events, 256, 200);
        for (int j = 0; j < k; j++) {
            stream_t *c = &s[events[j].data.u32];
            for (;;) {
                ssize_t r = read(c->fd, buf, sizeof buf);
                if (r < 0) { if (errno == EAGAIN || errno == EINTR) break; r = 0; }
                if (r == 0) { c->closed = 1; epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd); break; }
                if (c->headbytes < 12) {
                    int take = r < 12 - c->headbytes ? (int)r : 12 - c->headbytes;
                    memcpy(c->head + c->headbytes, buf, take); c->headbytes += take;
                    if (c->headbytes == 12) c->ok = memcmp(c->head, "HTTP/1.1 200", 12) == 0;
                }
                /* tail (at most nl-1 bytes of the previous read) + this read */
                memcpy(joined, c->tail, c->tail_len);
                memcpy(joined + c->tail_len, buf, r);
                size_t len = c->tail_len + r;
                const char *p = joined, *end = joined + len;
                while ((p = memmem(p, end - p, needle, nl)) != NULL) { c->count++; p += nl; }
                size_t keep = len < nl - 1 ? len : nl - 1;
                memcpy(c->tail, end - keep, keep); c->tail_len = keep;
                if ((size_t)r < sizeof buf) break;
            }
        }
        double t = now();
        if (t - last >= 0.2) { last = t; write_state(state, s, n); }
    }
    write_state(state, s, n);
    return 0;
}
