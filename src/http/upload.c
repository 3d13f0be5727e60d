/*
 * Streamed uploads. A route with upload = true takes a multipart/form-data
 * body with one part, `file`, which goes to a temporary file in the files
 * directory as it arrives, counted and hashed, never held whole in memory.
 *
 * libmicrohttpd calls the access handler once with the headers, once per
 * piece of the body and once at its end, and accepts an answer only at the
 * first and the last call (microhttpd.h: not while upload data is given).
 * So everything that can be refused without the body is decided at the first
 * call: route, tenant, caller, roles, CSRF, the objects the handler acts on
 * (phase BEGIN: an order out of reach is 404 before any byte is stored), the
 * content type (415) and a declared length past the limit (413).
 *
 * When such a refusal can be sent: a client that sent "Expect: 100-continue"
 * waits for our word, so it gets the refusal at once instead of "100
 * Continue" and never sends its body; so does a declared length far past
 * the limit (more than UPLOAD_DISCARD_BYTES_MAX over it: reading it would
 * cost more than a client that sees its connection closed). A client that is already sending its
 * body would fail to write it (EPIPE) when the server answers and closes mid-body, often before it
 * reads the answer; for it the answer is kept, the body is read and dropped (never stored, bounded
 * by the limit), and the answer goes out at its end.
 *
 * What goes wrong while the body streams (past the limit, another field, a
 * second file, a full disk) deletes the temporary file at once and is
 * answered at the end. A client that disconnects leaves a temporary file that
 * the completed callback deletes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/http_int.h"

/* The multipart parser's own buffer: it holds one part header line (with a
 * long file name), not file data, which passes through. */
#define UPLOAD_PARSER_BYTES (16u * 1024u)

