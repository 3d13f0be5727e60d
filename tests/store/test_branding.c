/*
 * The business's brand through the service, on every backend: defaults until
 * something is set, the texts and the logo each changed alone, the logo's
 * bytes back exactly as stored (svc_branding_logo, which documents will use),
 * refusals that change nothing, and a write that fails half-way rolled back.
 *
 * Method: a PNG and an SVG made here; the logo's stored form (hex text) is
 * never looked at, only what comes back through the service; store_fault
 * fails each statement of a logo change in turn.
 */
#include <stdio.h>
#include <string.h>

#include "testdb.h"

static int setup(void **state)
{
    static struct testdb t;
    testdb_open(&t);
    *state = &t;
    return 0;
}

static int teardown(void **state)
{
    testdb_close(*state);
    return 0;
}

static const struct svc_actor ADMIN = {.user_id = 1, .label = "boss@test.example"};

/* A 2 x 1 PNG as far as the checks read it: signature, IHDR (CRC not
 * checked), IEND. */
static size_t png_make(uint8_t out[64])
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const uint8_t ihdr[25] = {0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 2, 0,
                                     0, 0, 1, 8,  2,   0,   0,   0,   0, 0, 0, 0};
    static const uint8_t iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    memcpy(out, sig, sizeof(sig));
    memcpy(out + sizeof(sig), ihdr, sizeof(ihdr));
    memcpy(out + sizeof(sig) + sizeof(ihdr), iend, sizeof(iend));
    return sizeof(sig) + sizeof(ihdr) + sizeof(iend);
}

static void a_new_tenant_has_the_defaults(void **state)
{
    struct testdb *t = *state;
    struct svc_branding b;
    assert_int_equal(svc_branding_get(&t->svc, &t->arena, t->tenant_id, &b), ERR_OK);
    assert_string_equal(b.display_name, "Test");
    assert_false(b.display_name_set);
    assert_string_equal(b.accent_color, SVC_BRAND_ACCENT_DEFAULT);
    assert_null(b.logo_type);
    const uint8_t *bytes;
    size_t len;
    const char *type;
    assert_int_equal(svc_branding_logo(&t->svc, &t->arena, t->tenant_id, &bytes, &len, &type),
                     ERR_NOT_FOUND);
    assert_int_equal(svc_branding_get(&t->svc, &t->arena, t->tenant_id + 99, &b), ERR_NOT_FOUND);
}

static void texts_and_logo_change_alone_and_the_bytes_come_back(void **state)
{
    struct testdb *t = *state;
    struct svc_branding b;
    struct err_detail d = {0};
    struct svc_branding_change in = {.display_name = "Weber", .accent_color = "#0B6E4F"};
    assert_int_equal(svc_branding_update(&t->svc, &t->arena, t->tenant_id, &ADMIN, &in, &b, &d),
                     ERR_OK);
    assert_string_equal(b.accent_color, "#0b6e4f");
    uint8_t png[64];
    size_t n = png_make(png);
    assert_int_equal(
        svc_branding_logo_set(&t->svc, &t->arena, t->tenant_id, &ADMIN, png, n, &b, &d), ERR_OK);
    assert_string_equal(b.display_name, "Weber");
    assert_string_equal(b.logo_type, "image/png");
    assert_int_equal(b.logo_width, 2);
    assert_int_equal(b.logo_bytes, (int64_t)n);
    const uint8_t *bytes;
    size_t len;
    const char *type;
    assert_int_equal(svc_branding_logo(&t->svc, &t->arena, t->tenant_id, &bytes, &len, &type),
                     ERR_OK);
    assert_string_equal(type, "image/png");
    assert_int_equal(len, n);
    assert_memory_equal(bytes, png, n);
    /* Every byte value survives the stored form. */
    static uint8_t svg[600];
    const char head[] = "<svg xmlns=\"http://www.w3.org/2000/svg\"><desc>";
    size_t k = strlen(head);
    memcpy(svg, head, k);
    for (int c = 0x20; c < 0x7f; c++)
        svg[k++] = (uint8_t)c;
    memcpy(svg + k, "\xc3\xbc\xe2\x82\xac</desc></svg>", 16);
    k += 16;
    assert_int_equal(
        svc_branding_logo_set(&t->svc, &t->arena, t->tenant_id, &ADMIN, svg, k, &b, &d), ERR_OK);
    struct svc_logo logo;
    assert_int_equal(svc_branding_logo_read(&t->svc, &t->arena, t->tenant_id, &logo), ERR_OK);
    assert_int_equal(logo.len, k);
    assert_memory_equal(logo.bytes, svg, k);
    assert_string_equal(logo.sha256, b.logo_sha256);
    /* The texts stay through logo changes, the logo through text changes. */
    in = (struct svc_branding_change){.display_name = ""};
    assert_int_equal(svc_branding_update(&t->svc, &t->arena, t->tenant_id, &ADMIN, &in, &b, &d),
                     ERR_OK);
    assert_string_equal(b.display_name, "Test");
    assert_string_equal(b.accent_color, "#0b6e4f");
    assert_string_equal(b.logo_type, "image/svg+xml");
    assert_int_equal(svc_branding_logo_delete(&t->svc, &t->arena, t->tenant_id, &ADMIN, &b),
                     ERR_OK);
    assert_null(b.logo_type);
    assert_string_equal(b.accent_color, "#0b6e4f");
}

