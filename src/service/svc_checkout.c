/*
 * Card payments: the service's use of src/gateway. A card purchase is priced,
 * a Stripe Checkout session is made for what stays due after store credit
 * (a network call, outside any transaction), and then the purchase's one
 * transaction refuses with ERR_CONFLICT if the amount due changed meanwhile.
 * A webhook's body is checked against its signature and parsed into a
 * gateway event here, before svc_gateway_event_apply applies it.
 *
 * Must not: call the gateway inside a store transaction, or log a key. The
 * gateway knows no tenants or invoices: what its answers mean is decided here
 * and in svc_invoice.c.
 */
#include <stdio.h>
#include <string.h>

#include "gateway/gateway.h"
#include "service/service_int.h"

/* The process's gateway settings (the environment is read once, at start). */
static struct gateway_config svc_gateway_config;

enum err svc_gateway_start(struct svc *s)
{
    ASSERT(s->gateway == NULL);
    gateway_config_defaults(&svc_gateway_config);
    gateway_config_from_env(&svc_gateway_config);
    if (gateway_init() != ERR_OK)
        return ERR_INTERNAL;
    /* A bad setting is logged once here (never the key); card payments are
     * then refused. */
    struct err_detail d = {0};
    const char *key = svc_gateway_config.stripe_secret_key;
    if (key != NULL && key[0] != '\0' && gateway_config_check(&svc_gateway_config, &d) != ERR_OK)
        log_msg(LOG_ERROR, "stripe is not usable: %s", d.message);
    s->gateway = &svc_gateway_config;
    return ERR_OK;
}

bool svc_card_payments_ready(const struct svc *s)
{
    ASSERT(s != NULL);
    return s->gateway != NULL && gateway_stripe_is_configured(s->gateway);
}

void svc_gateway_stop(struct svc *s)
{
    ASSERT(s->gateway == &svc_gateway_config);
    s->gateway = NULL;
    gateway_release();
}

/* The key Stripe sees: a digest of tenant, actor and the client's key, never
 * the client's key itself. */
static enum err svc_checkout_key(struct arena *a, const char *tenant, const struct svc_actor *actor,
                                 const char *client_key, char key[SHA256_HEX])
{
    uint8_t digest[SHA256_BYTES];
    char *text = arena_printf(a, "%s|%s|%s", tenant, actor->label, client_key);
    if (text == NULL)
        return ERR_TOO_LARGE;
    sha256(text, strlen(text), digest);
    hex_encode(digest, SHA256_BYTES, key);
    return ERR_OK;
}

/* Asks Stripe for a session for what price leaves due, and notes it on in. */
static enum err svc_checkout_session(struct svc *s, struct arena *a, int64_t tenant_id,
                                     const struct svc_actor *actor,
                                     const struct svc_invoice_view *price,
                                     const struct svc_checkout_input *co,
                                     struct svc_purchase_input *in, struct err_detail *d)
{
    char tenant[24], customer[ID_TEXT_BYTES], key[SHA256_HEX];
    snprintf(tenant, sizeof(tenant), "%lld", (long long)tenant_id);
    id_format(customer, sizeof(customer), "cus", in->customer_id);
    enum err rc = ERR_OK;
    if (co->idempotency_key != NULL &&
        (rc = svc_checkout_key(a, tenant, actor, co->idempotency_key, key)) != ERR_OK)
        return rc;
    struct stripe_checkout_request req = {
        .currency = price->row.currency,
        .amount_minor = price->row.due_minor,
        .product_name = price->n_lines ? price->lines[0].description : "Credits",
        .client_reference_id = customer,
        .customer_email = price->row.buyer_email,
        .success_url = co->success_url,
        .cancel_url = co->cancel_url,
        .metadata_tenant = tenant,
        .metadata_invoice = "pending", /* made after the session: events match its id */
        .idempotency_key = co->idempotency_key != NULL ? key : NULL};
    struct stripe_checkout_session *session = arena_alloc(a, sizeof(*session));
    if (session == NULL || req.success_url == NULL || req.cancel_url == NULL)
        return ERR_TOO_LARGE;
    rc = stripe_checkout_create(s->gateway, &req, session, d);
    if (rc != ERR_OK) {
        log_msg(LOG_WARN, "stripe checkout for tenant %s failed: %s", tenant,
                d->message[0] ? d->message : err_code(rc));
        return rc;
    }
    in->gateway_ref = session->id;
    in->checkout_url = session->url;
    in->expect_due_minor = price->row.due_minor;
    return ERR_OK;
}

