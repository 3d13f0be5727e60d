/*
 * The notify layer's lifetime, the SMTP relay's configuration and the small
 * helpers its files share (UTF-8 check, scrubbing).
 *
 * The configuration is read once and copied into a struct the caller owns,
 * so the password lives in one place that notify_smtp_config_release wipes.
 * Nothing here may put the password into a message: the relay's URL appears
 * in messages only as url_redacted, without it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#include "notify/notify_int.h"

static int notify_init_count;

enum err notify_init(void)
{
    ASSERT(notify_init_count >= 0);
    if (notify_init_count > 0) {
        notify_init_count++;
        return ERR_OK;
    }
    if (crypto_init() != ERR_OK)
        return ERR_INTERNAL;
    /* libcurl counts its own starts, so the gateway may start it too. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return ERR_INTERNAL;
    notify_init_count = 1;
    return ERR_OK;
}

void notify_release(void)
{
    ASSERT(notify_init_count > 0);
    notify_init_count--;
    if (notify_init_count == 0)
        curl_global_cleanup();
}

bool notify_is_initialized(void)
{
    return notify_init_count > 0;
}

/* The length of the well-formed UTF-8 character at p (at most n bytes), or
 * 0 when there is none. */
static size_t notify_utf8_char_length(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len = p[0] >= 0xc2 && p[0] <= 0xdf   ? 2
                 : p[0] >= 0xe0 && p[0] <= 0xef ? 3
                 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
                                                : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    }
    /* Overlong three- and four-byte forms, surrogates, past U+10FFFF. */
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
        (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
        return 0;
    return len;
}

bool notify_utf8_is_valid(const char *s, size_t n)
{
    ASSERT(s != NULL || n == 0);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = notify_utf8_char_length(p + i, n - i);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

void notify_scrub(char *msg, const char *secret, size_t n)
{
    ASSERT(msg != NULL);
    if (secret == NULL || n == 0)
        return;
    char *hit, *from = msg;
    while ((hit = memmem(from, strlen(from), secret, n)) != NULL) {
        memset(hit, '*', n);
        from = hit + n;
    }
}

/* ---- the relay's configuration ----------------------------------------- */

/* Splits "Name <addr>" (the name optionally quoted) or "addr" into cfg. */
static enum err notify_config_from(struct notify_smtp_config *cfg, const char *from,
                                   struct err_detail *d)
{
    const char *field = "CREDITD_MAIL_FROM";
    const char *open = strrchr(from, '<');
    size_t len = strlen(from);
    if (open == NULL) {
        if (!str_copy(cfg->from_addr, sizeof(cfg->from_addr), from))
            return err_set(d, ERR_MAIL_NOT_CONFIGURED, field, "sender address is too long");
    } else {
        if (len == 0 || from[len - 1] != '>')
            return err_set(d, ERR_MAIL_NOT_CONFIGURED, field,
                           "sender must be 'address' or 'Name <address>'");
        size_t addr_len = (size_t)(from + len - 1 - (open + 1));
        if (addr_len >= sizeof(cfg->from_addr))
            return err_set(d, ERR_MAIL_NOT_CONFIGURED, field, "sender address is too long");
        memcpy(cfg->from_addr, open + 1, addr_len);
        cfg->from_addr[addr_len] = '\0';
        const char *name = from;
        size_t name_len = (size_t)(open - from);
        while (name_len > 0 && name[name_len - 1] == ' ')
            name_len--;
        if (name_len >= 2 && name[0] == '"' && name[name_len - 1] == '"') {
            name++;
            name_len -= 2;
        }
        if (name_len >= sizeof(cfg->from_name))
            return err_set(d, ERR_MAIL_NOT_CONFIGURED, field, "sender name is too long");
        memcpy(cfg->from_name, name, name_len);
        cfg->from_name[name_len] = '\0';
    }
    struct err_detail why = {0};
    if (notify_mail_address_check(cfg->from_addr, field, &why) != ERR_OK)
        return err_set(d, ERR_MAIL_NOT_CONFIGURED, field, "sender %s", why.message);
    if (!notify_utf8_is_valid(cfg->from_name, strlen(cfg->from_name)))
        return err_set(d, ERR_MAIL_NOT_CONFIGURED, field, "sender name is not UTF-8");
    for (const char *p = cfg->from_name; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return err_set(d, ERR_MAIL_NOT_CONFIGURED, field,
                           "sender name must not hold line breaks or control characters");
    }
    return ERR_OK;
}

/* Copies a URL part libcurl gave (NULL: absent) into dst. */
static bool notify_config_part(char *dst, size_t n, const char *part)
{
    return str_copy(dst, n, part != NULL ? part : "");
}

/* Reads scheme, host, password and the redacted form of url into cfg. */
static enum err notify_config_url(struct notify_smtp_config *cfg, const char *url,
                                  struct err_detail *d)
{
    const char *field = "CREDITD_SMTP_URL";
    enum err rc = ERR_MAIL_NOT_CONFIGURED;
    char *scheme = NULL, *host = NULL, *query = NULL, *fragment = NULL, *pass = NULL,
         *pass_raw = NULL, *redacted = NULL;
    CURLU *u = curl_url();
    if (u == NULL) {
        rc = err_set(d, ERR_INTERNAL, field, "out of memory");
        goto out;
    }
    if (!str_copy(cfg->url, sizeof(cfg->url), url)) {
        err_set(d, rc, field, "smtp URL is too long");
        goto out;
    }
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
        err_set(d, rc, field, "smtp URL is not a URL with a host");
        goto out;
    }
    if (strcasecmp(scheme, "smtp") != 0 && strcasecmp(scheme, "smtps") != 0) {
        err_set(d, rc, field, "smtp URL must start with smtp:// or smtps://");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK) {
        err_set(d, rc, field, "smtp URL must not have a query or fragment");
        goto out;
    }
    cfg->implicit_tls = strcasecmp(scheme, "smtps") == 0;
    (void)curl_url_get(u, CURLUPART_PASSWORD, &pass, CURLU_URLDECODE);
    (void)curl_url_get(u, CURLUPART_PASSWORD, &pass_raw, 0);
    if (curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &redacted, 0) != CURLUE_OK) {
        rc = err_set(d, ERR_INTERNAL, field, "out of memory");
        goto out;
    }
    /* Each part is shorter than the URL, which fitted. */
    bool fits = notify_config_part(cfg->password, sizeof(cfg->password), pass) &&
                notify_config_part(cfg->password_raw, sizeof(cfg->password_raw), pass_raw) &&
                notify_config_part(cfg->url_redacted, sizeof(cfg->url_redacted), redacted);
    ASSERT(fits);
    rc = ERR_OK;
