/*
 * Fuzz target: multipart uploads (src/http/upload.c) through the real
 * server: libmicrohttpd reads the request from a socket and its multipart
 * parser feeds http_upload_part, with the limits, part counting and
 * answers of upload.c and server.c, on the route POST /api/v1/files.
 *
 * The server runs in this process on 127.0.0.1 (http_server_start, one
 * thread, uploads of at most 4096 bytes). The service calls around it are
 * replaced (-Wl,--wrap): the tenant and the API key always resolve, the
 * customer exists, and the upload is kept in memory instead of a file, so
 * that every byte stored can be checked and nothing touches a database or
 * the disk.
 *
 * Input: line 1 the Content-Type header, line 2 flags ('c' chunked
 * transfer encoding, 'e' Expect: 100-continue), then the body.
 *
 * Properties: the answer is 201 or a 4xx of the upload's (400, 413, 415,
 * 422), never a 5xx, a hang or a crash; a 201 stored exactly one file part,
 * sealed, of 1 to 4096 bytes that occur in the body as they are, under a
 * sanitized name; when the body is a canonical multipart/form-data body
 * (one part "file" with a filename, an optional Content-Type, contents not
 * holding the delimiter), the answer is 201 with exactly its contents and
 * file name, 422 when they are empty, 413 past the limit; anything else is
 * stored never; every upload begun is discarded or stored by the end of its
 * request (no temporary file is left behind).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http/http_int.h"

#include "fuzz.h"

enum { FUZZ_UPLOAD_MAX = 4096 };

enum err __wrap_svc_tenant_by_host(struct svc *s, const char *host, int64_t *tenant_id);
enum err __wrap_svc_apikey_resolve(struct svc *s, struct arena *a, int64_t tenant_id,
                                   const char *key, struct svc_principal *out);
bool __wrap_svc_customer_exists(struct svc *s, int64_t tenant_id, int64_t customer_id);
enum err __wrap_svc_upload_begin(struct svc *s, struct svc_upload *up, const char *client_name);
enum err __wrap_svc_upload_write(struct svc_upload *up, const void *data, size_t n);
enum err __wrap_svc_upload_seal(struct svc_upload *up);
void __wrap_svc_upload_discard(struct svc_upload *up);
enum err __wrap_svc_file_upload(struct svc *s, struct arena *a, int64_t tenant_id,
                                const struct svc_actor *actor, const struct svc_file_input *in,
                                struct svc_upload *up, struct svc_file_result *out,
                                struct err_detail *d);

/* What the server did with the upload, written on its thread. */
static pthread_mutex_t fuzz_up_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int begun, open, sealed, stored, released;
    char client_name[1024];
    bool client_name_null;
    size_t len;
    char data[FUZZ_UPLOAD_MAX + 1];
} fuzz_up;

static struct http_server *fuzz_srv;
static int fuzz_port;

/* ---- the service stand-ins --------------------------------------------- */

enum err __wrap_svc_tenant_by_host(struct svc *s, const char *host, int64_t *tenant_id)
{
    (void)s;
    (void)host;
    *tenant_id = 1;
    return ERR_OK;
}

enum err __wrap_svc_apikey_resolve(struct svc *s, struct arena *a, int64_t tenant_id,
                                   const char *key, struct svc_principal *out)
{
    (void)s;
    (void)key;
    memset(out, 0, sizeof(*out));
    out->tenant_id = tenant_id;
    out->api_key_id = 1;
    out->role = "admin";
    out->email = arena_strdup(a, "apikey:fuzz");
    return ERR_OK;
}

bool __wrap_svc_customer_exists(struct svc *s, int64_t tenant_id, int64_t customer_id)
{
    (void)s;
    return tenant_id == 1 && customer_id == 1;
}

enum err __wrap_svc_upload_begin(struct svc *s, struct svc_upload *up, const char *client_name)
{
    (void)s;
    memset(up, 0, sizeof(*up));
    filename_sanitize(client_name, up->name);
    up->open = true;
    pthread_mutex_lock(&fuzz_up_lock);
    FUZZ_CHECK(fuzz_up.open == 0, "a second upload begun while one is open");
    fuzz_up.begun++;
    fuzz_up.open = 1;
    fuzz_up.len = 0;
    fuzz_up.client_name_null = client_name == NULL;
    snprintf(fuzz_up.client_name, sizeof(fuzz_up.client_name), "%s",
             client_name ? client_name : "");
    pthread_mutex_unlock(&fuzz_up_lock);
    return ERR_OK;
}

