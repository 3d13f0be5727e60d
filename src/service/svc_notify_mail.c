/*
 * The words of notification mails, in English and German, and how a mail is
 * made from an event: the event's payload (the body every webhook gets too)
 * fills the holes of its text, so a mail says exactly what the payload says.
 * A hole "{x}" takes data.x, else data.object.x, else one of the values the
 * dispatcher passes (the business, the recipient's name, the link); the
 * status and reason codes are put in words of the mail's language, and
 * amounts of money get the decimal comma in German.
 *
 * Must not: read the database or send (svc_notify.c does both); put a value
 * into the HTML part unescaped.
 */
#include <jansson.h>
#include <string.h>

#include "service/service_int.h"

/* One event's mail in one language. body: paragraphs separated by blank
 * lines; a paragraph whose holes are all empty is left out. */
struct svc_mail_text {
    const char *subject;
    const char *body;
};

struct svc_mail_kind {
    enum svc_event_type type;
    const char *link; /* after the portal's address; "{id}" is the subject's public id */
    struct svc_mail_text en, de;
};

static const struct svc_mail_kind svc_mail_kinds[] = {
    {SVC_EVENT_ORDER_CREATED,
     "/#/admin/orders/{id}",
     {"New order {reference} from {customer}",
      "{customer} placed order {reference}: {services}, {total} {credit_type} credits.\n\n"
      "{vehicle_line}\n\n"
      "Open it in the orders queue:\n{link}"},
     {"Neuer Auftrag {reference} von {customer}",
      "{customer} hat den Auftrag {reference} erteilt: {services}, {total} {credit_type}-Credits."
      "\n\n{vehicle_line}\n\n"
      "Zum Auftrag in der Auftragsliste:\n{link}"}},
    {SVC_EVENT_ORDER_STATUS_CHANGED,
     "/#/orders/{id}",
     {"Order {reference} is now {status}",
      "Your order {reference} moved from {previous_status} to {status}.\n\n"
      "See the order:\n{link}"},
     {"Auftrag {reference}: {status}",
      "Ihr Auftrag {reference} ist jetzt {status} (vorher: {previous_status}).\n\n"
      "Zum Auftrag:\n{link}"}},
    {SVC_EVENT_ORDER_COMPLETED,
     "/#/orders/{id}",
     {"Your file for order {reference} is ready",
      "Order {reference} is completed. The delivered file is waiting for you on the order "
      "page:\n{link}"},
     {"Ihre Datei zum Auftrag {reference} ist fertig",
      "Ihr Auftrag {reference} ist abgeschlossen. Die bearbeitete Datei steht auf der "
      "Auftragsseite zum Herunterladen bereit:\n{link}"}},
    {SVC_EVENT_ORDER_REJECTED,
     "/#/orders/{id}",
     {"Order {reference} was declined",
      "We could not take on order {reference}.\n\nReason: {reason}\n\n"
      "{refunded} {credit_type} credits went back to your balance.\n\n{link}"},
     {"Auftrag {reference} wurde abgelehnt",
      "Wir konnten den Auftrag {reference} leider nicht übernehmen.\n\nGrund: {reason}\n\n"
      "{refunded} {credit_type}-Credits wurden Ihrem Guthaben wieder gutgeschrieben.\n\n{link}"}},
    {SVC_EVENT_ORDER_CANCELLED,
     "/#/orders/{id}",
     {"Order {reference} was cancelled",
      "Order {reference} of {customer} was cancelled.\n\nReason: {reason}\n\n"
      "{refunded} {credit_type} credits went back to the balance of {customer}.\n\n{link}"},
     {"Auftrag {reference} wurde storniert",
      "Der Auftrag {reference} von {customer} wurde storniert.\n\nGrund: {reason}\n\n"
      "{refunded} {credit_type}-Credits wurden dem Guthaben von {customer} wieder "
      "gutgeschrieben.\n\n{link}"}},
    {SVC_EVENT_INVOICE_CREATED,
     "/#/invoices",
     {"Invoice {number} from {business}",
      "Invoice {number} over {gross} {currency} is ready ({status}).\n\n{due_line}\n\n"
      "{transfer}\n\nView it here:\n{link}"},
     {"Rechnung {number} von {business}",
      "Ihre Rechnung {number} über {gross} {currency} ist erstellt ({status}).\n\n{due_line}\n\n"
      "{transfer}\n\nSie finden sie hier:\n{link}"}},
    {SVC_EVENT_INVOICE_PAID,
     "/#/invoices",
     {"Payment received for invoice {number}",
      "Thank you: invoice {number} over {gross} {currency} is paid.\n\n{link}"},
     {"Zahlung für Rechnung {number} erhalten",
      "Vielen Dank: Die Rechnung {number} über {gross} {currency} ist bezahlt.\n\n{link}"}},
    {SVC_EVENT_CREDITS_ADDED,
     "/#/history",
     {"{amount} {credit_type} credits added",
      "{amount} {credit_type} credits were added to your account. Your balance is now "
      "{balance_after}.\n\n{link}"},
     {"{amount} {credit_type}-Credits gutgeschrieben",
      "Ihrem Konto wurden {amount} {credit_type}-Credits gutgeschrieben. Ihr Guthaben beträgt "
      "jetzt {balance_after}.\n\n{link}"}},
    {SVC_EVENT_CREDITS_ADJUSTED,
     "/#/history",
     {"Your {credit_type} balance was adjusted",
      "Your {credit_type} balance changed by {amount} ({kind}).\n\nReason: {reason}\n\n"
      "{justification}\n\nYour balance is now {balance_after}.\n\n{link}"},
     {"Ihr {credit_type}-Guthaben wurde angepasst",
      "Ihr {credit_type}-Guthaben hat sich um {amount} geändert ({kind}).\n\nGrund: {reason}\n\n"
      "{justification}\n\nIhr Guthaben beträgt jetzt {balance_after}.\n\n{link}"}},
    {SVC_EVENT_CREDITS_EXPIRING,
     "/#/",
     {"{remaining} {credit_type} credits expire on {expires_on}",
      "{remaining} {credit_type} credits of \"{lot_name}\" expire on {expires_on}. Use them "
      "before then:\n{link}"},
     {"{remaining} {credit_type}-Credits verfallen am {expires_on}",
      "{remaining} {credit_type}-Credits aus \xe2\x80\x9e{lot_name}\xe2\x80\x9c verfallen am "
      "{expires_on}. Nutzen Sie sie bis dahin:\n{link}"}},
    {SVC_EVENT_BALANCE_LOW,
     "/#/shop",
     {"Your {credit_type} balance is low",
      "Your available {credit_type} balance is {available}, below the {threshold} set as a "
      "warning.\n\nTop up in the shop:\n{link}"},
     {"Ihr {credit_type}-Guthaben ist niedrig",
      "Ihr verfügbares {credit_type}-Guthaben beträgt {available} und liegt damit unter der "
      "Warnschwelle von {threshold}.\n\nIm Shop nachkaufen:\n{link}"}},
    {SVC_EVENT_MEMBER_LIMIT_REACHED,
     "/#/team",
     {"{member} reached the monthly limit",
      "{member} has used the monthly limit of {limit} {credit_type} credits. Further orders "
      "this month are refused until the limit is raised.\n\n{link}"},
     {"{member} hat das Monatslimit erreicht",
      "{member} hat das Monatslimit von {limit} {credit_type}-Credits ausgeschöpft. Weitere "
      "Aufträge in diesem Monat werden abgelehnt, bis das Limit erhöht wird.\n\n{link}"}},
    {SVC_EVENT_WEBHOOK_ENDPOINT_DISABLED,
     "/#/admin/settings",
     {"Webhook endpoint disabled: {url}",
      "Deliveries to {url} failed for three days, so the endpoint was disabled.\n\n"
      "Last error: {error}\n\nFix the receiver, then enable the endpoint again:\n{link}"},
     {"Webhook-Endpunkt deaktiviert: {url}",
      "Zustellungen an {url} sind drei Tage lang fehlgeschlagen; der Endpunkt wurde deshalb "
      "deaktiviert.\n\nLetzter Fehler: {error}\n\nBeheben Sie den Fehler beim Empfänger und "
      "aktivieren Sie den Endpunkt danach wieder:\n{link}"}},
    /* Account mails: the link holds the token (never logged, scrubbed from the
     * outbox once the mail is done). */
    {SVC_EVENT_ACCOUNT_PASSWORD_RESET,
     "/#/reset/{token}",
     {"Set a new password for {business}",
      "Someone, hopefully you, asked to set a new password for your {business} account "
      "({email}).\n\nChoose a new password here (the link works once, within one hour):\n"
      "{link}\n\nIf you did not ask for this, ignore this mail: your password stays as it is."},
     {"Neues Passwort für {business}",
      "Für Ihr Konto bei {business} ({email}) wurde ein neues Passwort angefordert.\n\n"
      "Hier legen Sie es fest (der Link gilt einmal, eine Stunde lang):\n{link}\n\n"
      "Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail einfach: Ihr "
      "Passwort bleibt unverändert."}},
    {SVC_EVENT_ACCOUNT_EMAIL_VERIFY,
     "/#/verify/{token}",
     {"Confirm your e-mail address for {business}",
      "Welcome to {business}. Please confirm your e-mail address ({email}) so that you can "
      "place orders:\n{link}\n\nThe link works for seven days."},
     {"Bitte bestätigen Sie Ihre E-Mail-Adresse bei {business}",
      "Willkommen bei {business}. Bitte bestätigen Sie Ihre E-Mail-Adresse ({email}), damit "
      "Sie Aufträge erteilen können:\n{link}\n\nDer Link ist sieben Tage gültig."}},
    {SVC_EVENT_ACCOUNT_INVITATION,
     "/#/invitation/{token}",
     {"{inviter} invited you to {business}",
      "{inviter} invited you to {business} as {role}.\n\n{customer_line}\n\n"
      "Accept the invitation and choose your password here (the link works for seven days):\n"
      "{link}"},
     {"Einladung von {inviter} zu {business}",
      "{inviter} hat Sie zu {business} eingeladen, als {role}.\n\n{customer_line}\n\n"
      "Hier nehmen Sie die Einladung an und wählen Ihr Passwort (der Link ist sieben Tage "
      "gültig):\n{link}"}},
};

