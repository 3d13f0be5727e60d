/*
 * Files on orders through the API: an original uploaded before its order, an
 * original put on an open order, the modified file that completes an order,
 * downloads, and purges. Upload handlers run twice (see http_int.h): in
 * phase BEGIN they find the objects the upload is for and refuse before any
 * byte is stored; in phase DONE the file is on disk and one service call
 * records it. Downloads are attachments, never rendered by a browser.
 */
#include <string.h>
#include <unistd.h>

#include "http/http_int.h"

json_t *http_file_json(const struct file_row *f)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", http_id("fil", f->id));
    json_object_set_new(j, "role", json_string(f->role));
    json_object_set_new(j, "name", json_string(f->name));
    json_object_set_new(j, "size", json_integer(f->size_bytes));
    json_object_set_new(j, "sha256", json_string(f->sha256));
    json_object_set_new(j, "order_id", f->order_id ? http_id("ord", f->order_id) : json_null());
    json_object_set_new(j, "uploaded_at", http_time(f->uploaded_at_us));
    json_object_set_new(j, "uploaded_by", json_string(f->uploaded_by));
    json_object_set_new(j, "purged_at", http_time(f->purged_at_us));
    return j;
}

/* A member's customer, 0 for the team (who reach every customer). */
static int64_t h_files_only_customer(const struct http_request *r)
{
    return (r->role & ROLES_MEMBER) ? r->who.customer_id : 0;
}

/* Phase BEGIN of an upload to an order: the order of the path, in the
 * caller's reach and still open. */
static void h_files_open_order(struct http_request *r)
{
    int64_t order_id;
    if (!http_param_id(r, 0, "ord", &order_id))
        return;
    struct order_row o;
    enum err rc =
        svc_order_get(r->svc, &r->arena, r->tenant_id, order_id, h_files_only_customer(r), &o);
    if (rc != ERR_OK) {
        http_problem_msg(r, rc, rc == ERR_NOT_FOUND ? "no such order" : "cannot read the order");
        return;
    }
    if (strcmp(o.status, "submitted") != 0 && strcmp(o.status, "in_progress") != 0) {
        http_problem_msg(r, ERR_ORDER_STATE, "an order that is %s takes no more files", o.status);
        return;
    }
    r->upload.order_id = order_id;
}

struct h_file_answer {
    struct svc_file_result res;
    int status;
};

static json_t *h_file_render(void *ctx, int *status)
{
    struct h_file_answer *x = ctx;
    *status = x->status;
    return json_pack("{s:o, s:o}", "file", http_file_json(&x->res.file), "duplicate_of",
                     x->res.duplicate_of ? json_string(x->res.duplicate_of) : json_null());
}

/* Records the upload of phase DONE as an original (for a customer, or on
 * the order found in phase BEGIN). */
static void h_files_store_original(struct http_request *r)
{
    ASSERT(r->upload.phase == HTTP_UPLOAD_DONE);
    struct svc_file_input in = {.customer_id = r->upload.customer_id,
                                .order_id = r->upload.order_id,
                                .only_customer_id = h_files_only_customer(r)};
    struct h_file_answer x = {.status = 201};
    http_idem_arm(r, h_file_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_file_upload(r->svc, &r->arena, r->tenant_id, &r->actor, &in, &r->upload.file,
                                  &x.res, &d);
    http_respond(r, rc, &d, h_file_render, &x);
}

/* Members upload for their own customer; the team names one. */
static void h_file_upload_begin(struct http_request *r)
{
    const char *given = http_query(r, "customer_id");
    int64_t id = 0;
    if ((r->role & ROLES_MEMBER) != 0) {
        if (given != NULL && (!id_parse(given, "cus", &id) || id != r->who.customer_id)) {
            http_problem_msg(r, ERR_NOT_FOUND, "no such customer");
            return;
        }
        r->upload.customer_id = r->who.customer_id;
        return;
    }
    if (given == NULL) {
        struct err_detail d = {0};
        err_set(&d, ERR_VALIDATION, "customer_id", "name the customer: ?customer_id=cus_N");
        http_problem(r, ERR_VALIDATION, &d);
        return;
    }
    if (!id_parse(given, "cus", &id) || !svc_customer_exists(r->svc, r->tenant_id, id)) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such customer");
        return;
    }
    r->upload.customer_id = id;
}

