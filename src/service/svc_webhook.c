/*
 * Webhook endpoints and the event log (DESIGN §6), the admin's side of
 * notifications: endpoints created, changed, deleted and given a new
 * secret, each change one transaction; an endpoint's delivery log; a
 * delivery sent again; the tenant's events with their deliveries.
 *
 * The URL check here is the first of two SSRF guards: it refuses a URL
 * whose host is an address webhooks may not reach, so an admin hears of it
 * at once. It cannot judge a host name, whose addresses change; the
 * dispatcher resolves and judges every host again at each delivery
 * (notify_webhook_post), and that check is the one that counts.
 *
 * Must not: send anything (the dispatcher does), or hand out a secret
 * except from create and rotate.
 */
#include <assert.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "notify/notify.h"
#include "service/service_int.h"

/* Characters of a host name, as notify_target_check admits them. */
static bool svc_webhook_name_is_plain(const char *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '.' || c == '_'))
            return false;
    }
    return n > 0;
}

/* The port after a host: nothing, or ':' and 1 to 65535. */
static bool svc_webhook_port_is_valid(const char *p, size_t n)
{
    if (n == 0)
        return true;
    if (p[0] != ':' || n < 2 || n > 6)
        return false;
    int64_t port = 0;
    for (size_t i = 1; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        port = port * 10 + (p[i] - '0');
    }
    return port >= 1 && port <= 65535;
}

/* Judges a host that is an address. An IPv4 address counts in every form
 * inet_aton reads (127.1, 0x7f.0.0.1, 2130706433), because libcurl reads
 * those forms too and connects to the address they mean. */
static enum err svc_webhook_host_judge(const char *host, bool bracketed, bool allow_private,
                                       struct err_detail *d)
{
    uint8_t bytes[16];
    int family = 0;
    struct in_addr v4;
    if (bracketed) {
        if (strchr(host, '%') != NULL)
            return err_set(d, ERR_VALIDATION, "url", "must not name an IPv6 zone");
        if (inet_pton(AF_INET6, host, bytes) != 1)
            return err_set(d, ERR_VALIDATION, "url",
                           "has a host in brackets that is no IPv6 "
                           "address");
        family = AF_INET6;
    } else if (inet_aton(host, &v4) != 0) {
        memcpy(bytes, &v4, 4);
        family = AF_INET;
    }
    if (family == 0)
        return ERR_OK; /* a name: the dispatcher judges its addresses */
    enum notify_addr_class c = notify_addr_classify(family, bytes);
    if (notify_addr_is_allowed(c, allow_private))
        return ERR_OK;
    bool flag_admits = notify_addr_is_allowed(c, true);
    char text[48] = "";
    if (family == AF_INET && inet_ntop(AF_INET, bytes, text, sizeof(text)) != NULL &&
        strcmp(text, host) == 0)
        text[0] = '\0'; /* written as usual: no need to say which address it means */
    return err_set(d, ERR_VALIDATION, "url",
                   "names '%.64s'%s%s%s, a %s address, which webhooks may not reach%s", host,
                   text[0] ? " (" : "", text, text[0] ? ")" : "", notify_addr_class_name(c),
                   flag_admits ? " (serve --webhook-allow-private admits it)" : "");
}

/* The authority of a URL (what follows the scheme up to the path): a host,
 * an optional port, no user information. */