/* Words around every mail. */
struct svc_mail_frame {
    const char *greeting, *greeting_anonymous, *unsubscribe, *settings;
};
static const struct svc_mail_frame svc_mail_frame_en = {
    "Hello {name},", "Hello,",
    "You get this mail because of your notification settings. Unsubscribe from these mails:",
    "Notification settings:"};
static const struct svc_mail_frame svc_mail_frame_de = {
    "Hallo {name},", "Guten Tag,",
    "Sie erhalten diese E-Mail aufgrund Ihrer Benachrichtigungseinstellungen. Diese E-Mails "
    "abbestellen:",
    "Benachrichtigungseinstellungen:"};

/* Codes put in words: order statuses, adjustment reasons, journal kinds. */
static const char *const svc_mail_words_de[][2] = {
    {"submitted", "eingegangen"},
    {"in_progress", "in Bearbeitung"},
    {"completed", "abgeschlossen"},
    {"cancelled", "storniert"},
    {"open", "offen"},
    {"paid", "bezahlt"},
    {"void", "storniert"},
    {"correction", "Korrektur"},
    {"compensation", "Entschädigung"},
    {"goodwill", "Kulanz"},
    {"refund", "Erstattung"},
    {"transfer", "Übertrag"},
    {"other", "Sonstiges"},
    {"adjustment", "Korrektur"},
    {"deactivation", "Deaktivierung"},
    {"reactivation", "Reaktivierung"},
    {"grant", "Gutschrift"},
    {"purchase", "Kauf"},
    {"admin", "Administrator"},
    {"staff", "Mitarbeiter"},
    {"owner", "Inhaber"},
    {"technician", "Techniker"},
};
static const char *const svc_mail_words_en[][2] = {
    {"in_progress", "in progress"}, {"admin", "an administrator"},  {"staff", "a member of staff"},
    {"owner", "an owner"},          {"technician", "a technician"},
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
    return locale != NULL && strncmp(locale, "de", 2) == 0;
}

