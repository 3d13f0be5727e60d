/*
 * JSON in and out. Bodies are parsed strictly (jansson rejects invalid UTF-8
 * and NUL; we add duplicate keys, a depth limit and the content type), and
 * fields are read by name so that every wrong field is reported together and
 * any field nobody read is reported as unknown.
 */
#include <string.h>
#include <strings.h>

#include "http/http_int.h"

enum { JSON_DEPTH_MAX = 32 };

static bool http_json_depth_ok(json_t *v, int depth)
{
    if (depth > JSON_DEPTH_MAX)
        return false;
    if (json_is_object(v)) {
        const char *k;
        json_t *child;
        json_object_foreach(v, k, child)
        {
            if (!http_json_depth_ok(child, depth + 1))
                return false;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child)
        {
            if (!http_json_depth_ok(child, depth + 1))
                return false;
        }
    }
    return true;
}

json_t *http_body_object(struct http_request *r)
{
    const char *type = http_request_header(r, "Content-Type");
    if (type == NULL || strncasecmp(type, "application/json", 16) != 0 ||
        (type[16] != '\0' && type[16] != ';' && type[16] != ' ')) {
        http_problem_msg(r, ERR_UNSUPPORTED_MEDIA, "send the body as application/json");
        return NULL;
    }
    json_error_t jerr;
    json_t *v =
        json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (v == NULL) {
        struct err_detail d = {0};
        err_set(&d, ERR_VALIDATION, "body", "not valid JSON: %s", jerr.text);
        http_problem(r, ERR_VALIDATION, &d);
        return NULL;
    }
    if (!json_is_object(v) || !http_json_depth_ok(v, 1)) {
        json_decref(v);
        struct err_detail d = {0};
        err_set(&d, ERR_VALIDATION, "body", "expected a JSON object nested at most %d deep",
                JSON_DEPTH_MAX);
        http_problem(r, ERR_VALIDATION, &d);
        return NULL;
    }
    return v;
}

void http_fields_begin(struct http_fields *f, struct http_request *r, json_t *obj)
{
    memset(f, 0, sizeof(*f));
    f->r = r;
    f->obj = obj;
    f->errors = json_array();
}

void http_field_error_detail(struct http_fields *f, const char *name, const struct err_detail *d)
{
    ASSERT(f->r != NULL);
    ASSERT(d != NULL);
    char translated[512];
    const char *message =
        err_text_in(&d->text, http_request_lang(f->r), d->message, translated, sizeof(translated));
    json_t *e = json_object();
    json_object_set_new(e, "field", json_string(name));
    json_object_set_new(e, "message", json_string(message));
    json_array_append_new(f->errors, e);
}

void http_field_error(struct http_fields *f, const char *name, const char *fmt, ...)
{
    struct err_detail d = {0};
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    vsnprintf(d.message, sizeof(d.message), fmt, ap);
    va_end(ap);
    err_text_capture(&d.text, fmt, copy);
    va_end(copy);
    http_field_error_detail(f, name, &d);
}

static json_t *http_field_get(struct http_fields *f, const char *name)
{
    if (f->n_seen < sizeof(f->seen) / sizeof(f->seen[0]))
        f->seen[f->n_seen++] = name;
    json_t *v = json_object_get(f->obj, name);
    return v != NULL && json_is_null(v) ? NULL : v;
}

json_t *http_field_raw(struct http_fields *f, const char *name)
{
    return http_field_get(f, name);
}

const char *http_field_string(struct http_fields *f, const char *name, bool required,
                              size_t max_bytes)
{
    json_t *v = http_field_get(f, name);
    if (v == NULL) {
        if (required)
            http_field_error(f, name, "is required");
        return NULL;
    }
    if (!json_is_string(v)) {
        http_field_error(f, name, "must be a string");
        return NULL;
    }
    if (json_string_length(v) > max_bytes) {
        http_field_error(f, name, "is too long");
        return NULL;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        http_field_error(f, name, "must not contain NUL");
        return NULL;
    }
    if (required && json_string_length(v) == 0) {
        http_field_error(f, name, "is required");
        return NULL;
    }
    return arena_strdup(&f->r->arena, json_string_value(v));
}

bool http_field_amount(struct http_fields *f, const char *name, int scale, bool required,
                       int64_t *out)
{
    json_t *v = http_field_get(f, name);
    if (v == NULL) {
        if (required)
            http_field_error(f, name, "is required");
        return false;
    }
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        int64_t unit = 1;
        for (int k = 0; k < scale; k++)
            unit *= 10;
        if (i > AMOUNT_MAX_MINOR / unit || i < -AMOUNT_MAX_MINOR / unit) {
            http_field_error(f, name, "is out of range");
            return false;
        }
        *out = (int64_t)i * unit;
        return true;
    }
    if (!json_is_string(v)) {
        http_field_error(f, name, "must be a decimal string like \"12.50\" or an integer");
        return false;
    }
    enum err rc = amount_parse(json_string_value(v), scale, out);
    if (rc == ERR_OVERFLOW)
        http_field_error(f, name, "is out of range");
    else if (rc != ERR_OK && scale == 0)
        http_field_error(f, name, "must be a whole number");
    else if (rc != ERR_OK)
        http_field_error(f, name, "must be a decimal with at most the type's decimals");
    return rc == ERR_OK;
}

