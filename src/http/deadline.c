/*
 * Deadlines for slow clients. libmicrohttpd times a connection out only when
 * it is idle, so a client that sends its headers (or its body) one byte at a
 * time keeps its connection, and a few such clients per address used to
 * hold every slot. Each connection is watched here from its start to its
 * close: its request's headers must be in within HTTP_HEADER_DEADLINE_US of
 * the connection's start or of the end of its previous request, and a body
 * must arrive at HTTP_BODY_PROGRESS_BYTES per HTTP_BODY_PROGRESS_US at least.
 * A sweeper thread checks every connection once a second and shuts down the
 * socket of one past its deadline; libmicrohttpd then sees the connection
 * end and closes it. The time the server itself takes to answer is not
 * limited here.
 *
 * The sweeper shuts down only sockets of connections still on the list, and
 * a connection leaves the list (under the same lock) in libmicrohttpd's
 * closed notification, which comes before the socket is closed: a socket
 * number can never be reused under the sweeper.
 *
 * Must not: close a socket (only shutdown), or touch a connection's request.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http_int.h"

struct http_watch {
    int fd;
    int phase;              /* enum http_phase, atomic */
    int64_t since_us;       /* atomic: when the phase began (or the last progress mark) */
    uint64_t bytes;         /* atomic: body bytes of the current request */
    uint64_t bytes_at_mark; /* the sweeper's: bytes at since_us */
    struct http_watch *prev, *next;
};

struct http_deadline {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool stopping;
    struct http_watch *head;
    uint64_t closed_total; /* connections shut down for a missed deadline */
};

static struct http_watch *http_watch_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info != NULL ? info->socket_context : NULL;
}

void http_deadline_phase(struct MHD_Connection *conn, enum http_phase phase)
{
    struct http_watch *w = http_watch_of(conn);
    if (w == NULL)
        return;
    __atomic_store_n(&w->since_us, time_now_us(), __ATOMIC_RELAXED);
    __atomic_store_n(&w->bytes, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&w->phase, (int)phase, __ATOMIC_RELEASE);
}

void http_deadline_bytes(struct MHD_Connection *conn, size_t n)
{
    struct http_watch *w = http_watch_of(conn);
    if (w != NULL)
        __atomic_add_fetch(&w->bytes, (uint64_t)n, __ATOMIC_RELAXED);
}

void http_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct http_deadline *dl = cls;
    ASSERT(dl != NULL);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct http_watch *w = calloc(1, sizeof(*w));
        if (w == NULL || info == NULL) {
            free(w); /* unwatched: only the idle timeout applies */
            *socket_context = NULL;
            return;
        }
        w->fd = info->connect_fd;
        w->phase = HTTP_PHASE_WAITING;
        w->since_us = time_now_us();
        pthread_mutex_lock(&dl->lock);
        w->next = dl->head;
        if (dl->head != NULL)
            dl->head->prev = w;
        dl->head = w;
        pthread_mutex_unlock(&dl->lock);
        *socket_context = w;
        return;
    }
    struct http_watch *w = *socket_context;
    if (w == NULL)
        return;
    pthread_mutex_lock(&dl->lock);
    if (w->prev != NULL)
        w->prev->next = w->next;
    else
        dl->head = w->next;
    if (w->next != NULL)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&dl->lock);
    free(w);
    *socket_context = NULL;
}

/* Whether w missed its deadline at now (and moves its progress mark). */
static bool http_deadline_missed(struct http_watch *w, int64_t now)
{
    int phase = __atomic_load_n(&w->phase, __ATOMIC_ACQUIRE);
    int64_t since = __atomic_load_n(&w->since_us, __ATOMIC_RELAXED);
    if (phase == HTTP_PHASE_WAITING)
        return now - since > HTTP_HEADER_DEADLINE_US;
    if (phase != HTTP_PHASE_BODY || now - since < HTTP_BODY_PROGRESS_US)
        return false;
    uint64_t bytes = __atomic_load_n(&w->bytes, __ATOMIC_RELAXED);
    if (bytes < w->bytes_at_mark) /* a new request began since the mark */
        w->bytes_at_mark = 0;
    if (bytes - w->bytes_at_mark < HTTP_BODY_PROGRESS_BYTES)
        return true;
    w->bytes_at_mark = bytes;
    __atomic_store_n(&w->since_us, now, __ATOMIC_RELAXED);
    return false;
}

static void *http_deadline_main(void *arg)
{
    struct http_deadline *dl = arg;
    pthread_mutex_lock(&dl->lock);
    while (!dl->stopping) {
        int64_t now = time_now_us();
        for (struct http_watch *w = dl->head; w != NULL; w = w->next) {
            if (w->fd >= 0 && http_deadline_missed(w, now)) {
                shutdown(w->fd, SHUT_RDWR);
                w->fd = -1; /* once */
                dl->closed_total++;
            }
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&dl->wake, &dl->lock, &until);
    }
    pthread_mutex_unlock(&dl->lock);
    return NULL;
}

enum err http_deadline_new(struct http_deadline **out)
{
    struct http_deadline *dl = calloc(1, sizeof(*dl));
    if (dl == NULL)
        return ERR_INTERNAL;
    pthread_mutex_init(&dl->lock, NULL);
    pthread_cond_init(&dl->wake, NULL);
    if (pthread_create(&dl->thread, NULL, http_deadline_main, dl) != 0) {
        pthread_cond_destroy(&dl->wake);
        pthread_mutex_destroy(&dl->lock);
        free(dl);
        return ERR_INTERNAL;
    }
    *out = dl;
    return ERR_OK;
}

uint64_t http_deadline_closed(struct http_deadline *dl)
{
    pthread_mutex_lock(&dl->lock);
    uint64_t n = dl->closed_total;
    pthread_mutex_unlock(&dl->lock);
    return n;
}

void http_deadline_free(struct http_deadline *dl)
{
    if (dl == NULL)
        return;
    pthread_mutex_lock(&dl->lock);
    dl->stopping = true;
    pthread_cond_signal(&dl->wake);
    pthread_mutex_unlock(&dl->lock);
    pthread_join(dl->thread, NULL);
    /* The daemon is stopped: every connection was notified closed. */
    ASSERT(dl->head == NULL);
    pthread_cond_destroy(&dl->wake);
    pthread_mutex_destroy(&dl->lock);
    free(dl);
}
