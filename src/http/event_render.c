/*
 * The payload of an event as webhooks receive it and mails are written from:
 * {"id":"evt_…","type":"order.completed","created_at":"…","data":{…}}. data
 * holds the event's attrs (what belongs to the moment: the previous status,
 * the amount, the reason), the customer's id, and for order and invoice
 * events the object as the API shows it (data.object), rendered by the same
 * functions as GET /orders/{id} and GET /invoices/{id}.
 *
 * Must not: change anything (the dispatcher stores the result once, so every
 * delivery and every retry sends the same bytes).
 */
#include <string.h>

#include "http/http_int.h"

/* data.object for order and invoice events; nothing when the object is gone. */
static enum err event_render_object(struct svc *s, struct arena *a, const struct event_row *e,
                                    json_t *data)
{
    enum err rc = ERR_OK;
    json_t *object = NULL;
    if (strncmp(e->type, "order.", 6) == 0) {
        struct svc_orders one;
        rc = svc_order_read(s, a, e->tenant_id, e->subject_id, 0, &one);
        if (rc == ERR_OK)
            object = h_order_details(&one.types, &one.items[0]);
    } else if (strncmp(e->type, "invoice.", 8) == 0) {
        struct svc_invoice_view v;
        rc = svc_invoice_read(s, a, e->tenant_id, e->subject_id, 0, &v);
        if (rc == ERR_OK)
            object = h_invoice_json(&v);
    }
    if (object != NULL)
        json_object_set_new(data, "object", object);
    return rc == ERR_NOT_FOUND ? ERR_OK : rc;
}

enum err http_event_render(void *ctx, struct svc *s, struct arena *a, const struct event_row *e,
                           char **body)
{
    (void)ctx;
    ASSERT(e->id > 0);
    ASSERT(body != NULL);
    json_t *data = json_loads(e->attrs, 0, NULL);
    if (!json_is_object(data)) {
        json_decref(data);
        data = json_object(); /* attrs are written by the service: never here */
    }
    if (e->customer_id != 0)
        json_object_set_new(data, "customer_id", http_id("cus", e->customer_id));
    if (e->user_id != 0)
        json_object_set_new(data, "member_id", http_id("usr", e->user_id));
    enum err rc = event_render_object(s, a, e, data);
    if (rc != ERR_OK) {
        json_decref(data);
        return rc;
    }
    json_t *root = json_pack("{s:o, s:s, s:o, s:o}", "id", http_id("evt", e->id), "type", e->type,
                             "created_at", http_time(e->created_at_us), "data", data);
    char *text = root != NULL ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    *body = text != NULL ? arena_strdup(a, text) : NULL;
    free(text);
    return *body != NULL ? ERR_OK : ERR_TOO_LARGE;
}
