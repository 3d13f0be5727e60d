/*
 * How a notification mail is made from an event, in the recipient's language
 * (the words are the catalogues' "mail.*", i18n/<lang>/mail.json): the event's payload (the body
 * every webhook gets too) fills the holes of its text, so a mail says exactly what the payload
 * says. A hole "{x}" takes data.x, else data.object.x, else one of the values the dispatcher passes
 * (the business, the recipient's name, the link); the status and reason codes are put in words of
 * the mail's language, and amounts of money get the decimal comma in German.
 *
 * Must not: read the database or send (svc_notify.c does both); put a value
 * into the HTML part unescaped.
 */
#include <jansson.h>
#include <string.h>

#include "service/service_int.h"

/* Where an event's mail links to, after the portal's address: "{id}" is the
 * subject's public id, "{token}" an account mail's token. Its words are the
 * catalogue's "mail.<event>.subject" and "mail.<event>.body" (paragraphs
 * separated by blank lines; a paragraph whose holes are all empty is left
 * out). Account mails' links hold the token (never logged, scrubbed from
 * the outbox once the mail is done). */
struct svc_mail_kind {
    enum svc_event_type type;
    const char *link;
};

static const struct svc_mail_kind svc_mail_kinds[] = {
    {SVC_EVENT_ORDER_CREATED, "/#/admin/orders/{id}"},
    {SVC_EVENT_ORDER_STATUS_CHANGED, "/#/orders/{id}"},
    {SVC_EVENT_ORDER_COMPLETED, "/#/orders/{id}"},
    {SVC_EVENT_ORDER_REJECTED, "/#/orders/{id}"},
    {SVC_EVENT_ORDER_CANCELLED, "/#/orders/{id}"},
    {SVC_EVENT_INVOICE_CREATED, "/#/invoices"},
    {SVC_EVENT_INVOICE_PAID, "/#/invoices"},
    {SVC_EVENT_CREDITS_ADDED, "/#/history"},
    {SVC_EVENT_CREDITS_ADJUSTED, "/#/history"},
    {SVC_EVENT_CREDITS_EXPIRING, "/#/"},
    {SVC_EVENT_BALANCE_LOW, "/#/shop"},
    {SVC_EVENT_MEMBER_LIMIT_REACHED, "/#/team"},
    {SVC_EVENT_WEBHOOK_ENDPOINT_DISABLED, "/#/admin/settings"},
    {SVC_EVENT_ACCOUNT_PASSWORD_RESET, "/#/reset/{token}"},
    {SVC_EVENT_ACCOUNT_EMAIL_VERIFY, "/#/verify/{token}"},
    {SVC_EVENT_ACCOUNT_INVITATION, "/#/invitation/{token}"},
};

static const struct svc_mail_kind *svc_mail_kind_of(enum svc_event_type t)
{
    for (size_t i = 0; i < sizeof(svc_mail_kinds) / sizeof(svc_mail_kinds[0]); i++) {
        if (svc_mail_kinds[i].type == t)
            return &svc_mail_kinds[i];
    }
    return NULL;
}

bool svc_mail_lang_is_german(const char *locale)
{
    return strcmp(i18n_lang(locale), "de") == 0;
}

/* A code in words of the language (the code itself when it has none). */
static const char *svc_mail_word(const char *code, const char *lang)
{
    char key[64];
    if (!str_format(key, sizeof(key), "mail.word.%s", code))
        return code;
    const char *text = i18n_text(lang, key);
    return text == key ? code : text;
}

/* The text of a JSON value for a hole ("" for null, objects and arrays). */
static const char *svc_mail_json_text(json_t *v, char *num, size_t num_bytes)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(num, num_bytes, "%lld", (long long)json_integer_value(v));
        return num;
    }
    return "";
}

/* Everything a hole may take besides the payload. */
struct svc_mail_fill {
    struct arena *a;
    json_t *data; /* the payload's data */
    const struct svc_mail_vars *vars;
    const char *link;
    const char *lang; /* "en" | "de" */
};

/* The names of the order's services, comma separated. */
static const char *svc_mail_services(struct svc_mail_fill *f)
{
    json_t *lines = json_object_get(json_object_get(f->data, "object"), "lines");
    struct buf b;
    buf_init(&b, MAIL_SUBJECT_BYTES_MAX);
    size_t i;
    json_t *line;
    enum err rc = ERR_OK;
    json_array_foreach(lines, i, line)
    {
        const char *name = json_string_value(json_object_get(line, "name"));
        if (name != NULL && rc == ERR_OK)
            rc = buf_printf(&b, "%s%s", b.len > 0 ? ", " : "", name);
    }
    const char *out = rc == ERR_OK && b.len > 0 ? arena_strndup(f->a, b.data, b.len) : "";
    buf_release(&b);
    return out != NULL ? out : "";
}

