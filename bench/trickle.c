/*
 * A slow-header attacker for bench/trickle.sh: holds CONNECTIONS
 * connections to one host, spread round-robin over ADDRESSES loopback
 * source addresses (127.0.0.2, 127.0.0.3, ...), each sending a request
 * line and then one more header line every INTERVAL_MS, never ending its
 * headers. A connection the host closes is opened again at once, as an
 * attacker would. Runs SECONDS, then prints what it saw; prints "ready"
 * on stdout once every connection has been opened the first time.
 *
 * Usage: trickle PORT CONNECTIONS ADDRESSES SECONDS [INTERVAL_MS]
 * Exit status 1 on a setup failure (cannot bind a source address), 2 on
 * usage errors.
 */
/* clock_gettime, poll and the socket calls are POSIX, not C17. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long parse_count(const char *text, long max)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    return errno != 0 || *end != '\0' || n < 1 || n > max ? -1 : n;
}

struct run {
    int port;
    long addresses;
    unsigned long long opened, closed_by_host, lines_sent;
};

/* A non-blocking connection from source 127.0.0.(2 + i % addresses). */
static int open_one(struct run *r, long i)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(i % r->addresses));
    struct sockaddr_in dst = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)r->port)};
    dst.sin_addr.s_addr = htonl(0x7f000001u);
    if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
        (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0 &&
         errno != EINPROGRESS)) {
        close(fd);
        return -1;
    }
    static const char head[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    /* Queued by the kernel once connected; a failure shows as POLLHUP. */
    (void)!send(fd, head, sizeof(head) - 1, MSG_NOSIGNAL);
    r->opened++;
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 6) {
        fprintf(stderr, "usage: trickle PORT CONNECTIONS ADDRESSES SECONDS "
                        "[INTERVAL_MS]\n");
        return 2;
    }
    struct run r = {0};
    long port = parse_count(argv[1], 65535);
    long n = parse_count(argv[2], 100000);
    r.addresses = parse_count(argv[3], 250);
    long seconds = parse_count(argv[4], 86400);
    long interval_ms = argc == 6 ? parse_count(argv[5], 600000) : 1000;
    if (port < 0 || n < 0 || r.addresses < 0 || seconds < 0 ||
        interval_ms < 0) {
        fprintf(stderr, "trickle: arguments must be positive integers\n");
        return 2;
    }
    r.port = (int)port;
    struct pollfd *fds = calloc((size_t)n, sizeof(*fds));
    if (fds == NULL)
        return 1;
    for (long i = 0; i < n; i++) {
        fds[i].fd = open_one(&r, i);
        if (fds[i].fd < 0) {
            fprintf(stderr, "trickle: cannot open connection %ld: %s\n", i,
                    strerror(errno));
            return 1;
        }
        fds[i].events = POLLIN;
    }
    printf("ready\n");
    fflush(stdout);
    double end = now_s() + (double)seconds, next_line = now_s();
    char buf[4096];
    while (now_s() < end) {
        if (now_s() >= next_line) {
            for (long i = 0; i < n; i++)
                if (send(fds[i].fd, "X-Trickle: 1\r\n", 14,
                         MSG_NOSIGNAL | MSG_DONTWAIT) == 14)
                    r.lines_sent++;
            next_line += (double)interval_ms / 1000;
        }
        double wait = next_line - now_s();
        int ready = poll(fds, (nfds_t)n, wait > 0 ? (int)(wait * 1000) : 0);
        for (long i = 0; ready > 0 && i < n; i++) {
            if (fds[i].revents == 0)
                continue;
            ssize_t got = recv(fds[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
            if (got > 0 || (got < 0 && errno == EAGAIN))
                continue;
            /* Closed by the host (timed out, evicted, refused): again. */
            close(fds[i].fd);
            r.closed_by_host++;
            fds[i].fd = open_one(&r, i);
            if (fds[i].fd < 0) {
                fprintf(stderr, "trickle: cannot reopen: %s\n",
                        strerror(errno));
                return 1;
            }
        }
    }
    printf("connections=%ld addresses=%ld seconds=%ld interval_ms=%ld "
           "opened=%llu closed_by_host=%llu header_lines=%llu\n",
           n, r.addresses, seconds, interval_ms, r.opened, r.closed_by_host,
           r.lines_sent);
    for (long i = 0; i < n; i++)
        close(fds[i].fd);
    free(fds);
    return 0;
}
