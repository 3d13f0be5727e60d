-- The shop (version 4, SQLite): invoices with gapless numbers, their lines,
-- the store credit they drew, and the payment gateways' webhook events.
-- Money is in the tenant currency's minor units.
ALTER TABLE tenants ADD COLUMN country TEXT NOT NULL DEFAULT 'DE';
ALTER TABLE tenants ADD COLUMN vat_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN seller_address TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN manual_grant TEXT NOT NULL DEFAULT 'payment'
    CHECK (manual_grant IN ('payment', 'invoice'));
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    number TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'paid', 'void')),
    gateway TEXT NOT NULL CHECK (gateway IN ('manual', 'stripe', 'admin')),
    currency TEXT NOT NULL,
    seller_name TEXT NOT NULL,
    seller_address TEXT NOT NULL,
    seller_country TEXT NOT NULL,
    seller_vat_id TEXT NOT NULL,
    buyer_name TEXT NOT NULL,
    buyer_email TEXT NOT NULL,
    buyer_country TEXT NOT NULL,
    buyer_vat_id TEXT NOT NULL,
    package_id INTEGER REFERENCES packages (id),
    net_minor INTEGER NOT NULL CHECK (net_minor >= 0),
    vat_rate_bp INTEGER NOT NULL CHECK (vat_rate_bp BETWEEN 0 AND 10000),
    vat_minor INTEGER NOT NULL CHECK (vat_minor >= 0),
    gross_minor INTEGER NOT NULL CHECK (gross_minor = net_minor + vat_minor),
    reverse_charge INTEGER NOT NULL DEFAULT 0,
    store_credit_minor INTEGER NOT NULL DEFAULT 0 CHECK (store_credit_minor BETWEEN 0 AND gross_minor),
    due_minor INTEGER NOT NULL CHECK (due_minor = gross_minor - store_credit_minor),
    credits_granted INTEGER NOT NULL DEFAULT 0,
    gateway_ref TEXT NOT NULL DEFAULT '',
    checkout_url TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    void_reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    paid_at INTEGER NOT NULL DEFAULT 0,
    voided_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, number)
);
CREATE INDEX invoices_tenant ON invoices (tenant_id, id);
CREATE INDEX invoices_customer ON invoices (customer_id, id);
CREATE UNIQUE INDEX invoices_gateway_ref ON invoices (gateway, gateway_ref) WHERE gateway_ref <> '';
CREATE TABLE invoice_lines (
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_net_minor INTEGER NOT NULL CHECK (unit_net_minor >= 0),
    net_minor INTEGER NOT NULL CHECK (net_minor >= 0),
    PRIMARY KEY (invoice_id, position)
);
CREATE TABLE invoice_credits (
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    lot_id INTEGER NOT NULL REFERENCES lots (id),
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    money_minor INTEGER NOT NULL CHECK (money_minor >= 0),
    PRIMARY KEY (invoice_id, lot_id)
);
CREATE INDEX lots_invoice ON lots (invoice_id) WHERE invoice_id IS NOT NULL;
CREATE TABLE webhook_events (
    gateway TEXT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    tenant_id INTEGER,
    invoice_id INTEGER,
    outcome TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (gateway, event_id)
);