static enum err svc_webhook_authority_check(const char *auth, size_t n, bool allow_private,
                                            struct err_detail *d)
{
    ASSERT(auth != NULL);
    if (memchr(auth, '@', n) != NULL)
        return err_set(d, ERR_VALIDATION, "url", "must not carry user information");
    bool bracketed = n > 0 && auth[0] == '[';
    const char *start = auth + bracketed, *end;
    if (bracketed) {
        end = memchr(auth, ']', n);
        if (end == NULL)
            return err_set(d, ERR_VALIDATION, "url", "has a '[' without its ']'");
    } else {
        end = memchr(auth, ':', n);
        if (end == NULL)
            end = auth + n;
    }
    size_t host_len = (size_t)(end - start);
    char host[256];
    if (host_len == 0)
        return err_set(d, ERR_VALIDATION, "url", "must name a host");
    if (host_len >= sizeof(host))
        return err_set(d, ERR_VALIDATION, "url", "has a host longer than 255 bytes");
    memcpy(host, start, host_len);
    host[host_len] = '\0';
    const char *port = end + bracketed;
    if (!svc_webhook_port_is_valid(port, (size_t)(auth + n - port)))
        return err_set(d, ERR_VALIDATION, "url", "has a port that is not 1 to 65535");
    if (!bracketed && !svc_webhook_name_is_plain(host, host_len))
        return err_set(d, ERR_VALIDATION, "url",
                       "must have a host of ASCII letters, digits, '-' and '.' (an "
                       "international name in its xn-- form) or an address");
    return svc_webhook_host_judge(host, bracketed, allow_private, d);
}

static enum err svc_webhook_url_check(const char *url, bool allow_private, struct err_detail *d)
{
    if (url == NULL || url[0] == '\0')
        return err_set(d, ERR_VALIDATION, "url", "is required");
    size_t len = strlen(url);
    if (len > WEBHOOK_URL_BYTES_MAX)
        return err_set(d, ERR_VALIDATION, "url", "is longer than %d bytes", WEBHOOK_URL_BYTES_MAX);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f)
            return err_set(d, ERR_VALIDATION, "url",
                           "must be printable ASCII without spaces (percent-encode the rest)");
    }
    size_t scheme = strncasecmp(url, "https://", 8) == 0  ? 8
                    : strncasecmp(url, "http://", 7) == 0 ? 7
                                                          : 0;
    if (scheme == 0)
        return err_set(d, ERR_VALIDATION, "url", "must start with http:// or https://");
    const char *auth = url + scheme;
    return svc_webhook_authority_check(auth, strcspn(auth, "/?#"), allow_private, d);
}

enum err svc_webhook_events_check(const char *const *events, size_t n, struct err_detail *d)
{
    if (n == 0)
        return err_set(d, ERR_VALIDATION, "events",
                       "must list at least one event type, or \"*\" for all");
    if (n > SVC_WEBHOOK_EVENTS_MAX)
        return err_set(d, ERR_VALIDATION, "events", "lists more than %d entries",
                       SVC_WEBHOOK_EVENTS_MAX);
    ASSERT(events != NULL);
    for (size_t i = 0; i < n; i++) {
        enum svc_event_type t;
        if (events[i] != NULL && strcmp(events[i], "*") == 0) {
            if (n > 1)
                return err_set(d, ERR_VALIDATION, "events",
                               "\"*\" (every type) stands alone in the list");
            continue;
        }
        if (!svc_event_type_parse(events[i], &t))
            return err_set(d, ERR_VALIDATION, "events", "unknown event type '%.80s'",
                           events[i] != NULL ? events[i] : "");
    }
    return ERR_OK;
}

/* The list as stored: "*", or the types named, each once, in the order of
 * SVC_EVENT_TYPES, separated by commas (arena memory). */
static enum err svc_webhook_events_text(struct arena *a, const char *const *events, size_t n,
                                        const char **out, struct err_detail *d)
{
    enum err rc = svc_webhook_events_check(events, n, d);
    if (rc != ERR_OK)
        return rc;
    if (strcmp(events[0], "*") == 0) {
        *out = "*";
        return ERR_OK;
    }
    bool wanted[SVC_EVENT__COUNT] = {false};
    for (size_t i = 0; i < n; i++) {
        enum svc_event_type t;
        bool known = svc_event_type_parse(events[i], &t);
        ASSERT(known);
        wanted[t] = true;
    }
    char text[SVC_EVENT__COUNT * 40];
    size_t used = 0;
    text[0] = '\0';
    for (size_t t = 0; t < SVC_EVENT__COUNT; t++) {
        if (!wanted[t])
            continue;
        bool fits = str_format(text + used, sizeof(text) - used, "%s%s", used ? "," : "",
                               svc_event_type_name((enum svc_event_type)t));
        ASSERT(fits); /* names are short */
        used += strlen(text + used);
    }
    *out = arena_strdup(a, text);
    return *out != NULL ? ERR_OK : ERR_TOO_LARGE;
}

