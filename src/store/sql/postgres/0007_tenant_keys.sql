-- Version 7 (PostgreSQL): every key carries the tenant, so the schema can be
-- distributed by tenant_id (Citus, docs/scaling.md) and no statement needs to
-- look at another tenant's rows to find its own.
--   * Every tenant-owned table has tenant_id BIGINT NOT NULL: the tables that
--     had it only through their parent (members, postings, order_lines...)
--     get it here, filled from that parent.
--   * Every primary key includes tenant_id, as its last column: (id,
--     tenant_id) for tables with an identity id (the identity stays),
--     (<natural key>, tenant_id) for the others. Last, not first, so that
--     each key serves the lookups it served before and no key that leads
--     with the tenant tempts the planner: a key (tenant_id, id) is an index
--     of the tenant's rows in id order, which PostgreSQL, before statistics
--     exist (a new database, a table that just grew), takes for a customer's
--     lots or a lot's postings and walks the whole tenant (measured in
--     bench_orders: thousands of index entries read per order, not one or
--     two). Column order does not matter to Citus, which asks only that a
--     key include the distribution column.
--   * Every unique key includes tenant_id: API keys (key_hash, tenant_id),
--     sessions (id_hash, tenant_id), gateway references (tenant_id, gateway,
--     gateway_ref), webhook events (gateway, event_id, tenant_id). A lookup
--     by such a secret takes the tenant of the Host it came to.
--   * Every foreign key between tenant-owned tables is composite,
--     (tenant_id, x) REFERENCES parent (tenant_id, id), so parent and child
--     can only be of one tenant and live on one shard (PostgreSQL matches the
--     referenced columns to the key (id, tenant_id) as a set). Foreign keys to the
--     reference table tenants stay as they were; the new tenant_id columns
--     of child tables need none, their composite key to the parent implies it.
--   * auth_epoch becomes one row per tenant: a logout moves its own tenant's
--     epoch instead of a row that every tenant's logouts write.
--   * Secondary indexes stay as they were: a query names the tenant as a
--     plain equality and keeps finding its rows through the index it used
--     before (the customer's, the order's...), the tenant a check on them;
--     five of them are made again after the keys (see below why).
-- Only tenants, tenant_hosts and schema_migrations stay without tenant_id in
-- their keys: they are small, read by every tenant, and may be Citus
-- reference tables. tests/store/test_schema.c checks all of this.
--
-- Filling tenant_id rewrites the child tables (postings is the largest: two
-- or more rows per journal entry), and the new keys are built afresh; on a
-- big database run `creditd migrate` at a quiet time.

-- 1. tenant_id where it was missing, from the parent row (a row without a
-- parent would keep NULL and fail SET NOT NULL: nothing is left behind).
ALTER TABLE members ADD COLUMN tenant_id BIGINT;
UPDATE members m SET tenant_id = c.tenant_id FROM customers c WHERE c.id = m.customer_id;
ALTER TABLE member_limits ADD COLUMN tenant_id BIGINT;
UPDATE member_limits m SET tenant_id = c.tenant_id FROM customers c WHERE c.id = m.customer_id;
ALTER TABLE package_credits ADD COLUMN tenant_id BIGINT;
UPDATE package_credits k SET tenant_id = p.tenant_id FROM packages p WHERE p.id = k.package_id;
ALTER TABLE service_costs ADD COLUMN tenant_id BIGINT;
UPDATE service_costs k SET tenant_id = s.tenant_id FROM services s WHERE s.id = k.service_id;
ALTER TABLE lot_events ADD COLUMN tenant_id BIGINT;
UPDATE lot_events e SET tenant_id = l.tenant_id FROM lots l WHERE l.id = e.lot_id;
ALTER TABLE order_lines ADD COLUMN tenant_id BIGINT;
UPDATE order_lines x SET tenant_id = o.tenant_id FROM orders o WHERE o.id = x.order_id;
ALTER TABLE order_allocations ADD COLUMN tenant_id BIGINT;
UPDATE order_allocations x SET tenant_id = o.tenant_id FROM orders o WHERE o.id = x.order_id;
ALTER TABLE order_events ADD COLUMN tenant_id BIGINT;
UPDATE order_events x SET tenant_id = o.tenant_id FROM orders o WHERE o.id = x.order_id;
ALTER TABLE postings ADD COLUMN tenant_id BIGINT;
UPDATE postings p SET tenant_id = j.tenant_id FROM journal j WHERE j.id = p.journal_id;
ALTER TABLE invoice_lines ADD COLUMN tenant_id BIGINT;
UPDATE invoice_lines x SET tenant_id = i.tenant_id FROM invoices i WHERE i.id = x.invoice_id;
ALTER TABLE invoice_credits ADD COLUMN tenant_id BIGINT;
UPDATE invoice_credits x SET tenant_id = i.tenant_id FROM invoices i WHERE i.id = x.invoice_id;
-- A webhook event that matched no invoice was kept without a tenant; it goes
-- to the first tenant (it only stops a replay of that event from being
-- recorded twice, and such a replay matches no invoice either).
UPDATE webhook_events w SET tenant_id = COALESCE(
    (SELECT i.tenant_id FROM invoices i WHERE i.id = w.invoice_id),
    (SELECT MIN(t.id) FROM tenants t)) WHERE tenant_id IS NULL;
