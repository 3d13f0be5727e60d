/*
 * The business's brand (schema 12): display name, accent colour and logo in
 * one row per tenant, made by the first change. The logo's bytes are kept as
 * hexadecimal text (the statement layer binds text and integers only, the
 * same on both backends), encoded and decoded here so that callers see bytes;
 * the other columns are read without them, so answering a revalidation or
 * GET /branding never loads the image.
 */
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

/* The columns of struct branding_row, tenants t joined with the row b. */
#define BRANDING_COLUMNS                                                                           \
    "t.name, COALESCE(b.display_name, ''), COALESCE(b.accent_color, ''), "                         \
    "COALESCE(b.logo_type, ''), COALESCE(b.logo_sha256, ''), COALESCE(b.logo_bytes, 0), "          \
    "COALESCE(b.logo_width, 0), COALESCE(b.logo_height, 0), COALESCE(b.updated_at, 0), "           \
    "COALESCE(b.updated_by, '')"
#define BRANDING_COLUMNS_N 10

static void store_branding_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct branding_row *out = row;
    out->tenant_name = store_q_text(a, s, 0);
    out->display_name = store_q_text(a, s, 1);
    out->accent_color = store_q_text(a, s, 2);
    out->logo_type = store_q_text(a, s, 3);
    out->logo_sha256 = store_q_text(a, s, 4);
    out->logo_bytes = store_column_int64(s, 5);
    out->logo_width = (int32_t)store_column_int64(s, 6);
    out->logo_height = (int32_t)store_column_int64(s, 7);
    out->updated_at_us = store_column_int64(s, 8);
    out->updated_by = store_q_text(a, s, 9);
}

enum err store_branding_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            struct branding_row *out)
{
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " BRANDING_COLUMNS " FROM tenants t LEFT JOIN "
                                "tenant_branding b ON b.tenant_id = t.id WHERE t.id = $1",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_one(c, a, s, out, store_branding_read);
}

/* Makes the tenant's row when it has none (every column at its default). */
static enum err store_branding_row_ensure(struct store_conn *c, int64_t tenant_id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO tenant_branding (tenant_id) VALUES ($1) "
                                "ON CONFLICT (tenant_id) DO NOTHING",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_run(c, s);
}

enum err store_branding_texts_set(struct store_conn *c, int64_t tenant_id, const char *display_name,
                                  const char *accent_color, int64_t now_us, const char *by)
{
    ASSERT(display_name != NULL);
    ASSERT(accent_color != NULL);
    enum err rc = store_branding_row_ensure(c, tenant_id);
    struct store_stmt *s;
    if (rc == ERR_OK)
        rc = store_prepare(c,
                           "UPDATE tenant_branding SET display_name = $2, accent_color = $3, "
                           "updated_at = $4, updated_by = $5 WHERE tenant_id = $1",
                           &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, display_name);
    store_bind_text(s, 3, accent_color);
    store_bind_int64(s, 4, now_us);
    store_bind_text(s, 5, by != NULL ? by : "");
    return store_q_run(c, s);
}

enum err store_branding_logo_set(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 const struct branding_row *meta, const uint8_t *bytes, size_t n,
                                 int64_t now_us, const char *by)
{
    ASSERT(n == 0 || (bytes != NULL && meta != NULL));
    ASSERT(n <= BRAND_LOGO_BYTES_MAX);
    char *hex = arena_alloc(a, 2 * n + 1);
    if (hex == NULL)
        return ERR_TOO_LARGE;
    hex_encode(bytes, n, hex);
    enum err rc = store_branding_row_ensure(c, tenant_id);
    struct store_stmt *s;
    if (rc == ERR_OK)
        rc = store_prepare(c,
                           "UPDATE tenant_branding SET logo_type = $2, logo_hex = $3, "
                           "logo_sha256 = $4, logo_bytes = $5, logo_width = $6, "
                           "logo_height = $7, updated_at = $8, updated_by = $9 "
                           "WHERE tenant_id = $1",
                           &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, n > 0 ? meta->logo_type : "");
    store_bind_text(s, 3, hex);
    store_bind_text(s, 4, n > 0 ? meta->logo_sha256 : "");
    store_bind_int64(s, 5, (int64_t)n);
    store_bind_int64(s, 6, n > 0 ? meta->logo_width : 0);
    store_bind_int64(s, 7, n > 0 ? meta->logo_height : 0);
    store_bind_int64(s, 8, now_us);
    store_bind_text(s, 9, by != NULL ? by : "");
    return store_q_run(c, s);
}

static int store_branding_hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* Decodes the stored hex text into arena memory; false when it is not what
 * store_branding_logo_set wrote (a changed row) or the arena is full. */
static bool store_branding_hex_decode(struct arena *a, const char *hex, const uint8_t **bytes,
                                      size_t *n)
{
    size_t len = strlen(hex);
    if (len % 2 != 0 || len / 2 > BRAND_LOGO_BYTES_MAX)
        return false;
    uint8_t *out = arena_alloc(a, len / 2 + 1);
    if (out == NULL)
        return false;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = store_branding_hex_digit(hex[2 * i]),
            lo = store_branding_hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *bytes = out;
    *n = len / 2;
    return true;
}

enum err store_branding_logo_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 struct branding_row *meta, const uint8_t **bytes, size_t *n)
{
    ASSERT(bytes != NULL);
    ASSERT(n != NULL);
    memset(meta, 0, sizeof(*meta));
    *bytes = NULL;
    *n = 0;
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " BRANDING_COLUMNS ", b.logo_hex FROM tenants t JOIN "
                                "tenant_branding b ON b.tenant_id = t.id WHERE t.id = $1 "
                                "AND b.logo_type <> ''",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    enum store_step step = store_step(s);
    if (step != STORE_ROW) {
        rc = step == STORE_DONE ? ERR_NOT_FOUND : store_conn_err(c);
        store_finish(s);
        return rc;
    }
    if (!store_q_read(a, s, meta, store_branding_read))
        rc = ERR_TOO_LARGE;
    else if (!store_branding_hex_decode(a, store_column_text(s, BRANDING_COLUMNS_N), bytes, n))
        rc = ERR_STORE;
    else if ((int64_t)*n != meta->logo_bytes)
        rc = ERR_STORE;
    store_finish(s);
    if (rc == ERR_STORE)
        log_msg(LOG_ERROR, "the logo of tenant %lld is not what was stored", (long long)tenant_id);
    return rc;
}
