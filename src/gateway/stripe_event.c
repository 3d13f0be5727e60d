/*
 * Stripe webhook events read into a fixed struct: the envelope (id, type,
 * created) always, and the checkout session of checkout.session.* events.
 *
 * Only for bodies whose signature was verified; still, nothing here trusts
 * the body's shape: every field is type-checked and every string must fit its
 * slot (too long is refused, never truncated, since ids are matched later).
 * It decides nothing about what an event means for an invoice.
 */
#include <string.h>

#include <jansson.h>

#include "gateway/gateway_int.h"

static const char stripe_event_session_prefix[] = "checkout.session.";

/* Copies obj[key] into dst. Absent or null leaves dst empty unless required. */
static enum err stripe_event_string(json_t *obj, const char *key, const char *field, bool required,
                                    char *dst, size_t size, struct err_detail *d)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) {
        if (required)
            return err_set(d, ERR_VALIDATION, field, "is required");
        return ERR_OK;
    }
    if (!json_is_string(v))
        return err_set(d, ERR_VALIDATION, field, "must be a string");
    if (!str_copy(dst, size, json_string_value(v)))
        return err_set(d, ERR_VALIDATION, field, "is longer than %zu bytes", size - 1);
    if (required && dst[0] == '\0')
        return err_set(d, ERR_VALIDATION, field, "must not be empty");
    return ERR_OK;
}

/* obj[key] as an object, or NULL when absent or null. */
static enum err stripe_event_object(json_t *obj, const char *key, const char *field, json_t **out,
                                    struct err_detail *d)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return ERR_OK;
    if (!json_is_object(v))
        return err_set(d, ERR_VALIDATION, field, "must be an object");
    *out = v;
    return ERR_OK;
}

static enum err stripe_event_session(json_t *session, struct stripe_event *out,
                                     struct err_detail *d)
{
    const struct {
        const char *key, *field;
        char *dst;
        size_t size;
    } texts[] = {
        {"id", "data.object.id", out->session_id, sizeof(out->session_id)},
        {"payment_status", "data.object.payment_status", out->payment_status,
         sizeof(out->payment_status)},
        {"status", "data.object.status", out->status, sizeof(out->status)},
        {"currency", "data.object.currency", out->currency, sizeof(out->currency)},
        {"client_reference_id", "data.object.client_reference_id", out->client_reference_id,
         sizeof(out->client_reference_id)},
    };
    enum err rc = ERR_OK;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]) && rc == ERR_OK; i++)
        rc = stripe_event_string(session, texts[i].key, texts[i].field, false, texts[i].dst,
                                 texts[i].size, d);
    if (rc != ERR_OK)
        return rc;
    json_t *amount = json_object_get(session, "amount_total");
    if (amount != NULL && !json_is_null(amount) && !json_is_integer(amount))
        return err_set(d, ERR_VALIDATION, "data.object.amount_total", "must be an integer");
    out->amount_total = json_is_integer(amount) ? json_integer_value(amount) : 0;
    json_t *metadata;
    if ((rc = stripe_event_object(session, "metadata", "data.object.metadata", &metadata, d)) !=
            ERR_OK ||
        metadata == NULL)
        return rc;
    rc = stripe_event_string(metadata, "tenant", "data.object.metadata.tenant", false,
                             out->metadata_tenant, sizeof(out->metadata_tenant), d);
    if (rc != ERR_OK)
        return rc;
    return stripe_event_string(metadata, "invoice", "data.object.metadata.invoice", false,
                               out->metadata_invoice, sizeof(out->metadata_invoice), d);
}

static enum err stripe_event_envelope(json_t *root, struct stripe_event *out, struct err_detail *d)
{
    enum err rc = stripe_event_string(root, "id", "id", true, out->id, sizeof(out->id), d);
    if (rc != ERR_OK)
        return rc;
    rc = stripe_event_string(root, "type", "type", true, out->type, sizeof(out->type), d);
    if (rc != ERR_OK)
        return rc;
    json_t *created = json_object_get(root, "created");
    if (!json_is_integer(created) || json_integer_value(created) < 0)
        return err_set(d, ERR_VALIDATION, "created", "must be a non-negative integer");
    out->created = json_integer_value(created);
    return ERR_OK;
}

enum err stripe_event_parse(const char *body, size_t len, struct stripe_event *out,
                            struct err_detail *d)
{
    ASSERT(body != NULL || len == 0);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    if (len > GATEWAY_WEBHOOK_BYTES_MAX)
        return err_set(d, ERR_TOO_LARGE, "", "event is larger than %u bytes",
                       GATEWAY_WEBHOOK_BYTES_MAX);
    enum err rc = ERR_OK;
    json_t *root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(root)) {
        rc = err_set(d, ERR_VALIDATION, "", "event is not a JSON object");
        goto out;
    }
    if ((rc = stripe_event_envelope(root, out, d)) != ERR_OK)
        goto out;
    if (strncmp(out->type, stripe_event_session_prefix, strlen(stripe_event_session_prefix)) != 0)
        goto out;
    json_t *data, *session;
    if ((rc = stripe_event_object(root, "data", "data", &data, d)) != ERR_OK || data == NULL)
        goto out;
    if ((rc = stripe_event_object(data, "object", "data.object", &session, d)) != ERR_OK ||
        session == NULL)
        goto out;
    rc = stripe_event_session(session, out, d);
out:
    if (rc != ERR_OK)
        memset(out, 0, sizeof(*out));
    json_decref(root);
    return rc;
}
