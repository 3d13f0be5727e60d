/*
 * The web portal's files: the files of web/ embedded in the binary at build time
 * (scripts/embed_web.sh), served at / (the page) and /assets/<name>. Each
 * answer carries an ETag (a 304 when the browser has it), revalidation
 * caching, the gzip copy made at build time when the browser takes it, and
 * the portal's strict Content-Security-Policy: scripts and styles from this
 * server only, nothing inline, no other origin.
 *
 * Must not: serve anything that is not embedded, or read the store.
 */
#include <string.h>

#include "http/http_int.h"

struct web_asset {
    const char *path;
    const char *content_type;
    const char *etag;
    const unsigned char *data;
    size_t len;
    const unsigned char *gz;
    size_t gz_len;
};

#include "web_assets.h"

/* What the portal's pages may load and do. */
static const char h_web_csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

static const struct web_asset *h_web_find(const char *path)
{
    for (size_t i = 0; i < sizeof(web_assets) / sizeof(web_assets[0]); i++)
        if (strcmp(web_assets[i].path, path) == 0)
            return &web_assets[i];
    return NULL;
}

/* True when the client accepts gzip (a plain token search is enough here:
 * "gzip;q=0" is not sent by browsers). */
static bool h_web_takes_gzip(struct http_request *r)
{
    const char *ae = http_request_header(r, "Accept-Encoding");
    return ae != NULL && strstr(ae, "gzip") != NULL;
}

static void h_web_send(struct http_request *r, const struct web_asset *a)
{
    http_header(r, "Content-Security-Policy", h_web_csp);
    http_header(r, "Cache-Control", "no-cache");
    http_header(r, "ETag", a->etag);
    http_header(r, "Vary", "Accept-Encoding");
    const char *inm = http_request_header(r, "If-None-Match");
    if (inm != NULL && strcmp(inm, a->etag) == 0) {
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (resp != NULL)
            http_respond_stream(r, 304, a->content_type, resp);
        return;
    }
    bool gz = a->gz != NULL && h_web_takes_gzip(r);
    if (gz)
        http_header(r, "Content-Encoding", "gzip");
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        gz ? a->gz_len : a->len, (void *)(gz ? a->gz : a->data), MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        http_problem_msg(r, ERR_INTERNAL, "cannot answer");
        return;
    }
    http_respond_stream(r, 200, a->content_type, resp);
}

void h_web_index(struct http_request *r)
{
    const struct web_asset *a = h_web_find("/index.html");
    ASSERT(a != NULL);
    h_web_send(r, a);
}

void h_web_asset(struct http_request *r)
{
    char path[128];
    int n = snprintf(path, sizeof(path), "/%s", r->params[0] ? r->params[0] : "");
    const struct web_asset *a = n > 0 && (size_t)n < sizeof(path) ? h_web_find(path) : NULL;
    if (a == NULL || strcmp(path, "/index.html") == 0) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such file");
        return;
    }
    h_web_send(r, a);
}

/* A language's message catalogue (the files of i18n/<lang> merged), cached by the
 * browser until it changes, like the portal's files. */
void h_web_catalogue(struct http_request *r)
{
    const char *json, *etag;
    size_t len;
    if (!i18n_catalogue_json(r->params[0], &json, &len, &etag)) {
        http_problem_msg(r, ERR_NOT_FOUND, "no words in that language (en, de)");
        return;
    }
    const struct web_asset a = {.path = "",
                                .content_type = "application/json; charset=utf-8",
                                .etag = etag,
                                .data = (const unsigned char *)json,
                                .len = len};
    h_web_send(r, &a);
}
