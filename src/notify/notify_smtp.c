/*
 * Sending one composed message to an SMTP relay over libcurl: EHLO,
 * STARTTLS (or TLS from the first byte with smtps://), AUTH with the URL's
 * user and password, MAIL FROM, RCPT TO, DATA.
 *
 * What matters to a caller is whether to try again, so every failure is
 * sorted into ERR_DELIVERY_REJECTED (the relay refused this message for
 * good) or ERR_DELIVERY_UNAVAILABLE (anything that may pass later). This
 * file must not retry, follow a proxy from the environment, turn off
 * certificate checks, or let the password into a message: every message
 * goes through notify_scrub with the password, and the relay is named by
 * its redacted URL.
 */
#include <string.h>

#include <curl/curl.h>

#include "notify/notify_int.h"

/* What one send holds; released together at the end of notify_mail_send. */
struct smtp_call {
    CURL *curl;
    struct curl_slist *rcpt;
    const char *data;
    size_t len, pos;
    char reply[160]; /* the relay's last reply line, printable ASCII only */
    char errbuf[CURL_ERROR_SIZE];
};

static size_t smtp_read(char *dst, size_t size, size_t count, void *userdata)
{
    struct smtp_call *call = userdata;
    ASSERT(call->pos <= call->len);
    size_t n = size * count, left = call->len - call->pos;
    if (n > left)
        n = left;
    memcpy(dst, call->data + call->pos, n);
    call->pos += n;
    return n;
}

/* Keeps the relay's last refusal (a 4xx or 5xx reply line) for the message:
 * libcurl says QUIT after a failure, and the "221 bye" must not hide it.
 * Only what the relay sent (CURLINFO_HEADER_IN) is looked at, never our own
 * commands, which carry the credentials. */
static int smtp_debug(CURL *c, curl_infotype type, char *data, size_t size, void *userdata)
{
    (void)c;
    struct smtp_call *call = userdata;
    if (type != CURLINFO_HEADER_IN || size == 0 || (data[0] != '4' && data[0] != '5'))
        return 0;
    size_t j = 0;
    for (size_t i = 0; i < size && j + 1 < sizeof(call->reply); i++) {
        char ch = data[i];
        if (ch == '\r' || ch == '\n')
            break;
        call->reply[j++] = ch >= 0x20 && ch < 0x7f ? ch : '?';
    }
    call->reply[j] = '\0';
    return 0;
}

static long smtp_bounded(long value, long max)
{
    return value <= 0 || value > max ? max : value;
}

static enum err smtp_setup(const struct notify_smtp_config *cfg, struct smtp_call *call,
                           const char *from)
{
    CURL *c = call->curl;
    /* STARTTLS when offered, or always when required; smtps:// is TLS anyway. */
    long use_ssl =
        cfg->implicit_tls || cfg->require_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY;
    bool set = curl_easy_setopt(c, CURLOPT_URL, cfg->url) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps") == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
               (cfg->ca_file[0] == '\0' ||
                curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file) == CURLE_OK) &&
               curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                                smtp_bounded(cfg->connect_timeout_ms,
                                             SMTP_CONNECT_TIMEOUT_MS_MAX)) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                                smtp_bounded(cfg->timeout_ms, SMTP_TIMEOUT_MS_MAX)) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_MAIL_FROM, from) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_MAIL_RCPT, call->rcpt) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_UPLOAD, 1L) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)call->len) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_READFUNCTION, smtp_read) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_READDATA, call) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_ERRORBUFFER, call->errbuf) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, smtp_debug) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_DEBUGDATA, call) == CURLE_OK &&
               curl_easy_setopt(c, CURLOPT_VERBOSE, 1L) == CURLE_OK;
    return set ? ERR_OK : ERR_INTERNAL;
}

static bool smtp_is_tls_failure(CURLcode rc)
{
    return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ||
           rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM ||
           rc == CURLE_SSL_CIPHER || rc == CURLE_SSL_ENGINE_NOTFOUND ||
           rc == CURLE_SSL_ISSUER_ERROR || rc == CURLE_SSL_CRL_BADFILE ||
           rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || rc == CURLE_SSL_INVALIDCERTSTATUS;
}

/* 5xx replies that are about our login or TLS, not about the message: the
 * operator fixes the setting and the message should still go out. */
static bool smtp_is_setting_reply(long code)
{
    return code == 530 || code == 534 || code == 535 || code == 538;
}

