/*
 * The business's brand over HTTP: GET /api/v1/branding for anybody at the
 * tenant's host (the sign-in page draws with it before anyone signs in), the
 * logo itself with revalidation (ETag = its SHA-256, 304), the same logo as
 * /favicon.ico, and the admin's changes: PATCH the texts, PUT the logo as a
 * streamed multipart upload (capped at BRAND_LOGO_BYTES_MAX before a byte is
 * read when the length is declared), DELETE it.
 *
 * An SVG logo is served as it was uploaded, not cleaned: every logo answer
 * carries a policy that runs no script and loads nothing ("default-src
 * 'none'; style-src 'unsafe-inline'; sandbox") and nosniff, so opening its
 * address shows a picture and nothing else; as <img> or icon a browser runs
 * no script in it anyway.
 */
#include <string.h>

#include "http/http_int.h"

/* What any logo answer may do: draw itself with inline styles, nothing else. */
static const char h_branding_logo_csp[] = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
/* The logo's address carries the first digits of its hash, so a new logo is
 * a new address and an old one may be cached for long. */
#define H_BRANDING_VERSION_DIGITS 16

static const char *h_branding_logo_url(struct http_request *r, const struct svc_branding *b)
{
    if (b->logo_sha256 == NULL)
        return NULL;
    return arena_printf(&r->arena, "/api/v1/branding/logo?v=%.*s", H_BRANDING_VERSION_DIGITS,
                        b->logo_sha256);
}

/* The brand as GET /branding and every change answer it. */
static json_t *h_branding_json(struct http_request *r, const struct svc_branding *b)
{
    const char *url = h_branding_logo_url(r, b);
    json_t *out = json_pack("{s:s, s:s, s:b, s:b}", "display_name", b->display_name, "accent_color",
                            b->accent_color, "display_name_set", b->display_name_set,
                            "accent_color_set", b->accent_color_set);
    json_object_set_new(out, "logo_url", url ? json_string(url) : json_null());
    json_object_set_new(out, "logo_type", b->logo_type ? json_string(b->logo_type) : json_null());
    /* The icon is the logo itself, whatever its type: browsers take PNG,
     * JPEG and SVG icons. */
    json_object_set_new(out, "favicon_url", url ? json_string(url) : json_null());
    if (b->logo_type != NULL)
        json_object_set_new(out, "logo",
                            json_pack("{s:s, s:I, s:i, s:i, s:s}", "type", b->logo_type, "bytes",
                                      (json_int_t)b->logo_bytes, "width", b->logo_width, "height",
                                      b->logo_height, "sha256", b->logo_sha256));
    return out;
}

/* False (404 queued) at a host that serves no business. */
static bool h_branding_tenant(struct http_request *r)
{
    if (r->tenant_id != 0)
        return true;
    http_problem_msg(r, ERR_NOT_FOUND, "no business is served at this host");
    return false;
}

void h_branding(struct http_request *r)
{
    ASSERT(r->route != NULL);
    if (!h_branding_tenant(r))
        return;
    struct svc_branding b;
    enum err rc = svc_branding_get(r->svc, &r->arena, r->tenant_id, &b);
    if (rc != ERR_OK) {
        http_problem_msg(r, rc, rc == ERR_NOT_FOUND ? "no business is served at this host" : "");
        return;
    }
    http_json(r, 200, h_branding_json(r, &b));
}

/* True when If-None-Match names etag (or is "*"). */
static bool h_branding_not_modified(struct http_request *r, const char *etag)
{
    const char *inm = http_request_header(r, "If-None-Match");
    return inm != NULL && (strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL);
}

/* The logo's headers: its policy, ETag and caching (long for an address
 * that names this version, else revalidate each time). */
