/*
 * The route table: every endpoint with who may call it, in one place. A
 * route exists only here; the OpenAPI test compares this table with the
 * published document, so an endpoint cannot be added without its entry.
 * Matching is by segments; "{name}" matches one non-empty segment.
 */
#include <string.h>

#include "http/http_int.h"

const struct http_route http_routes[] = {
    {"GET", "/", h_web_index, ROLES_ANYBODY, "The web portal", false, false},
    {"GET", "/assets/{name}", h_web_asset, ROLES_ANYBODY, "A file of the web portal", false, false},
    {"GET", "/api/v1/i18n/{lang}", h_web_catalogue, ROLES_ANYBODY,
     "The words of the portal and documents in a language", false, false},
    {"GET", "/healthz", h_healthz, ROLES_ANYBODY, "Liveness", false, false},
    {"GET", "/readyz", h_readyz, ROLES_ANYBODY, "Readiness: the database answers", false, false},
    {"GET", "/metrics", h_metrics, ROLES_ANYBODY, "Prometheus metrics", false, false},
    {"GET", "/api/v1/openapi.json", h_openapi, ROLES_ANYBODY, "This API's OpenAPI document", false,
     false},
    {"POST", "/api/v1/auth/login", h_login, ROLES_ANYBODY, "Sign in, get a session cookie", false,
     false},
    {"POST", "/api/v1/auth/logout", h_logout, ROLES_SIGNED | ROUTE_WHILE_ENROLLING,
     "End the session", false, false},
    {"GET", "/api/v1/me", h_me, ROLES_SIGNED | ROUTE_WHILE_ENROLLING, "Who is signed in", false,
     false},
    {"PATCH", "/api/v1/me", h_me_update, ROLES_SIGNED | ROUTE_WHILE_ENROLLING,
     "Choose your language (portal and mails)", false, false},
    /* ---- the business's brand (h_branding.c) ---- */
    {"GET", "/api/v1/branding", h_branding, ROLES_ANYBODY,
     "The business's name, accent colour and logo (for the sign-in page)", false, false},
    {"PATCH", "/api/v1/branding", h_branding_update, ROLE_ADMIN,
     "Change the display name and accent colour", true, false},
    {"GET", "/api/v1/branding/logo", h_branding_logo, ROLES_ANYBODY, "The business's logo", false,
     false},
    {"PUT", "/api/v1/branding/logo", h_branding_logo_put, ROLE_ADMIN,
     "Upload or replace the logo: PNG, JPEG or SVG (multipart field file)", false, true},
    {"DELETE", "/api/v1/branding/logo", h_branding_logo_delete, ROLE_ADMIN, "Remove the logo",
     false, false},
    {"GET", "/favicon.ico", h_favicon, ROLES_ANYBODY, "The business's logo as the site's icon",
     false, false},
    /* ---- two-factor sign-in (h_totp.c) ---- */
    {"POST", "/api/v1/me/totp", h_totp_enrol, ROLES_SIGNED | ROUTE_WHILE_ENROLLING,
     "Start two-factor enrolment: a new secret and its otpauth:// URI", false, false},
    {"POST", "/api/v1/me/totp/confirm", h_totp_confirm, ROLES_SIGNED | ROUTE_WHILE_ENROLLING,
     "Turn two-factor sign-in on with a first code; the recovery codes, once", false, false},
    {"POST", "/api/v1/me/totp/disable", h_totp_disable, ROLES_SIGNED,
     "Turn two-factor sign-in off (password and code)", false, false},
    {"POST", "/api/v1/me/totp/recovery-codes", h_totp_recovery_codes, ROLES_SIGNED,
     "Replace the recovery codes (password and code)", false, false},
    {"POST", "/api/v1/api-keys", h_api_key_create, ROLE_ADMIN, "Create an API key", false, false},
    {"GET", "/api/v1/api-keys", h_api_keys, ROLE_ADMIN, "List the API keys (never a key itself)",
     false, false},
    {"DELETE", "/api/v1/api-keys/{id}", h_api_key_revoke, ROLE_ADMIN,
     "Revoke an API key at once, on every server", false, false},
    {"POST", "/api/v1/me/password", h_password_change, ROLES_SIGNED,
     "Change your password (other sessions end)", false, false},
    {"POST", "/api/v1/auth/password-reset", h_password_reset_request, ROLES_ANYBODY,
     "Ask for a password reset link by mail", false, false},
    {"POST", "/api/v1/auth/password-reset/confirm", h_password_reset_confirm, ROLES_ANYBODY,
     "Set a new password with a reset link's token", false, false},
    {"GET", "/api/v1/users", h_users, ROLE_ADMIN, "List the staff and admins", false, false},
    {"POST", "/api/v1/users", h_user_create, ROLE_ADMIN, "Add a staff user or admin", true, false},
    {"PATCH", "/api/v1/users/{id}", h_user_update, ROLE_ADMIN,
     "Change a staff user's role, disable or enable", false, false},
    {"POST", "/api/v1/users/{id}/password-reset", h_user_password_reset, ROLE_ADMIN,
     "Mail a user a password reset link", false, false},
    {"DELETE", "/api/v1/customers/{id}/members/{user_id}", h_member_remove, ROLES_TEAM | ROLE_OWNER,
     "Remove a member from a customer", false, false},
    {"POST", "/api/v1/invitations", h_invitation_create, ROLES_TEAM | ROLE_OWNER,
     "Invite someone by mail", false, false},
    {"GET", "/api/v1/invitations", h_invitations, ROLES_TEAM | ROLE_OWNER,
     "Invitations, newest first", false, false},
    {"DELETE", "/api/v1/invitations/{id}", h_invitation_withdraw, ROLES_TEAM | ROLE_OWNER,
     "Withdraw a pending invitation", false, false},
    {"GET", "/api/v1/auth/invitations/{token}", h_invitation_preview,
     ROLES_ANYBODY | ROUTE_BY_TOKEN, "What an invitation link is for", false, false},
    {"POST", "/api/v1/auth/invitations/accept", h_invitation_accept, ROLES_ANYBODY,
     "Accept an invitation: choose a password", false, false},
    {"GET", "/api/v1/auth/registration", h_registration, ROLES_ANYBODY,
     "Whether this business takes sign-ups", false, false},
    {"POST", "/api/v1/auth/register", h_register, ROLES_ANYBODY,
     "Sign up: a new customer and its owner", false, false},
    {"POST", "/api/v1/auth/verify-email", h_email_verify, ROLES_ANYBODY,
     "Confirm an e-mail address with the mailed link's token", false, false},
    {"POST", "/api/v1/me/verify-email/resend", h_email_verify_resend, ROLES_SIGNED,
     "Mail a new confirmation link", false, false},
    {"POST", "/api/v1/customers/{id}/approve", h_customer_approve, ROLES_TEAM,
     "Approve a customer that signed up", false, false},
    {"POST", "/api/v1/customers/{id}/reject", h_customer_reject, ROLES_TEAM,
     "Reject a customer that signed up", false, false},
    {"GET", "/api/v1/security-log", h_security_log, ROLE_ADMIN,
     "Sign-ins, resets, role and key changes, newest first", false, false},
    {"GET", "/api/v1/me/notifications", h_notify_prefs, ROLES_SIGNED,
     "Your mail notifications and language", false, false},
    {"PATCH", "/api/v1/me/notifications", h_notify_prefs_update, ROLES_SIGNED,
     "Choose which events reach you by mail, and their language", false, false},
    {"GET", "/api/v1/notifications/status", h_notify_status, ROLE_ADMIN,
     "Whether mail is configured (the relay without its password) and webhooks' reach", false,
     false},
    {"POST", "/api/v1/notifications/test-mail", h_notify_test_mail, ROLE_ADMIN,
     "Send a test mail with the server's relay", false, false},
    {"GET", "/api/v1/unsubscribe/{token}", h_unsubscribe_form, ROLES_ANYBODY | ROUTE_BY_TOKEN,
     "The page of a mail's unsubscribe link", false, false},
    {"POST", "/api/v1/unsubscribe/{token}", h_unsubscribe, ROLES_ANYBODY | ROUTE_BY_TOKEN,
     "One-click unsubscribe (RFC 8058) from a mail's kind", false, false},
    {"GET", "/api/v1/customers/{id}/low-balance", h_thresholds, ROLES_TEAM | ROLE_OWNER,
     "A customer's low-balance thresholds per credit type", false, false},
    {"PATCH", "/api/v1/customers/{id}/low-balance", h_thresholds_update, ROLES_TEAM | ROLE_OWNER,
     "Set low-balance thresholds (balance.low); null removes one", false, false},
    {"POST", "/api/v1/test/clock", h_test_clock, ROLE_ADMIN,
     "Move the clock (servers started with --test-clock only)", false, false},
    /* ---- writes (h_write_*.c) ---- */
    {"POST", "/api/v1/customers", h_customer_create, ROLES_TEAM, "Create a customer", true, false},
    {"POST", "/api/v1/customers/{id}/members", h_member_add, ROLES_TEAM | ROLE_OWNER,
     "Add a member (owner or technician) to a customer", true, false},
    {"POST", "/api/v1/credit-types", h_credit_type_create, ROLE_ADMIN, "Create a credit type", true,
     false},
    {"PATCH", "/api/v1/credit-types/{code}", h_credit_type_update, ROLE_ADMIN,
     "Change a credit type (name, unit value, spendable toggle)", true, false},
    {"POST", "/api/v1/packages", h_package_create, ROLES_TEAM, "Create a credit package", true,
     false},
    {"POST", "/api/v1/services", h_service_create, ROLES_TEAM, "Create a service with its costs",
     true, false},
    {"PATCH", "/api/v1/settings", h_settings_update, ROLE_ADMIN, "Change the tenant's settings",
     true, false},
    {"POST", "/api/v1/customers/{id}/lots", h_lot_create, ROLES_TEAM,
     "Add credits: a manual lot or the lots of a package", true, false},
    {"PATCH", "/api/v1/lots/{id}", h_lot_update, ROLES_TEAM, "Change a lot's name or notes", true,
     false},
    {"POST", "/api/v1/lots/{id}/pause", h_lot_pause, ROLES_TEAM, "Pause a lot", true, false},
    {"POST", "/api/v1/lots/{id}/resume", h_lot_resume, ROLES_TEAM, "Resume a paused lot", true,
     false},
    {"POST", "/api/v1/lots/{id}/extend", h_lot_extend, ROLES_TEAM, "Extend a lot's expiry", true,
     false},
    {"POST", "/api/v1/lots/{id}/deactivate", h_lot_deactivate, ROLES_TEAM, "Deactivate a lot", true,
     false},
    {"POST", "/api/v1/lots/{id}/reactivate", h_lot_reactivate, ROLES_TEAM,
     "Reactivate a deactivated lot", true, false},
    {"POST", "/api/v1/lots/{id}/deduct", h_lot_deduct, ROLES_TEAM,
     "Deduct credits from a lot with a reason and justification", true, false},
    {"POST", "/api/v1/customers/{id}/adjustments", h_adjustment_create, ROLES_TEAM,
     "Add (positive) or deduct (negative) credits with a reason", true, false},
    {"POST", "/api/v1/transfers", h_transfer_create, ROLE_ADMIN,
     "Move credits from one customer to another", true, false},
    {"POST", "/api/v1/quotes", h_quote, ROLES_SIGNED, "Price an order without placing it", false,
     false},
    {"POST", "/api/v1/orders", h_order_create, ROLES_SIGNED, "Place an order and charge it", true,
     false},
    {"POST", "/api/v1/orders/{id}/status", h_order_status, ROLES_TEAM,
     "Move an order to in_progress or completed", true, false},
    {"POST", "/api/v1/orders/{id}/cancel", h_order_cancel, ROLES_SIGNED,
     "Cancel an order and refund its credits", true, false},
    /* ---- files (h_files.c): the three uploads are streamed multipart ---- */
    {"POST", "/api/v1/files", h_file_upload, ROLES_SIGNED,
     "Upload an original file for a later order (multipart field file)", true, true},
    {"POST", "/api/v1/orders/{id}/files", h_order_file_upload, ROLES_SIGNED,
     "Put an original file on an open order (multipart field file)", true, true},
    {"POST", "/api/v1/orders/{id}/deliver", h_order_deliver, ROLES_TEAM,
     "Deliver the modified file and complete the order (multipart field file)", true, true},
    {"GET", "/api/v1/files/{id}", h_file_download, ROLES_SIGNED, "Download a file", false, false},
    {"DELETE", "/api/v1/files/{id}", h_file_purge, ROLES_TEAM,
     "Remove a file's contents, keeping its name, size and hash", false, false},
    {"PATCH", "/api/v1/customers/{id}", h_customer_update, ROLES_TEAM, "Change a customer", true,
     false},
    {"PATCH", "/api/v1/packages/{id}", h_package_update, ROLES_TEAM,
     "Change a package (publish, archive, price, credits)", true, false},
    {"DELETE", "/api/v1/packages/{id}", h_package_archive, ROLES_TEAM,
     "Archive a package (kept for old invoices)", false, false},
    {"PATCH", "/api/v1/services/{id}", h_service_update, ROLES_TEAM,
     "Change a service and its costs", true, false},
    {"PATCH", "/api/v1/customers/{id}/members/{user_id}", h_member_limits, ROLES_TEAM | ROLE_OWNER,
     "Set a technician's monthly limits", false, false},
    /* ---- the shop (h_shop.c) ---- */
    {"POST", "/api/v1/purchases", h_purchase_create, ROLES_TEAM | ROLE_OWNER,
     "Buy a package: an invoice, store credit first, the rest by the gateway", true, false},
    {"GET", "/api/v1/invoices", h_invoices, ROLES_TEAM | ROLE_OWNER, "List invoices, newest first",
     false, false},
    {"GET", "/api/v1/invoices/{id}", h_invoice, ROLES_TEAM | ROLE_OWNER,
     "An invoice with lines, store credit and lots", false, false},
    {"GET", "/api/v1/invoices/{id}/html", h_invoice_html, ROLES_TEAM | ROLE_OWNER,
     "The invoice as a printable page", false, false},
    {"GET", "/api/v1/invoices/{id}/pdf", h_invoice_pdf, ROLES_TEAM | ROLE_OWNER,
     "The invoice as an A4 PDF in the customer's language", false, false},
    {"GET", "/api/v1/credit-notes", h_credit_notes, ROLES_TEAM | ROLE_OWNER,
     "List credit notes, newest first", false, false},
    {"GET", "/api/v1/credit-notes/{id}", h_credit_note, ROLES_TEAM | ROLE_OWNER,
     "A credit note with the invoice it cancels", false, false},
    {"GET", "/api/v1/credit-notes/{id}/html", h_credit_note_html, ROLES_TEAM | ROLE_OWNER,
     "The credit note as a printable page", false, false},
    {"GET", "/api/v1/credit-notes/{id}/pdf", h_credit_note_pdf, ROLES_TEAM | ROLE_OWNER,
     "The credit note as an A4 PDF in its language", false, false},
    {"POST", "/api/v1/invoices/{id}/mark-paid", h_invoice_mark_paid, ROLES_TEAM,
     "Mark an open invoice paid (bank transfer received)", true, false},
    {"POST", "/api/v1/invoices/{id}/void", h_invoice_void, ROLES_TEAM,
     "Void an invoice: store credit back, unspent credits removed", true, false},
    {"POST", "/api/v1/webhooks/stripe", h_webhook_stripe, ROLES_ANYBODY,
     "Stripe's signed events (Checkout Sessions)", false, false},
    /* ---- reads (h_read_*.c) ---- */
    {"GET", "/api/v1/credit-types", h_credit_types, ROLES_SIGNED, "List the credit types", false,
     false},
    {"GET", "/api/v1/packages", h_packages, ROLES_SIGNED, "List packages (members: published only)",
     false, false},
    {"GET", "/api/v1/services", h_services, ROLES_SIGNED, "List services and their costs", false,
     false},
    {"GET", "/api/v1/customers", h_customers, ROLES_TEAM, "Search customers with balances", false,
     false},
    {"GET", "/api/v1/customers/{id}", h_customer, ROLES_SIGNED,
     "A customer with balances and members", false, false},
    {"GET", "/api/v1/customers/{id}/lots", h_customer_lots, ROLES_SIGNED, "A customer's lots",
     false, false},
    {"GET", "/api/v1/customers/{id}/summary", h_customer_summary, ROLES_SIGNED,
     "A customer's credits in and out over a period", false, false},
    {"GET", "/api/v1/lots/{id}", h_lot, ROLES_SIGNED, "A lot", false, false},
    {"GET", "/api/v1/lots/{id}/history", h_lot_history, ROLES_SIGNED, "A lot's history", false,
     false},
    {"GET", "/api/v1/orders", h_orders, ROLES_SIGNED, "List orders, newest first", false, false},
    {"GET", "/api/v1/orders/{id}", h_order, ROLES_SIGNED, "An order with lines and allocations",
     false, false},
    {"GET", "/api/v1/ledger", h_ledger, ROLES_SIGNED, "Ledger entries, newest first", false, false},
    {"GET", "/api/v1/ledger.csv", h_ledger_csv, ROLES_SIGNED, "The ledger as CSV, oldest first",
     false, false},
    {"GET", "/api/v1/settings", h_settings, ROLES_TEAM, "The business's settings", false, false},
    {"GET", "/api/v1/admin/verify", h_verify, ROLE_ADMIN, "Verify the ledger", false, false},
    {"GET", "/api/v1/me/dashboard", h_me_dashboard, ROLES_MEMBER,
     "My credits: balances, this month, 30-day spend, expiring soon", false, false},
    {"GET", "/api/v1/admin/dashboard", h_admin_dashboard, ROLES_TEAM,
     "Credits sold per day, outstanding balances, recent adjustments", false, false},
    /* ---- notifications (h_webhooks.c) ---- */
    {"POST", "/api/v1/webhook-endpoints", h_webhook_create, ROLE_ADMIN,
     "Create a webhook endpoint (its secret is shown in this answer only)", true, false},
    {"GET", "/api/v1/webhook-endpoints", h_webhooks, ROLE_ADMIN, "List the webhook endpoints",
     false, false},
    {"GET", "/api/v1/webhook-endpoints/{id}", h_webhook, ROLE_ADMIN, "A webhook endpoint", false,
     false},
    {"PATCH", "/api/v1/webhook-endpoints/{id}", h_webhook_update, ROLE_ADMIN,
     "Change a webhook endpoint (URL, events, description, disabled)", true, false},
    {"DELETE", "/api/v1/webhook-endpoints/{id}", h_webhook_delete, ROLE_ADMIN,
     "Delete a webhook endpoint; its pending deliveries are skipped", false, false},
    {"POST", "/api/v1/webhook-endpoints/{id}/rotate-secret", h_webhook_rotate, ROLE_ADMIN,
     "Give a webhook endpoint a new signing secret", true, false},
    {"GET", "/api/v1/webhook-endpoints/{id}/deliveries", h_webhook_deliveries, ROLE_ADMIN,
     "A webhook endpoint's delivery log, newest first", false, false},
    {"POST", "/api/v1/deliveries/{id}/resend", h_delivery_resend, ROLE_ADMIN,
     "Send a webhook delivery again", true, false},
    {"GET", "/api/v1/events", h_events, ROLES_TEAM, "The event log, newest first", false, false},
    {"GET", "/api/v1/events/{id}", h_event, ROLES_TEAM, "An event with its deliveries", false,
     false},
};