out:
    if (pass != NULL)
        sodium_memzero(pass, strlen(pass));
    if (pass_raw != NULL)
        sodium_memzero(pass_raw, strlen(pass_raw));
    curl_free(pass);
    curl_free(pass_raw);
    curl_free(redacted);
    curl_free(fragment);
    curl_free(query);
    curl_free(host);
    curl_free(scheme);
    curl_url_cleanup(u);
    return rc;
}

enum err notify_smtp_config_parse(struct notify_smtp_config *cfg, const char *url,
                                  const char *mail_from, const char *ca_file, bool require_tls,
                                  struct err_detail *d)
{
    ASSERT(cfg != NULL);
    memset(cfg, 0, sizeof(*cfg));
    cfg->require_tls = require_tls;
    cfg->connect_timeout_ms = NOTIFY_SMTP_CONNECT_TIMEOUT_MS;
    cfg->timeout_ms = NOTIFY_SMTP_TIMEOUT_MS;
    bool has_url = url != NULL && url[0] != '\0';
    bool has_from = mail_from != NULL && mail_from[0] != '\0';
    if (!has_url && !has_from)
        return ERR_OK;
    if (!has_url)
        return err_set(d, ERR_MAIL_NOT_CONFIGURED, "CREDITD_SMTP_URL",
                       "CREDITD_MAIL_FROM is set but CREDITD_SMTP_URL is not");
    if (!has_from)
        return err_set(d, ERR_MAIL_NOT_CONFIGURED, "CREDITD_MAIL_FROM",
                       "CREDITD_SMTP_URL is set but CREDITD_MAIL_FROM is not");
    if (!str_copy(cfg->ca_file, sizeof(cfg->ca_file), ca_file != NULL ? ca_file : "")) {
        notify_smtp_config_release(cfg);
        return err_set(d, ERR_MAIL_NOT_CONFIGURED, "CREDITD_SMTP_CA_FILE", "path is too long");
    }
    enum err rc = notify_config_url(cfg, url, d);
    if (rc == ERR_OK)
        rc = notify_config_from(cfg, mail_from, d);
    if (rc != ERR_OK) {
        notify_smtp_config_release(cfg);
        return rc;
    }
    cfg->configured = true;
    return ERR_OK;
}

enum err notify_smtp_config_from_env(struct notify_smtp_config *cfg, struct err_detail *d)
{
    ASSERT(cfg != NULL);
    const char *flag = getenv("CREDITD_SMTP_REQUIRE_TLS");
    bool require_tls = flag != NULL && (strcmp(flag, "1") == 0 || strcasecmp(flag, "true") == 0 ||
                                        strcasecmp(flag, "yes") == 0);
    return notify_smtp_config_parse(cfg, getenv("CREDITD_SMTP_URL"), getenv("CREDITD_MAIL_FROM"),
                                    getenv("CREDITD_SMTP_CA_FILE"), require_tls, d);
}

void notify_smtp_config_release(struct notify_smtp_config *cfg)
{
    ASSERT(cfg != NULL);
    sodium_memzero(cfg->url, sizeof(cfg->url));
    sodium_memzero(cfg->password, sizeof(cfg->password));
    sodium_memzero(cfg->password_raw, sizeof(cfg->password_raw));
    cfg->configured = false;
}

bool notify_mail_is_configured(const struct notify_smtp_config *cfg)
{
    ASSERT(cfg != NULL);
    return cfg->configured;
}