enum err __wrap_svc_upload_write(struct svc_upload *up, const void *data, size_t n)
{
    FUZZ_CHECK(up->open && !up->sealed, "a write to an upload that is not open");
    pthread_mutex_lock(&fuzz_up_lock);
    FUZZ_CHECK(fuzz_up.len + n <= FUZZ_UPLOAD_MAX, "%zu bytes stored past the limit",
               fuzz_up.len + n);
    memcpy(fuzz_up.data + fuzz_up.len, data, n);
    fuzz_up.len += n;
    pthread_mutex_unlock(&fuzz_up_lock);
    up->size_bytes += (int64_t)n;
    return ERR_OK;
}

enum err __wrap_svc_upload_seal(struct svc_upload *up)
{
    FUZZ_CHECK(up->open && !up->sealed, "sealing an upload that is not open");
    up->sealed = true;
    memset(up->sha256, 'a', SHA256_HEX - 1);
    up->sha256[SHA256_HEX - 1] = '\0';
    pthread_mutex_lock(&fuzz_up_lock);
    fuzz_up.sealed++;
    pthread_mutex_unlock(&fuzz_up_lock);
    return ERR_OK;
}

void __wrap_svc_upload_discard(struct svc_upload *up)
{
    pthread_mutex_lock(&fuzz_up_lock);
    if (up->open)
        fuzz_up.open = 0;
    fuzz_up.released++;
    pthread_mutex_unlock(&fuzz_up_lock);
    up->open = false;
}

enum err __wrap_svc_file_upload(struct svc *s, struct arena *a, int64_t tenant_id,
                                const struct svc_actor *actor, const struct svc_file_input *in,
                                struct svc_upload *up, struct svc_file_result *out,
                                struct err_detail *d)
{
    (void)s;
    (void)a;
    (void)actor;
    (void)d;
    FUZZ_CHECK(tenant_id == 1 && in->customer_id == 1, "stored for another customer");
    FUZZ_CHECK(up->open && up->sealed, "stored an upload that is not sealed");
    memset(out, 0, sizeof(*out));
    out->file = (struct file_row){.id = 1,
                                  .role = "original",
                                  .name = up->name,
                                  .size_bytes = up->size_bytes,
                                  .sha256 = up->sha256,
                                  .uploaded_by = "apikey:fuzz"};
    /* The service takes the file: nothing is left to discard. */
    up->open = false;
    pthread_mutex_lock(&fuzz_up_lock);
    fuzz_up.stored++;
    fuzz_up.open = 0;
    pthread_mutex_unlock(&fuzz_up_lock);
    return ERR_OK;
}

/* ---- the server and a client -------------------------------------------- */

/* A port nobody listens on now (the kernel's choice). */
static int fuzz_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    FUZZ_CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
                   getsockname(fd, (struct sockaddr *)&a, &len) == 0,
               "no port: %s", strerror(errno));
    close(fd);
    return ntohs(a.sin_port);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_ERROR);
    static struct svc svc;
    static int no_store;
    svc_init(&svc, (struct store *)(void *)&no_store, NULL);
    static char listen[32];
    fuzz_port = fuzz_free_port();
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", fuzz_port);
    struct http_config cfg;
    http_config_defaults(&cfg);
    cfg.listen = listen;
    cfg.threads = 1;
    cfg.timeout_s = 10;
    cfg.upload_bytes_max = FUZZ_UPLOAD_MAX;
    struct err_detail d = {0};
    FUZZ_CHECK(http_server_start(&cfg, &svc, &fuzz_srv, &d) == ERR_OK, "cannot serve: %s",
               d.message);
    return 0;
}

static void fuzz_send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue; /* libFuzzer's timer (SIGALRM) */
        if (w <= 0)
            return; /* the server may stop reading once it has answered */
        p += w;
        n -= (size_t)w;
    }
}

/* Why the last answer had no status: what recv said. */
static char fuzz_no_status[160];

/* Reads from fd until the answer's head is complete (until the server
 * closes with until_close); returns the status of the head, 0 when there
 * is none. */
static int fuzz_read_status(int fd, char *answer, size_t size, size_t *got, bool until_close)
{
    ssize_t r = 1;
    while (*got < size - 1) {
        answer[*got] = '\0';
        if (!until_close && strstr(answer, "\r\n\r\n") != NULL)
            break;
        r = recv(fd, answer + *got, size - 1 - *got, 0);
        if (r < 0 && errno == EINTR)
            continue; /* libFuzzer's timer (SIGALRM) */
        if (r <= 0)
            break;
        *got += (size_t)r;
    }
    answer[*got] = '\0';
    int status = 0;
    if (sscanf(answer, "HTTP/1.1 %d", &status) == 1)
        return status;
    snprintf(fuzz_no_status, sizeof(fuzz_no_status), "recv %zd (%s) after %zu bytes: '%.60s'", r,
             r < 0 ? strerror(errno) : "end", *got, answer);
    return 0;
}

