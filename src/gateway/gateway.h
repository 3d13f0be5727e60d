/*
 * gateway: payment providers seen from creditd. Today that is Stripe Checkout:
 * creating a hosted payment page for an amount, and reading the webhooks that
 * tell how it ended (signature check and event parsing).
 *
 * This layer talks to the network (libcurl) but knows nothing of tenants,
 * invoices or the ledger: callers pass plain amounts and strings and get plain
 * structs back, and decide what a payment means. It never includes service/,
 * store/, http/ or cli/, and core/ never includes it. Secret keys and webhook
 * secrets are never logged and never copied into an error message.
 */
#ifndef CREDITD_GATEWAY_H
#define CREDITD_GATEWAY_H

#include "base/base.h"

/* ---- lifetime and configuration ---------------------------------------- */

/*
 * Initialises libcurl's global state (and libsodium) once for the process;
 * call it at server start before any thread uses the gateway, and
 * gateway_release at stop. ERR_INTERNAL when a library cannot start.
 */
enum err gateway_init(void) WUR;
void gateway_release(void);

struct gateway_config {
    const char *stripe_api_base;       /* default "https://api.stripe.com" */
    const char *stripe_secret_key;     /* "sk_..."; NULL or "" = Stripe not configured */
    const char *stripe_webhook_secret; /* "whsec_..."; NULL or "" = webhooks refused */
    long timeout_ms;                   /* the whole request, default 10000 */
    int64_t webhook_tolerance_s;       /* default 300 */
};

/* Sets every field to its default (no keys). Strings are static literals. */
void gateway_config_defaults(struct gateway_config *cfg);

/*
 * Overrides the fields whose environment variable is set and non-empty:
 * CREDITD_STRIPE_API_BASE, CREDITD_STRIPE_SECRET_KEY and
 * CREDITD_STRIPE_WEBHOOK_SECRET. The pointers are borrowed from getenv, so the
 * environment must not change while cfg is in use. Call
 * gateway_config_defaults first.
 */
void gateway_config_from_env(struct gateway_config *cfg);

/*
 * ERR_OK when Checkout sessions can be created with cfg, otherwise
 * ERR_GATEWAY_NOT_CONFIGURED with the reason in d->message: no secret key, a
 * key with characters no key has, or an API base that is neither https:// nor
 * http:// to 127.0.0.1, localhost or [::1] (the local stand-in); ERR_INTERNAL
 * when out of memory. Touches no network; the server calls it at start to log
 * a bad setting once.
 */
enum err gateway_config_check(const struct gateway_config *cfg, struct err_detail *d) WUR;

/* gateway_config_check(cfg) == ERR_OK, without the reason. */
bool gateway_stripe_is_configured(const struct gateway_config *cfg);

/* ---- Stripe Checkout --------------------------------------------------- */

/* What to ask Stripe for. Strings are borrowed for the call. */
struct stripe_checkout_request {
    const char *currency;            /* ISO 4217 code, any case; sent lower case */
    int64_t amount_minor;            /* > 0, in the currency's minor units */
    const char *product_name;        /* shown on the payment page, "Invoice 2026-000042" */
    const char *client_reference_id; /* ours, echoed back in events */
    const char *customer_email;      /* optional (NULL or "") */
    const char *success_url;
    const char *cancel_url;
    const char *metadata_tenant;  /* sent as metadata[tenant] */
    const char *metadata_invoice; /* sent as metadata[invoice] */
    const char *idempotency_key;  /* optional; the same key gives the same session */
};

/* A session as Stripe created it; currency is lower case as Stripe writes it. */
struct stripe_checkout_session {
    char id[256]; /* "cs_..." */
    char url[2048];
    int64_t amount_total;
    char currency[8];
    int64_t expires_at; /* Unix seconds */
};

/*
 * Creates a Checkout session (mode payment, one line item of amount_minor) by
 * POST {stripe_api_base}/v1/checkout/sessions and fills out. Blocks for at most
 * cfg->timeout_ms. gateway_init must have been called.
 *
 * ERR_GATEWAY_NOT_CONFIGURED (see gateway_config_check); ERR_VALIDATION with
 * the field for a request that cannot be sent (amount not positive, currency
 * not three letters, a required string missing, an idempotency key over 255
 * characters); ERR_GATEWAY_UNAVAILABLE when Stripe cannot be reached, times
 * out, refuses the request (any 4xx or 5xx: "stripe answered 400: <Stripe's
 * message>"), or answers something that is not the session asked for (no id or
 * url, another amount or currency, not JSON, too large); ERR_INTERNAL when out
 * of memory. Messages never hold a key. out is zeroed unless ERR_OK.
 */
enum err stripe_checkout_create(const struct gateway_config *cfg,
                                const struct stripe_checkout_request *in,
                                struct stripe_checkout_session *out, struct err_detail *d) WUR;

/* ---- Stripe webhooks --------------------------------------------------- */

/* Room for "t=<20 digits>,v1=<64 hex>" and the terminator. */
#define STRIPE_SIGNATURE_BYTES 96

/*
 * Checks a Stripe-Signature header ("t=1700000000,v1=<hex>[,v1=<hex>][,v0=…]")
 * against the raw request body: the signed payload is "<t>.<body>", the MAC is
 * HMAC-SHA256 keyed with the whole secret string ("whsec_…" included), and any
 * v1 equal to it (constant-time compare) passes, provided |now_s - t| is at
 * most tolerance_s. Pure: no clock, no I/O.
 *
 * ERR_SIGNATURE_INVALID with d->message saying which check failed (missing
 * header, malformed header, no timestamp, no v1 signature, no signature
 * matches, timestamp outside the tolerance); ERR_GATEWAY_NOT_CONFIGURED when
 * secret is NULL or "" (webhooks are refused). now_s and tolerance_s are >= 0.
 */
enum err stripe_signature_verify(const char *header, const char *body, size_t body_len,
                                 const char *secret, int64_t now_s, int64_t tolerance_s,
                                 struct err_detail *d) WUR;

/* The Stripe-Signature value for body signed at t (for the tests and tools);
 * out_size >= STRIPE_SIGNATURE_BYTES. */
void stripe_signature_make(const char *body, size_t body_len, const char *secret, int64_t t,
                           char *out, size_t out_size);

/* A Stripe event, with the fields creditd reads. Strings are copied in. */
struct stripe_event {
    char id[256];   /* "evt_..." */
    char type[128]; /* "checkout.session.completed" */
    int64_t created;
    /* data.object of checkout.session.* events; empty or 0 otherwise: */
    char session_id[256];
    char payment_status[32]; /* "paid", "unpaid", "no_payment_required" */
    char status[32];         /* "open", "complete", "expired" */
    int64_t amount_total;
    char currency[8]; /* lower case as Stripe writes it */
    char client_reference_id[256];
    char metadata_tenant[64];
    char metadata_invoice[64];
};

/*
 * Parses a webhook body (verify its signature first). The event must be a JSON
 * object with a string id, a string type and an integer created; the
 * data.object fields of checkout.session.* events are read when present (null
 * counts as absent) and left empty or 0 otherwise, and for other types.
 *
 * ERR_VALIDATION with d->field naming the field ("type", "data.object.currency")
 * when the body is not JSON, a required field is missing, a field has the
 * wrong type, or a string is too long for its slot; ERR_TOO_LARGE past
 * GATEWAY_WEBHOOK_BYTES_MAX. out is zeroed first.
 */
enum err stripe_event_parse(const char *body, size_t len, struct stripe_event *out,
                            struct err_detail *d) WUR;

#endif