static void svc_webhook_secret_new(char secret[SVC_WEBHOOK_SECRET_TEXT])
{
    static_assert(SVC_WEBHOOK_SECRET_TEXT == sizeof(SVC_WEBHOOK_SECRET_PREFIX) - 1 + SECRET_HEX,
                  "a secret is the prefix and 32 random bytes as hex");
    char hex[SECRET_HEX];
    random_hex(hex, 32); /* libsodium's randombytes */
    bool fits = str_format(secret, SVC_WEBHOOK_SECRET_TEXT, "%s%s", SVC_WEBHOOK_SECRET_PREFIX, hex);
    ASSERT(fits);
    ASSERT(strlen(secret) == SVC_WEBHOOK_SECRET_TEXT - 1);
}

/* ---- changes ------------------------------------------------------------ */

struct webhook_ctx {
    struct arena *a;
    int64_t tenant_id, id, now_us;
    const struct svc_webhook_input *in;
    const char *events;          /* the new list as stored; NULL keeps */
    const char *secret;          /* a new secret; NULL keeps */
    const char *disabled_reason; /* when in disables */
    struct webhook_endpoint_row *out;
};

static enum err svc_webhook_create_txn(struct store_conn *c, void *arg)
{
    struct webhook_ctx *x = arg;
    struct webhook_endpoint_row *r = x->out;
    *r = (struct webhook_endpoint_row){.tenant_id = x->tenant_id,
                                       .url = x->in->url,
                                       .description = x->in->description ? x->in->description : "",
                                       .events = x->events,
                                       .secret = x->secret,
                                       .disabled_reason = "",
                                       .created_at_us = x->now_us,
                                       .updated_at_us = x->now_us};
    return store_webhook_endpoint_insert(c, r, &r->id);
}

enum err svc_webhook_create(struct svc *s, struct arena *a, int64_t tenant_id,
                            const struct svc_webhook_input *in, struct webhook_endpoint_row *out,
                            char secret[SVC_WEBHOOK_SECRET_TEXT], struct err_detail *d)
{
    ASSERT(in != NULL);
    ASSERT(out != NULL);
    struct webhook_ctx x = {.a = a,
                            .tenant_id = tenant_id,
                            .now_us = svc_now(s),
                            .in = in,
                            .secret = secret,
                            .out = out};
    enum err rc = svc_webhook_url_check(in->url, s->webhook_allow_private, d);
    if (rc == ERR_OK)
        rc = svc_webhook_events_text(a, in->events, in->n_events, &x.events, d);
    if (rc == ERR_OK)
        rc = svc_text_check(in->description, "description", NOTE_BYTES_MAX, false, d);
    if (rc != ERR_OK)
        return rc;
    svc_webhook_secret_new(secret);
    return store_write(s->st, svc_webhook_create_txn, &x);
}

/* Update and rotate: the row locked, changed as x says, written back. */
static enum err svc_webhook_update_txn(struct store_conn *c, void *arg)
{
    struct webhook_ctx *x = arg;
    struct webhook_endpoint_row r;
    enum err rc = store_webhook_endpoint_get(c, x->a, x->tenant_id, x->id, true, &r);
    if (rc != ERR_OK)
        return rc;
    const struct svc_webhook_input *in = x->in;
    if (in->url != NULL)
        r.url = in->url;
    if (x->events != NULL)
        r.events = x->events;
    if (in->description != NULL)
        r.description = in->description;
    if (in->set_disabled && in->disabled && !r.disabled) {
        r.disabled = true;
        r.disabled_reason = x->disabled_reason;
    } else if (in->set_disabled && !in->disabled && r.disabled) {
        /* Enabled again: its run of failures starts afresh. */
        r.disabled = false;
        r.disabled_reason = "";
        r.failing_since_us = 0;
    }
    if (x->secret != NULL)
        r.secret = x->secret;
    r.updated_at_us = x->now_us;
    rc = store_webhook_endpoint_update(c, &r);
    r.secret = NULL; /* the answer never carries it */
    *x->out = r;
    return rc;
}

