/*
 * Internals of the HTTP layer shared by server.c, router.c, the JSON helpers
 * and the h_<resource>.c handlers. Nothing outside src/http includes this.
 */
#ifndef CREDITD_HTTP_INT_H
#define CREDITD_HTTP_INT_H

#include <pthread.h>

#include <jansson.h>
#include <microhttpd.h>

#include "http/http.h"

/* Roles as bits, so a route lists who may call it. */
enum http_role {
    ROLE_ANON = 1 << 0,
    ROLE_TECHNICIAN = 1 << 1,
    ROLE_OWNER = 1 << 2,
    ROLE_STAFF = 1 << 3,
    ROLE_ADMIN = 1 << 4,
    /* Not a role: the route is authorised by a token in its path (an
     * unsubscribe link), so any session or key that comes along is ignored
     * (and a signed-in browser is not asked for a CSRF token). */
    ROUTE_BY_TOKEN = 1 << 5,
    /* Not a role: open to a staff user or admin who must turn two-factor
     * sign-in on before anything else (who am I, enrolling, signing out). */
    ROUTE_WHILE_ENROLLING = 1 << 6,
};
#define ROLES_MEMBER  (ROLE_TECHNICIAN | ROLE_OWNER)
#define ROLES_TEAM    (ROLE_STAFF | ROLE_ADMIN)
#define ROLES_SIGNED  (ROLES_MEMBER | ROLES_TEAM)
#define ROLES_ANYBODY (ROLE_ANON | ROLES_SIGNED)

struct http_request;
typedef void (*http_handler)(struct http_request *r);

struct http_route {
    const char *method;
    const char *pattern; /* "/api/v1/customers/{id}/lots" */
    http_handler handler;
    unsigned roles;      /* who may call it */
    const char *summary; /* one line for the OpenAPI document */
    bool idempotent;     /* honours Idempotency-Key (state-changing POSTs) */
    bool upload;         /* multipart file body, streamed to disk (not JSON) */
};

/* Builds the answer of a successful operation from its outputs alone. */
typedef json_t *(*http_render_fn)(void *ctx, int *status);

enum { HTTP_PARAMS_MAX = 4 };

/*
 * A streamed upload (routes with upload = true). The handler is called twice:
 * with phase BEGIN once the caller is authorized and before any byte of the
 * body is read, to check the objects it acts on and answer early (404, 409);
 * and with phase DONE once the file is on disk, sealed, with its name, size
 * and SHA-256 in file.
 */
enum http_upload_phase { HTTP_UPLOAD_NONE, HTTP_UPLOAD_BEGIN, HTTP_UPLOAD_DONE };
struct http_upload {
    enum http_upload_phase phase;
    struct MHD_PostProcessor *pp;
    struct svc_upload file; /* the `file` part, streamed to a temporary file */
    int parts;              /* parts named `file` seen */
    size_t bytes_max;       /* the file's limit: the server's, or less when
                               the handler says so in phase BEGIN (a logo) */
    uint64_t body_bytes;    /* bytes of the body received */
    /* The first failure while streaming, answered once the body is read. */
    enum err failed;
    char failed_message[160];
    struct err_text failed_text; /* its format and arguments, to translate it */
    /* Found by the handler in phase BEGIN, for phase DONE. */
    int64_t customer_id;
    int64_t order_id;
};

/* Deadlines for slow clients (deadline.c). */
enum http_phase {
    HTTP_PHASE_WAITING, /* for a request's headers (or idle between requests) */
    HTTP_PHASE_BODY,    /* headers in: the body is arriving */
    HTTP_PHASE_BUSY,    /* the request is whole: the server is answering */
};
/* A request's headers must be in within this of the connection's start or
 * the end of the previous request: real clients send them at once. */
#define HTTP_HEADER_DEADLINE_US (10 * USEC_PER_SEC)
/* A body must bring at least this many bytes every HTTP_BODY_PROGRESS_US
 * (1.6 KB/s: slower is a client holding a slot, not an upload). */
#define HTTP_BODY_PROGRESS_BYTES (16 * 1024)
#define HTTP_BODY_PROGRESS_US    (10 * USEC_PER_SEC)
struct http_deadline;
enum err http_deadline_new(struct http_deadline **out) WUR;
/* Stops the sweeper; after the daemon stopped. */
void http_deadline_free(struct http_deadline *dl);
/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION: watches a connection from
 * its start to its close. */