enum err svc_purchase_checkout(struct svc *s, struct arena *a, int64_t tenant_id,
                               const struct svc_actor *actor, const struct svc_purchase_input *in,
                               const struct svc_checkout_input *co, struct svc_invoice_view *out,
                               struct err_detail *d)
{
    ASSERT(in != NULL && co != NULL);
    ASSERT(in->lot == NULL);
    struct svc_purchase_input buy = *in;
    if (in->gateway != NULL && strcmp(in->gateway, "stripe") == 0) {
        if (!svc_card_payments_ready(s))
            return err_set(d, ERR_GATEWAY_NOT_CONFIGURED, "gateway",
                           "card payments are not set up on this server");
        struct svc_invoice_view price;
        enum err rc = svc_purchase_price(s, a, tenant_id, &buy, &price, d);
        if (rc != ERR_OK)
            return rc;
        /* With nothing due (store credit pays it all) there is no checkout. */
        if (price.row.due_minor != 0 &&
            (rc = svc_checkout_session(s, a, tenant_id, actor, &price, co, &buy, d)) != ERR_OK)
            return rc;
    }
    return svc_purchase(s, a, tenant_id, actor, &buy, out, d);
}

static enum svc_event_kind svc_stripe_event_kind(const struct stripe_event *ev)
{
    if (strcmp(ev->type, "checkout.session.completed") == 0)
        return strcmp(ev->payment_status, "paid") == 0 ? SVC_EVENT_PAID : SVC_EVENT_UNPAID;
    if (strcmp(ev->type, "checkout.session.async_payment_succeeded") == 0)
        return SVC_EVENT_PAID;
    if (strcmp(ev->type, "checkout.session.expired") == 0 ||
        strcmp(ev->type, "checkout.session.async_payment_failed") == 0)
        return SVC_EVENT_EXPIRED;
    return SVC_EVENT_OTHER;
}

enum err svc_stripe_event_read(struct svc *s, struct arena *a, const char *signature,
                               const char *body, size_t len, struct svc_gateway_event *out,
                               struct err_detail *d)
{
    ASSERT(body != NULL);
    ASSERT(out != NULL);
    const struct gateway_config *gw = s->gateway;
    /* Stripe signs with real time: the tolerance is against the wall clock,
     * whatever the business clock says. */
    int64_t now_s = time_now_us() / USEC_PER_SEC;
    enum err rc = gw == NULL
                      ? ERR_GATEWAY_NOT_CONFIGURED
                      : stripe_signature_verify(signature, body, len, gw->stripe_webhook_secret,
                                                now_s, gw->webhook_tolerance_s, d);
    if (rc != ERR_OK) {
        log_msg(LOG_WARN, "stripe webhook refused: %s", d->message[0] ? d->message : err_code(rc));
        return rc;
    }
    struct stripe_event *ev = arena_alloc(a, sizeof(*ev));
    if (ev == NULL)
        return err_set(d, ERR_TOO_LARGE, NULL, "out of request memory");
    if ((rc = stripe_event_parse(body, len, ev, d)) != ERR_OK)
        return rc;
    *out = (struct svc_gateway_event){.gateway = "stripe",
                                      .event_id = ev->id,
                                      .type = ev->type,
                                      .kind = svc_stripe_event_kind(ev),
                                      .ref = ev->session_id,
                                      .amount_minor = ev->amount_total,
                                      .currency = ev->currency,
                                      .tenant_id = 0};
    int64_t named = 0;
    if (ev->metadata_tenant[0] != '\0' && parse_int64(ev->metadata_tenant, &named) && named > 0)
        out->tenant_id = named;
    return ERR_OK;
}
