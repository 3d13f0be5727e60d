/*
 * Mail: the service's use of src/notify. Today that is the test mail of
 * `creditd mail test`, which reads the relay's settings, composes a short
 * message signed with the tenant's name and sends it; the dispatcher of
 * notifications will use the same pieces.
 *
 * Must not: send inside a store transaction (the only read, the tenant's
 * name, ends before the relay is contacted), or let the relay's password
 * out of the notify layer: the relay is named by its redacted URL only.
 */
#include <string.h>

#include "notify/notify.h"
#include "service/service_int.h"

_Static_assert(sizeof(((struct svc_mail_test_result *)0)->message_id) >= NOTIFY_MESSAGE_ID_BYTES,
               "room for a Message-ID");

/* The test mail's words in the language of locale ("{name}" is the
 * sender's name): the catalogue's "mail.test.*". */
struct svc_mail_words {
    const char *subject;
    const char *text;
    const char *html;
};

static struct svc_mail_words svc_mail_words_for(const char *locale)
{
    const char *lang = i18n_lang(locale);
    return (struct svc_mail_words){.subject = i18n_text(lang, "mail.test.subject"),
                                   .text = i18n_text(lang, "mail.test.text"),
                                   .html = i18n_text(lang, "mail.test.html")};
}

/* Appends name, HTML-escaped when html is set. */
static enum err svc_mail_name_append(struct buf *b, const char *name, bool html)
{
    enum err rc = ERR_OK;
    for (const char *p = name; *p != '\0' && rc == ERR_OK; p++) {
        const char *entity = !html       ? NULL
                             : *p == '<' ? "&lt;"
                             : *p == '>' ? "&gt;"
                             : *p == '&' ? "&amp;"
                             : *p == '"' ? "&quot;"
                                         : NULL;
        rc = entity != NULL ? buf_puts(b, entity) : buf_append(b, p, 1);
    }
    return rc;
}

/* Copies template into arena memory with every "{name}" replaced. */
static char *svc_mail_fill(struct arena *a, const char *template, const char *name, bool html)
{
    struct buf b;
    buf_init(&b, MAIL_BODY_BYTES_MAX);
    enum err rc = ERR_OK;
    for (const char *p = template; *p != '\0' && rc == ERR_OK;) {
        const char *hole = strstr(p, "{name}");
        size_t len = hole != NULL ? (size_t)(hole - p) : strlen(p);
        rc = buf_append(&b, p, len);
        if (rc == ERR_OK && hole != NULL)
            rc = svc_mail_name_append(&b, name, html);
        p += len + (hole != NULL ? strlen("{name}") : 0);
    }
    char *out = rc == ERR_OK ? arena_strndup(a, b.data ? b.data : "", b.len) : NULL;
    buf_release(&b);
    return out;
}

/* The sender's name and the words: the tenant's name and language when
 * there is a tenant. */
static enum err svc_mail_test_sender(struct svc *s, struct arena *a,
                                     const struct svc_mail_test_input *in,
                                     const struct notify_smtp_config *cfg, const char **name,
                                     struct svc_mail_words *words, struct err_detail *d)
{
    *name = cfg->from_name[0] != '\0' ? cfg->from_name : "creditd";
    *words = svc_mail_words_for(NULL);
    if (in->tenant_id == 0)
        return ERR_OK;
    ASSERT(s != NULL);
    struct tenant_row t;
    enum err rc = svc_tenant_get(s, a, in->tenant_id, &t);
    if (rc == ERR_NOT_FOUND)
        return err_set(d, rc, "tenant", "no such tenant");
    if (rc != ERR_OK)
        return err_set(d, rc, "tenant", "cannot read the tenant");
    *name = t.name;
    *words = svc_mail_words_for(t.locale);
    return ERR_OK;
}

/* Composes the test mail into msg and sends it. */
static enum err svc_mail_test_send(struct svc *s, struct arena *a,
                                   const struct svc_mail_test_input *in,
                                   const struct notify_smtp_config *cfg, struct buf *msg,
                                   struct svc_mail_test_result *out, struct err_detail *d)
{
    const char *name;
    struct svc_mail_words words;
    enum err rc = svc_mail_test_sender(s, a, in, cfg, &name, &words, d);
    if (rc != ERR_OK)
        return rc;
    struct notify_mail m = {
        .from_name = name,
        .from_addr = cfg->from_addr,
        .to_addr = in->to,
        .subject = svc_mail_fill(a, words.subject, name, false),
        .text = svc_mail_fill(a, words.text, name, false),
        .html = svc_mail_fill(a, words.html, name, true),
        .date_s = (s != NULL ? svc_now(s) : time_now_us()) / USEC_PER_SEC,
    };
    if (m.subject == NULL || m.text == NULL || m.html == NULL)
        return err_set(d, ERR_TOO_LARGE, "", "the test mail does not fit in memory");
    if ((rc = notify_mail_compose(&m, msg, out->message_id, d)) != ERR_OK)
        return rc;
    return notify_mail_send(cfg, cfg->from_addr, in->to, msg->data, msg->len, d);
}

void svc_notify_status(const struct svc *s, struct svc_notify_status *out)
{
    memset(out, 0, sizeof(*out));
    const struct svc_notify_config *cfg = svc_notify_config_of(s);
    out->dispatching = cfg != NULL;
    if (cfg == NULL)
        return;
    out->webhook_allow_private = cfg->webhook_allow_private;
    out->mail_configured = cfg->mail_configured && cfg->smtp != NULL;
    if (!out->mail_configured)
        return;
    str_copy(out->relay, sizeof(out->relay), cfg->smtp->url_redacted);
    str_copy(out->from, sizeof(out->from), cfg->smtp->from_addr);
}

enum err svc_mail_test(struct svc *s, struct arena *a, const struct svc_mail_test_input *in,
                       struct svc_mail_test_result *out, struct err_detail *d)
{
    ASSERT(a != NULL);
    ASSERT(in != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    struct notify_smtp_config cfg;
    struct buf msg;
    buf_init(&msg, MAIL_MESSAGE_BYTES_MAX);
    bool started = false;
    enum err rc = notify_smtp_config_from_env(&cfg, d);
    if (rc != ERR_OK)
        goto out;
    if (!notify_mail_is_configured(&cfg)) {
        rc = err_set(d, ERR_MAIL_NOT_CONFIGURED, "CREDITD_SMTP_URL",
                     "mail is not configured: set CREDITD_SMTP_URL and CREDITD_MAIL_FROM");
        goto out;
    }
    str_copy(out->relay, sizeof(out->relay), cfg.url_redacted);
    if ((rc = notify_mail_address_check(in->to, "to", d)) != ERR_OK)
        goto out;
    if ((rc = notify_init()) != ERR_OK) {
        rc = err_set(d, rc, "", "cannot start libcurl");
        goto out;
    }
    started = true;
    rc = svc_mail_test_send(s, a, in, &cfg, &msg, out, d);
out:
    if (started)
        notify_release();
    notify_smtp_config_release(&cfg);
    buf_release(&msg);
    return rc;
}
