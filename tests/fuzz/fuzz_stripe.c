/*
 * Fuzz target: Stripe webhooks (src/gateway): the Stripe-Signature header
 * checked against the raw body (stripe_signature_verify) and the event read
 * from it (stripe_event_parse).
 *
 * Input: line 1 the endpoint secret ("" for a default one), line 2 the
 * Stripe-Signature header, in which "%SIG%" stands for the right v1
 * signature of the body at the header's first t (so that mutations explore
 * the headers that should pass), line 3 the clock in Unix seconds, then the
 * body.
 *
 * Properties: a signature stripe_signature_make wrote verifies, and fails
 * once a byte of the body is gone; a header verifies exactly when an
 * independent reading (items key=value split at ',', one t of 1 to 19
 * digits, some v1 equal to the hex HMAC-SHA256 of "<t>.<body>", the time
 * within the tolerance) says it should, and a failure is
 * signature_invalid; an event parsed equals what jansson reads from the
 * body field for field (nothing truncated, absent or null as empty), and a
 * refused one is left zeroed.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "gateway/gateway.h"

#include "fuzz.h"

enum { FUZZ_STRIPE_TOLERANCE_S = 300 };

static bool fuzz_stripe_space(char c)
{
    return c == ' ' || c == '\t';
}

/* The hex HMAC-SHA256 of "<t_text>.<body>" keyed with secret. */
static void fuzz_stripe_mac(const char *secret, const char *t_text, size_t t_len, const char *body,
                            size_t body_len, char hex[65])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)t_text, t_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, 65, mac, sizeof(mac));
}

/* One "key=value" item of the header: the value without the spaces that
 * end it. */
struct fuzz_stripe_item {
    const char *key, *value;
    size_t key_len, value_len;
};

/* Splits header into items at ','; false when an item has no '='. */
static bool fuzz_stripe_items(const char *header, struct fuzz_stripe_item *items, size_t *n)
{
    for (const char *p = header; *p != '\0';) {
        while (fuzz_stripe_space(*p))
            p++;
        size_t len = strcspn(p, ",");
        const char *eq = memchr(p, '=', len);
        if (eq == NULL)
            return false;
        size_t value_len = len - (size_t)(eq + 1 - p);
        while (value_len > 0 && fuzz_stripe_space(eq[value_len]))
            value_len--;
        items[*n] = (struct fuzz_stripe_item){p, eq + 1, (size_t)(eq - p), value_len};
        (*n)++;
        p += len + (p[len] == ',');
    }
    return true;
}

static bool fuzz_stripe_is(const struct fuzz_stripe_item *item, const char *key)
{
    return item->key_len == strlen(key) && memcmp(item->key, key, item->key_len) == 0;
}

/* Whether the items' v1 signatures include hex (either case). */
static bool fuzz_stripe_has_v1(const struct fuzz_stripe_item *items, size_t n, const char *hex)
{
    for (size_t i = 0; i < n; i++) {
        if (!fuzz_stripe_is(&items[i], "v1") || items[i].value_len != 64)
            continue;
        bool same = true;
        for (size_t k = 0; k < 64 && same; k++) {
            char c = items[i].value[k];
            same = (c >= 'A' && c <= 'F' ? (char)(c + 32) : c) == hex[k];
        }
        if (same)
            return true;
    }
    return false;
}

/* Whether header should verify for body at now. */
static bool fuzz_stripe_reference(const char *header, const char *body, size_t body_len,
                                  const char *secret, int64_t now)
{
    struct fuzz_stripe_item *items = calloc(strlen(header) + 1, sizeof(*items));
    FUZZ_CHECK(items != NULL, "out of memory");
    size_t n = 0, t_len = 0;
    const char *t_text = NULL;
    int v1 = 0;
    bool ok = fuzz_stripe_items(header, items, &n);
    for (size_t i = 0; ok && i < n; i++) {
        v1 += fuzz_stripe_is(&items[i], "v1");
        if (!fuzz_stripe_is(&items[i], "t"))
            continue;
        ok = t_text == NULL && items[i].value_len > 0 && items[i].value_len <= 19 &&
             strspn(items[i].value, "0123456789") >= items[i].value_len;
        t_text = items[i].value;
        t_len = items[i].value_len;
    }
    ok = ok && t_text != NULL && v1 > 0;
    __int128 t = 0;
    for (size_t k = 0; ok && k < t_len; k++)
        t = t * 10 + (t_text[k] - '0');
    ok = ok && t <= INT64_MAX && t >= now - FUZZ_STRIPE_TOLERANCE_S &&
         t <= now + FUZZ_STRIPE_TOLERANCE_S;
    if (ok) {
        char hex[65];
        fuzz_stripe_mac(secret, t_text, t_len, body, body_len, hex);
        ok = fuzz_stripe_has_v1(items, n, hex);
    }
    free(items);
    return ok;
}

/* header with "%SIG%" replaced by the right v1 for body at t_text. */
static char *fuzz_stripe_fill(const char *header, const char *secret, const char *body,
                              size_t body_len)
{
    const char *mark = strstr(header, "%SIG%");
    if (mark == NULL)
        return strdup(header);
    const char *t = strstr(header, "t=");
    const char *t_text = t != NULL ? t + 2 : "";
    char hex[65];
    fuzz_stripe_mac(secret, t_text, strspn(t_text, "0123456789"), body, body_len, hex);
    size_t before = (size_t)(mark - header), after = strlen(mark + 5);
    char *out = malloc(before + 64 + after + 1);
    FUZZ_CHECK(out != NULL, "out of memory");
    memcpy(out, header, before);
    memcpy(out + before, hex, 64);
    memcpy(out + before + 64, mark + 5, after + 1);
    return out;
}