void h_file_upload(struct http_request *r)
{
    if (r->upload.phase == HTTP_UPLOAD_BEGIN)
        h_file_upload_begin(r);
    else
        h_files_store_original(r);
}

void h_order_file_upload(struct http_request *r)
{
    if (r->upload.phase == HTTP_UPLOAD_BEGIN)
        h_files_open_order(r);
    else
        h_files_store_original(r);
}

struct h_deliver_answer {
    int64_t order_id;
    struct svc_file_result res;
};

static json_t *h_deliver_render(void *ctx, int *status)
{
    struct h_deliver_answer *x = ctx;
    *status = 201;
    return json_pack("{s:o, s:s, s:o}", "id", http_id("ord", x->order_id), "status", "completed",
                     "file", http_file_json(&x->res.file));
}

void h_order_deliver(struct http_request *r)
{
    if (r->upload.phase == HTTP_UPLOAD_BEGIN) {
        h_files_open_order(r);
        return;
    }
    struct h_deliver_answer x = {.order_id = r->upload.order_id};
    http_idem_arm(r, h_deliver_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_order_deliver(r->svc, &r->arena, r->tenant_id, &r->actor, x.order_id,
                                    &r->upload.file, &x.res, &d);
    http_respond(r, rc, &d, h_deliver_render, &x);
}

const char *http_content_disposition(struct http_request *r, const char *kind, const char *name)
{
    ASSERT(kind != NULL);
    char safe[FILE_NAME_BYTES_MAX + 1], ascii[FILE_NAME_BYTES_MAX + 1];
    char encoded[3 * FILE_NAME_BYTES_MAX + 1];
    filename_sanitize(name, safe);
    filename_ascii(safe, ascii);
    if (!filename_percent_encode(safe, encoded, sizeof(encoded)))
        encoded[0] = '\0';
    return arena_printf(&r->arena, "%s; filename=\"%s\"; filename*=UTF-8''%s", kind, ascii,
                        encoded);
}

void h_file_download(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "fil", &id))
        return;
    struct file_row f;
    enum err rc = svc_file_get(r->svc, &r->arena, r->tenant_id, id, h_files_only_customer(r), &f);
    int fd = -1;
    int64_t size = 0;
    if (rc == ERR_OK)
        rc = svc_file_open(r->svc, &f, &fd, &size);
    if (rc != ERR_OK) {
        http_problem_msg(r, rc,
                         rc == ERR_NOT_FOUND     ? "no such file"
                         : rc == ERR_FILE_PURGED ? "the file's contents were removed"
                                                 : "the file cannot be read now");
        return;
    }
    /* The response owns fd from here and closes it. */
    struct MHD_Response *resp = MHD_create_response_from_fd64((uint64_t)size, fd);
    if (resp == NULL) {
        close(fd);
        http_problem_msg(r, ERR_INTERNAL, "cannot answer with the file");
        return;
    }
    http_header(r, "Content-Disposition", http_content_disposition(r, "attachment", f.name));
    http_header(r, "ETag", arena_printf(&r->arena, "\"%s\"", f.sha256));
    http_respond_stream(r, 200, "application/octet-stream", resp);
}

struct h_purge_answer {
    struct file_row file;
};

static json_t *h_purge_render(void *ctx, int *status)
{
    struct h_purge_answer *x = ctx;
    *status = 200;
    return http_file_json(&x->file);
}

void h_file_purge(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "fil", &id))
        return;
    struct h_purge_answer x;
    memset(&x, 0, sizeof(x));
    struct err_detail d = {0};
    enum err rc = svc_file_purge(r->svc, &r->arena, r->tenant_id, &r->actor, id, &x.file, &d);
    if (rc == ERR_NOT_FOUND)
        err_set(&d, rc, "", "no such file");
    http_respond(r, rc, &d, h_purge_render, &x);
}