enum err svc_webhook_update(struct svc *s, struct arena *a, int64_t tenant_id,
                            const struct svc_actor *actor, int64_t id,
                            const struct svc_webhook_input *in, struct webhook_endpoint_row *out,
                            struct err_detail *d)
{
    ASSERT(in != NULL);
    ASSERT(out != NULL);
    struct webhook_ctx x = {
        .a = a, .tenant_id = tenant_id, .id = id, .now_us = svc_now(s), .in = in, .out = out};
    enum err rc = ERR_OK;
    if (in->url != NULL)
        rc = svc_webhook_url_check(in->url, s->webhook_allow_private, d);
    if (rc == ERR_OK && in->n_events > 0)
        rc = svc_webhook_events_text(a, in->events, in->n_events, &x.events, d);
    if (rc == ERR_OK)
        rc = svc_text_check(in->description, "description", NOTE_BYTES_MAX, false, d);
    if (rc != ERR_OK)
        return rc;
    x.disabled_reason = arena_printf(a, "disabled by %s", svc_actor_label(actor));
    if (x.disabled_reason == NULL)
        return ERR_TOO_LARGE;
    return store_write(s->st, svc_webhook_update_txn, &x);
}

enum err svc_webhook_rotate_secret(struct svc *s, struct arena *a, int64_t tenant_id, int64_t id,
                                   struct webhook_endpoint_row *out,
                                   char secret[SVC_WEBHOOK_SECRET_TEXT])
{
    ASSERT(out != NULL);
    ASSERT(secret != NULL);
    static const struct svc_webhook_input keep = {.url = NULL};
    svc_webhook_secret_new(secret);
    struct webhook_ctx x = {.a = a,
                            .tenant_id = tenant_id,
                            .id = id,
                            .now_us = svc_now(s),
                            .in = &keep,
                            .secret = secret,
                            .out = out};
    return store_write(s->st, svc_webhook_update_txn, &x);
}

static enum err svc_webhook_delete_txn(struct store_conn *c, void *arg)
{
    const struct webhook_ctx *x = arg;
    enum err rc = store_webhook_endpoint_delete(c, x->tenant_id, x->id);
    if (rc == ERR_OK)
        rc = store_delivery_skip_endpoint(c, x->tenant_id, x->id, "endpoint deleted");
    return rc;
}

enum err svc_webhook_delete(struct svc *s, int64_t tenant_id, int64_t id)
{
    ASSERT(tenant_id > 0);
    struct webhook_ctx x = {.tenant_id = tenant_id, .id = id};
    return store_write(s->st, svc_webhook_delete_txn, &x);
}

/* ---- reads -------------------------------------------------------------- */

struct webhook_read_ctx {
    struct arena *a;
    int64_t tenant_id, id, before_id;
    size_t limit;
    const char *type;
    struct webhook_endpoint_row *row;
    struct webhook_endpoint_row **rows;
    size_t *n;
    struct svc_delivery_attempts *attempts;
    struct svc_events *events;
    struct svc_event_view *view;
};

static enum err svc_webhook_list_txn(struct store_conn *c, void *arg)
{
    struct webhook_read_ctx *x = arg;
    enum err rc = store_webhook_endpoint_list(c, x->a, x->tenant_id, x->rows, x->n);
    for (size_t i = 0; rc == ERR_OK && i < *x->n; i++)
        (*x->rows)[i].secret = NULL;
    return rc;
}

enum err svc_webhook_list(struct svc *s, struct arena *a, int64_t tenant_id,
                          struct webhook_endpoint_row **out, size_t *n)
{
    ASSERT(out != NULL);
    ASSERT(n != NULL);
    *out = NULL;
    *n = 0;
    struct webhook_read_ctx x = {.a = a, .tenant_id = tenant_id, .rows = out, .n = n};
    return store_read(s->st, svc_webhook_list_txn, &x);
}