ALTER TABLE members ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE member_limits ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE package_credits ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE service_costs ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE lot_events ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE order_lines ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE order_allocations ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE order_events ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE postings ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE invoice_lines ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE invoice_credits ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE webhook_events ALTER COLUMN tenant_id SET NOT NULL;

-- 2. The foreign keys between tenant-owned tables go (they hang on the old
-- primary keys), by name, so that a key missed here makes step 3 fail
-- rather than survive.
ALTER TABLE members DROP CONSTRAINT members_customer_id_fkey,
    DROP CONSTRAINT members_user_id_fkey;
ALTER TABLE member_limits DROP CONSTRAINT member_limits_customer_id_user_id_fkey,
    DROP CONSTRAINT member_limits_credit_type_id_fkey;
ALTER TABLE accounts DROP CONSTRAINT accounts_customer_id_fkey,
    DROP CONSTRAINT accounts_credit_type_id_fkey;
ALTER TABLE package_credits DROP CONSTRAINT package_credits_package_id_fkey,
    DROP CONSTRAINT package_credits_credit_type_id_fkey;
ALTER TABLE service_costs DROP CONSTRAINT service_costs_service_id_fkey,
    DROP CONSTRAINT service_costs_credit_type_id_fkey;
ALTER TABLE lots DROP CONSTRAINT lots_customer_id_fkey,
    DROP CONSTRAINT lots_credit_type_id_fkey, DROP CONSTRAINT lots_package_id_fkey;
ALTER TABLE lot_events DROP CONSTRAINT lot_events_lot_id_fkey;
ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey,
    DROP CONSTRAINT orders_member_user_id_fkey, DROP CONSTRAINT orders_credit_type_id_fkey;
ALTER TABLE order_lines DROP CONSTRAINT order_lines_order_id_fkey,
    DROP CONSTRAINT order_lines_service_id_fkey;
ALTER TABLE order_allocations DROP CONSTRAINT order_allocations_order_id_fkey,
    DROP CONSTRAINT order_allocations_lot_id_fkey;
ALTER TABLE order_events DROP CONSTRAINT order_events_order_id_fkey;
ALTER TABLE transfers DROP CONSTRAINT transfers_from_customer_id_fkey,
    DROP CONSTRAINT transfers_to_customer_id_fkey, DROP CONSTRAINT transfers_credit_type_id_fkey;
ALTER TABLE journal DROP CONSTRAINT journal_customer_id_fkey,
    DROP CONSTRAINT journal_credit_type_id_fkey;
ALTER TABLE postings DROP CONSTRAINT postings_journal_id_fkey,
    DROP CONSTRAINT postings_lot_id_fkey;