void http_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe);
/* The connection's request entered phase (the clock restarts). */
void http_deadline_phase(struct MHD_Connection *conn, enum http_phase phase);
/* n more body bytes arrived. */
void http_deadline_bytes(struct MHD_Connection *conn, size_t n);
/* Connections shut down for a missed deadline so far. */
uint64_t http_deadline_closed(struct http_deadline *dl);

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_deadline *deadline;
    struct svc *svc;
    struct http_config cfg;
    /* The test clock (only with cfg.test_clock): 0 = the wall clock. */
    int64_t test_now_us;
    struct svc test_svc;
};

struct http_request {
    struct arena arena;
    struct http_server *srv;
    struct svc *svc;
    struct MHD_Connection *conn;
    char id[17];
    const char *method;
    const char *path;
    int64_t started_us;
    struct buf body;
    bool body_too_large;
    const struct http_route *route;
    const char *params[HTTP_PARAMS_MAX];
    char allow[64]; /* the path's methods when route is NULL (405) */
    struct http_upload upload;
    /* resolved before the handler runs */
    int64_t tenant_id;
    struct svc_principal who;
    unsigned role;   /* one ROLE_ bit */
    bool by_session; /* cookie session: unsafe methods need the CSRF token */
    struct svc_actor actor;
    /* Idempotency-Key: the service's record of it (svc is its service) and
     * the handler's renderer, run inside the operation's transaction */
    struct svc_idem *idem;
    http_render_fn idem_render;
    void *idem_render_ctx;
    /* the answer */
    int status;
    bool responded;
    /* An answer built while the client is still sending a body it did not
     * offer to hold back (no Expect: 100-continue): kept and sent once the
     * body is read, because answering and closing mid-body makes clients
     * fail to write (EPIPE) before they read the answer. */
    bool defer;
    struct MHD_Response *deferred;
};

/* ---- dispatch (server.c) ----------------------------------------------- */

/* Tenant, caller, roles and CSRF of a routed request; false when a problem
 * is queued. */
bool http_authorize(struct http_request *r);

/* The client of a request: the peer, or when the peer is a trusted proxy
 * the address its X-Forwarded-For lines give (net_forwarded_client). */
void http_client_address(struct http_request *r, struct net_addr *out);
/* The same as text in the request's arena ("" when it cannot be written). */
const char *http_client_address_text(struct http_request *r);

/* ---- streamed uploads (upload.c) --------------------------------------- */

/* At the first call (headers known): authorizes, calls the handler in phase
 * BEGIN, checks the content type and declared length, and prepares the
 * multipart parser; any refusal is answered before the body is read. */
void http_upload_begin(struct http_request *r);
/* A piece of the body; false when the connection should be dropped (a body
 * without Content-Length going far past the limit). */
bool http_upload_data(struct http_request *r, const char *data, size_t size);
/* The whole body is read: answers what failed, or runs idempotency and the
 * handler in phase DONE. */
void http_upload_done(struct http_request *r);
/* From the completed callback: frees the parser, deletes a temporary file. */
void http_upload_release(struct http_request *r);

/* ---- idempotency (idempotency.c) --------------------------------------- */

/* Before the handler: replays or refuses a known key (false: answered), else
 * points r->svc at the service that records the key with the operation. The
 * request's hash covers method, path and body; for an upload, the file's
 * SHA-256 and name and the customer_id query parameter instead of a body. */
bool http_idem_prepare(struct http_request *r);
/* Before the operation: the renderer runs inside its transaction. */
void http_idem_arm(struct http_request *r, http_render_fn render, void *ctx);
/* After the operation: the problem, the answer rendered in the transaction,
 * or render's answer now. */
void http_respond(struct http_request *r, enum err rc, const struct err_detail *d,
                  http_render_fn render, void *ctx);
void http_idem_release(struct http_request *r);

/* ---- responses --------------------------------------------------------- */

/* Queues a JSON answer (takes ownership of body). */
void http_json(struct http_request *r, int status, json_t *body);
/* Queues text with a content type (copied). */
void http_text(struct http_request *r, int status, const char *content_type, const char *text,
               size_t len);
/* Queues a streamed answer (takes ownership of resp). */
void http_respond_stream(struct http_request *r, int status, const char *content_type,
                         struct MHD_Response *resp);
/* Queues an RFC 9457 problem for err with the detail's field and message. */
void http_problem(struct http_request *r, enum err e, const struct err_detail *d);
/* A problem with a plain message (no field); fmt must be a string literal,
 * so that scripts/errors_catalogue.py finds it for the catalogue. */