static void refusals_change_nothing(void **state)
{
    struct testdb *t = *state;
    struct svc_branding before, b;
    assert_int_equal(svc_branding_get(&t->svc, &t->arena, t->tenant_id, &before), ERR_OK);
    struct err_detail d = {0};
    struct svc_branding_change in = {.display_name = "Fine", .accent_color = "#ffcc00"};
    assert_int_equal(svc_branding_update(&t->svc, &t->arena, t->tenant_id, &ADMIN, &in, &b, &d),
                     ERR_VALIDATION);
    assert_string_equal(d.field, "accent_color");
    in = (struct svc_branding_change){.display_name = "Bad\nname"};
    assert_int_equal(svc_branding_update(&t->svc, &t->arena, t->tenant_id, &ADMIN, &in, &b, &d),
                     ERR_VALIDATION);
    assert_string_equal(d.field, "display_name");
    const char text[] = "name,credits\n";
    assert_int_equal(svc_branding_logo_set(&t->svc, &t->arena, t->tenant_id, &ADMIN,
                                           (const uint8_t *)text, sizeof(text) - 1, &b, &d),
                     ERR_VALIDATION);
    assert_string_equal(d.field, "file");
    assert_int_equal(svc_branding_get(&t->svc, &t->arena, t->tenant_id, &b), ERR_OK);
    assert_string_equal(b.display_name, before.display_name);
    assert_string_equal(b.accent_color, before.accent_color);
    assert_int_equal(b.updated_at_us, before.updated_at_us);
}

static void a_logo_change_that_fails_half_way_leaves_the_old_one(void **state)
{
    struct testdb *t = *state;
    struct svc_branding b;
    struct err_detail d = {0};
    uint8_t png[64];
    size_t n = png_make(png);
    assert_int_equal(
        svc_branding_logo_set(&t->svc, &t->arena, t->tenant_id, &ADMIN, png, n, &b, &d), ERR_OK);
    const char *sha = b.logo_sha256;
    const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
    struct store *faulty = store_fault_wrap(t->st);
    struct svc s;
    svc_init(&s, faulty, NULL);
    for (int64_t at = 1; at <= 3; at++) {
        store_fault_arm(faulty, at);
        enum err rc = svc_branding_logo_set(&s, &t->arena, t->tenant_id, &ADMIN,
                                            (const uint8_t *)svg, sizeof(svg) - 1, &b, &d);
        assert_int_not_equal(rc, ERR_OK);
        store_fault_arm(faulty, 0);
        assert_int_equal(svc_branding_get(&t->svc, &t->arena, t->tenant_id, &b), ERR_OK);
        assert_string_equal(b.logo_type, "image/png");
        assert_string_equal(b.logo_sha256, sha);
    }
    store_close(faulty);
}

int main(void)
{
    printf("backend: %s\n", testdb_backend());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_new_tenant_has_the_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(texts_and_logo_change_alone_and_the_bytes_come_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(refusals_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(a_logo_change_that_fails_half_way_leaves_the_old_one, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