ALTER TABLE sessions DROP CONSTRAINT sessions_user_id_fkey;
ALTER TABLE files DROP CONSTRAINT files_customer_id_fkey,
    DROP CONSTRAINT files_order_id_fkey, DROP CONSTRAINT files_uploaded_by_user_id_fkey;
ALTER TABLE invoices DROP CONSTRAINT invoices_customer_id_fkey,
    DROP CONSTRAINT invoices_package_id_fkey;
ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_invoice_id_fkey;
ALTER TABLE invoice_credits DROP CONSTRAINT invoice_credits_invoice_id_fkey,
    DROP CONSTRAINT invoice_credits_lot_id_fkey, DROP CONSTRAINT invoice_credits_credit_type_id_fkey;

-- 3. Primary and unique keys with the tenant first.
ALTER TABLE credit_types DROP CONSTRAINT credit_types_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE users DROP CONSTRAINT users_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE customers DROP CONSTRAINT customers_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE members DROP CONSTRAINT members_pkey,
    ADD PRIMARY KEY (customer_id, user_id, tenant_id);
ALTER TABLE member_limits DROP CONSTRAINT member_limits_pkey,
    ADD PRIMARY KEY (customer_id, user_id, credit_type_id, tenant_id);
ALTER TABLE accounts DROP CONSTRAINT accounts_pkey,
    ADD PRIMARY KEY (customer_id, credit_type_id, tenant_id);
ALTER TABLE packages DROP CONSTRAINT packages_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE package_credits DROP CONSTRAINT package_credits_pkey,
    ADD PRIMARY KEY (package_id, credit_type_id, tenant_id);
ALTER TABLE services DROP CONSTRAINT services_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE service_costs DROP CONSTRAINT service_costs_pkey,
    ADD PRIMARY KEY (service_id, credit_type_id, tenant_id);
ALTER TABLE lots DROP CONSTRAINT lots_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE lot_events DROP CONSTRAINT lot_events_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE orders DROP CONSTRAINT orders_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE order_lines DROP CONSTRAINT order_lines_pkey,
    ADD PRIMARY KEY (order_id, position, tenant_id);
ALTER TABLE order_allocations DROP CONSTRAINT order_allocations_pkey,
    ADD PRIMARY KEY (order_id, lot_id, tenant_id);
ALTER TABLE order_events DROP CONSTRAINT order_events_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE transfers DROP CONSTRAINT transfers_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE journal DROP CONSTRAINT journal_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE postings DROP CONSTRAINT postings_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE sessions DROP CONSTRAINT sessions_pkey, ADD PRIMARY KEY (id_hash, tenant_id);
ALTER TABLE api_keys DROP CONSTRAINT api_keys_pkey, DROP CONSTRAINT api_keys_key_hash_key,
    ADD PRIMARY KEY (id, tenant_id), ADD UNIQUE (key_hash, tenant_id);
ALTER TABLE files DROP CONSTRAINT files_pkey, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE invoices DROP CONSTRAINT invoices_pkey, ADD PRIMARY KEY (id, tenant_id);
DROP INDEX invoices_gateway_ref;
CREATE UNIQUE INDEX invoices_gateway_ref ON invoices (tenant_id, gateway, gateway_ref)
    WHERE gateway_ref <> '';
ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_pkey,
    ADD PRIMARY KEY (invoice_id, position, tenant_id);
ALTER TABLE invoice_credits DROP CONSTRAINT invoice_credits_pkey,
    ADD PRIMARY KEY (invoice_id, lot_id, tenant_id);
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_pkey,
    ADD PRIMARY KEY (gateway, event_id, tenant_id),
    ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id);