void http_problem_msg(struct http_request *r, enum err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The catalogue language the request asks for (Accept-Language; "en"). */
const char *http_request_lang(struct http_request *r);
/* The title of a problem for e in the request's language. */
const char *http_problem_title_in(struct http_request *r, enum err e);
/* 405 with an Allow header. */
void http_method_not_allowed(struct http_request *r, const char *allow);
/* Adds a header to the answer being built (before it is queued). */
void http_header(struct http_request *r, const char *name, const char *value);
/* A Content-Disposition value, kind "attachment" or "inline", with the
 * file's name twice: filename="…" in ASCII for old clients and filename*
 * percent-encoded UTF-8 (RFC 6266, RFC 8187); the name is sanitized
 * (filename_sanitize) first. Arena memory (NULL when the arena is full). */
const char *http_content_disposition(struct http_request *r, const char *kind, const char *name);
/* Retry-After: seconds, the text kept in the request's arena (http_header
 * keeps the pointer until the answer is queued). */
void http_retry_after(struct http_request *r, int64_t seconds);

/* ---- requests ---------------------------------------------------------- */

const char *http_request_header(struct http_request *r, const char *name);
/* The caller's session token from the Cookie header (RFC 6265 pairs),
 * copied into buf; NULL when there is none or it does not fit. */
const char *http_session_token(struct http_request *r, char *buf, size_t n);
const char *http_query(struct http_request *r, const char *name);
/* The request body as a JSON object, strictly parsed (duplicate keys,
 * non-UTF-8, depth over 32 and a wrong content type refused with the right
 * problem already queued): NULL then. */
json_t *http_body_object(struct http_request *r);

/* ---- JSON field readers ------------------------------------------------ */

/* Reads fields of one object and collects every error; http_fields_done
 * reports unknown fields and queues 422 validation_failed when anything was
 * wrong (returns false then). */
struct http_fields {
    struct http_request *r;
    json_t *obj;
    json_t *errors;
    const char *seen[48];
    size_t n_seen;
};
void http_fields_begin(struct http_fields *f, struct http_request *r, json_t *obj);
const char *http_field_string(struct http_fields *f, const char *name, bool required,
                              size_t max_bytes);
bool http_field_amount(struct http_fields *f, const char *name, int scale, bool required,
                       int64_t *out);
bool http_field_bool(struct http_fields *f, const char *name, bool *out);
bool http_field_int(struct http_fields *f, const char *name, int64_t min, int64_t max,
                    int64_t *out);
bool http_field_id(struct http_fields *f, const char *name, const char *prefix, bool required,
                   int64_t *out);
bool http_field_time(struct http_fields *f, const char *name, bool required, int64_t *out_us);
/* A field that is present but handled by the caller (arrays, objects). */
json_t *http_field_raw(struct http_fields *f, const char *name);
/* Records that field name is wrong, with a message made from fmt (a string
 * literal, for scripts/errors_catalogue.py) in the request's language. */
void http_field_error(struct http_fields *f, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with the message of a detail (from a service's check). */
void http_field_error_detail(struct http_fields *f, const char *name, const struct err_detail *d);
/* An optional language field: "en", "de" or "" (the business's); NULL when
 * absent or wrong (then recorded as the field's error). */
const char *http_field_language(struct http_fields *f, const char *name);
/* The language a stored locale stands for: "en", "de", or "" for none. */
const char *http_language(const char *locale);
bool http_fields_done(struct http_fields *f);

/* ---- JSON writers ------------------------------------------------------ */

json_t *http_amount(int64_t minor, int scale);
json_t *http_id(const char *prefix, int64_t id);
json_t *http_time(int64_t us); /* null for 0 */

/* The customer of the path within the caller's reach; queues 404 (h_write_ledger.c). */
bool h_path_customer(struct http_request *r, int64_t *customer_id);

/* Shared by the write handlers (h_write_catalog.c): the catalogue, read
 * before a change (renderers read nothing); a type by code; and a map
 * {"master":"75"} of amounts by type, each in its type's decimals. */
bool h_catalog(struct http_request *r, struct svc_catalog *c);
const struct credit_type_row *h_type_by_code(const struct svc_types *types, const char *code);
void h_amounts_field(struct http_fields *f, const struct svc_types *types, const char *field,
                     bool required, struct svc_amount *out, size_t *n, size_t max);

/* Shared shapes (render.c). */
json_t *http_lot_json(const struct lot_row *r, const char *type_code, int scale);
json_t *http_quote_json(const struct svc_quote *q, const char *type_code);

/* ---- routing ----------------------------------------------------------- */

extern const struct http_route http_routes[];
extern const size_t http_routes_count;
/* Finds the route of method and path; on a path match with another method
 * *allow lists the methods. */
const struct http_route *http_route_find(const char *method, const char *path,
                                         const char *params[HTTP_PARAMS_MAX], char *allow,
                                         size_t allow_len);
/* libmicrohttpd's unescape callback for paths and query values
 * (server.c): decodes %HH in place but keeps %00 as it is; returns the new
 * length. Not static only so that tests/fuzz reaches it. */
size_t http_unescape(void *cls, struct MHD_Connection *conn, char *s);
/* The path parameter {name}'s value as an id with prefix; queues 404. */
bool http_param_id(struct http_request *r, int index, const char *prefix, int64_t *out);

/* ---- metrics ----------------------------------------------------------- */

void http_metrics_observe(const struct http_route *route, int status, int64_t duration_us);
void http_metrics_store_error(void);
void http_metrics_render(struct buf *b);

/* ---- handlers (h_*.c) -------------------------------------------------- */

void h_healthz(struct http_request *r);
void h_readyz(struct http_request *r);
void h_metrics(struct http_request *r);
void h_login(struct http_request *r);
void h_logout(struct http_request *r);
void h_me(struct http_request *r);
void h_me_update(struct http_request *r);
void h_api_key_create(struct http_request *r);
void h_api_keys(struct http_request *r);
void h_api_key_revoke(struct http_request *r);
/* the account life cycle (h_access.c) */
void h_password_change(struct http_request *r);
void h_password_reset_request(struct http_request *r);
void h_password_reset_confirm(struct http_request *r);
void h_users(struct http_request *r);
void h_user_create(struct http_request *r);
void h_user_update(struct http_request *r);
void h_user_password_reset(struct http_request *r);
void h_member_remove(struct http_request *r);
void h_security_log(struct http_request *r);
/* coming in (h_invite.c) */
void h_invitation_create(struct http_request *r);
void h_invitations(struct http_request *r);
void h_invitation_withdraw(struct http_request *r);
void h_invitation_preview(struct http_request *r);
void h_invitation_accept(struct http_request *r);
void h_registration(struct http_request *r);
void h_register(struct http_request *r);
void h_email_verify(struct http_request *r);
void h_email_verify_resend(struct http_request *r);
void h_customer_approve(struct http_request *r);
void h_customer_reject(struct http_request *r);
void h_test_clock(struct http_request *r);
void h_openapi(struct http_request *r);
void h_notify_prefs(struct http_request *r);
void h_notify_prefs_update(struct http_request *r);
void h_thresholds(struct http_request *r);
void h_thresholds_update(struct http_request *r);
void h_unsubscribe_form(struct http_request *r);
void h_unsubscribe(struct http_request *r);
void h_notify_status(struct http_request *r);
void h_notify_test_mail(struct http_request *r);
/* two-factor sign-in (h_totp.c) */
void h_totp_enrol(struct http_request *r);
void h_totp_confirm(struct http_request *r);
void h_totp_disable(struct http_request *r);
void h_totp_recovery_codes(struct http_request *r);
/* the business's brand (h_branding.c) */
void h_branding(struct http_request *r);
void h_branding_update(struct http_request *r);
void h_branding_logo(struct http_request *r);
void h_branding_logo_put(struct http_request *r);
void h_branding_logo_delete(struct http_request *r);
void h_favicon(struct http_request *r);
/* the portal's files (h_web.c) */
void h_web_index(struct http_request *r);
void h_web_asset(struct http_request *r);
void h_web_catalogue(struct http_request *r);
/* writes (h_write_*.c) */
void h_customer_create(struct http_request *r);
void h_member_add(struct http_request *r);
void h_credit_type_create(struct http_request *r);
void h_credit_type_update(struct http_request *r);
void h_package_create(struct http_request *r);
void h_service_create(struct http_request *r);
void h_settings_update(struct http_request *r);
void h_lot_create(struct http_request *r);
void h_lot_update(struct http_request *r);
void h_lot_pause(struct http_request *r);
void h_lot_resume(struct http_request *r);
void h_lot_extend(struct http_request *r);
void h_lot_deactivate(struct http_request *r);
void h_lot_reactivate(struct http_request *r);
void h_lot_deduct(struct http_request *r);
void h_adjustment_create(struct http_request *r);
void h_transfer_create(struct http_request *r);
void h_quote(struct http_request *r);
void h_order_create(struct http_request *r);
void h_order_status(struct http_request *r);
void h_order_cancel(struct http_request *r);
void h_customer_update(struct http_request *r);
void h_package_update(struct http_request *r);
void h_package_archive(struct http_request *r);
void h_service_update(struct http_request *r);
void h_member_limits(struct http_request *r);
/* the shop (h_shop.c) */
/* An invoice with its lines, store credit and lots (a new reference). */
json_t *h_invoice_json(const struct svc_invoice_view *v);
/* An order as GET /orders/{id} shows it (h_read_customers.c). */
json_t *h_order_details(const struct svc_types *types, const struct svc_order_view *v);
void h_purchase_create(struct http_request *r);
void h_invoices(struct http_request *r);
void h_invoice(struct http_request *r);
void h_invoice_html(struct http_request *r);
void h_invoice_pdf(struct http_request *r);
void h_credit_note_pdf(struct http_request *r);

void h_credit_notes(struct http_request *r);
void h_credit_note(struct http_request *r);
void h_credit_note_html(struct http_request *r);
void h_invoice_mark_paid(struct http_request *r);
void h_invoice_void(struct http_request *r);
void h_webhook_stripe(struct http_request *r);
/* files (h_files.c) */
void h_file_upload(struct http_request *r);
void h_order_file_upload(struct http_request *r);
void h_order_deliver(struct http_request *r);
void h_file_download(struct http_request *r);
void h_file_purge(struct http_request *r);
/* A file as the API shows it (the order's list, uploads, purges). */
json_t *http_file_json(const struct file_row *f);
/* reads (h_read_*.c) */
/* Shared by the read handlers (h_read_common.c). Query parameters collect
 * every error; h_read_params_done queues one 422 listing them (false then). */
#define H_READ_LIMIT_DEFAULT 50
#define H_READ_LIMIT_MAX     200
#define H_READ_MONEY_SCALE   2
struct h_read_params {
    struct http_fields f;
    json_t *obj;
};
void h_read_params_begin(struct h_read_params *p, struct http_request *r);
bool h_read_params_done(struct h_read_params *p);
/* NULL when absent or empty. */
const char *h_read_text(struct h_read_params *p, const char *name, size_t max_bytes);
int64_t h_read_id(struct h_read_params *p, const char *name, const char *prefix); /* 0 absent */
int64_t h_read_time(struct h_read_params *p, const char *name);                   /* 0 absent */
size_t h_read_limit(struct h_read_params *p);
/* A member's customer (their reads are bound to it), 0 for staff and admins. */
int64_t h_read_only_customer(const struct http_request *r);
/* False (404 queued) when a member asks for another customer. */
bool h_read_may_see(struct http_request *r, int64_t customer_id);
/* Queues the problem for a failed read (404 without details). */
void h_read_fail(struct http_request *r, enum err rc, const struct err_detail *d);
json_t *h_read_amount(const struct svc_types *types, int64_t type_id, int64_t minor);
json_t *h_read_type_code(const struct svc_types *types, int64_t type_id);
json_t *h_read_type_amounts(const struct svc_types *types, size_t n, const int64_t *type_ids,
                            const int64_t *amounts_minor);
json_t *h_read_balances(const struct svc_balance *b, size_t n);
json_t *h_read_lot(const struct svc_types *types, const struct lot_row *r);
/* {"items": items, "next_cursor": prefix_last_id or null}; takes items. */
json_t *h_read_page(json_t *items, const char *prefix, int64_t last_id, bool more);
void h_credit_types(struct http_request *r);
void h_packages(struct http_request *r);
void h_services(struct http_request *r);
void h_settings(struct http_request *r);
/* The settings as GET /settings shows them (a new reference). */
json_t *h_settings_json(const struct tenant_row *t);
void h_verify(struct http_request *r);
void h_customers(struct http_request *r);
void h_customer(struct http_request *r);
void h_customer_lots(struct http_request *r);
void h_lot(struct http_request *r);
void h_lot_history(struct http_request *r);
void h_orders(struct http_request *r);
void h_order(struct http_request *r);
void h_ledger(struct http_request *r);
void h_ledger_csv(struct http_request *r);
void h_customer_summary(struct http_request *r);
void h_me_dashboard(struct http_request *r);
void h_admin_dashboard(struct http_request *r);
/* webhook endpoints, deliveries and the event log (h_webhooks.c) */
void h_webhook_create(struct http_request *r);
void h_webhooks(struct http_request *r);
void h_webhook(struct http_request *r);
void h_webhook_update(struct http_request *r);
void h_webhook_delete(struct http_request *r);
void h_webhook_rotate(struct http_request *r);
void h_webhook_deliveries(struct http_request *r);
void h_delivery_resend(struct http_request *r);
void h_events(struct http_request *r);
void h_event(struct http_request *r);

#endif
