/*
 * Operations endpoints: liveness, readiness (the database answers), the
 * Prometheus metrics, the OpenAPI document built from the route table, and
 * the test clock of servers started with --test-clock.
 */
#include <string.h>

#include "http/http_int.h"
#include "api_examples.h"

void h_healthz(struct http_request *r)
{
    http_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

void h_readyz(struct http_request *r)
{
    int64_t count = 0;
    enum err rc = svc_ready(r->svc, &count);
    if (rc != ERR_OK) {
        http_problem_msg(r, ERR_STORE_BUSY, "the database does not answer");
        return;
    }
    http_json(r, 200,
              json_pack("{s:s, s:s}", "status", "ready", "database", svc_backend_name(r->svc)));
}

/* The read replica's gauges, read at each scrape (two small queries). */
static void h_metrics_replica(struct http_request *r, struct buf *b)
{
    struct svc_replica_status st;
    if (svc_replica_status(r->svc, &st) != ERR_OK || !st.configured)
        return;
    if (buf_printf(b,
                   "# HELP creditd_read_replica_up Whether the read replica (--read-db) answers.\n"
                   "# TYPE creditd_read_replica_up gauge\ncreditd_read_replica_up %d\n"
                   "# HELP creditd_read_replica_lag_bytes WAL the replica has still to replay.\n"
                   "# TYPE creditd_read_replica_lag_bytes gauge\n"
                   "creditd_read_replica_lag_bytes %lld\n"
                   "# HELP creditd_read_replica_lag_seconds How far the replica's replay is "
                   "behind (0 when it has replayed all it received).\n"
                   "# TYPE creditd_read_replica_lag_seconds gauge\n"
                   "creditd_read_replica_lag_seconds %.3f\n"
                   "# HELP creditd_heavy_reads_total Exports, dashboards and reports, by the "
                   "server that answered them.\n# TYPE creditd_heavy_reads_total counter\n"
                   "creditd_heavy_reads_total{served_by=\"replica\"} %lld\n"
                   "creditd_heavy_reads_total{served_by=\"primary\"} %lld\n",
                   st.up ? 1 : 0, (long long)st.lag_bytes, (double)st.lag_ms / 1e3,
                   (long long)st.reads_on_replica, (long long)st.reads_on_primary) != ERR_OK)
        log_msg(LOG_WARN, "metrics: the replica's lines did not fit");
}

void h_metrics(struct http_request *r)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    http_metrics_render(&b);
    h_metrics_replica(r, &b);
    http_text(r, 200, "text/plain; version=0.0.4", b.data ? b.data : "", b.len);
    buf_release(&b);
}

/* "{id}" segments become OpenAPI path parameters of the same name. */
static json_t *h_openapi_parameters(const char *pattern)
{
    json_t *params = json_array();
    for (const char *p = strchr(pattern, '{'); p != NULL; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (end == NULL)
            break;
        json_t *name = json_stringn(p + 1, (size_t)(end - p - 1));
        json_array_append_new(params, json_pack("{s:o, s:s, s:b, s:{s:s}}", "name", name, "in",
                                                "path", "required", 1, "schema", "type", "string"));
    }
    return params;
}

/* The route's roles, so clients (and the authorization test) read the one
 * route × role table there is. */
static json_t *h_openapi_roles(unsigned roles)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{ROLE_ANON, "anonymous"},
                 {ROLE_TECHNICIAN, "technician"},
                 {ROLE_OWNER, "owner"},
                 {ROLE_STAFF, "staff"},
                 {ROLE_ADMIN, "admin"}};
    json_t *out = json_array();
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (roles & names[i].bit)
            json_array_append_new(out, json_string(names[i].name));
    return out;
}

static json_t *h_openapi_security(unsigned roles)
{
    if (roles & ROLE_ANON)
        return json_array();
    return json_pack("[{s:[]}, {s:[]}]", "session", "apiKey");
}

/* The examples recorded by scripts/api_examples.mjs against a real server,
 * embedded at build time: "METHOD /pattern" → {request, status, response}. */
static json_t *h_openapi_examples(void)
{
    json_error_t e;
    return json_loads(api_examples_json, 0, &e);
}

/* A JSON Schema of the shape of a recorded value: the type of every field,
 * recursively (arrays by their first item). Derived from real answers, so it
 * says what the server sends; fields absent from the example are not listed. */
