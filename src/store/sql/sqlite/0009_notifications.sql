-- Version 9 (SQLite): notifications (DESIGN §6, docs/architecture.md).
--   * events is the outbox: a row per business event, written in the
--     transaction of the change that causes it, so an event exists exactly
--     when its change committed. attrs holds what belongs to the moment (the
--     previous status, the amount, the reason) as a JSON object; body is the
--     payload, rendered once when the dispatcher fans the event out
--     (fanned_at), so every delivery and every retry sends the same bytes.
--   * deliveries: one per event and recipient (a mail to a user, a POST to a
--     webhook endpoint), pending until delivered, failed after the retry
--     limit, or skipped (mail not configured, the endpoint deleted). A
--     mail's unsubscribe_token (random) names it in its one-click link.
--   * delivery_attempts: the delivery log, one row per try.
--   * webhook_endpoints: where an admin wants events posted, with the
--     signing secret (needed in clear to sign; shown once, then never).
--   * mail_optouts: the events a user chose not to receive by mail.
--   * accounts carry the owner's low-balance threshold and whether the
--     balance is below it (so balance.low fires once per crossing with no
--     row read beyond the account every write locks anyway); lots remember
--     their expiry notice (credits.expiring, once per lot).
-- Ids are rowids and foreign keys single-column, as in version 7.
ALTER TABLE tenants ADD COLUMN mail_sender_name TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN mail_reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN portal_url TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN expiry_notice_days INTEGER NOT NULL DEFAULT 7
    CHECK (expiry_notice_days BETWEEN 0 AND 365);
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN locale TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN low_threshold_minor INTEGER NOT NULL DEFAULT -1;
ALTER TABLE accounts ADD COLUMN low_alerted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lots ADD COLUMN expiry_noticed_at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    type TEXT NOT NULL,
    customer_id INTEGER NOT NULL DEFAULT 0,
    subject_id INTEGER NOT NULL DEFAULT 0,
    user_id INTEGER NOT NULL DEFAULT 0,
    attrs TEXT NOT NULL DEFAULT '{}',
    body TEXT NOT NULL DEFAULT '',
    fanned_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX events_unfanned ON events (id) WHERE fanned_at = 0;
CREATE INDEX events_tenant ON events (tenant_id, id);
CREATE INDEX events_subject ON events (subject_id, type);

CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    url TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT NOT NULL DEFAULT '',
    failing_since INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, id);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('mail', 'webhook')),
    endpoint_id INTEGER NOT NULL DEFAULT 0,
    user_id INTEGER NOT NULL DEFAULT 0,
    recipient TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT '',
    unsubscribe_token TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    delivered_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (event_id) REFERENCES events (id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);
CREATE INDEX deliveries_unsubscribe ON deliveries (unsubscribe_token) WHERE unsubscribe_token <> '';

CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    delivery_id INTEGER NOT NULL,
    endpoint_id INTEGER NOT NULL DEFAULT 0,
    attempted_at INTEGER NOT NULL,
    http_status INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
    excerpt TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (delivery_id) REFERENCES deliveries (id)
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);
CREATE INDEX delivery_attempts_endpoint ON delivery_attempts (endpoint_id, id);

CREATE TABLE mail_optouts (
    tenant_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, event_type, tenant_id),
    FOREIGN KEY (user_id) REFERENCES users (id)
);