static enum err svc_webhook_get_txn(struct store_conn *c, void *arg)
{
    struct webhook_read_ctx *x = arg;
    enum err rc = store_webhook_endpoint_get(c, x->a, x->tenant_id, x->id, false, x->row);
    x->row->secret = NULL;
    return rc;
}

enum err svc_webhook_get(struct svc *s, struct arena *a, int64_t tenant_id, int64_t id,
                         struct webhook_endpoint_row *out)
{
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    struct webhook_read_ctx x = {.a = a, .tenant_id = tenant_id, .id = id, .row = out};
    return store_read(s->st, svc_webhook_get_txn, &x);
}

/* The event of attempt i's delivery: from an earlier attempt of the same
 * delivery on the page (retries sit close together), else read. */
static enum err svc_webhook_attempt_event(struct store_conn *c, struct webhook_read_ctx *x,
                                          size_t i)
{
    struct svc_delivery_attempt *items = x->attempts->items;
    for (size_t j = 0; j < i; j++) {
        if (items[j].row.delivery_id == items[i].row.delivery_id) {
            items[i].event_id = items[j].event_id;
            return ERR_OK;
        }
    }
    struct delivery_row dl;
    enum err rc = store_delivery_get(c, x->a, x->tenant_id, items[i].row.delivery_id, &dl);
    items[i].event_id = rc == ERR_OK ? dl.event_id : 0;
    return rc == ERR_NOT_FOUND ? ERR_OK : rc;
}

static enum err svc_webhook_attempts_txn(struct store_conn *c, void *arg)
{
    struct webhook_read_ctx *x = arg;
    struct svc_delivery_attempts *o = x->attempts;
    memset(o, 0, sizeof(*o));
    struct webhook_endpoint_row ep;
    struct delivery_attempt_row *rows = NULL;
    size_t n = 0;
    enum err rc = store_webhook_endpoint_get(c, x->a, x->tenant_id, x->id, false, &ep);
    /* One more than asked tells whether another page exists. */
    if (rc == ERR_OK)
        rc = store_delivery_attempt_list(c, x->a, x->tenant_id, x->id, x->before_id, x->limit + 1,
                                         &rows, &n);
    if (rc != ERR_OK)
        return rc;
    o->more = n > x->limit;
    o->n = o->more ? x->limit : n;
    o->items = arena_alloc(x->a, (o->n + 1) * sizeof(*o->items));
    if (o->items == NULL)
        return ERR_TOO_LARGE;
    for (size_t i = 0; rc == ERR_OK && i < o->n; i++) {
        o->items[i].row = rows[i];
        rc = svc_webhook_attempt_event(c, x, i);
    }
    return rc;
}

enum err svc_webhook_attempts_read(struct svc *s, struct arena *a, int64_t tenant_id,
                                   int64_t endpoint_id, int64_t before_id, size_t limit,
                                   struct svc_delivery_attempts *out)
{
    ASSERT(limit > 0);
    ASSERT(out != NULL);
    struct webhook_read_ctx x = {.a = a,
                                 .tenant_id = tenant_id,
                                 .id = endpoint_id,
                                 .before_id = before_id,
                                 .limit = limit,
                                 .attempts = out};
    return store_read(s->st, svc_webhook_attempts_txn, &x);
}

static enum err svc_events_txn(struct store_conn *c, void *arg)
{
    struct webhook_read_ctx *x = arg;
    struct svc_events *o = x->events;
    memset(o, 0, sizeof(*o));
    size_t n = 0;
    enum err rc =
        store_event_list(c, x->a, x->tenant_id, x->type, x->before_id, x->limit + 1, &o->items, &n);
    if (rc != ERR_OK)
        return rc;
    o->more = n > x->limit;
    o->n = o->more ? x->limit : n;
    return ERR_OK;
}

