/*
 * The gateway's lifetime and configuration: libcurl's global start and stop,
 * defaults, the environment, and the check that a configuration can be used.
 *
 * The check is what keeps a secret key from travelling in clear text: plain
 * http:// is accepted only to a loopback host, where the local Stripe stand-in
 * runs. Nothing here may put a key into a message or a log line.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "gateway/gateway_int.h"

static int gateway_init_count;

enum err gateway_init(void)
{
    ASSERT(gateway_init_count >= 0);
    if (gateway_init_count > 0) {
        gateway_init_count++;
        return ERR_OK;
    }
    if (crypto_init() != ERR_OK)
        return ERR_INTERNAL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return ERR_INTERNAL;
    gateway_init_count = 1;
    return ERR_OK;
}

void gateway_release(void)
{
    ASSERT(gateway_init_count > 0);
    gateway_init_count--;
    if (gateway_init_count == 0)
        curl_global_cleanup();
}

bool gateway_is_initialized(void)
{
    return gateway_init_count > 0;
}

void gateway_config_defaults(struct gateway_config *cfg)
{
    ASSERT(cfg != NULL);
    cfg->stripe_api_base = "https://api.stripe.com";
    cfg->stripe_secret_key = NULL;
    cfg->stripe_webhook_secret = NULL;
    cfg->timeout_ms = 10000;
    cfg->webhook_tolerance_s = 300;
}

static void gateway_config_env(const char **field, const char *name)
{
    const char *v = getenv(name);
    if (v != NULL && v[0] != '\0')
        *field = v;
}

void gateway_config_from_env(struct gateway_config *cfg)
{
    ASSERT(cfg != NULL);
    gateway_config_env(&cfg->stripe_api_base, "CREDITD_STRIPE_API_BASE");
    gateway_config_env(&cfg->stripe_secret_key, "CREDITD_STRIPE_SECRET_KEY");
    gateway_config_env(&cfg->stripe_webhook_secret, "CREDITD_STRIPE_WEBHOOK_SECRET");
}

static bool gateway_host_is_loopback(const char *host)
{
    return strcmp(host, "127.0.0.1") == 0 || strcasecmp(host, "localhost") == 0 ||
           strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0;
}

/* The scheme and host as libcurl will read them, so that "http://localhost@x"
 * is judged by its real host x. The URL itself never goes into a message: it
 * could carry user information. */
static enum err gateway_config_check_base(const char *base, struct err_detail *d)
{
    const char *field = "stripe_api_base";
    if (base == NULL || base[0] == '\0')
        return err_set(d, ERR_GATEWAY_NOT_CONFIGURED, field, "stripe API base URL is empty");
    if (strlen(base) >= GATEWAY_BASE_BYTES_MAX)
        return err_set(d, ERR_GATEWAY_NOT_CONFIGURED, field, "stripe API base URL is too long");
    enum err rc = ERR_OK;
    char *scheme = NULL, *host = NULL, *user = NULL;
    CURLU *u = curl_url();
    if (u == NULL) {
        rc = err_set(d, ERR_INTERNAL, field, "out of memory");
        goto out;
    }
    if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = err_set(d, ERR_GATEWAY_NOT_CONFIGURED, field, "stripe API base URL is not a URL");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
        rc = err_set(d, ERR_GATEWAY_NOT_CONFIGURED, field,
                     "stripe API base URL must not carry user information");
        goto out;
    }
    if (strcasecmp(scheme, "https") == 0)
        goto out;
    if (strcasecmp(scheme, "http") == 0 && gateway_host_is_loopback(host))
        goto out;
    rc = err_set(d, ERR_GATEWAY_NOT_CONFIGURED, field,
                 "stripe API base URL must be https:// (http:// only to 127.0.0.1, localhost "
                 "or [::1])");
out:
    curl_free(user);
    curl_free(host);
    curl_free(scheme);
    curl_url_cleanup(u);
    return rc;
}

/* A key goes into a header line: anything but visible ASCII could split it. */
static bool gateway_key_is_printable(const char *key)
{
    for (const char *p = key; *p != '\0'; p++) {
        if (*p < 0x21 || *p > 0x7e)
            return false;
    }
    return true;
}

enum err gateway_config_check(const struct gateway_config *cfg, struct err_detail *d)
{
    ASSERT(cfg != NULL);
    const char *key = cfg->stripe_secret_key;
    if (key == NULL || key[0] == '\0')
        return err_set(d, ERR_GATEWAY_NOT_CONFIGURED, "stripe_secret_key",
                       "stripe is not configured (no secret key)");
    if (strlen(key) >= GATEWAY_KEY_BYTES_MAX || !gateway_key_is_printable(key))
        return err_set(d, ERR_GATEWAY_NOT_CONFIGURED, "stripe_secret_key",
                       "stripe secret key is too long or holds characters a key cannot have");
    if (cfg->timeout_ms <= 0)
        return err_set(d, ERR_GATEWAY_NOT_CONFIGURED, "timeout_ms",
                       "stripe timeout must be positive");
    return gateway_config_check_base(cfg->stripe_api_base, d);
}

bool gateway_stripe_is_configured(const struct gateway_config *cfg)
{
    struct err_detail d;
    return gateway_config_check(cfg, &d) == ERR_OK;
}
