-- Version 7 (SQLite): the same tenant columns and tenant-scoped unique keys as
-- PostgreSQL's version 7, so that one text of every query (store_query*.c)
-- runs on both and a database moved between them keeps its rules:
--   * every tenant-owned table has tenant_id; the tables that had it only
--     through their parent (members, postings, order_lines...) get it here,
--     filled from that parent;
--   * every primary key that is not the rowid, and every unique key,
--     includes tenant_id: accounts (tenant_id, customer_id, credit_type_id),
--     API keys (tenant_id, key_hash), sessions (tenant_id, id_hash), gateway
--     references (tenant_id, gateway, gateway_ref), webhook events
--     (tenant_id, gateway, event_id)...;
--   * auth_epoch becomes one row per tenant.
-- What stays SQLite's own: tables with an id keep `id INTEGER PRIMARY KEY`
-- (the rowid, SQLite's fast path: a composite key would make every such
-- table an index-organised copy and every lookup by id a second search),
-- and foreign keys stay on the single id column they reference. SQLite is
-- never distributed, so nothing needs the tenant in those keys; the queries
-- bind it anyway, the same text as on PostgreSQL.
--
-- A table whose key or NOT NULL columns change is rebuilt (SQLite cannot
-- alter a key): created as <name>_v7, filled, the old one dropped and the new
-- one renamed, which rewrites the references to it (SQLite 3.26+). A parent
-- is rebuilt with its children, children dropped first, so that no row ever
-- references a dropped table (the migration runs in a transaction with
-- foreign keys on). The copies join their parent with LEFT JOIN: a row
-- without a parent would get no tenant and fail the migration on NOT NULL
-- rather than be left behind. Rows keep their ids, so journal hashes, which cover no
-- posting id and no tenant_id of a posting, verify as before.

CREATE TABLE members_v7 (
    tenant_id INTEGER NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('owner', 'technician')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, user_id)
);
INSERT INTO members_v7 (tenant_id, customer_id, user_id, role, created_at)
SELECT c.tenant_id, m.customer_id, m.user_id, m.role, m.created_at
FROM members m LEFT JOIN customers c ON c.id = m.customer_id;
CREATE TABLE member_limits_v7 (
    tenant_id INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    limit_minor INTEGER NOT NULL CHECK (limit_minor >= 0),
    PRIMARY KEY (tenant_id, customer_id, user_id, credit_type_id),
    FOREIGN KEY (tenant_id, customer_id, user_id)
        REFERENCES members_v7 (tenant_id, customer_id, user_id)
);
INSERT INTO member_limits_v7 (tenant_id, customer_id, user_id, credit_type_id, limit_minor)
SELECT c.tenant_id, m.customer_id, m.user_id, m.credit_type_id, m.limit_minor
FROM member_limits m LEFT JOIN customers c ON c.id = m.customer_id;
DROP TABLE member_limits;
DROP TABLE members;
ALTER TABLE members_v7 RENAME TO members;
ALTER TABLE member_limits_v7 RENAME TO member_limits;
-- A member's customer is found by user within the tenant: with the tenant
-- bound, (user_id) alone would lose to the tenant's primary key (which
-- also gives the first customer in order) in SQLite's planner.
CREATE INDEX members_user ON members (tenant_id, user_id, customer_id);

CREATE TABLE accounts_v7 (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    balance_minor INTEGER NOT NULL DEFAULT 0 CHECK (balance_minor >= 0),
    held_minor INTEGER NOT NULL DEFAULT 0 CHECK (held_minor >= 0),
    updated_at INTEGER NOT NULL,
    chain_seq INTEGER NOT NULL DEFAULT 0,
    chain_hash TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
    PRIMARY KEY (tenant_id, customer_id, credit_type_id)
);
INSERT INTO accounts_v7 (tenant_id, customer_id, credit_type_id, balance_minor, held_minor,
    updated_at, chain_seq, chain_hash)
SELECT tenant_id, customer_id, credit_type_id, balance_minor, held_minor, updated_at, chain_seq,
    chain_hash FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_v7 RENAME TO accounts;

CREATE TABLE package_credits_v7 (
    tenant_id INTEGER NOT NULL,
    package_id INTEGER NOT NULL REFERENCES packages (id),
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (tenant_id, package_id, credit_type_id)
);
INSERT INTO package_credits_v7 (tenant_id, package_id, credit_type_id, amount_minor)
SELECT p.tenant_id, k.package_id, k.credit_type_id, k.amount_minor
FROM package_credits k LEFT JOIN packages p ON p.id = k.package_id;
DROP TABLE package_credits;
ALTER TABLE package_credits_v7 RENAME TO package_credits;