-- Indexes that must win the planner's choice for their queries are made
-- again, after the keys above. A query names the tenant now (a plain
-- equality, so a distributed database can route it), which makes every index
-- that leads with tenant_id a candidate for it; with statistics the planner
-- weighs them right, but on a database whose tables were never analyzed (a
-- new one, or one just filled) every index looks alike, and PostgreSQL 15
-- then takes the most recently made one, in a plan a connection keeps until
-- the next ANALYZE. Made in this order, each query's own index is the newest
-- of those it could use: a row by id and its foreign key checks take
-- journal_tenant or the key, a customer's ledger page journal_customer(_type),
-- its sums journal_customer_time, a technician's month orders_member_month.
DROP INDEX journal_tenant;
CREATE INDEX journal_tenant ON journal (tenant_id, id);
DROP INDEX journal_customer;
CREATE INDEX journal_customer ON journal (customer_id, id);
DROP INDEX journal_customer_type;
CREATE INDEX journal_customer_type ON journal (customer_id, credit_type_id, id);
DROP INDEX journal_customer_time;
CREATE INDEX journal_customer_time ON journal (customer_id, credit_type_id, created_at);
DROP INDEX orders_member_month;
CREATE INDEX orders_member_month ON orders (customer_id, member_user_id, created_at);

-- 4. The foreign keys again, each with the tenant.
ALTER TABLE members
    ADD FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id);
ALTER TABLE member_limits
    ADD FOREIGN KEY (tenant_id, customer_id, user_id)
        REFERENCES members (tenant_id, customer_id, user_id),
    ADD FOREIGN KEY (tenant_id, credit_type_id) REFERENCES credit_types (tenant_id, id);
ALTER TABLE accounts
    ADD FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, credit_type_id) REFERENCES credit_types (tenant_id, id);
ALTER TABLE package_credits
    ADD FOREIGN KEY (tenant_id, package_id) REFERENCES packages (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, credit_type_id) REFERENCES credit_types (tenant_id, id);
ALTER TABLE service_costs
    ADD FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, credit_type_id) REFERENCES credit_types (tenant_id, id);
ALTER TABLE lots
    ADD FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, credit_type_id) REFERENCES credit_types (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, package_id) REFERENCES packages (tenant_id, id);
ALTER TABLE lot_events
    ADD FOREIGN KEY (tenant_id, lot_id) REFERENCES lots (tenant_id, id);
ALTER TABLE orders
    ADD FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, member_user_id) REFERENCES users (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, credit_type_id) REFERENCES credit_types (tenant_id, id);
ALTER TABLE order_lines
    ADD FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id);
ALTER TABLE order_allocations
    ADD FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, lot_id) REFERENCES lots (tenant_id, id);
ALTER TABLE order_events
    ADD FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id);
ALTER TABLE transfers
    ADD FOREIGN KEY (tenant_id, from_customer_id) REFERENCES customers (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, to_customer_id) REFERENCES customers (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, credit_type_id) REFERENCES credit_types (tenant_id, id);
ALTER TABLE journal
    ADD FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, credit_type_id) REFERENCES credit_types (tenant_id, id);
ALTER TABLE postings
    ADD FOREIGN KEY (tenant_id, journal_id) REFERENCES journal (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, lot_id) REFERENCES lots (tenant_id, id);
ALTER TABLE sessions
    ADD FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id);
ALTER TABLE files
    ADD FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, uploaded_by_user_id) REFERENCES users (tenant_id, id);
ALTER TABLE invoices
    ADD FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, package_id) REFERENCES packages (tenant_id, id);
ALTER TABLE invoice_lines
    ADD FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id);
ALTER TABLE invoice_credits
    ADD FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, lot_id) REFERENCES lots (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, credit_type_id) REFERENCES credit_types (tenant_id, id);

-- 5. The auth epoch per tenant, each starting where the shared one was.
ALTER TABLE auth_epoch RENAME TO auth_epoch_v6;
ALTER TABLE auth_epoch_v6 RENAME CONSTRAINT auth_epoch_pkey TO auth_epoch_v6_pkey;
CREATE TABLE auth_epoch (
    tenant_id BIGINT PRIMARY KEY REFERENCES tenants (id),
    value BIGINT NOT NULL
);
INSERT INTO auth_epoch (tenant_id, value) SELECT t.id, e.value FROM tenants t, auth_epoch_v6 e;
DROP TABLE auth_epoch_v6;
