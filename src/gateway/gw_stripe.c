/*
 * The Stripe Checkout client: one POST /v1/checkout/sessions per call over
 * libcurl, in Stripe's bracket form encoding, and the answer checked against
 * what was asked before anyone trusts it.
 *
 * Every way Stripe can fail to give us the session we asked for (no answer, a
 * refusal, an answer for another amount) is ERR_GATEWAY_UNAVAILABLE with
 * Stripe's own words when it gave some. This file must not retry (a retry is
 * the caller's decision, made safe by its idempotency key), follow redirects,
 * take proxies from the environment, or put the secret key anywhere but the
 * Authorization header: messages copied from Stripe are scrubbed of anything
 * that looks like a key.
 */
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "gateway/gateway_int.h"

/* Stripe's own limit on an Idempotency-Key. */
enum { STRIPE_IDEMPOTENCY_KEY_BYTES_MAX = 255 };

/* What one call holds; released together at the end of stripe_checkout_create. */
struct gw_stripe_call {
    CURL *curl;
    struct curl_slist *headers;
    struct buf form;
    struct buf answer;
    long status;
};

static bool gw_stripe_is_visible_ascii(const char *s)
{
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < 0x21 || *p > 0x7e)
            return false;
    }
    return true;
}

static bool gw_stripe_is_currency(const char *c)
{
    if (c == NULL || strlen(c) != 3)
        return false;
    for (int i = 0; i < 3; i++) {
        bool letter = (c[i] >= 'a' && c[i] <= 'z') || (c[i] >= 'A' && c[i] <= 'Z');
        if (!letter)
            return false;
    }
    return true;
}

static enum err gw_stripe_request_check(const struct stripe_checkout_request *in,
                                        struct err_detail *d)
{
    if (in->amount_minor <= 0)
        return err_set(d, ERR_VALIDATION, "amount_minor", "must be positive");
    if (!gw_stripe_is_currency(in->currency))
        return err_set(d, ERR_VALIDATION, "currency", "must be a three-letter ISO 4217 code");
    const struct {
        const char *value, *field;
    } required[] = {
        {in->product_name, "product_name"},       {in->client_reference_id, "client_reference_id"},
        {in->success_url, "success_url"},         {in->cancel_url, "cancel_url"},
        {in->metadata_tenant, "metadata_tenant"}, {in->metadata_invoice, "metadata_invoice"},
    };
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (required[i].value == NULL || required[i].value[0] == '\0')
            return err_set(d, ERR_VALIDATION, required[i].field, "is required");
    }
    const char *key = in->idempotency_key;
    if (key != NULL && key[0] != '\0' &&
        (strlen(key) > STRIPE_IDEMPOTENCY_KEY_BYTES_MAX || !gw_stripe_is_visible_ascii(key)))
        return err_set(d, ERR_VALIDATION, "idempotency_key",
                       "must be at most %d visible ASCII characters",
                       STRIPE_IDEMPOTENCY_KEY_BYTES_MAX);
    return ERR_OK;
}

/* Appends "&key=value" with the value percent-encoded; keys are our literals,
 * brackets included, which Stripe reads as nesting. */
static enum err gw_stripe_form_add(struct gw_stripe_call *call, const char *key, const char *value)
{
    char *escaped = curl_easy_escape(call->curl, value, 0);
    if (escaped == NULL)
        return ERR_INTERNAL;
    enum err rc = buf_printf(&call->form, "%s%s=%s", call->form.len > 0 ? "&" : "", key, escaped);
    curl_free(escaped);
    return rc;
}

static enum err gw_stripe_form_build(struct gw_stripe_call *call,
                                     const struct stripe_checkout_request *in)
{
    char currency[4];
    for (int i = 0; i < 3; i++)
        currency[i] = (char)(in->currency[i] | 0x20); /* letters only: lower case */
    currency[3] = '\0';
    char amount[24];
    bool fits = str_format(amount, sizeof(amount), "%lld", (long long)in->amount_minor);
    ASSERT(fits);
    const char *fields[][2] = {
        {"mode", "payment"},
        {"success_url", in->success_url},
        {"cancel_url", in->cancel_url},
        {"client_reference_id", in->client_reference_id},
        {"line_items[0][quantity]", "1"},
        {"line_items[0][price_data][currency]", currency},
        {"line_items[0][price_data][unit_amount]", amount},
        {"line_items[0][price_data][product_data][name]", in->product_name},
        {"metadata[tenant]", in->metadata_tenant},
        {"metadata[invoice]", in->metadata_invoice},
        {"customer_email", in->customer_email},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (fields[i][1] == NULL || fields[i][1][0] == '\0')
            continue; /* only customer_email is optional; the rest were checked */
        enum err rc = gw_stripe_form_add(call, fields[i][0], fields[i][1]);
        if (rc != ERR_OK)
            return rc;
    }
    return ERR_OK;
}