static json_t *h_openapi_schema(json_t *v, int depth)
{
    if (depth > 16)
        return json_object();
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        json_t *props = json_object();
        const char *k;
        json_t *child;
        json_object_foreach(v, k, child)
        {
            json_object_set_new(props, k, h_openapi_schema(child, depth + 1));
        }
        return json_pack("{s:s, s:o}", "type", "object", "properties", props);
    }
    case JSON_ARRAY: {
        json_t *first = json_array_get(v, 0);
        return json_pack("{s:s, s:o}", "type", "array", "items",
                         first ? h_openapi_schema(first, depth + 1) : json_object());
    }
    case JSON_STRING:
        return json_pack("{s:s}", "type", "string");
    case JSON_INTEGER:
        return json_pack("{s:s}", "type", "integer");
    case JSON_REAL:
        return json_pack("{s:s}", "type", "number");
    case JSON_TRUE:
    case JSON_FALSE:
        return json_pack("{s:s}", "type", "boolean");
    case JSON_NULL:
        return json_pack("{s:[s, s, s, s]}", "type", "null", "string", "object", "array");
    }
    return json_object();
}

/* Adds the recorded request body and response as OpenAPI examples. */
static void h_openapi_example(json_t *op, json_t *examples, const struct http_route *rt)
{
    char key[160];
    if (examples == NULL || !str_format(key, sizeof(key), "%s %s", rt->method, rt->pattern))
        return;
    json_t *ex = json_object_get(examples, key);
    if (ex == NULL)
        return;
    json_t *request = json_object_get(ex, "request");
    json_t *body = json_object_get(request, "body");
    if (body != NULL)
        json_object_set_new(op, "requestBody",
                            json_pack("{s:{s:{s:o, s:O}}}", "content", "application/json", "schema",
                                      h_openapi_schema(body, 0), "example", body));
    json_t *status = json_object_get(ex, "status");
    json_t *response = json_object_get(ex, "response");
    json_t *type = json_object_get(ex, "content_type");
    if (json_is_integer(status) && response != NULL) {
        char code[8];
        str_format(code, sizeof(code), "%d", (int)json_integer_value(status));
        json_t *responses = json_object_get(op, "responses");
        json_object_set_new(
            responses, code,
            json_pack("{s:s, s:{s:{s:o, s:O}}}", "description", "Example answer", "content",
                      json_is_string(type) ? json_string_value(type) : "application/json", "schema",
                      h_openapi_schema(response, 0), "example", response));
        json_object_del(responses, "2XX");
    }
    json_t *path = json_object_get(request, "path");
    if (json_is_string(path))
        json_object_set(op, "x-example-path", path);
}

/* An upload route's body: multipart/form-data with one binary part, file. */
static json_t *h_openapi_upload_body(void)
{
    return json_pack("{s:b, s:{s:{s:{s:s, s:{s:{s:s, s:s, s:s}}, s:[s]}}}}", "required", 1,
                     "content", "multipart/form-data", "schema", "type", "object", "properties",
                     "file", "type", "string", "format", "binary", "description",
                     "the file; its name is kept, sanitized, as metadata only", "required", "file");
}

void h_openapi(struct http_request *r)
{
    json_t *examples = h_openapi_examples();
    json_t *paths = json_object();
    for (size_t i = 0; i < http_routes_count; i++) {
        const struct http_route *rt = &http_routes[i];
        json_t *item = json_object_get(paths, rt->pattern);
        if (item == NULL) {
            item = json_object();
            json_object_set_new(paths, rt->pattern, item);
        }
        char method[8];
        size_t k = 0;
        for (; rt->method[k] && k + 1 < sizeof(method); k++)
            method[k] = (char)(rt->method[k] - 'A' + 'a');
        method[k] = '\0';
        json_t *op =
            json_pack("{s:s, s:o, s:o, s:{s:{s:s}, s:{s:s}}}", "summary", rt->summary, "parameters",
                      h_openapi_parameters(rt->pattern), "security", h_openapi_security(rt->roles),
                      "responses", "2XX", "description", "Success", "default", "description",
                      "An RFC 9457 problem with a stable code");
        json_object_set_new(op, "x-roles", h_openapi_roles(rt->roles));
        h_openapi_example(op, examples, rt);
        if (rt->upload)
            json_object_set_new(op, "requestBody", h_openapi_upload_body());
        json_object_set_new(op, "x-idempotent", json_boolean(rt->idempotent));
        json_object_set_new(item, method, op);
    }
    json_t *doc =
        json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:{s:{s:s, s:s, s:s}, s:{s:s, s:s}}}}", "openapi",
                  "3.1.0", "info", "title", "creditd API", "version", "1", "paths", paths,
                  "components", "securitySchemes", "session", "type", "apiKey", "in", "cookie",
                  "name", "creditd_session", "apiKey", "type", "http", "scheme", "bearer");
    json_decref(examples);
    http_json(r, 200, doc);
}

void h_test_clock(struct http_request *r)
{
    if (!r->srv->cfg.test_clock) {
        http_problem_msg(r, ERR_NOT_FOUND, "the server was not started with --test-clock");
        return;
    }
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    int64_t now = 0;
    http_field_time(&f, "now", true, &now);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    __atomic_store_n(&r->srv->test_now_us, now, __ATOMIC_SEQ_CST);
    http_json(r, 200, json_pack("{s:o}", "now", http_time(now)));
}