CREATE TABLE service_costs_v7 (
    tenant_id INTEGER NOT NULL,
    service_id INTEGER NOT NULL REFERENCES services (id),
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (tenant_id, service_id, credit_type_id)
);
INSERT INTO service_costs_v7 (tenant_id, service_id, credit_type_id, amount_minor)
SELECT s.tenant_id, k.service_id, k.credit_type_id, k.amount_minor
FROM service_costs k LEFT JOIN services s ON s.id = k.service_id;
DROP TABLE service_costs;
ALTER TABLE service_costs_v7 RENAME TO service_costs;

CREATE TABLE lot_events_v7 (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    lot_id INTEGER NOT NULL REFERENCES lots (id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO lot_events_v7 (id, tenant_id, lot_id, kind, detail, actor, created_at)
SELECT e.id, l.tenant_id, e.lot_id, e.kind, e.detail, e.actor, e.created_at
FROM lot_events e LEFT JOIN lots l ON l.id = e.lot_id;
DROP TABLE lot_events;
ALTER TABLE lot_events_v7 RENAME TO lot_events;
CREATE INDEX lot_events_lot ON lot_events (lot_id, id);

CREATE TABLE order_lines_v7 (
    tenant_id INTEGER NOT NULL,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    position INTEGER NOT NULL,
    service_id INTEGER NOT NULL REFERENCES services (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    cost_minor INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, order_id, position)
);
INSERT INTO order_lines_v7 (tenant_id, order_id, position, service_id, name, kind, category,
    cost_minor)
SELECT o.tenant_id, x.order_id, x.position, x.service_id, x.name, x.kind, x.category, x.cost_minor
FROM order_lines x LEFT JOIN orders o ON o.id = x.order_id;
DROP TABLE order_lines;
ALTER TABLE order_lines_v7 RENAME TO order_lines;

CREATE TABLE order_allocations_v7 (
    tenant_id INTEGER NOT NULL,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    lot_id INTEGER NOT NULL REFERENCES lots (id),
    base_minor INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    multiplier_permille INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, order_id, lot_id)
);
INSERT INTO order_allocations_v7 (tenant_id, order_id, lot_id, base_minor, amount_minor,
    multiplier_permille)
SELECT o.tenant_id, x.order_id, x.lot_id, x.base_minor, x.amount_minor, x.multiplier_permille
FROM order_allocations x LEFT JOIN orders o ON o.id = x.order_id;
DROP TABLE order_allocations;
ALTER TABLE order_allocations_v7 RENAME TO order_allocations;

CREATE TABLE order_events_v7 (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    event TEXT NOT NULL DEFAULT 'status',
    detail TEXT NOT NULL DEFAULT ''
);
INSERT INTO order_events_v7 (id, tenant_id, order_id, from_status, to_status, actor, reason,
    created_at, event, detail)
SELECT x.id, o.tenant_id, x.order_id, x.from_status, x.to_status, x.actor, x.reason, x.created_at,
    x.event, x.detail
FROM order_events x LEFT JOIN orders o ON o.id = x.order_id;
DROP TABLE order_events;
ALTER TABLE order_events_v7 RENAME TO order_events;
CREATE INDEX order_events_order ON order_events (order_id, id);

CREATE TABLE postings_v7 (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    journal_id INTEGER NOT NULL REFERENCES journal (id),
    account TEXT NOT NULL,
    lot_id INTEGER REFERENCES lots (id),
    amount_minor INTEGER NOT NULL
);
INSERT INTO postings_v7 (id, tenant_id, journal_id, account, lot_id, amount_minor)
SELECT p.id, j.tenant_id, p.journal_id, p.account, p.lot_id, p.amount_minor
FROM postings p LEFT JOIN journal j ON j.id = p.journal_id;
DROP TABLE postings;
ALTER TABLE postings_v7 RENAME TO postings;
CREATE INDEX postings_journal ON postings (journal_id);
CREATE INDEX postings_lot ON postings (lot_id) WHERE lot_id IS NOT NULL;

-- The journal's customer indexes lead with the tenant. Queries now name the
-- tenant as a plain equality (a distributed database routes by it), and
-- SQLite's planner, which counts equalities, would otherwise take the
-- tenant's (tenant_id, id) or (tenant_id, created_at) index for a customer's
-- page or sums and walk the whole tenant. The tenant costs a byte or two per
-- entry (SQLite stores integers as varints); no index is added.
DROP INDEX journal_customer_type;
DROP INDEX journal_customer;
DROP INDEX journal_customer_time;
CREATE INDEX journal_customer_type ON journal (tenant_id, customer_id, credit_type_id, id);
CREATE INDEX journal_customer ON journal (tenant_id, customer_id, id);
CREATE INDEX journal_customer_time ON journal (tenant_id, customer_id, credit_type_id, created_at);

CREATE TABLE sessions_v7 (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id_hash TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id_hash)
);
INSERT INTO sessions_v7 (tenant_id, id_hash, user_id, csrf_token, created_at, last_seen_at,
    expires_at, revoked)