static enum err gw_stripe_headers_build(struct gw_stripe_call *call, const char *secret_key,
                                        const char *idempotency_key)
{
    char line[GATEWAY_KEY_BYTES_MAX + 64];
    bool fits = str_format(line, sizeof(line), "Authorization: Bearer %s", secret_key);
    ASSERT(fits); /* gateway_config_check bounds the key */
    struct curl_slist *h = curl_slist_append(NULL, line);
    sodium_memzero(line, sizeof(line));
    if (h == NULL)
        return ERR_INTERNAL;
    call->headers = h;
    const char *fixed[] = {"Content-Type: application/x-www-form-urlencoded",
                           "Accept: application/json", "Expect:"};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        if ((h = curl_slist_append(call->headers, fixed[i])) == NULL)
            return ERR_INTERNAL;
        call->headers = h;
    }
    if (idempotency_key != NULL && idempotency_key[0] != '\0') {
        fits = str_format(line, sizeof(line), "Idempotency-Key: %s", idempotency_key);
        ASSERT(fits); /* gw_stripe_request_check bounds the key */
        if ((h = curl_slist_append(call->headers, line)) == NULL)
            return ERR_INTERNAL;
        call->headers = h;
    }
    return ERR_OK;
}

static size_t gw_stripe_write(char *data, size_t size, size_t count, void *userdata)
{
    struct buf *answer = userdata;
    size_t n = size * count;
    /* Returning less than n makes libcurl stop with CURLE_WRITE_ERROR. */
    return buf_append(answer, data, n) == ERR_OK ? n : 0;
}

static enum err gw_stripe_perform(const struct gateway_config *cfg, struct gw_stripe_call *call,
                                  const char *url, struct err_detail *d)
{
    CURL *c = call->curl;
    bool set =
        curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http") == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https") == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, cfg->timeout_ms) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, cfg->timeout_ms) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_USERAGENT, "creditd") == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, call->headers) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, call->form.data) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->form.len) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)GATEWAY_RESPONSE_BYTES_MAX) ==
            CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, gw_stripe_write) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &call->answer) == CURLE_OK;
    if (!set)
        return err_set(d, ERR_INTERNAL, "", "libcurl refused an option of the stripe request");
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return err_set(d, ERR_GATEWAY_UNAVAILABLE, "", "stripe did not answer within %ld ms",
                       cfg->timeout_ms);
    if (rc == CURLE_WRITE_ERROR || rc == CURLE_FILESIZE_EXCEEDED)
        return err_set(d, ERR_GATEWAY_UNAVAILABLE, "", "stripe answer is larger than %u bytes",
                       GATEWAY_RESPONSE_BYTES_MAX);
    if (rc != CURLE_OK)
        return err_set(d, ERR_GATEWAY_UNAVAILABLE, "", "cannot reach stripe: %s",
                       curl_easy_strerror(rc));
    if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &call->status) != CURLE_OK)
        return err_set(d, ERR_GATEWAY_UNAVAILABLE, "", "stripe answer has no status");
    return ERR_OK;
}

static bool gw_stripe_is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '*';
}

/* Copies Stripe's message into dst with every word that starts like a key
 * ("sk_test_****abcd" in an invalid-key answer) and the configured key itself
 * replaced by "***". */
static void gw_stripe_message_scrub(char *dst, size_t n, const char *msg, const char *key)
{
    static const char *const prefixes[] = {"sk_", "rk_", "pk_", "whsec_"};
    size_t key_len = strlen(key), j = 0;
    for (const char *p = msg; *p != '\0' && j + 4 < n;) {
        bool word_start = p == msg || !gw_stripe_is_key_char(p[-1]);
        bool secret = key_len > 0 && strncmp(p, key, key_len) == 0;
        for (size_t i = 0; i < 4 && word_start && !secret; i++)
            secret = strncmp(p, prefixes[i], strlen(prefixes[i])) == 0;
        if (!secret) {
            dst[j++] = *p++;
            continue;
        }
        memcpy(dst + j, "***", 3);
        j += 3;
        p += key_len > 0 && strncmp(p, key, key_len) == 0 ? key_len : 0;
        while (gw_stripe_is_key_char(*p))
            p++;
    }
    dst[j] = '\0';
}

static enum err gw_stripe_answer_refusal(const struct gw_stripe_call *call, const char *key,
                                         struct err_detail *d)
{
    json_t *root =
        json_loadb(call->answer.data ? call->answer.data : "", call->answer.len, 0, NULL);
    json_t *msg = json_object_get(json_object_get(root, "error"), "message");
    char scrubbed[160] = "";
    if (json_is_string(msg))
        gw_stripe_message_scrub(scrubbed, sizeof(scrubbed), json_string_value(msg), key);
    json_decref(root);
    if (scrubbed[0] == '\0')
        return err_set(d, ERR_GATEWAY_UNAVAILABLE, "", "stripe answered %ld", call->status);
    return err_set(d, ERR_GATEWAY_UNAVAILABLE, "", "stripe answered %ld: %s", call->status,
                   scrubbed);
}

