/*
 * A one-connection TCP server on 127.0.0.1 for the tests of the notify
 * clients: it listens on a free port, accepts one connection in a thread
 * (waiting at most 5 s for it) and runs the test's conversation on it. The
 * conversations (an SMTP relay, an HTTP receiver) live in the test files;
 * this header only keeps the socket plumbing in one place.
 */
#ifndef CREDITD_TEST_FAKE_TCP_H
#define CREDITD_TEST_FAKE_TCP_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct fake_tcp {
    int listen_fd;
    int port;
    pthread_t thread;
    bool started;
    int accepted; /* connections taken */
    void (*serve)(struct fake_tcp *f, int fd);
    void *ctx;
};

static inline void fake_tcp_listen(struct fake_tcp *f)
{
    memset(f, 0, sizeof(*f));
    f->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(f->listen_fd >= 0);
    int one = 1;
    setsockopt(f->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(f->listen_fd, 4), 0);
    socklen_t len = sizeof(sa);
    assert_int_equal(getsockname(f->listen_fd, (struct sockaddr *)&sa, &len), 0);
    f->port = ntohs(sa.sin_port);
}

static inline void *fake_tcp_main(void *arg)
{
    struct fake_tcp *f = arg;
    struct pollfd p = {.fd = f->listen_fd, .events = POLLIN};
    if (poll(&p, 1, 5000) != 1)
        return NULL;
    int fd = accept(f->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    f->accepted++;
    f->serve(f, fd);
    close(fd);
    return NULL;
}

/* Listens, then serves one connection with serve in a thread. */
static inline void fake_tcp_start(struct fake_tcp *f, void (*serve)(struct fake_tcp *, int),
                                  void *ctx)
{
    fake_tcp_listen(f);
    f->serve = serve;
    f->ctx = ctx;
    assert_int_equal(pthread_create(&f->thread, NULL, fake_tcp_main, f), 0);
    f->started = true;
}

/* Waits for the conversation to end and closes the port. */
static inline void fake_tcp_stop(struct fake_tcp *f)
{
    if (f->started)
        pthread_join(f->thread, NULL);
    f->started = false;
    close(f->listen_fd);
}

/* True when a client connected that nobody accepted (without a thread). */
static inline bool fake_tcp_has_pending(struct fake_tcp *f)
{
    struct pollfd p = {.fd = f->listen_fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

/* Reads one line (with its CRLF) into line; false at the end or after 5 s. */
static inline bool fake_tcp_read_line(int fd, char *line, size_t n)
{
    size_t j = 0;
    while (j + 1 < n) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5000) != 1)
            return false;
        char c;
        if (read(fd, &c, 1) != 1)
            return false;
        line[j++] = c;
        if (c == '\n')
            break;
    }
    line[j] = '\0';
    return j > 0;
}

/* Writes s; a client that went away is not an error here. */
static inline void fake_tcp_write(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static inline void fake_tcp_puts(int fd, const char *s)
{
    fake_tcp_write(fd, s, strlen(s));
}

#endif