static void h_branding_logo_headers(struct http_request *r, const char *sha256, const char *etag)
{
    const char *v = http_query(r, "v");
    bool versioned = v != NULL && strlen(v) == H_BRANDING_VERSION_DIGITS &&
                     strncmp(v, sha256, H_BRANDING_VERSION_DIGITS) == 0;
    http_header(r, "Content-Security-Policy", h_branding_logo_csp);
    http_header(r, "ETag", etag);
    http_header(r, "Cache-Control", versioned ? "public, max-age=31536000, immutable" : "no-cache");
}

static void h_branding_logo_send(struct http_request *r)
{
    if (!h_branding_tenant(r))
        return;
    struct svc_branding b;
    enum err rc = svc_branding_get(r->svc, &r->arena, r->tenant_id, &b);
    if (rc == ERR_OK && b.logo_type == NULL)
        rc = ERR_NOT_FOUND;
    /* Revalidation reads the row, never the image. */
    const char *etag = rc == ERR_OK ? arena_printf(&r->arena, "\"%s\"", b.logo_sha256) : NULL;
    if (rc == ERR_OK && etag != NULL && h_branding_not_modified(r, etag)) {
        h_branding_logo_headers(r, b.logo_sha256, etag);
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (resp != NULL)
            http_respond_stream(r, 304, b.logo_type, resp);
        return;
    }
    struct svc_logo logo;
    if (rc == ERR_OK)
        rc = svc_branding_logo_read(r->svc, &r->arena, r->tenant_id, &logo);
    if (rc != ERR_OK) {
        http_problem_msg(r, rc, rc == ERR_NOT_FOUND ? "the business has no logo" : "");
        return;
    }
    etag = arena_printf(&r->arena, "\"%s\"", logo.sha256);
    h_branding_logo_headers(r, logo.sha256, etag);
    http_text(r, 200, logo.content_type, (const char *)logo.bytes, logo.len);
}

void h_branding_logo(struct http_request *r)
{
    h_branding_logo_send(r);
}

void h_favicon(struct http_request *r)
{
    h_branding_logo_send(r);
}

struct h_branding_answer {
    struct http_request *r;
    struct svc_branding b;
};

static json_t *h_branding_render(void *ctx, int *status)
{
    struct h_branding_answer *x = ctx;
    *status = 200;
    return h_branding_json(x->r, &x->b);
}

/* A text field that may be null (back to the default: ""). */
static const char *h_branding_text(struct http_fields *f, json_t *body, const char *name,
                                   size_t max_bytes)
{
    if (json_is_null(json_object_get(body, name))) {
        (void)http_field_raw(f, name);
        return "";
    }
    return http_field_string(f, name, false, max_bytes);
}

void h_branding_update(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_branding_change in = {
        .display_name = h_branding_text(&f, body, "display_name", BRAND_NAME_BYTES_MAX),
        .accent_color = h_branding_text(&f, body, "accent_color", 16),
    };
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_branding_answer x = {.r = r};
    http_idem_arm(r, h_branding_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_branding_update(r->svc, &r->arena, r->tenant_id, &r->actor, &in, &x.b, &d);
    http_respond(r, rc, &d, h_branding_render, &x);
}

void h_branding_logo_put(struct http_request *r)
{
    if (r->upload.phase == HTTP_UPLOAD_BEGIN) {
        /* A logo is small: a declared length past its limit is refused now. */
        r->upload.bytes_max = BRAND_LOGO_BYTES_MAX;
        return;
    }
    ASSERT(r->upload.phase == HTTP_UPLOAD_DONE);
    struct h_branding_answer x = {.r = r};
    struct err_detail d = {0};
    enum err rc = svc_branding_logo_upload(r->svc, &r->arena, r->tenant_id, &r->actor,
                                           &r->upload.file, &x.b, &d);
    http_respond(r, rc, &d, h_branding_render, &x);
}

void h_branding_logo_delete(struct http_request *r)
{
    struct h_branding_answer x = {.r = r};
    enum err rc = svc_branding_logo_delete(r->svc, &r->arena, r->tenant_id, &r->actor, &x.b);
    http_respond(r, rc, NULL, h_branding_render, &x);
}
