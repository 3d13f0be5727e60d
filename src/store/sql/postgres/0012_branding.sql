-- Version 12 (PostgreSQL): the business's own brand (issue 13).
--   * tenant_branding: one row per tenant, made on the first change; no row
--     means the defaults (the tenant's name, the portal's blue, no logo).
--     display_name '' and accent_color '' mean the default as well.
--   * The logo lives in the row: at most 512 KiB (BRAND_LOGO_BYTES_MAX),
--     kept as hexadecimal text, because the store binds and reads text and
--     integers only, on both backends alike. logo_sha256 (of the bytes) is
--     the ETag; logo_type is its MIME type, empty without a logo; width and
--     height in pixels are 0 for SVG.
-- Independent of version 11: it reads and changes no table but its own.
-- The key is tenant_id, as version 7 wants (tests/store/test_schema.c).
CREATE TABLE tenant_branding (
    tenant_id BIGINT PRIMARY KEY REFERENCES tenants (id),
    display_name TEXT NOT NULL DEFAULT '',
    accent_color TEXT NOT NULL DEFAULT '',
    logo_type TEXT NOT NULL DEFAULT ''
        CHECK (logo_type IN ('', 'image/png', 'image/jpeg', 'image/svg+xml')),
    logo_hex TEXT NOT NULL DEFAULT '',
    logo_sha256 TEXT NOT NULL DEFAULT '',
    logo_bytes BIGINT NOT NULL DEFAULT 0,
    logo_width BIGINT NOT NULL DEFAULT 0,
    logo_height BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL DEFAULT 0,
    updated_by TEXT NOT NULL DEFAULT ''
);