/* A code in words of the language (the code itself when it has none). */
static const char *svc_mail_word(const char *code, bool de)
{
    size_t n = de ? sizeof(svc_mail_words_de) / sizeof(svc_mail_words_de[0])
                  : sizeof(svc_mail_words_en) / sizeof(svc_mail_words_en[0]);
    for (size_t i = 0; i < n; i++) {
        const char *const *w = de ? svc_mail_words_de[i] : svc_mail_words_en[i];
        if (strcmp(code, w[0]) == 0)
            return w[1];
    }
    return code;
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

/* "2026-12-31T…" as "2026-12-31" or, in German, "31.12.2026". */
static const char *svc_mail_date(struct arena *a, const char *iso, bool de)
{
    if (strlen(iso) < 10 || iso[4] != '-' || iso[7] != '-')
        return iso;
    return de ? arena_printf(a, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso)
              : arena_strndup(a, iso, 10);
}

/* Everything a hole may take besides the payload. */
struct svc_mail_fill {
    struct arena *a;
    json_t *data; /* the payload's data */
    const struct svc_mail_vars *vars;
    const char *link;
    bool de;
};

/* A money amount with the decimal comma in German. */
static const char *svc_mail_money(struct arena *a, const char *amount, bool de)
{
    char *out = arena_strdup(a, amount);
    for (char *p = out; de && p != NULL && *p != '\0'; p++) {
        if (*p == '.')
            *p = ',';
    }
    return out != NULL ? out : "";
}

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
    const char *out =
        rc == ERR_OK && b.len > 0
            ? arena_printf(f->a, "%s: %.*s", f->de ? "Fahrzeug" : "Vehicle", (int)b.len, b.data)
            : "";
    buf_release(&b);
    return out != NULL ? out : "";
}