/* "Vehicle: VW · Golf 7 · 2.0 TDI" from the order's vehicle fields. */
static const char *svc_mail_vehicle(struct svc_mail_fill *f)
{
    json_t *vehicle = json_object_get(json_object_get(f->data, "object"), "vehicle");
    struct buf b;
    buf_init(&b, MAIL_SUBJECT_BYTES_MAX);
    const char *key;
    json_t *v;
    enum err rc = ERR_OK;
    json_object_foreach(vehicle, key, v)
    {
        if (json_is_string(v) && json_string_length(v) > 0 && rc == ERR_OK)
            rc = buf_printf(&b, "%s%s", b.len > 0 ? " \xc2\xb7 " : "", json_string_value(v));
    }
    const char *vehicle_text =
        rc == ERR_OK && b.len > 0 ? arena_strndup(f->a, b.data, b.len) : NULL;
    const char *out = vehicle_text != NULL ? i18n_format(f->a, f->lang, "mail.vehicle", "vehicle",
                                                         vehicle_text, NULL)
                                           : "";
    buf_release(&b);
    return out != NULL ? out : "";
}

/* An open invoice's due date: "Due date: 18 Dec 2026." / "Zahlbar bis 18.12.2026." */
static const char *svc_mail_due_line(struct svc_mail_fill *f)
{
    json_t *object = json_object_get(f->data, "object");
    const char *status = json_string_value(json_object_get(object, "status"));
    const char *due = json_string_value(json_object_get(object, "due_date"));
    if (status == NULL || strcmp(status, "open") != 0 || due == NULL || due[0] == '\0')
        return "";
    const char *day = i18n_date(f->a, f->lang, due);
    const char *out =
        day != NULL ? i18n_format(f->a, f->lang, "mail.invoice.due_line", "date", day, NULL) : NULL;
    return out != NULL ? out : "";
}

/* How to pay an open invoice by bank transfer (its "payment"), in lines. */
static const char *svc_mail_transfer(struct svc_mail_fill *f)
{
    json_t *p = json_object_get(json_object_get(f->data, "object"), "payment");
    if (!json_is_object(p))
        return "";
    const char *v[7];
    const char *keys[] = {"amount",       "currency", "due_date", "account_holder",
                          "iban_display", "bic",      "reference"};
    for (size_t i = 0; i < 7; i++) {
        v[i] = json_string_value(json_object_get(p, keys[i]));
        v[i] = v[i] != NULL ? v[i] : "";
    }
    const char *amount = i18n_money(f->a, f->lang, v[0], v[1]);
    const char *day = i18n_date(f->a, f->lang, v[2]);
    const char *bic =
        v[5][0] != '\0' ? i18n_format(f->a, f->lang, "mail.invoice.transfer_bic", "bic", v[5], NULL)
                        : "";
    if (amount == NULL || day == NULL || bic == NULL)
        return "";
    const char *out =
        i18n_format(f->a, f->lang, "mail.invoice.transfer", "amount", amount, "date", day, "holder",
                    v[3], "iban", v[4], "bic_line", bic, "reference", v[6], NULL);
    return out != NULL ? out : "";
}

/* The value of hole name ("" when there is none). */
static const char *svc_mail_hole(struct svc_mail_fill *f, const char *name)
{
    const struct svc_mail_vars *v = f->vars;
    if (strcmp(name, "name") == 0)
        return v->name;
    if (strcmp(name, "business") == 0)
        return v->business;
    if (strcmp(name, "customer") == 0)
        return v->customer;
    if (strcmp(name, "member") == 0)
        return v->member;
    if (strcmp(name, "link") == 0)
        return f->link;
    if (strcmp(name, "services") == 0)
        return svc_mail_services(f);
    if (strcmp(name, "vehicle_line") == 0)
        return svc_mail_vehicle(f);
    if (strcmp(name, "due_line") == 0)
        return svc_mail_due_line(f);
    if (strcmp(name, "transfer") == 0)
        return svc_mail_transfer(f);
    if (strcmp(name, "customer_line") == 0) {
        const char *c = json_string_value(json_object_get(f->data, "customer_name"));
        const char *line =
            c == NULL || c[0] == '\0'
                ? ""
                : i18n_format(f->a, f->lang, "mail.customer_account", "customer", c, NULL);
        return line != NULL ? line : "";
    }
    json_t *object = json_object_get(f->data, "object");
    const char *key = strcmp(name, "expires_on") == 0 ? "expires_at" : name;
    json_t *j = json_object_get(f->data, key);
    if (j == NULL)
        j = json_object_get(object, key);
    char num[32];
    const char *text = svc_mail_json_text(j, num, sizeof(num));
    if (text == num)
        text = arena_strdup(f->a, num);
    if (text == NULL || text[0] == '\0')
        return "";
    const char *shown = text;
    if (strcmp(name, "expires_on") == 0)
        shown = i18n_date(f->a, f->lang, text);
    else if (strcmp(name, "gross") == 0)
        shown = i18n_number(f->a, f->lang, text);
    if (shown != text)
        return shown != NULL ? shown : "";
    if (strcmp(name, "status") == 0 || strcmp(name, "previous_status") == 0 ||
        strcmp(name, "reason") == 0 || strcmp(name, "kind") == 0 || strcmp(name, "role") == 0)
        return svc_mail_word(text, f->lang);
    return text;
}

