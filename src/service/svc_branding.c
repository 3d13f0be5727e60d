/*
 * The business's brand: its display name, accent colour and logo, which the
 * sign-in page shows before anyone signs in, the portal's header and title
 * after, and documents later (svc_branding_logo). Rules: the accent colour
 * carries white text at WCAG AA (4.5:1), so buttons and links in it are
 * readable; the logo is a PNG, JPEG or SVG by its bytes and within its limits
 * (core/brand.c). Each change is one write transaction that answers the brand
 * after it; a refused change writes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "service/service_int.h"

/* The brand the portal shows, from the stored row. */
static void svc_branding_from_row(const struct branding_row *r, struct svc_branding *out)
{
    memset(out, 0, sizeof(*out));
    out->display_name_set = r->display_name[0] != '\0';
    out->display_name = out->display_name_set ? r->display_name : r->tenant_name;
    out->accent_color_set = r->accent_color[0] != '\0';
    out->accent_color = out->accent_color_set ? r->accent_color : SVC_BRAND_ACCENT_DEFAULT;
    if (r->logo_type[0] != '\0') {
        out->logo_type = r->logo_type;
        out->logo_sha256 = r->logo_sha256;
        out->logo_bytes = r->logo_bytes;
        out->logo_width = r->logo_width;
        out->logo_height = r->logo_height;
    }
    out->updated_at_us = r->updated_at_us;
    out->updated_by = r->updated_by;
}

struct branding_ctx {
    struct arena *a;
    int64_t tenant_id;
    const struct svc_actor *actor;
    int64_t now_us;
    const struct svc_branding_change *change; /* update */
    const struct branding_row *logo;          /* logo set (NULL: delete) */
    const uint8_t *bytes;
    size_t n;
    struct svc_branding *out;
};

/* Reads the brand after a change, in the change's transaction. */
static enum err svc_branding_after(struct store_conn *c, struct branding_ctx *x)
{
    struct branding_row row;
    enum err rc = store_branding_get(c, x->a, x->tenant_id, &row);
    if (rc == ERR_OK)
        svc_branding_from_row(&row, x->out);
    return rc;
}

static enum err svc_branding_get_txn(struct store_conn *c, void *arg)
{
    return svc_branding_after(c, arg);
}

enum err svc_branding_get(struct svc *s, struct arena *a, int64_t tenant_id,
                          struct svc_branding *out)
{
    ASSERT(out != NULL);
    struct branding_ctx x = {.a = a, .tenant_id = tenant_id, .out = out};
    return store_read(s->st, svc_branding_get_txn, &x);
}