/* Sorts a failed conversation into rejected or unavailable, with a message
 * naming the relay by its redacted URL. */
static enum err smtp_classify(const struct notify_smtp_config *cfg, const struct smtp_call *call,
                              CURLcode rc, long code, struct err_detail *d)
{
    const char *relay = cfg->url_redacted;
    const char *why = call->errbuf[0] != '\0' ? call->errbuf : curl_easy_strerror(rc);
    enum err e = ERR_DELIVERY_UNAVAILABLE;
    if (rc == CURLE_LOGIN_DENIED || smtp_is_setting_reply(code))
        return err_set(d, e, "", "smtp relay %s refused the login: %s", relay,
                       call->reply[0] != '\0' ? call->reply : why);
    if (rc == CURLE_USE_SSL_FAILED)
        return err_set(d, e, "", "smtp relay %s does not offer STARTTLS, which is required", relay);
    if (smtp_is_tls_failure(rc))
        return err_set(d, e, "", "tls with smtp relay %s failed: %s", relay, why);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return err_set(d, e, "", "smtp relay %s did not answer in time: %s", relay, why);
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
        return err_set(d, e, "", "cannot connect to smtp relay %s: %s", relay, why);
    const char *said = call->reply[0] != '\0' ? "; it said: " : "";
    if (code >= 500 && code <= 599)
        return err_set(d, ERR_DELIVERY_REJECTED, "", "smtp relay %s refused the mail: %s%s%s",
                       relay, why, said, call->reply);
    if (code >= 400 && code <= 499)
        return err_set(d, e, "", "smtp relay %s deferred the mail: %s%s%s", relay, why, said,
                       call->reply);
    return err_set(d, e, "", "smtp with relay %s failed: %s%s%s", relay, why, said, call->reply);
}

enum err notify_mail_send(const struct notify_smtp_config *cfg, const char *from_addr,
                          const char *to_addr, const char *message, size_t message_len,
                          struct err_detail *d)
{
    ASSERT(cfg != NULL);
    ASSERT(message != NULL || message_len == 0);
    if (!cfg->configured)
        return err_set(d, ERR_MAIL_NOT_CONFIGURED, "",
                       "mail is not configured (set CREDITD_SMTP_URL and CREDITD_MAIL_FROM)");
    enum err rc = notify_mail_address_check(from_addr, "from_addr", d);
    if (rc == ERR_OK)
        rc = notify_mail_address_check(to_addr, "to_addr", d);
    if (rc != ERR_OK)
        return rc;
    if (message_len > MAIL_MESSAGE_BYTES_MAX)
        return err_set(d, ERR_TOO_LARGE, "message", "message is larger than %u bytes",
                       MAIL_MESSAGE_BYTES_MAX);
    ASSERT(notify_is_initialized());
    struct smtp_call call = {.data = message, .len = message_len};
    char from[MAIL_ADDRESS_BYTES_MAX + 3], to[MAIL_ADDRESS_BYTES_MAX + 3];
    bool fits = str_format(from, sizeof(from), "<%s>", from_addr) &&
                str_format(to, sizeof(to), "<%s>", to_addr);
    ASSERT(fits); /* the addresses were bounded */
    if ((call.curl = curl_easy_init()) == NULL ||
        (call.rcpt = curl_slist_append(NULL, to)) == NULL ||
        smtp_setup(cfg, &call, from) != ERR_OK) {
        rc = err_set(d, ERR_INTERNAL, "", "cannot start a libcurl request");
        goto out;
    }
    CURLcode res = curl_easy_perform(call.curl);
    long code = 0;
    if (curl_easy_getinfo(call.curl, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
        code = 0;
    rc = res == CURLE_OK ? ERR_OK : smtp_classify(cfg, &call, res, code, d);
out:
    if (rc != ERR_OK && d != NULL) {
        notify_scrub(d->message, cfg->password, strlen(cfg->password));
        notify_scrub(d->message, cfg->password_raw, strlen(cfg->password_raw));
        /* The arguments kept for a translation hold the same words. */
        for (int i = 0; i < d->text.argc; i++) {
            notify_scrub(d->text.args[i], cfg->password, strlen(cfg->password));
            notify_scrub(d->text.args[i], cfg->password_raw, strlen(cfg->password_raw));
        }
    }
    curl_slist_free_all(call.rcpt);
    curl_easy_cleanup(call.curl);
    return rc;
}
