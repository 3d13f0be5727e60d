/*
 * Stripe webhook signatures: the Stripe-Signature header read and checked
 * against the raw body, as Stripe documents it (HMAC-SHA256 of "<t>.<body>"
 * keyed with the whole endpoint secret, any v1 may match, the timestamp within
 * a tolerance so that a captured delivery cannot be replayed later).
 *
 * Pure: the caller passes the clock, nothing is allocated, nothing is logged.
 * It must not compare MACs in variable time, accept a matching signature
 * without checking its age, or let the secret reach a message.
 */
#include <string.h>

#include <sodium.h>

#include "gateway/gateway_int.h"

/* The longest timestamp we read: 19 digits hold every non-negative int64. */
enum { STRIPE_SIG_T_DIGITS_MAX = 19, STRIPE_SIG_HEX_BYTES = 2 * crypto_auth_hmacsha256_BYTES };

_Static_assert(STRIPE_SIGNATURE_BYTES >= 2 + 20 + 4 + STRIPE_SIG_HEX_BYTES + 1,
               "room for t=<int64>,v1=<hex>");

/* One "key=value" item of the header, pointing into it. */
struct stripe_sig_item {
    const char *key, *value;
    size_t key_len, value_len;
};

/* What the header says: the timestamp text exactly as signed, and how many v1
 * signatures it offers. */
struct stripe_sig_header {
    const char *t_text;
    size_t t_len;
    int64_t t;
    int v1_count;
};

static void stripe_sig_mac(const char *t_text, size_t t_len, const char *body, size_t body_len,
                           const char *secret, uint8_t mac[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)t_text, t_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof(st));
}

/* Reads the item starting at *p (spaces around it are ignored) and moves *p
 * past its comma. False when the item has no '='. */
static bool stripe_sig_next_item(const char **p, struct stripe_sig_item *item)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    const char *end = strchr(s, ',');
    if (end == NULL)
        end = s + strlen(s);
    *p = *end == ',' ? end + 1 : end;
    const char *eq = memchr(s, '=', (size_t)(end - s));
    if (eq == NULL)
        return false;
    const char *value_end = end;
    while (value_end > eq + 1 && (value_end[-1] == ' ' || value_end[-1] == '\t'))
        value_end--;
    item->key = s;
    item->key_len = (size_t)(eq - s);
    item->value = eq + 1;
    item->value_len = (size_t)(value_end - item->value);
    return true;
}

static bool stripe_sig_item_is(const struct stripe_sig_item *item, const char *key)
{
    return item->key_len == strlen(key) && memcmp(item->key, key, item->key_len) == 0;
}

static bool stripe_sig_parse_t(const struct stripe_sig_item *item, int64_t *t)
{
    if (item->value_len == 0 || item->value_len > STRIPE_SIG_T_DIGITS_MAX)
        return false;
    char digits[STRIPE_SIG_T_DIGITS_MAX + 1];
    for (size_t i = 0; i < item->value_len; i++) {
        if (item->value[i] < '0' || item->value[i] > '9')
            return false;
        digits[i] = item->value[i];
    }
    digits[item->value_len] = '\0';
    return parse_int64(digits, t);
}

static enum err stripe_sig_header_read(const char *header, struct stripe_sig_header *h,
                                       struct err_detail *d)
{
    const char *field = "Stripe-Signature";
    memset(h, 0, sizeof(*h));
    for (const char *p = header; *p != '\0';) {
        struct stripe_sig_item item;
        if (!stripe_sig_next_item(&p, &item))
            return err_set(d, ERR_SIGNATURE_INVALID, field,
                           "malformed signature header: an item is not key=value");
        if (stripe_sig_item_is(&item, "t")) {
            if (h->t_text != NULL || !stripe_sig_parse_t(&item, &h->t))
                return err_set(d, ERR_SIGNATURE_INVALID, field,
                               "malformed signature header: bad or repeated timestamp");
            h->t_text = item.value;
            h->t_len = item.value_len;
        } else if (stripe_sig_item_is(&item, "v1")) {
            h->v1_count++;
        }
    }
    if (h->t_text == NULL)
        return err_set(d, ERR_SIGNATURE_INVALID, field, "signature header has no timestamp");
    if (h->v1_count == 0)
        return err_set(d, ERR_SIGNATURE_INVALID, field, "signature header has no v1 signature");
    return ERR_OK;
}