/* Appends text, HTML-escaped when html is set. */
static enum err svc_mail_put(struct buf *b, const char *text, size_t n, bool html)
{
    enum err rc = ERR_OK;
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
        const char *entity = !html             ? NULL
                             : text[i] == '<'  ? "&lt;"
                             : text[i] == '>'  ? "&gt;"
                             : text[i] == '&'  ? "&amp;"
                             : text[i] == '"'  ? "&quot;"
                             : text[i] == '\n' ? "<br>\n"
                                               : NULL;
        rc = entity != NULL ? buf_puts(b, entity) : buf_append(b, text + i, 1);
    }
    return rc;
}

/* Appends one paragraph with its holes filled, or nothing when it has holes
 * and every one of them is empty. */
static enum err svc_mail_paragraph(struct svc_mail_fill *f, struct buf *b, const char *p, size_t n,
                                   bool html)
{
    size_t start = b->len, holes = 0, filled = 0;
    enum err rc = ERR_OK;
    for (size_t i = 0; i < n && rc == ERR_OK;) {
        const char *open = memchr(p + i, '{', n - i);
        const char *close = open != NULL ? memchr(open, '}', (size_t)(p + n - open)) : NULL;
        size_t len = close != NULL ? (size_t)(open - (p + i)) : n - i;
        rc = svc_mail_put(b, p + i, len, html);
        if (close == NULL || rc != ERR_OK)
            break;
        char name[32];
        snprintf(name, sizeof(name), "%.*s", (int)(close - open - 1), open + 1);
        const char *value = svc_mail_hole(f, name);
        holes++;
        filled += value[0] != '\0';
        bool is_link = html && strcmp(name, "link") == 0 && value[0] != '\0';
        if (is_link && (rc = buf_puts(b, "<a href=\"")) == ERR_OK &&
            (rc = svc_mail_put(b, value, strlen(value), true)) == ERR_OK)
            rc = buf_puts(b, "\">");
        if (rc == ERR_OK)
            rc = svc_mail_put(b, value, strlen(value), html);
        if (rc == ERR_OK && is_link)
            rc = buf_puts(b, "</a>");
        i = (size_t)(close + 1 - p);
    }
    if (rc == ERR_OK && holes > 0 && filled == 0)
        b->len = start; /* "Reason: " without a reason says nothing */
    return rc;
}

/* Appends template's paragraphs (split at blank lines), each in <p> when html. */
static enum err svc_mail_paragraphs(struct svc_mail_fill *f, struct buf *b, const char *template,
                                    bool html)
{
    enum err rc = ERR_OK;
    for (const char *p = template; *p != '\0' && rc == ERR_OK;) {
        const char *end = strstr(p, "\n\n");
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        size_t before = b->len;
        rc = buf_puts(b, html ? "<p>" : "");
        size_t inner = b->len;
        if (rc == ERR_OK)
            rc = svc_mail_paragraph(f, b, p, n, html);
        if (rc == ERR_OK && b->len == inner)
            b->len = before; /* left out */
        else if (rc == ERR_OK)
            rc = buf_puts(b, html ? "</p>\n" : "\n\n");
        p += n + (end != NULL ? 2 : 0);
    }
    return rc;
}