static void fuzz_send_body(int fd, const char *body, size_t body_len, bool chunked)
{
    for (size_t off = 0, step = 61; chunked && off < body_len; off += step) {
        size_t n = body_len - off < step ? body_len - off : step;
        char size[16];
        int len = snprintf(size, sizeof(size), "%zx\r\n", n);
        fuzz_send_all(fd, size, (size_t)len);
        fuzz_send_all(fd, body + off, n);
        fuzz_send_all(fd, "\r\n", 2);
    }
    if (chunked)
        fuzz_send_all(fd, "0\r\n\r\n", 5);
    else
        fuzz_send_all(fd, body, body_len);
}

/* Sends the request and returns the final answer's status, 0 when there is
 * none. With expect, the body goes only after "100 Continue", as a client
 * that asks for it does. */
static int fuzz_request(const char *head, size_t head_len, const char *body, size_t body_len,
                        bool chunked, bool expect)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)fuzz_port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval timeout = {.tv_sec = 20};
    int rc;
    /* Interrupted by libFuzzer's timer (SIGALRM), the connection goes on. */
    while ((rc = connect(fd, (struct sockaddr *)&a, sizeof(a))) != 0 &&
           (errno == EINTR || errno == EALREADY))
        ;
    FUZZ_CHECK(fd >= 0 && (rc == 0 || errno == EISCONN), "connect: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fuzz_send_all(fd, head, head_len);
    static char answer[16384];
    size_t got = 0;
    answer[0] = '\0';
    int status = 100;
    if (expect)
        status = fuzz_read_status(fd, answer, sizeof(answer), &got, false);
    if (status == 100) {
        fuzz_send_body(fd, body, body_len, chunked);
        char *end = strstr(answer, "\r\n\r\n");
        got = end != NULL ? (size_t)(answer + got - end - 4) : 0;
        memmove(answer, end != NULL ? end + 4 : answer, got);
        status = fuzz_read_status(fd, answer, sizeof(answer), &got, true);
    }
    close(fd);
    return status;
}

/* ---- the canonical body ---------------------------------------------------- */

/* A body the server must take: what it holds. */
struct fuzz_canonical {
    const char *name; /* the filename parameter, into the body */
    size_t name_len;
    const char *data;
    size_t len;
};

static bool fuzz_is_bchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("'()+_,-./:=?", c) != NULL;
}

/* Whether the request is "multipart/form-data; boundary=B" with a body of
 * exactly one part named file with a plain filename (RFC 7578, written the
 * way browsers and curl write it). */
static bool fuzz_canonical(const char *type, const char *body, size_t len,
                           struct fuzz_canonical *out)
{
    static const char prefix[] = "multipart/form-data; boundary=";
    if (strncmp(type, prefix, sizeof(prefix) - 1) != 0)
        return false;
    const char *b = type + sizeof(prefix) - 1;
    size_t blen = strlen(b);
    if (blen == 0 || blen > 70)
        return false;
    for (size_t i = 0; i < blen; i++)
        if (!fuzz_is_bchar(b[i]))
            return false;
    char open[128];
    int n = snprintf(open, sizeof(open),
                     "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"", b);
    if (len < (size_t)n || memcmp(body, open, (size_t)n) != 0)
        return false;
    const char *name = body + n, *end = body + len;
    const char *quote = memchr(name, '"', (size_t)(end - name));
    if (quote == NULL || quote == name)
        return false;
    for (const char *p = name; p < quote; p++)
        if (*p < 0x20 || *p > 0x7e || *p == '\\')
            return false;
    const char *p = quote + 1;
    if (end - p < 4 || memcmp(p, "\r\n", 2) != 0)
        return false;
    p += 2;
    static const char ct[] = "Content-Type: application/octet-stream\r\n";
    if ((size_t)(end - p) >= sizeof(ct) - 1 && memcmp(p, ct, sizeof(ct) - 1) == 0)
        p += sizeof(ct) - 1;
    if (end - p < 2 || memcmp(p, "\r\n", 2) != 0)
        return false;
    p += 2;
    char close[96];
    n = snprintf(close, sizeof(close), "\r\n--%s--\r\n", b);
    if ((size_t)(end - p) < (size_t)n || memcmp(end - n, close, (size_t)n) != 0)
        return false;
    char delimiter[96];
    int dn = snprintf(delimiter, sizeof(delimiter), "\r\n--%s", b);
    if (memmem(p, (size_t)(end - n - p) + (size_t)dn - 1, delimiter, (size_t)dn) != end - n)
        return false;
    *out = (struct fuzz_canonical){name, (size_t)(quote - name), p, (size_t)(end - n - p)};
    return true;
}

/* ---- the driver ---------------------------------------------------------- */

/* Waits for the request's end (the completed callback discards what is
 * still open); false when an upload stays open. */
static bool fuzz_upload_closed(void)
{
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&fuzz_up_lock);
        bool open = fuzz_up.open != 0;
        pthread_mutex_unlock(&fuzz_up_lock);
        if (!open)
            return true;
        usleep(50);
    }
    return false;
}

