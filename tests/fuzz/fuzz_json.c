/*
 * Fuzz target: JSON request bodies, the way the write handlers read them
 * (src/http/json.c): http_body_object (content type, strict parse, depth),
 * then the field readers over one schema that holds every kind of field the
 * handlers read (strings with and without a limit, amounts at scales 0, 2
 * and 6 as decimal text or integers, a map of amounts by credit type as
 * packages and services send it, booleans, bounded integers, ids, times, an
 * array of ids), then http_fields_done.
 *
 * Input: the body. One that starts with '#' gives its Content-Type on that
 * first line instead of application/json.
 *
 * Properties: a body is taken exactly when the content type is JSON and the
 * text is one object without duplicate keys nested at most 32 deep, else a
 * 415 or 422 is queued; each reader's value equals an independent reading
 * of the JSON value (amounts by a reference parser, in range and surviving
 * amount_format and back; ids in their canonical form; times surviving
 * format and back; strings byte for byte within their limit), and a value
 * the reader refused is one the reference refuses too; http_fields_done
 * passes exactly when nothing was wrong and every key was read, else
 * queues 422.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http_int.h"

#include "fake_conn.h"
#include "fuzz.h"

static struct credit_type_row fuzz_json_types[] = {
    {.id = 1, .code = "master", .scale = 0},
    {.id = 2, .code = "hours", .scale = 2},
    {.id = 3, .code = "micro", .scale = 6},
};
static const struct svc_types fuzz_json_catalog = {fuzz_json_types, 3};

/* The keys the schema reads: any other key makes the body fail. */
static const char *const fuzz_json_keys[] = {
    "name",        "reason",     "notes",     "credit_type", "amount",      "credits",
    "price",       "vat_rate",   "published", "sort_order",  "expiry_days", "package_id",
    "customer_id", "expires_at", "starts_at", "services",    "cost",
};

static bool fuzz_json_content_type_ok(const char *type)
{
    return type != NULL && strncasecmp(type, "application/json", 16) == 0 &&
           (type[16] == '\0' || type[16] == ';' || type[16] == ' ');
}

static bool fuzz_json_depth_ok(json_t *v, int depth)
{
    if (depth > 32)
        return false;
    size_t n = json_is_object(v) ? json_object_size(v) : json_is_array(v) ? json_array_size(v) : 0;
    if (json_is_array(v)) {
        for (size_t i = 0; i < n; i++)
            if (!fuzz_json_depth_ok(json_array_get(v, i), depth + 1))
                return false;
    } else if (json_is_object(v)) {
        for (void *it = json_object_iter(v); it != NULL; it = json_object_iter_next(v, it))
            if (!fuzz_json_depth_ok(json_object_iter_value(it), depth + 1))
                return false;
    }
    return true;
}

/* The value of key, NULL when absent or null (as the readers see it). */
static json_t *fuzz_json_raw(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return v != NULL && json_is_null(v) ? NULL : v;
}

static void fuzz_json_string(struct http_fields *f, const char *key, bool required, size_t max)
{
    const char *got = http_field_string(f, key, required, max);
    json_t *v = fuzz_json_raw(f->obj, key);
    bool fits = json_is_string(v) && json_string_length(v) <= max &&
                strlen(json_string_value(v)) == json_string_length(v) &&
                (!required || json_string_length(v) > 0);
    FUZZ_CHECK((got != NULL) == fits, "string '%s' read %s", key,
               got ? "but does not fit" : "NULL");
    if (got != NULL)
        FUZZ_CHECK(strcmp(got, json_string_value(v)) == 0 && strlen(got) <= max,
                   "string '%s' changed", key);
}

/* Whether an amount reader should take v at scale (decimal text, and
 * integers when integers), and the value it should read. */
static bool fuzz_json_amount_fits(json_t *v, int scale, bool integers, int64_t *want)
{
    if (json_is_string(v))
        return strlen(json_string_value(v)) == json_string_length(v) &&
               fuzz_amount_reference(json_string_value(v), scale, want) == FUZZ_AMOUNT_OK;
    if (!json_is_integer(v) || !integers)
        return false;
    __int128 x = json_integer_value(v);
    for (int i = 0; i < scale; i++)
        x *= 10;
    *want = (int64_t)x;
    return x >= -AMOUNT_MAX_MINOR && x <= AMOUNT_MAX_MINOR;
}

/* An amount read is in range, survives format and parse, and is the
 * reference's value. */