const size_t http_routes_count = sizeof(http_routes) / sizeof(http_routes[0]);

/* Matches path against pattern, capturing {params}. */
static bool http_route_matches(const char *pattern, const char *path,
                               const char *params[HTTP_PARAMS_MAX], char *scratch,
                               size_t scratch_len)
{
    size_t n_params = 0, used = 0;
    const char *p = pattern, *q = path;
    while (*p && *q) {
        if (*p == '{') {
            size_t len = strcspn(q, "/");
            if (len == 0 || n_params == HTTP_PARAMS_MAX || used + len + 1 > scratch_len)
                return false;
            memcpy(scratch + used, q, len);
            scratch[used + len] = '\0';
            params[n_params++] = scratch + used;
            used += len + 1;
            q += len;
            p = strchr(p, '}');
            if (p == NULL)
                return false;
            p++;
            continue;
        }
        if (*p != *q)
            return false;
        p++;
        q++;
    }
    return *p == '\0' && *q == '\0';
}

const struct http_route *http_route_find(const char *method, const char *path,
                                         const char *params[HTTP_PARAMS_MAX], char *allow,
                                         size_t allow_len)
{
    /* Captured values live in a per-thread scratch: the request copies what
     * it keeps before the next request on this thread. */
    static _Thread_local char scratch[512];
    const char *found[HTTP_PARAMS_MAX];
    const struct http_route *match = NULL;
    allow[0] = '\0';
    for (size_t i = 0; i < http_routes_count; i++) {
        const struct http_route *rt = &http_routes[i];
        memset(found, 0, sizeof(found));
        if (!http_route_matches(rt->pattern, path, found, scratch, sizeof(scratch)))
            continue;
        if (strcmp(rt->method, method) == 0) {
            memcpy(params, found, sizeof(found));
            match = rt;
            break;
        }
        size_t len = strlen(allow);
        if (strstr(allow, rt->method) == NULL && len + strlen(rt->method) + 3 < allow_len)
            str_format(allow + len, allow_len - len, "%s%s", len ? ", " : "", rt->method);
    }
    return match;
}