/* "" or a colour that white text can be read on; lower-cased into buf. */
static enum err svc_branding_accent_check(const char *text, char buf[8], struct err_detail *d)
{
    uint8_t rgb[3];
    buf[0] = '\0';
    if (text[0] == '\0')
        return ERR_OK;
    if (!brand_color_parse(text, rgb))
        return err_set(d, ERR_VALIDATION, "accent_color",
                       "must be a colour written '#rrggbb', like '#1d4ed8'");
    int contrast = brand_contrast_white_x100(rgb);
    if (contrast < BRAND_CONTRAST_MIN_X100)
        return err_set(d, ERR_VALIDATION, "accent_color",
                       "white text on %s has a contrast of %d.%02d:1, at least %d.%02d:1 is "
                       "needed: choose a darker colour",
                       text, contrast / 100, contrast % 100, BRAND_CONTRAST_MIN_X100 / 100,
                       BRAND_CONTRAST_MIN_X100 % 100);
    str_format(buf, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    return ERR_OK;
}

static enum err svc_branding_update_txn(struct store_conn *c, void *arg)
{
    struct branding_ctx *x = arg;
    struct branding_row row;
    enum err rc = store_branding_get(c, x->a, x->tenant_id, &row);
    if (rc != ERR_OK)
        return rc;
    const char *name = x->change->display_name ? x->change->display_name : row.display_name;
    const char *accent = x->change->accent_color ? x->change->accent_color : row.accent_color;
    rc = store_branding_texts_set(c, x->tenant_id, name, accent, x->now_us,
                                  svc_actor_label(x->actor));
    return rc != ERR_OK ? rc : svc_branding_after(c, x);
}

enum err svc_branding_update(struct svc *s, struct arena *a, int64_t tenant_id,
                             const struct svc_actor *actor, const struct svc_branding_change *in,
                             struct svc_branding *out, struct err_detail *d)
{
    ASSERT(in != NULL);
    ASSERT(out != NULL);
    struct svc_branding_change change = *in;
    enum err rc = ERR_OK;
    if (change.display_name != NULL)
        rc = svc_text_check(change.display_name, "display_name", BRAND_NAME_BYTES_MAX, false, d);
    /* One line: it heads the sign-in page and ends every tab's title. */
    if (rc == ERR_OK && change.display_name != NULL &&
        strpbrk(change.display_name, "\t\r\n") != NULL)
        rc = err_set(d, ERR_VALIDATION, "display_name", "must be one line without tabs");
    if (rc == ERR_OK && change.display_name != NULL && change.display_name[0] != '\0' &&
        strspn(change.display_name, " ") == strlen(change.display_name))
        rc = err_set(d, ERR_VALIDATION, "display_name", "must not be only spaces");
    char accent[8];
    if (rc == ERR_OK && change.accent_color != NULL) {
        rc = svc_branding_accent_check(change.accent_color, accent, d);
        change.accent_color = accent;
    }
    if (rc != ERR_OK)
        return rc;
    struct branding_ctx x = {.a = a,
                             .tenant_id = tenant_id,
                             .actor = actor,
                             .now_us = svc_now(s),
                             .change = &change,
                             .out = out};
    return store_write(s->st, svc_branding_update_txn, &x);
}

static enum err svc_branding_logo_txn(struct store_conn *c, void *arg)
{
    struct branding_ctx *x = arg;
    enum err rc = store_branding_logo_set(c, x->a, x->tenant_id, x->logo, x->bytes, x->n, x->now_us,
                                          svc_actor_label(x->actor));
    return rc != ERR_OK ? rc : svc_branding_after(c, x);
}

enum err svc_branding_logo_set(struct svc *s, struct arena *a, int64_t tenant_id,
                               const struct svc_actor *actor, const uint8_t *data, size_t n,
                               struct svc_branding *out, struct err_detail *d)
{
    ASSERT(out != NULL);
    struct brand_logo_info info;
    enum err rc = brand_logo_check(data, n, &info, d);
    if (rc != ERR_OK)
        return rc;
    uint8_t digest[SHA256_BYTES];
    char hex[SHA256_HEX];
    sha256(data, n, digest);
    hex_encode(digest, SHA256_BYTES, hex);
    struct branding_row logo = {.logo_type = brand_logo_content_type(info.type),
                                .logo_sha256 = hex,
                                .logo_bytes = (int64_t)n,
                                .logo_width = (int32_t)info.width,
                                .logo_height = (int32_t)info.height};
    struct branding_ctx x = {.a = a,
                             .tenant_id = tenant_id,
                             .actor = actor,
                             .now_us = svc_now(s),
                             .logo = &logo,
                             .bytes = data,
                             .n = n,
                             .out = out};
    return store_write(s->st, svc_branding_logo_txn, &x);
}

enum err svc_branding_logo_upload(struct svc *s, struct arena *a, int64_t tenant_id,
                                  const struct svc_actor *actor, struct svc_upload *up,
                                  struct svc_branding *out, struct err_detail *d)
{
    ASSERT(up->sealed);
    if (up->size_bytes > (int64_t)BRAND_LOGO_BYTES_MAX)
        return err_set(d, ERR_TOO_LARGE, "file", "the logo is larger than %u KiB",
                       BRAND_LOGO_BYTES_MAX / 1024);
    size_t n = (size_t)up->size_bytes;
    uint8_t *data = arena_alloc(a, n + 1);
    if (data == NULL)
        return ERR_TOO_LARGE;
    enum err rc = blob_tmp_read(&up->tmp, data, n);
    if (rc != ERR_OK)
        return rc;
    return svc_branding_logo_set(s, a, tenant_id, actor, data, n, out, d);
}

enum err svc_branding_logo_delete(struct svc *s, struct arena *a, int64_t tenant_id,
                                  const struct svc_actor *actor, struct svc_branding *out)
{
    ASSERT(out != NULL);
    struct branding_ctx x = {
        .a = a, .tenant_id = tenant_id, .actor = actor, .now_us = svc_now(s), .out = out};
    return store_write(s->st, svc_branding_logo_txn, &x);
}

struct logo_read_ctx {
    struct arena *a;
    int64_t tenant_id;
    struct branding_row meta;
    const uint8_t *bytes;
    size_t n;
};

static enum err svc_branding_logo_read_txn(struct store_conn *c, void *arg)
{
    struct logo_read_ctx *x = arg;
    return store_branding_logo_get(c, x->a, x->tenant_id, &x->meta, &x->bytes, &x->n);
}

enum err svc_branding_logo_read(struct svc *s, struct arena *a, int64_t tenant_id,
                                struct svc_logo *out)
{
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    struct logo_read_ctx x = {.a = a, .tenant_id = tenant_id};
    enum err rc = store_read(s->st, svc_branding_logo_read_txn, &x);
    if (rc != ERR_OK)
        return rc;
    *out = (struct svc_logo){.bytes = x.bytes,
                             .len = x.n,
                             .content_type = x.meta.logo_type,
                             .sha256 = x.meta.logo_sha256,
                             .width = x.meta.logo_width,
                             .height = x.meta.logo_height};
    return ERR_OK;
}

enum err svc_branding_logo(struct svc *s, struct arena *a, int64_t tenant_id, const uint8_t **bytes,
                           size_t *len, const char **content_type)
{
    struct svc_logo logo;
    enum err rc = svc_branding_logo_read(s, a, tenant_id, &logo);
    if (rc != ERR_OK)
        return rc;
    *bytes = logo.bytes;
    *len = logo.len;
    *content_type = logo.content_type;
    return ERR_OK;
}