static void fuzz_check_answer(int status, const char *body, size_t body_len, bool canonical,
                              const struct fuzz_canonical *c)
{
    FUZZ_CHECK(status == 201 || status == 400 || status == 413 || status == 415 || status == 422,
               "the upload was answered %d %s", status, status == 0 ? fuzz_no_status : "");
    FUZZ_CHECK(fuzz_upload_closed(), "an upload is left open after its request");
    pthread_mutex_lock(&fuzz_up_lock);
    if (status == 201) {
        FUZZ_CHECK(fuzz_up.begun == 1 && fuzz_up.sealed == 1 && fuzz_up.stored == 1,
                   "201 after %d parts, %d sealed, %d stored", fuzz_up.begun, fuzz_up.sealed,
                   fuzz_up.stored);
        FUZZ_CHECK(fuzz_up.len >= 1 && fuzz_up.len <= FUZZ_UPLOAD_MAX, "201 for %zu bytes",
                   fuzz_up.len);
        FUZZ_CHECK(memmem(body, body_len, fuzz_up.data, fuzz_up.len) != NULL,
                   "the stored bytes are not in the body");
    } else {
        FUZZ_CHECK(fuzz_up.stored == 0, "a file stored with %d", status);
    }
    if (canonical) {
        int want = c->len == 0 ? 422 : c->len > FUZZ_UPLOAD_MAX ? 413 : 201;
        FUZZ_CHECK(status == want, "a canonical body of %zu bytes was answered %d, not %d", c->len,
                   status, want);
        FUZZ_CHECK(status != 201 ||
                       (fuzz_up.len == c->len && memcmp(fuzz_up.data, c->data, c->len) == 0),
                   "the canonical part's %zu bytes were stored as %zu others", c->len, fuzz_up.len);
        FUZZ_CHECK(status != 201 || (strlen(fuzz_up.client_name) == c->name_len &&
                                     memcmp(fuzz_up.client_name, c->name, c->name_len) == 0),
                   "the file name reached the service as '%s'", fuzz_up.client_name);
    }
    pthread_mutex_unlock(&fuzz_up_lock);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    char *type = fuzz_take_until(&in, '\n');
    char *flags = fuzz_take_until(&in, '\n');
    size_t body_len = 0;
    char *body = fuzz_take_rest(&in, &body_len);
    for (char *p = type; *p; p++)
        if (*p == '\r')
            *p = ' ';
    bool chunked = strchr(flags, 'c') != NULL, expect = strchr(flags, 'e') != NULL;
    char head[2048];
    int n = snprintf(head, sizeof(head),
                     "POST /api/v1/files?customer_id=cus_1 HTTP/1.1\r\n"
                     "Host: shop.example\r\nAuthorization: Bearer fuzz\r\n"
                     "Content-Type: %.1000s\r\n%s%s"
                     "Connection: close\r\n\r\n",
                     type, expect ? "Expect: 100-continue\r\n" : "",
                     chunked ? "Transfer-Encoding: chunked\r\n" : "");
    char length[48] = "";
    if (!chunked) {
        snprintf(length, sizeof(length), "Content-Length: %zu\r\n\r\n", body_len);
        n -= 2; /* the length goes before the blank line */
        n += snprintf(head + n, sizeof(head) - (size_t)n, "%s", length);
    }
    pthread_mutex_lock(&fuzz_up_lock);
    memset(&fuzz_up, 0, sizeof(fuzz_up));
    pthread_mutex_unlock(&fuzz_up_lock);
    struct fuzz_canonical c;
    bool canonical = fuzz_canonical(type, body, body_len, &c);
    int status = fuzz_request(head, (size_t)n, body, body_len, chunked, expect);
    fuzz_check_answer(status, body, body_len, canonical, &c);
    free(body);
    free(flags);
    free(type);
    return 0;
}
