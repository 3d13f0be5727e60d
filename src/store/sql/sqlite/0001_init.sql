-- creditd schema, version 1 (SQLite). Amounts are integers in minor units,
-- instants are integers in microseconds since the epoch (UTC), 0 = none.
CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'EUR',
    vat_rate_bp INTEGER NOT NULL DEFAULT 1900 CHECK (vat_rate_bp BETWEEN 0 AND 10000),
    timezone TEXT NOT NULL DEFAULT 'Europe/Berlin',
    locale TEXT NOT NULL DEFAULT 'en-IE',
    refund_validity_days INTEGER NOT NULL DEFAULT 30 CHECK (refund_validity_days BETWEEN 1 AND 3660),
    charge_on TEXT NOT NULL DEFAULT 'submit' CHECK (charge_on IN ('submit', 'delivery')),
    invoice_prefix TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE TABLE tenant_hosts (
    host TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id)
);
CREATE TABLE chain_heads (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE counters (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    period INTEGER NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, name, period)
);
CREATE TABLE credit_types (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    scale INTEGER NOT NULL CHECK (scale BETWEEN 0 AND 6),
    kind TEXT NOT NULL CHECK (kind IN ('unit', 'monetary')),
    unit_value_minor INTEGER NOT NULL DEFAULT 0 CHECK (unit_value_minor >= 0),
    spendable INTEGER NOT NULL DEFAULT 1,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'member')),
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, email)
);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    vat_id TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX customers_tenant_name ON customers (tenant_id, name);
CREATE TABLE members (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('owner', 'technician')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (customer_id, user_id)
);
CREATE INDEX members_user ON members (user_id);
CREATE TABLE member_limits (
    customer_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    limit_minor INTEGER NOT NULL CHECK (limit_minor >= 0),
    PRIMARY KEY (customer_id, user_id, credit_type_id),
    FOREIGN KEY (customer_id, user_id) REFERENCES members (customer_id, user_id)
);
CREATE TABLE accounts (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    balance_minor INTEGER NOT NULL DEFAULT 0 CHECK (balance_minor >= 0),
    held_minor INTEGER NOT NULL DEFAULT 0 CHECK (held_minor >= 0),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (customer_id, credit_type_id)
);
CREATE TABLE packages (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
    vat_rate_bp INTEGER NOT NULL DEFAULT -1,
    published INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0,
    sort_order INTEGER NOT NULL DEFAULT 0,
    start_rule TEXT NOT NULL DEFAULT 'immediate',
    start_at INTEGER NOT NULL DEFAULT 0,
    expiry_rule TEXT NOT NULL DEFAULT 'never',
    expires_at INTEGER NOT NULL DEFAULT 0,
    expiry_days INTEGER NOT NULL DEFAULT 0,
    categories TEXT NOT NULL DEFAULT '',
    provider TEXT NOT NULL DEFAULT '',
    peak TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX packages_tenant ON packages (tenant_id, sort_order, id);
CREATE TABLE package_credits (
    package_id INTEGER NOT NULL REFERENCES packages (id),
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (package_id, credit_type_id)
);
CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('base', 'addon')),
    category TEXT NOT NULL DEFAULT '',
    provider TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX services_tenant ON services (tenant_id, sort_order, id);
CREATE TABLE service_costs (
    service_id INTEGER NOT NULL REFERENCES services (id),
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (service_id, credit_type_id)
);
CREATE TABLE lots (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    name TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    original_minor INTEGER NOT NULL CHECK (original_minor > 0),
    remaining_minor INTEGER NOT NULL CHECK (remaining_minor >= 0),
    deactivated_minor INTEGER NOT NULL DEFAULT 0 CHECK (deactivated_minor >= 0),
    cost_basis_minor INTEGER NOT NULL DEFAULT 0 CHECK (cost_basis_minor >= 0),
    package_id INTEGER REFERENCES packages (id),
    invoice_id INTEGER,
    order_id INTEGER,
    starts_at INTEGER NOT NULL DEFAULT 0,
    start_on_first_use INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL DEFAULT 0,
    expiry_days_after_start INTEGER NOT NULL DEFAULT 0,
    paused_at INTEGER NOT NULL DEFAULT 0,
    categories TEXT NOT NULL DEFAULT '',
    provider TEXT NOT NULL DEFAULT '',
    peak TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX lots_customer ON lots (customer_id, credit_type_id, status);
CREATE INDEX lots_expiry ON lots (expires_at) WHERE status = 'active' AND expires_at > 0;
CREATE TABLE lot_events (
    id INTEGER PRIMARY KEY,
    lot_id INTEGER NOT NULL REFERENCES lots (id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX lot_events_lot ON lot_events (lot_id, id);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    member_user_id INTEGER REFERENCES users (id),
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    reference TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'in_progress', 'completed', 'cancelled')),
    charge_mode TEXT NOT NULL CHECK (charge_mode IN ('charged', 'held', 'captured', 'released', 'refunded')),
    base_minor INTEGER NOT NULL CHECK (base_minor >= 0),
    total_minor INTEGER NOT NULL CHECK (total_minor >= 0),
    vehicle TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    cancel_reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, reference)
);
CREATE INDEX orders_customer ON orders (customer_id, id);
CREATE INDEX orders_member_month ON orders (customer_id, member_user_id, created_at);
CREATE INDEX orders_tenant ON orders (tenant_id, id);
CREATE TABLE order_lines (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    position INTEGER NOT NULL,
    service_id INTEGER NOT NULL REFERENCES services (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    cost_minor INTEGER NOT NULL,
    PRIMARY KEY (order_id, position)
);
CREATE TABLE order_allocations (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    lot_id INTEGER NOT NULL REFERENCES lots (id),
    base_minor INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    multiplier_permille INTEGER NOT NULL,
    PRIMARY KEY (order_id, lot_id)
);
CREATE TABLE order_events (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);
CREATE TABLE transfers (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    from_customer_id INTEGER NOT NULL REFERENCES customers (id),
    to_customer_id INTEGER NOT NULL REFERENCES customers (id),
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    actor TEXT NOT NULL,
    justification TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE journal (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    credit_type_id INTEGER NOT NULL REFERENCES credit_types (id),
    credit_type TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    balance_after_minor INTEGER NOT NULL,
    order_id INTEGER,
    invoice_id INTEGER,
    transfer_id INTEGER,
    actor TEXT NOT NULL,
    actor_user_id INTEGER,
    reason TEXT NOT NULL DEFAULT '',
    justification TEXT NOT NULL DEFAULT '',
    lot_ids TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (tenant_id, seq)
);
CREATE INDEX journal_customer_type ON journal (customer_id, credit_type_id, id);
CREATE INDEX journal_customer ON journal (customer_id, id);
CREATE INDEX journal_customer_time ON journal (customer_id, credit_type_id, created_at);
CREATE INDEX journal_tenant ON journal (tenant_id, id);
CREATE INDEX journal_tenant_time ON journal (tenant_id, created_at);
CREATE TABLE postings (
    id INTEGER PRIMARY KEY,
    journal_id INTEGER NOT NULL REFERENCES journal (id),
    account TEXT NOT NULL,
    lot_id INTEGER REFERENCES lots (id),
    amount_minor INTEGER NOT NULL
);
CREATE INDEX postings_journal ON postings (journal_id);
CREATE INDEX postings_lot ON postings (lot_id) WHERE lot_id IS NOT NULL;