static void fuzz_stripe_signature(const char *header, const char *body, size_t body_len,
                                  const char *secret, int64_t now)
{
    char good[STRIPE_SIGNATURE_BYTES];
    stripe_signature_make(body, body_len, secret, now, good, sizeof(good));
    struct err_detail d = {0};
    FUZZ_CHECK(stripe_signature_verify(good, body, body_len, secret, now, 300, &d) == ERR_OK,
               "its own signature '%s' fails: %s", good, d.message);
    if (body_len > 0)
        FUZZ_CHECK(stripe_signature_verify(good, body + 1, body_len - 1, secret, now, 300, &d) ==
                       ERR_SIGNATURE_INVALID,
                   "a signature holds for the body without its first byte");
    char *filled = fuzz_stripe_fill(header, secret, body, body_len);
    enum err rc =
        stripe_signature_verify(filled, body, body_len, secret, now, FUZZ_STRIPE_TOLERANCE_S, &d);
    bool want = fuzz_stripe_reference(filled, body, body_len, secret, now);
    FUZZ_CHECK((rc == ERR_OK) == want, "header '%s': %s, the reference says %d", filled,
               err_code(rc), want);
    FUZZ_CHECK(rc == ERR_OK || rc == ERR_SIGNATURE_INVALID, "header '%s': %s", filled,
               err_code(rc));
    FUZZ_CHECK(rc == ERR_OK || strlen(secret) < 8 || strstr(d.message, secret) == NULL,
               "the message shows the secret");
    free(filled);
}

/* obj[key] equals text: a string copied whole, or absent/null and "". */
static void fuzz_stripe_same(json_t *obj, const char *key, const char *text)
{
    json_t *v = obj != NULL ? json_object_get(obj, key) : NULL;
    if (v == NULL || json_is_null(v)) {
        FUZZ_CHECK(text[0] == '\0', "absent %s read as '%s'", key, text);
        return;
    }
    FUZZ_CHECK(json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v) &&
                   strcmp(json_string_value(v), text) == 0,
               "%s read as '%s'", key, text);
}

static void fuzz_stripe_event(const char *body, size_t body_len)
{
    struct stripe_event ev;
    struct err_detail d = {0};
    enum err rc = stripe_event_parse(body, body_len, &ev, &d);
    if (rc != ERR_OK) {
        static const struct stripe_event zero;
        FUZZ_CHECK(rc == ERR_VALIDATION || rc == ERR_TOO_LARGE, "event refused with %s",
                   err_code(rc));
        FUZZ_CHECK(memcmp(&ev, &zero, sizeof(ev)) == 0, "a refused event is not zeroed");
        return;
    }
    json_t *root = json_loadb(body, body_len, JSON_REJECT_DUPLICATES, NULL);
    FUZZ_CHECK(json_is_object(root), "an event that jansson does not read as an object");
    fuzz_stripe_same(root, "id", ev.id);
    fuzz_stripe_same(root, "type", ev.type);
    FUZZ_CHECK(ev.id[0] != '\0' && ev.type[0] != '\0', "an event without id or type");
    json_t *created = json_object_get(root, "created");
    FUZZ_CHECK(json_is_integer(created) && json_integer_value(created) == ev.created &&
                   ev.created >= 0,
               "created read as %lld", (long long)ev.created);
    json_t *data = json_object_get(root, "data");
    json_t *session = json_is_object(data) ? json_object_get(data, "object") : NULL;
    if (strncmp(ev.type, "checkout.session.", 17) != 0 || !json_is_object(session))
        session = NULL;
    fuzz_stripe_same(session, "id", ev.session_id);
    fuzz_stripe_same(session, "payment_status", ev.payment_status);
    fuzz_stripe_same(session, "status", ev.status);
    fuzz_stripe_same(session, "currency", ev.currency);
    fuzz_stripe_same(session, "client_reference_id", ev.client_reference_id);
    json_t *amount = session != NULL ? json_object_get(session, "amount_total") : NULL;
    FUZZ_CHECK(ev.amount_total == (json_is_integer(amount) ? json_integer_value(amount) : 0),
               "amount_total read as %lld", (long long)ev.amount_total);
    json_t *metadata = session != NULL ? json_object_get(session, "metadata") : NULL;
    if (!json_is_object(metadata))
        metadata = NULL;
    fuzz_stripe_same(metadata, "tenant", ev.metadata_tenant);
    fuzz_stripe_same(metadata, "invoice", ev.metadata_invoice);
    json_decref(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return sodium_init() < 0 ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    char *secret = fuzz_take_until(&in, '\n');
    char *header = fuzz_take_until(&in, '\n');
    char *clock = fuzz_take_until(&in, '\n');
    size_t body_len = 0;
    char *body = fuzz_take_rest(&in, &body_len);
    int64_t now = 1772359200;
    if (!parse_int64(clock, &now) || now < 0)
        now = 1772359200;
    const char *key = secret[0] != '\0' ? secret : "whsec_fuzz";
    fuzz_stripe_signature(header, body, body_len, key, now);
    struct err_detail d = {0};
    FUZZ_CHECK(stripe_signature_verify(header, body, body_len, "", now, 300, &d) ==
                   ERR_GATEWAY_NOT_CONFIGURED,
               "a header verifies without a secret");
    fuzz_stripe_event(body, body_len);
    free(body);
    free(clock);
    free(header);
    free(secret);
    return 0;
}