/* True when any v1 of the header equals mac; every candidate is compared in
 * constant time. */
static bool stripe_sig_any_v1_matches(const char *header,
                                      const uint8_t mac[crypto_auth_hmacsha256_BYTES])
{
    bool matched = false;
    for (const char *p = header; *p != '\0';) {
        struct stripe_sig_item item;
        if (!stripe_sig_next_item(&p, &item) || !stripe_sig_item_is(&item, "v1"))
            continue;
        uint8_t given[crypto_auth_hmacsha256_BYTES];
        size_t given_len = 0;
        const char *hex_end = NULL;
        if (item.value_len != STRIPE_SIG_HEX_BYTES ||
            sodium_hex2bin(given, sizeof(given), item.value, item.value_len, NULL, &given_len,
                           &hex_end) != 0 ||
            given_len != sizeof(given) || hex_end != item.value + item.value_len)
            continue;
        if (sodium_memcmp(given, mac, sizeof(given)) == 0)
            matched = true;
    }
    return matched;
}

enum err stripe_signature_verify(const char *header, const char *body, size_t body_len,
                                 const char *secret, int64_t now_s, int64_t tolerance_s,
                                 struct err_detail *d)
{
    ASSERT(body != NULL || body_len == 0);
    ASSERT(now_s >= 0);
    ASSERT(tolerance_s >= 0);
    const char *field = "Stripe-Signature";
    if (secret == NULL || secret[0] == '\0')
        return err_set(d, ERR_GATEWAY_NOT_CONFIGURED, "stripe_webhook_secret",
                       "stripe webhooks are not configured (no webhook secret)");
    if (header == NULL || header[0] == '\0')
        return err_set(d, ERR_SIGNATURE_INVALID, field, "missing signature header");
    struct stripe_sig_header h;
    enum err rc = stripe_sig_header_read(header, &h, d);
    if (rc != ERR_OK)
        return rc;
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    stripe_sig_mac(h.t_text, h.t_len, body ? body : "", body_len, secret, mac);
    bool matched = stripe_sig_any_v1_matches(header, mac);
    sodium_memzero(mac, sizeof(mac));
    if (!matched)
        return err_set(d, ERR_SIGNATURE_INVALID, field, "no v1 signature matches the body");
    /* Both are non-negative, so neither difference can overflow. */
    if (h.t < now_s && now_s - h.t > tolerance_s)
        return err_set(d, ERR_SIGNATURE_INVALID, field,
                       "signature timestamp is %lld s old, beyond the tolerance of %lld s",
                       (long long)(now_s - h.t), (long long)tolerance_s);
    if (h.t > now_s && h.t - now_s > tolerance_s)
        return err_set(d, ERR_SIGNATURE_INVALID, field,
                       "signature timestamp is %lld s in the future, beyond the tolerance of "
                       "%lld s",
                       (long long)(h.t - now_s), (long long)tolerance_s);
    return ERR_OK;
}

void stripe_signature_make(const char *body, size_t body_len, const char *secret, int64_t t,
                           char *out, size_t out_size)
{
    ASSERT(secret != NULL);
    ASSERT(t >= 0);
    ASSERT(out_size >= STRIPE_SIGNATURE_BYTES);
    char t_text[24];
    bool fits = str_format(t_text, sizeof(t_text), "%lld", (long long)t);
    ASSERT(fits);
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    stripe_sig_mac(t_text, strlen(t_text), body ? body : "", body_len, secret, mac);
    char hex[STRIPE_SIG_HEX_BYTES + 1];
    hex_encode(mac, sizeof(mac), hex);
    fits = str_format(out, out_size, "t=%s,v1=%s", t_text, hex);
    ASSERT(fits);
}