SELECT tenant_id, id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, revoked
FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v7 RENAME TO sessions;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys_v7 (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL DEFAULT '',
    key_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'staff')),
    created_by TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, key_hash)
);
INSERT INTO api_keys_v7 (id, tenant_id, name, key_hash, role, created_by, created_at, revoked_at)
SELECT id, tenant_id, name, key_hash, role, created_by, created_at, revoked_at FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_v7 RENAME TO api_keys;

DROP INDEX invoices_gateway_ref;
CREATE UNIQUE INDEX invoices_gateway_ref ON invoices (tenant_id, gateway, gateway_ref)
    WHERE gateway_ref <> '';

CREATE TABLE invoice_lines_v7 (
    tenant_id INTEGER NOT NULL,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_net_minor INTEGER NOT NULL CHECK (unit_net_minor >= 0),
    net_minor INTEGER NOT NULL CHECK (net_minor >= 0),
    PRIMARY KEY (tenant_id, invoice_id, position)
);
INSERT INTO invoice_lines_v7 (tenant_id, invoice_id, position, description, quantity,
    unit_net_minor, net_minor)
SELECT i.tenant_id, x.invoice_id, x.position, x.description, x.quantity, x.unit_net_minor,
    x.net_minor
FROM invoice_lines x LEFT JOIN invoices i ON i.id = x.invoice_id;
DROP TABLE invoice_lines;
ALTER TABLE invoice_lines_v7 RENAME TO invoice_lines;

CREATE TABLE invoice_credits_v7 (
    tenant_id INTEGER NOT NULL,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    lot_id INTEGER NOT NULL REFERENCES lots (id),
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    money_minor INTEGER NOT NULL CHECK (money_minor >= 0),
    PRIMARY KEY (tenant_id, invoice_id, lot_id)
);
INSERT INTO invoice_credits_v7 (tenant_id, invoice_id, lot_id, credit_type_id, amount_minor,
    money_minor)
SELECT i.tenant_id, x.invoice_id, x.lot_id, x.credit_type_id, x.amount_minor, x.money_minor
FROM invoice_credits x LEFT JOIN invoices i ON i.id = x.invoice_id;
DROP TABLE invoice_credits;
ALTER TABLE invoice_credits_v7 RENAME TO invoice_credits;

-- A webhook event that matched no invoice was kept without a tenant; it goes
-- to the first tenant (it only stops a replay of that event from being
-- recorded twice, and such a replay matches no invoice either).
CREATE TABLE webhook_events_v7 (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    gateway TEXT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    invoice_id INTEGER,
    outcome TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, gateway, event_id)
);
INSERT INTO webhook_events_v7 (tenant_id, gateway, event_id, type, invoice_id, outcome,
    received_at)
SELECT COALESCE(w.tenant_id, (SELECT i.tenant_id FROM invoices i WHERE i.id = w.invoice_id),
    (SELECT MIN(t.id) FROM tenants t)), w.gateway, w.event_id, w.type, w.invoice_id, w.outcome,
    w.received_at
FROM webhook_events w;
DROP TABLE webhook_events;
ALTER TABLE webhook_events_v7 RENAME TO webhook_events;

-- The auth epoch per tenant, each starting where the shared one was.
CREATE TABLE auth_epoch_v7 (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id),
    value INTEGER NOT NULL
);
INSERT INTO auth_epoch_v7 (tenant_id, value) SELECT t.id, e.value FROM tenants t, auth_epoch e;
DROP TABLE auth_epoch;
ALTER TABLE auth_epoch_v7 RENAME TO auth_epoch;