bool http_field_bool(struct http_fields *f, const char *name, bool *out)
{
    json_t *v = http_field_get(f, name);
    if (v == NULL)
        return false;
    if (!json_is_boolean(v)) {
        http_field_error(f, name, "must be true or false");
        return false;
    }
    *out = json_is_true(v);
    return true;
}

bool http_field_int(struct http_fields *f, const char *name, int64_t min, int64_t max, int64_t *out)
{
    json_t *v = http_field_get(f, name);
    if (v == NULL)
        return false;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        http_field_error(f, name, "must be an integer from %lld to %lld", (long long)min,
                         (long long)max);
        return false;
    }
    *out = (int64_t)json_integer_value(v);
    return true;
}

bool http_field_id(struct http_fields *f, const char *name, const char *prefix, bool required,
                   int64_t *out)
{
    json_t *v = http_field_get(f, name);
    if (v == NULL) {
        if (required)
            http_field_error(f, name, "is required");
        return false;
    }
    if (!json_is_string(v) || !id_parse(json_string_value(v), prefix, out)) {
        http_field_error(f, name, "is not an id of the right kind");
        return false;
    }
    return true;
}

bool http_field_time(struct http_fields *f, const char *name, bool required, int64_t *out_us)
{
    json_t *v = http_field_get(f, name);
    if (v == NULL) {
        if (required)
            http_field_error(f, name, "is required");
        return false;
    }
    if (!json_is_string(v) || !time_parse_rfc3339(json_string_value(v), out_us)) {
        http_field_error(f, name, "must be an RFC 3339 time like 2026-03-01T00:00:00Z");
        return false;
    }
    return true;
}

bool http_fields_done(struct http_fields *f)
{
    const char *key;
    json_t *value;
    json_object_foreach(f->obj, key, value)
    {
        bool known = false;
        for (size_t i = 0; i < f->n_seen && !known; i++)
            known = strcmp(f->seen[i], key) == 0;
        if (!known)
            http_field_error(f, key, "is not a field of this request");
    }
    if (json_array_size(f->errors) == 0) {
        json_decref(f->errors);
        f->errors = NULL;
        return true;
    }
    struct http_request *r = f->r;
    json_t *first = json_array_get(f->errors, 0);
    json_t *p = json_object();
    json_object_set_new(p, "type", json_string("about:blank"));
    json_object_set_new(p, "title", json_string(http_problem_title_in(r, ERR_VALIDATION)));
    json_object_set_new(p, "status", json_integer(422));
    json_object_set_new(p, "code", json_string(err_code(ERR_VALIDATION)));
    json_object_set(p, "field", json_object_get(first, "field"));
    json_object_set(p, "detail", json_object_get(first, "message"));
    json_object_set_new(p, "errors", f->errors);
    json_object_set_new(p, "request_id", json_string(r->id));
    f->errors = NULL;
    char *text = json_dumps(p, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(p);
    http_text(r, 422, "application/problem+json", text ? text : "{}", text ? strlen(text) : 2);
    free(text);
    return false;
}

json_t *http_amount(int64_t minor, int scale)
{
    char text[AMOUNT_TEXT_BYTES];
    amount_format(minor, scale, text, sizeof(text));
    return json_string(text);
}

json_t *http_id(const char *prefix, int64_t id)
{
    if (id == 0)
        return json_null();
    char text[ID_TEXT_BYTES];
    id_format(text, sizeof(text), prefix, id);
    return json_string(text);
}

json_t *http_time(int64_t us)
{
    if (us == 0)
        return json_null();
    char text[40];
    time_format_rfc3339(us, text, sizeof(text));
    return json_string(text);
}

const char *http_field_language(struct http_fields *f, const char *name)
{
    const char *v = http_field_string(f, name, false, 16);
    if (v == NULL || v[0] == '\0')
        return v;
    if (!i18n_lang_known(v) || strlen(v) != 2) {
        http_field_error(f, name, "expected \"en\", \"de\" or \"\" (the business's language)");
        return NULL;
    }
    return i18n_lang(v);
}

const char *http_language(const char *locale)
{
    return locale != NULL && locale[0] != '\0' ? i18n_lang(locale) : "";
}
