/* healthcheck: exits 0 when GET /_healthz on 127.0.0.1:$PORT answers 200 within 2 s, else 1.
 * The images have no shell and no curl; this is what a compose or Docker HEALTHCHECK runs
 * (Kubernetes probes /_healthz over HTTP itself). It needs only libc, which the images carry. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *port = argc > 1 ? argv[1] : getenv("PORT");
    long number = port ? strtol(port, NULL, 10) : 0;
    if (number < 1 || number > 65535) {
        fprintf(stderr, "healthcheck: no usable port (argument or PORT): %s\n", port ? port : "unset");
        return 1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("healthcheck: socket");
        return 1;
    }
    struct timeval timeout = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)number)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        perror("healthcheck: connect");
        return 1;
    }
    const char request[] = "GET /_healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    if (write(fd, request, sizeof request - 1) != (ssize_t)(sizeof request - 1)) {
        perror("healthcheck: write");
        return 1;
    }
    char status[16] = {0};
    ssize_t got = 0, n;
    while (got < (ssize_t)sizeof status - 1 && (n = read(fd, status + got, sizeof status - 1 - got)) > 0) {
        got += n;
    }
    close(fd);
    if (strncmp(status, "HTTP/1.1 200 ", 13) != 0 && strncmp(status, "HTTP/1.0 200 ", 13) != 0) {
        fprintf(stderr, "healthcheck: /_healthz answered \"%.12s\"\n", status);
        return 1;
    }
    return 0;
}
