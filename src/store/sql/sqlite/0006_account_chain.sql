-- Version 6 (SQLite): the journal's hash chain per account instead of per
-- tenant, so that writers of one tenant never wait for a shared row.
-- Entries written before this version stay on the tenant chain (chain = 1),
-- which ends at chain_heads and still verifies; from now on every entry
-- continues its account's chain (chain = 2): accounts.chain_seq and
-- chain_hash are the head, starting from 64 zeros. Periodic seals over the
-- account heads (journal_seals, journal_seal_heads) make a removed tail of an
-- account's chain detectable. The journal is rebuilt to drop UNIQUE (tenant_id,
-- seq), which a per-account seq would break and every insert had to update;
-- postings are rebuilt with it, so that no row ever references a dropped
-- table (the migration runs in a transaction with foreign keys on).
ALTER TABLE accounts ADD COLUMN chain_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN chain_hash TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000';
CREATE TABLE journal_v6 (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    chain INTEGER NOT NULL DEFAULT 2 CHECK (chain IN (1, 2)),
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
    hash TEXT NOT NULL
);
INSERT INTO journal_v6 (id, tenant_id, chain, seq, kind, customer_id, credit_type_id, credit_type,
    amount_minor, balance_after_minor, order_id, invoice_id, transfer_id, actor, actor_user_id,
    reason, justification, lot_ids, created_at, prev_hash, hash)
SELECT id, tenant_id, 1, seq, kind, customer_id, credit_type_id, credit_type, amount_minor,
    balance_after_minor, order_id, invoice_id, transfer_id, actor, actor_user_id, reason,
    justification, lot_ids, created_at, prev_hash, hash FROM journal;
CREATE TABLE postings_v6 (
    id INTEGER PRIMARY KEY,
    journal_id INTEGER NOT NULL REFERENCES journal_v6 (id),
    account TEXT NOT NULL,
    lot_id INTEGER REFERENCES lots (id),
    amount_minor INTEGER NOT NULL
);
INSERT INTO postings_v6 (id, journal_id, account, lot_id, amount_minor)
SELECT id, journal_id, account, lot_id, amount_minor FROM postings;
DROP TABLE postings;
DROP TABLE journal;
-- Renaming the parent rewrites the reference in postings_v6 (SQLite 3.26+).
ALTER TABLE journal_v6 RENAME TO journal;
ALTER TABLE postings_v6 RENAME TO postings;
CREATE INDEX postings_journal ON postings (journal_id);
CREATE INDEX postings_lot ON postings (lot_id) WHERE lot_id IS NOT NULL;
CREATE INDEX journal_customer_type ON journal (customer_id, credit_type_id, id);
CREATE INDEX journal_customer ON journal (customer_id, id);
CREATE INDEX journal_customer_time ON journal (customer_id, credit_type_id, created_at);
CREATE INDEX journal_tenant ON journal (tenant_id, id);
CREATE INDEX journal_tenant_time ON journal (tenant_id, created_at);
CREATE TABLE journal_seals (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    seq INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    n_heads INTEGER NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE TABLE journal_seal_heads (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER NOT NULL,
    credit_type_id INTEGER NOT NULL,
    chain_seq INTEGER NOT NULL,
    seal_seq INTEGER NOT NULL,
    chain_hash TEXT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, credit_type_id, chain_seq)
);
-- The auth epoch: every change that can end someone's access or move a host
-- to another tenant (logout, a new tenant or host; later revocations and
-- disabled users) adds one in its transaction. Servers keep API keys,
-- sessions and hosts in memory and drop them all when it moves, so such a
-- change takes effect at the next request, on every server of the database.
CREATE TABLE auth_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO auth_epoch (id, value) VALUES (1, 1);
