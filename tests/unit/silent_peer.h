/*
 * A peer on 127.0.0.1 that accepts connections and never answers, for
 * tests of timeouts and cancellation: a call to it waits until its limit,
 * and the test learns from the connection that the call is in flight.
 * Include after <cmocka.h>.
 */
#ifndef PAGLETS_TESTS_UNIT_SILENT_PEER_H
#define PAGLETS_TESTS_UNIT_SILENT_PEER_H

#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct silent {
    int fd;
    char url[64];
};

/* Listen on 127.0.0.1, any port; the kernel accepts, nobody answers. */
static inline void silent_open(struct silent *s)
{
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(s->fd >= 0);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(s->fd, 16), 0);
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&addr, &len), 0);
    snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d",
             ntohs(addr.sin_port));
}

/* True when a connection is waiting: some call reached the peer. */
static inline bool silent_was_reached(struct silent *s)
{
    int flags = fcntl(s->fd, F_GETFL);
    fcntl(s->fd, F_SETFL, flags | O_NONBLOCK);
    int conn = accept(s->fd, NULL, NULL);
    fcntl(s->fd, F_SETFL, flags);
    if (conn >= 0)
        close(conn);
    return conn >= 0;
}

/*
 * Block until a call has sent its whole request, so it now waits for the
 * reply; returns the connection (kept open, never answered).
 */
static inline int silent_wait_for_call(struct silent *s)
{
    int conn = accept(s->fd, NULL, NULL);
    assert_true(conn >= 0);
    char head[4096];
    size_t got = 0;
    while (got < sizeof(head) - 1) {
        ssize_t n = recv(conn, head + got, sizeof(head) - 1 - got, 0);
        assert_true(n > 0);
        got += (size_t)n;
        head[got] = '\0';
        if (strstr(head, "\r\n\r\n") != NULL)
            break;
    }
    return conn;
}

#endif