/* The whole text or HTML part: greeting, body, signature, unsubscribe. */
static enum err svc_mail_part(struct svc_mail_fill *f, const struct svc_mail_kind *k,
                              const char *subject, bool html, struct buf *b)
{
    const char *greeting =
        i18n_text(f->lang, f->vars->name[0] != '\0' ? "mail.greeting" : "mail.greeting_anonymous");
    const char *unsubscribe = i18n_text(f->lang, "mail.unsubscribe");
    char key[64];
    str_format(key, sizeof(key), "mail.%s.body", svc_event_type_name(k->type));
    const char *body = i18n_text(f->lang, key);
    enum err rc = ERR_OK;
    if (html) {
        rc = buf_printf(b,
                        "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                        "<title>",
                        f->lang);
        if (rc == ERR_OK)
            rc = svc_mail_put(b, subject, strlen(subject), true);
        if (rc == ERR_OK)
            rc = buf_puts(b, "</title></head>\n<body style=\"font-family: sans-serif; "
                             "line-height: 1.5; color: #1a1a1a; max-width: 40em\">\n");
    }
    if (rc == ERR_OK)
        rc = svc_mail_paragraphs(f, b, greeting, html);
    if (rc == ERR_OK)
        rc = svc_mail_paragraphs(f, b, body, html);
    if (rc == ERR_OK)
        rc = svc_mail_paragraphs(f, b, html ? "\xe2\x80\x94\n{business}" : "-- \n{business}", html);
    const char *unsub = f->vars->unsubscribe_url;
    if (rc == ERR_OK && unsub != NULL && unsub[0] != '\0') {
        rc = buf_puts(b, html ? "<p style=\"color: #555; font-size: 0.85em\">" : "");
        if (rc == ERR_OK)
            rc = svc_mail_put(b, unsubscribe, strlen(unsubscribe), html);
        if (rc == ERR_OK && html)
            rc = buf_printf(b, " <a href=\"%s\">%s</a></p>\n", unsub, unsub);
        else if (rc == ERR_OK)
            rc = buf_printf(b, "\n%s\n", unsub);
    }
    return rc == ERR_OK && html ? buf_puts(b, "</body></html>\n") : rc;
}

enum err svc_mail_render(struct arena *a, enum svc_event_type type, const char *body,
                         const char *locale, const struct svc_mail_vars *vars,
                         struct svc_mail_rendered *out)
{
    ASSERT(a != NULL);
    ASSERT(vars != NULL);
    memset(out, 0, sizeof(*out));
    const struct svc_mail_kind *k = svc_mail_kind_of(type);
    if (k == NULL)
        return ERR_NOT_FOUND;
    json_error_t jerr;
    json_t *root = json_loads(body, 0, &jerr);
    if (root == NULL)
        return ERR_VALIDATION;
    struct svc_mail_fill f = {
        .a = a, .data = json_object_get(root, "data"), .vars = vars, .lang = i18n_lang(locale)};
    /* The link's hole: "{id}" the subject's public id, "{token}" an account
     * mail's token (hex, safe in a URL as it is). */
    const char *id = vars->subject_id != NULL ? vars->subject_id : "";
    const char *hole = strstr(k->link, "{id}");
    size_t hole_len = 4;
    if (hole == NULL && (hole = strstr(k->link, "{token}")) != NULL) {
        id = json_string_value(json_object_get(f.data, "token"));
        id = id != NULL ? id : "";
        hole_len = 7;
    }
    f.link = vars->portal == NULL || vars->portal[0] == '\0' ? ""
             : hole != NULL ? arena_printf(a, "%s%.*s%s%s", vars->portal, (int)(hole - k->link),
                                           k->link, id, hole + hole_len)
                            : arena_printf(a, "%s%s", vars->portal, k->link);
    struct buf b;
    buf_init(&b, MAIL_BODY_BYTES_MAX);
    char key[64];
    str_format(key, sizeof(key), "mail.%s.subject", svc_event_type_name(type));
    const char *subject = i18n_text(f.lang, key);
    enum err rc = f.link != NULL ? svc_mail_paragraph(&f, &b, subject, strlen(subject), false)
                                 : ERR_TOO_LARGE;
    out->subject = rc == ERR_OK ? arena_strndup(a, b.data ? b.data : "", b.len) : NULL;
    out->lang = f.lang;
    for (int html = 0; html < 2 && rc == ERR_OK && out->subject != NULL; html++) {
        buf_reset(&b);
        rc = svc_mail_part(&f, k, out->subject, html, &b);
        const char *part = rc == ERR_OK ? arena_strndup(a, b.data ? b.data : "", b.len) : NULL;
        *(html ? &out->html : &out->text) = part;
    }
    buf_release(&b);
    json_decref(root);
    if (rc == ERR_OK && (out->subject == NULL || out->text == NULL || out->html == NULL))
        rc = ERR_TOO_LARGE;
    return rc;
}