/* An open invoice's due date: "Due date: 2026-12-18" / "Zahlbar bis 18.12.2026". */
static const char *svc_mail_due_line(struct svc_mail_fill *f)
{
    json_t *object = json_object_get(f->data, "object");
    const char *status = json_string_value(json_object_get(object, "status"));
    const char *due = json_string_value(json_object_get(object, "due_date"));
    if (status == NULL || strcmp(status, "open") != 0 || due == NULL || due[0] == '\0')
        return "";
    const char *day = svc_mail_date(f->a, due, f->de);
    const char *out = f->de ? arena_printf(f->a, "Zahlbar bis %s.", day)
                            : arena_printf(f->a, "Due date: %s.", day);
    return out != NULL ? out : "";
}

/* How to pay an open invoice by bank transfer (its "payment"), in lines. */
static const char *svc_mail_transfer(struct svc_mail_fill *f)
{
    json_t *p = json_object_get(json_object_get(f->data, "object"), "payment");
    if (!json_is_object(p))
        return "";
    const char *v[6];
    const char *keys[] = {"amount",         "currency",     "due_date",
                          "account_holder", "iban_display", "bic"};
    for (size_t i = 0; i < 6; i++) {
        v[i] = json_string_value(json_object_get(p, keys[i]));
        v[i] = v[i] != NULL ? v[i] : "";
    }
    const char *ref = json_string_value(json_object_get(p, "reference"));
    const char *amount = svc_mail_money(f->a, v[0], f->de);
    const char *day = svc_mail_date(f->a, v[2], f->de);
    const char *bic = v[5][0] != '\0' ? arena_printf(f->a, "\nBIC: %s", v[5]) : "";
    const char *out =
        f->de ? arena_printf(f->a,
                             "Bitte \xc3\xbc"
                             "berweisen Sie %s %s bis zum %s auf folgendes Konto:\n"
                             "Kontoinhaber: %s\nIBAN: %s%s\nVerwendungszweck: %s",
                             amount, v[1], day, v[3], v[4], bic ? bic : "", ref ? ref : "")
              : arena_printf(f->a,
                             "Please transfer %s %s by %s to:\nAccount holder: %s\nIBAN: %s%s\n"
                             "Reference: %s",
                             amount, v[1], day, v[3], v[4], bic ? bic : "", ref ? ref : "");
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
        return c == NULL || c[0] == '\0' ? ""
               : f->de                   ? arena_printf(f->a, "Kundenkonto: %s", c)
                                         : arena_printf(f->a, "Customer account: %s", c);
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
    if (strcmp(name, "expires_on") == 0)
        return svc_mail_date(f->a, text, f->de);
    if (strcmp(name, "gross") == 0)
        return svc_mail_money(f->a, text, f->de);
    if (strcmp(name, "status") == 0 || strcmp(name, "previous_status") == 0 ||
        strcmp(name, "reason") == 0 || strcmp(name, "kind") == 0 || strcmp(name, "role") == 0)
        return svc_mail_word(text, f->de);
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
    const struct svc_mail_frame *fr = f->de ? &svc_mail_frame_de : &svc_mail_frame_en;
    const struct svc_mail_text *t = f->de ? &k->de : &k->en;
    const char *greeting = f->vars->name[0] != '\0' ? fr->greeting : fr->greeting_anonymous;
    enum err rc = ERR_OK;
    if (html) {
        rc = buf_printf(b,
                        "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                        "<title>",
                        f->de ? "de" : "en");
        if (rc == ERR_OK)
            rc = svc_mail_put(b, subject, strlen(subject), true);
        if (rc == ERR_OK)
            rc = buf_puts(b, "</title></head>\n<body style=\"font-family: sans-serif; "
                             "line-height: 1.5; color: #1a1a1a; max-width: 40em\">\n");
    }
    if (rc == ERR_OK)
        rc = svc_mail_paragraphs(f, b, greeting, html);
    if (rc == ERR_OK)
        rc = svc_mail_paragraphs(f, b, t->body, html);
    if (rc == ERR_OK)
        rc = svc_mail_paragraphs(f, b, html ? "\xe2\x80\x94\n{business}" : "-- \n{business}", html);
    const char *unsub = f->vars->unsubscribe_url;
    if (rc == ERR_OK && unsub != NULL && unsub[0] != '\0') {
        rc = buf_puts(b, html ? "<p style=\"color: #555; font-size: 0.85em\">" : "");
        if (rc == ERR_OK)
            rc = svc_mail_put(b, fr->unsubscribe, strlen(fr->unsubscribe), html);
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
    struct svc_mail_fill f = {.a = a,
                              .data = json_object_get(root, "data"),
                              .vars = vars,
                              .de = svc_mail_lang_is_german(locale)};
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
    const struct svc_mail_text *t = f.de ? &k->de : &k->en;
    enum err rc = f.link != NULL ? svc_mail_paragraph(&f, &b, t->subject, strlen(t->subject), false)
                                 : ERR_TOO_LARGE;
    out->subject = rc == ERR_OK ? arena_strndup(a, b.data ? b.data : "", b.len) : NULL;
    out->lang = f.de ? "de" : "en";
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