static void fuzz_json_amount_is(const char *key, int scale, int64_t got, int64_t want)
{
    FUZZ_CHECK(got >= -AMOUNT_MAX_MINOR && got <= AMOUNT_MAX_MINOR, "'%s' = %lld out of range", key,
               (long long)got);
    FUZZ_CHECK(got == want, "'%s' read as %lld, the reference reads %lld", key, (long long)got,
               (long long)want);
    char text[AMOUNT_TEXT_BYTES];
    amount_format(got, scale, text, sizeof(text));
    int64_t back = 0;
    FUZZ_CHECK(amount_parse(text, scale, &back) == ERR_OK && back == got,
               "'%s': %s does not parse back to %lld", key, text, (long long)got);
}

static void fuzz_json_amount(struct http_fields *f, const char *key, int scale, bool required)
{
    int64_t got = 0, want = 0;
    bool read = http_field_amount(f, key, scale, required, &got);
    json_t *v = fuzz_json_raw(f->obj, key);
    bool fits = v != NULL && fuzz_json_amount_fits(v, scale, true, &want);
    FUZZ_CHECK(read == fits, "amount '%s' at scale %d: read %d, reference %d", key, scale, read,
               fits);
    if (read)
        fuzz_json_amount_is(key, scale, got, want);
}

/* A map of amounts by credit type code (h_amounts_field, as packages and
 * services send "credits" and "costs"): every amount is that type's, never
 * negative, never past the maximum. */
static void fuzz_json_amount_map(struct http_fields *f, const char *key)
{
    struct svc_amount out[PACKAGE_CREDIT_TYPES_MAX];
    size_t n = 0;
    size_t errors = json_array_size(f->errors);
    h_amounts_field(f, &fuzz_json_catalog, key, false, out, &n, PACKAGE_CREDIT_TYPES_MAX);
    json_t *v = fuzz_json_raw(f->obj, key);
    bool refused = json_array_size(f->errors) > errors;
    if (v == NULL || refused)
        return;
    FUZZ_CHECK(json_is_object(v) && n == json_object_size(v) && n <= PACKAGE_CREDIT_TYPES_MAX,
               "map '%s' took %zu amounts", key, n);
    for (size_t i = 0; i < n; i++) {
        const struct credit_type_row *t = h_type_by_code(&fuzz_json_catalog, out[i].credit_type);
        FUZZ_CHECK(t != NULL, "map '%s' took an unknown type", key);
        int64_t want = 0;
        json_t *a = json_object_get(v, t->code);
        FUZZ_CHECK(fuzz_json_amount_fits(a, t->scale, t->scale == 0, &want),
                   "map '%s' took %s = %lld, which the reference refuses", key, t->code,
                   (long long)out[i].amount_minor);
        FUZZ_CHECK(out[i].amount_minor >= 0, "map '%s' took a negative amount", key);
        fuzz_json_amount_is(key, t->scale, out[i].amount_minor, want);
    }
}

static void fuzz_json_int(struct http_fields *f, const char *key, int64_t min, int64_t max)
{
    int64_t got = 0;
    bool read = http_field_int(f, key, min, max, &got);
    json_t *v = fuzz_json_raw(f->obj, key);
    bool fits = json_is_integer(v) && json_integer_value(v) >= min && json_integer_value(v) <= max;
    FUZZ_CHECK(read == fits, "int '%s' read %d", key, read);
    if (read)
        FUZZ_CHECK(got == json_integer_value(v), "int '%s' changed", key);
}

static void fuzz_json_id(struct http_fields *f, const char *key, const char *prefix)
{
    int64_t got = 0, want = 0;
    bool read = http_field_id(f, key, prefix, false, &got);
    json_t *v = fuzz_json_raw(f->obj, key);
    bool fits = json_is_string(v) && fuzz_id_reference(json_string_value(v), prefix, &want);
    FUZZ_CHECK(read == fits, "id '%s' read %d, reference %d", key, read, fits);
    if (!read)
        return;
    FUZZ_CHECK(got == want && got > 0, "id '%s' read as %lld", key, (long long)got);
    char text[ID_TEXT_BYTES];
    id_format(text, sizeof(text), prefix, got);
    int64_t back = 0;
    FUZZ_CHECK(id_parse(text, prefix, &back) && back == got, "id %s does not parse back", text);
}

static void fuzz_json_time(struct http_fields *f, const char *key)
{
    int64_t got = 0;
    bool read = http_field_time(f, key, false, &got);
    json_t *v = fuzz_json_raw(f->obj, key);
    if (v != NULL)
        FUZZ_CHECK(read == (json_is_string(v) && time_parse_rfc3339(json_string_value(v), &got)),
                   "time '%s' read %d", key, read);
    if (!read)
        return;
    char text[40];
    time_format_rfc3339(got, text, sizeof(text));
    int64_t back = 0;
    FUZZ_CHECK(time_parse_rfc3339(text, &back) && back == got,
               "time '%s' = %lld prints as %s, which does not parse back", key, (long long)got,
               text);
}