/* Reads a 2xx answer into out; it must be the session asked for. */
static enum err gw_stripe_answer_session(const struct gw_stripe_call *call,
                                         const struct stripe_checkout_request *in,
                                         struct stripe_checkout_session *out, struct err_detail *d)
{
    enum err rc = ERR_GATEWAY_UNAVAILABLE;
    json_t *root =
        json_loadb(call->answer.data ? call->answer.data : "", call->answer.len, 0, NULL);
    json_t *id = json_object_get(root, "id"), *url = json_object_get(root, "url");
    json_t *amount = json_object_get(root, "amount_total");
    json_t *currency = json_object_get(root, "currency");
    json_t *expires = json_object_get(root, "expires_at");
    if (!json_is_object(root)) {
        err_set(d, rc, "", "stripe answered %ld with a body that is not a JSON object",
                call->status);
        goto out;
    }
    if (!json_is_string(id) || !json_is_string(url) || !json_is_integer(amount) ||
        !json_is_string(currency) || !json_is_integer(expires)) {
        err_set(d, rc, "",
                "stripe answered %ld without a session's id, url, amount, currency "
                "and expiry",
                call->status);
        goto out;
    }
    if (json_integer_value(amount) != in->amount_minor ||
        strcasecmp(json_string_value(currency), in->currency) != 0) {
        err_set(d, rc, "", "stripe answered a session for another amount or currency");
        goto out;
    }
    if (!str_copy(out->id, sizeof(out->id), json_string_value(id)) ||
        !str_copy(out->url, sizeof(out->url), json_string_value(url)) ||
        !str_copy(out->currency, sizeof(out->currency), json_string_value(currency)) ||
        out->id[0] == '\0' || out->url[0] == '\0') {
        err_set(d, rc, "", "stripe answered a session id or url that is empty or too long");
        goto out;
    }
    out->amount_total = json_integer_value(amount);
    out->expires_at = json_integer_value(expires);
    rc = ERR_OK;
out:
    json_decref(root);
    return rc;
}

enum err stripe_checkout_create(const struct gateway_config *cfg,
                                const struct stripe_checkout_request *in,
                                struct stripe_checkout_session *out, struct err_detail *d)
{
    ASSERT(cfg != NULL);
    ASSERT(in != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    struct gw_stripe_call call = {0};
    buf_init(&call.form, GATEWAY_REQUEST_BYTES_MAX);
    buf_init(&call.answer, GATEWAY_RESPONSE_BYTES_MAX + 1);
    char url[GATEWAY_BASE_BYTES_MAX + 32];
    enum err rc = gateway_config_check(cfg, d);
    if (rc != ERR_OK)
        goto out;
    if ((rc = gw_stripe_request_check(in, d)) != ERR_OK)
        goto out;
    ASSERT(gateway_is_initialized());
    size_t base_len = strlen(cfg->stripe_api_base);
    while (base_len > 0 && cfg->stripe_api_base[base_len - 1] == '/')
        base_len--;
    bool fits = str_format(url, sizeof(url), "%.*s/v1/checkout/sessions", (int)base_len,
                           cfg->stripe_api_base);
    ASSERT(fits); /* gateway_config_check bounds the base */
    if ((call.curl = curl_easy_init()) == NULL) {
        rc = err_set(d, ERR_INTERNAL, "", "cannot start a libcurl request");
        goto out;
    }
    if ((rc = gw_stripe_form_build(&call, in)) == ERR_TOO_LARGE) {
        rc = err_set(d, ERR_VALIDATION, "", "checkout request is larger than %u bytes",
                     GATEWAY_REQUEST_BYTES_MAX);
        goto out;
    }
    if (rc != ERR_OK || (rc = gw_stripe_headers_build(&call, cfg->stripe_secret_key,
                                                      in->idempotency_key)) != ERR_OK) {
        rc = err_set(d, ERR_INTERNAL, "", "out of memory building the stripe request");
        goto out;
    }
    if ((rc = gw_stripe_perform(cfg, &call, url, d)) != ERR_OK)
        goto out;
    if (call.status < 200 || call.status > 299)
        rc = gw_stripe_answer_refusal(&call, cfg->stripe_secret_key, d);
    else
        rc = gw_stripe_answer_session(&call, in, out, d);
out:
    if (rc != ERR_OK)
        memset(out, 0, sizeof(*out));
    curl_slist_free_all(call.headers);
    curl_easy_cleanup(call.curl);
    buf_release(&call.form);
    buf_release(&call.answer);
    return rc;
}