enum err svc_events_read(struct svc *s, struct arena *a, int64_t tenant_id, const char *type,
                         int64_t before_id, size_t limit, struct svc_events *out,
                         struct err_detail *d)
{
    ASSERT(limit > 0);
    ASSERT(out != NULL);
    enum svc_event_type t;
    if (type != NULL && !svc_event_type_parse(type, &t))
        return err_set(d, ERR_VALIDATION, "type", "unknown event type '%.80s'", type);
    struct webhook_read_ctx x = {.a = a,
                                 .tenant_id = tenant_id,
                                 .before_id = before_id,
                                 .limit = limit,
                                 .type = type,
                                 .events = out};
    return store_read(s->st, svc_events_txn, &x);
}

static enum err svc_event_txn(struct store_conn *c, void *arg)
{
    struct webhook_read_ctx *x = arg;
    struct svc_event_view *v = x->view;
    memset(v, 0, sizeof(*v));
    enum err rc = store_event_get(c, x->a, x->tenant_id, x->id, &v->event);
    /* Account mails carry a secret: they are not in the event log. */
    if (rc == ERR_OK && strncmp(v->event.type, "account.", 8) == 0)
        rc = ERR_NOT_FOUND;
    if (rc == ERR_OK)
        rc = store_delivery_list_event(c, x->a, x->tenant_id, x->id, &v->deliveries,
                                       &v->n_deliveries);
    return rc;
}

enum err svc_event_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t event_id,
                        struct svc_event_view *out)
{
    ASSERT(out != NULL);
    ASSERT(tenant_id > 0);
    struct webhook_read_ctx x = {.a = a, .tenant_id = tenant_id, .id = event_id, .view = out};
    return store_read(s->st, svc_event_txn, &x);
}

/* ---- sending again ------------------------------------------------------ */

struct resend_ctx {
    struct arena *a;
    int64_t tenant_id, delivery_id, now_us;
    struct delivery_row *out;
    struct err_detail *d;
};

static enum err svc_delivery_resend_txn(struct store_conn *c, void *arg)
{
    struct resend_ctx *x = arg;
    struct delivery_row old;
    struct webhook_endpoint_row ep;
    enum err rc = store_delivery_get(c, x->a, x->tenant_id, x->delivery_id, &old);
    if (rc != ERR_OK)
        return rc;
    if (strcmp(old.channel, "webhook") != 0)
        return err_set(x->d, ERR_CONFLICT, "",
                       "delivery 'dlv_%lld' is a mail: only webhook "
                       "deliveries are sent again",
                       (long long)old.id);
    /* Locked, so a delete of the endpoint waits for this commit and then
     * skips the new delivery with the others. */
    rc = store_webhook_endpoint_get(c, x->a, x->tenant_id, old.endpoint_id, true, &ep);
    if (rc == ERR_NOT_FOUND)
        return err_set(x->d, ERR_CONFLICT, "", "the endpoint of delivery 'dlv_%lld' was deleted",
                       (long long)old.id);
    if (rc != ERR_OK)
        return rc;
    if (ep.disabled)
        return err_set(x->d, ERR_CONFLICT, "", "endpoint 'whe_%lld' is disabled: enable it first",
                       (long long)ep.id);
    *x->out = (struct delivery_row){.tenant_id = x->tenant_id,
                                    .event_id = old.event_id,
                                    .channel = "webhook",
                                    .endpoint_id = ep.id,
                                    .recipient = ep.url,
                                    .locale = "",
                                    .status = "pending",
                                    .next_attempt_at_us = x->now_us,
                                    .last_error = "",
                                    .created_at_us = x->now_us};
    return store_delivery_insert_id(c, x->out, &x->out->id);
}

enum err svc_delivery_resend(struct svc *s, struct arena *a, int64_t tenant_id, int64_t delivery_id,
                             struct delivery_row *out, struct err_detail *d)
{
    ASSERT(out != NULL);
    ASSERT(tenant_id > 0);
    struct resend_ctx x = {.a = a,
                           .tenant_id = tenant_id,
                           .delivery_id = delivery_id,
                           .now_us = svc_now(s),
                           .out = out,
                           .d = d};
    return store_write(s->st, svc_delivery_resend_txn, &x);
}