/* An array of service ids, as orders send "services". */
static void fuzz_json_id_list(struct http_fields *f, const char *key)
{
    json_t *v = http_field_raw(f, key);
    if (v == NULL)
        return;
    if (!json_is_array(v)) {
        http_field_error(f, key, "must be an array of ids");
        return;
    }
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        int64_t id = 0, want = 0;
        bool read = json_is_string(e) && id_parse(json_string_value(e), "svc", &id);
        bool fits = json_is_string(e) && fuzz_id_reference(json_string_value(e), "svc", &want);
        FUZZ_CHECK(read == fits && (!read || id == want), "service id %zu read %d", i, read);
    }
}

/* Reads every field of the schema, checking each reader against the JSON. */
static void fuzz_json_read(struct http_fields *f)
{
    fuzz_json_string(f, "name", false, NAME_BYTES_MAX);
    fuzz_json_string(f, "reason", true, 32);
    fuzz_json_string(f, "notes", false, NOTE_BYTES_MAX);
    fuzz_json_string(f, "credit_type", false, CODE_BYTES_MAX);
    const char *code = json_string_value(fuzz_json_raw(f->obj, "credit_type"));
    const struct credit_type_row *type =
        code != NULL ? h_type_by_code(&fuzz_json_catalog, code) : NULL;
    int scale = type != NULL ? type->scale : 2;
    fuzz_json_amount(f, "amount", scale, false);
    if (json_is_object(fuzz_json_raw(f->obj, "credits")))
        fuzz_json_amount_map(f, "credits");
    else
        fuzz_json_amount(f, "credits", 6, false);
    fuzz_json_amount_map(f, "cost");
    fuzz_json_amount(f, "price", 2, false);
    fuzz_json_amount(f, "vat_rate", 0, false);
    bool published = false;
    json_t *p = fuzz_json_raw(f->obj, "published");
    bool read = http_field_bool(f, "published", &published);
    FUZZ_CHECK(read == json_is_boolean(p) && (!read || published == json_is_true(p)),
               "bool read %d", read);
    fuzz_json_int(f, "sort_order", 0, 1000000);
    fuzz_json_int(f, "expiry_days", 1, 3660);
    fuzz_json_id(f, "package_id", "pkg");
    fuzz_json_id(f, "customer_id", "cus");
    fuzz_json_time(f, "expires_at");
    fuzz_json_time(f, "starts_at");
    fuzz_json_id_list(f, "services");
}

static bool fuzz_json_all_keys_known(json_t *obj)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof(fuzz_json_keys) / sizeof(fuzz_json_keys[0]); i++)
            known |= strcmp(key, fuzz_json_keys[i]) == 0;
        if (!known)
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    char *type = NULL;
    if (size > 0 && data[0] == '#') {
        fuzz_take_byte(&in);
        type = fuzz_take_until(&in, '\n');
    }
    struct http_request r;
    memset(&r, 0, sizeof(r));
    arena_init(&r.arena, ARENA_REQUEST_BYTES_MAX);
    buf_init(&r.body, 64 * 1024);
    r.conn = fake_conn_reset();
    r.method = "POST";
    r.path = "/api/v1/fuzz";
    memcpy(r.id, "fuzz", 5);
    fake_conn_add(MHD_HEADER_KIND, "Content-Type", type ? type : "application/json");
    if (in.size > 0 && buf_append(&r.body, in.data, in.size) != ERR_OK)
        goto out;

    json_t *ref =
        json_loadb(r.body.data ? r.body.data : "", r.body.len, JSON_REJECT_DUPLICATES, NULL);
    bool want = fuzz_json_content_type_ok(type ? type : "application/json") &&
                json_is_object(ref) && fuzz_json_depth_ok(ref, 1);
    json_decref(ref);
    json_t *obj = http_body_object(&r);
    FUZZ_CHECK((obj != NULL) == want, "body taken %d, reference %d", obj != NULL, want);
    if (obj == NULL) {
        FUZZ_CHECK(r.responded && (r.status == 415 || r.status == 422) &&
                       fake_conn_get()->queued == 1,
                   "a refused body answered %d", r.status);
        goto out;
    }
    struct http_fields f;
    http_fields_begin(&f, &r, obj);
    fuzz_json_read(&f);
    size_t errors = json_array_size(f.errors);
    bool ok = http_fields_done(&f);
    FUZZ_CHECK(ok == (errors == 0 && fuzz_json_all_keys_known(obj)),
               "fields done %d with %zu errors", ok, errors);
    FUZZ_CHECK(ok != (r.responded && r.status == 422), "fields done %d answered %d", ok, r.status);
    json_decref(obj);
out:
    buf_release(&r.body);
    arena_release(&r.arena);
    free(type);
    return 0;
}