/* Records the first failure, drops what was stored; MHD_NO stops parsing. */
static enum MHD_Result http_upload_fail(struct http_request *r, enum err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum MHD_Result http_upload_fail(struct http_request *r, enum err e, const char *fmt, ...)
{
    struct http_upload *u = &r->upload;
    if (u->failed == ERR_OK) {
        u->failed = e;
        va_list ap, copy;
        va_start(ap, fmt);
        va_copy(copy, ap);
        vsnprintf(u->failed_message, sizeof(u->failed_message), fmt, ap);
        va_end(ap);
        err_text_capture(&u->failed_text, fmt, copy);
        va_end(copy);
    }
    svc_upload_discard(&u->file);
    return MHD_NO;
}

/* The multipart parser's callback for each piece of each part. */
static enum MHD_Result http_upload_part(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *filename, const char *content_type,
                                        const char *transfer_encoding, const char *data,
                                        uint64_t off, size_t size)
{
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    struct http_request *r = cls;
    struct http_upload *u = &r->upload;
    size_t max = u->bytes_max;
    if (u->failed != ERR_OK)
        return MHD_NO;
    if (key == NULL || strcmp(key, "file") != 0)
        return http_upload_fail(r, ERR_VALIDATION,
                                "'%.40s' is not a field of this request: send only 'file'",
                                key ? key : "");
    if (off == 0) {
        if (++u->parts > 1)
            return http_upload_fail(r, ERR_VALIDATION, "send one file per request");
        enum err rc = svc_upload_begin(r->svc, &u->file, filename);
        if (rc != ERR_OK)
            return http_upload_fail(r, rc, "the file cannot be stored now");
    }
    if (size == 0)
        return MHD_YES;
    if ((uint64_t)u->file.size_bytes + size > max)
        return http_upload_fail(r, ERR_TOO_LARGE, "the file is larger than %zu bytes", max);
    enum err rc = svc_upload_write(&u->file, data, size);
    if (rc != ERR_OK)
        return http_upload_fail(r, rc, "the file cannot be stored now");
    return MHD_YES;
}

/* The content type and declared length, checked before the body is read. */
static bool http_upload_headers_ok(struct http_request *r)
{
    const char *type = http_request_header(r, "Content-Type");
    if (type == NULL || strncasecmp(type, "multipart/form-data", 19) != 0) {
        http_problem_msg(r, ERR_UNSUPPORTED_MEDIA,
                         "send the file as multipart/form-data in the field 'file'");
        return false;
    }
    const char *length = http_request_header(r, "Content-Length");
    size_t max = r->upload.bytes_max;
    int64_t declared = 0;
    if (length != NULL && parse_int64(length, &declared) &&
        (uint64_t)declared > (uint64_t)max + UPLOAD_MULTIPART_OVERHEAD_BYTES) {
        /* A body a little past the limit is read and dropped, so that a
         * browser sending it hears 413 instead of a reset; one far past it
         * is refused at once and the connection cut. */
        if ((uint64_t)declared - max - UPLOAD_MULTIPART_OVERHEAD_BYTES > UPLOAD_DISCARD_BYTES_MAX)
            r->defer = false;
        struct err_detail d = {0};
        err_set(&d, ERR_TOO_LARGE, "file", "the file is larger than %zu bytes", max);
        http_problem(r, ERR_TOO_LARGE, &d);
        return false;
    }
    return true;
}

/* The refusals of the first call (see the file comment for when they go). */
static void http_upload_check(struct http_request *r)
{
    if (!http_authorize(r))
        return;
    r->upload.phase = HTTP_UPLOAD_BEGIN;
    r->route->handler(r);
    if (r->responded || !http_upload_headers_ok(r))
        return;
    r->upload.pp = MHD_create_post_processor(r->conn, UPLOAD_PARSER_BYTES, http_upload_part, r);
    if (r->upload.pp == NULL)
        http_problem_msg(r, ERR_UNSUPPORTED_MEDIA,
                         "send the file as multipart/form-data with a boundary");
}

void http_upload_begin(struct http_request *r)
{
    ASSERT(r->route != NULL);
    ASSERT(r->route->upload);
    const char *expect = http_request_header(r, "Expect");
    r->defer = expect == NULL || strcasecmp(expect, "100-continue") != 0;
    /* The server's limit, unless the handler sets a smaller one in BEGIN. */
    r->upload.bytes_max = r->srv->cfg.upload_bytes_max;
    http_upload_check(r);
    r->defer = false;
}

bool http_upload_data(struct http_request *r, const char *data, size_t size)
{
    struct http_upload *u = &r->upload;
    u->body_bytes += size;
    uint64_t most = (uint64_t)u->bytes_max + UPLOAD_MULTIPART_OVERHEAD_BYTES;
    if (u->body_bytes > most) {
        /* Only a body without Content-Length gets here (a declared one is
         * checked at the start). What was stored goes; the rest is read and
         * dropped so that the client hears 413 at the end, unless it goes on
         * far past the limit: then the connection is cut. */
        http_upload_fail(r, ERR_TOO_LARGE, "the file is larger than %zu bytes", u->bytes_max);
        return u->body_bytes - most <= UPLOAD_DISCARD_BYTES_MAX;
    }
    /* Refused already (the answer waits for the body's end): dropped. */
    if (r->responded)
        return true;
    ASSERT(u->pp != NULL);
    if (u->failed == ERR_OK && MHD_post_process(u->pp, data, size) != MHD_YES)
        http_upload_fail(r, ERR_VALIDATION, "the multipart body is malformed");
    return true;
}

/* Answers the upload's first failure (http_upload_fail) with the field
 * `file`. */
static void http_upload_problem(struct http_request *r)
{
    struct http_upload *u = &r->upload;
    ASSERT(u->failed != ERR_OK);
    svc_upload_discard(&u->file);
    struct err_detail d = {0};
    err_set(&d, u->failed, "file", "%s", u->failed_message);
    d.text = u->failed_text;
    http_problem(r, u->failed, &d);
}

void http_upload_done(struct http_request *r)
{
    struct http_upload *u = &r->upload;
    ASSERT(u->phase == HTTP_UPLOAD_BEGIN);
    bool complete = MHD_destroy_post_processor(u->pp) == MHD_YES;
    u->pp = NULL;
    if (u->failed == ERR_OK && !complete)
        http_upload_fail(r, ERR_VALIDATION, "the multipart body ends before its last boundary");
    else if (u->failed == ERR_OK && (u->parts == 0 || !u->file.open))
        http_upload_fail(r, ERR_VALIDATION, "send the file in the multipart field 'file'");
    else if (u->failed == ERR_OK && u->file.size_bytes == 0)
        http_upload_fail(r, ERR_VALIDATION, "the file is empty");
    if (u->failed != ERR_OK) {
        http_upload_problem(r);
        return;
    }
    enum err rc = svc_upload_seal(&u->file);
    if (rc != ERR_OK) {
        http_upload_fail(r, rc, "the file cannot be stored now");
        http_upload_problem(r);
        return;
    }
    if (!http_idem_prepare(r))
        return;
    u->phase = HTTP_UPLOAD_DONE;
    r->route->handler(r);
    if (!r->responded)
        http_problem_msg(r, ERR_INTERNAL, "no answer");
}

void http_upload_release(struct http_request *r)
{
    struct http_upload *u = &r->upload;
    if (u->pp != NULL)
        MHD_destroy_post_processor(u->pp);
    u->pp = NULL;
    svc_upload_discard(&u->file);
}
