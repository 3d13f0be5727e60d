-- Version 6 (PostgreSQL): the journal's hash chain per account instead of
-- per tenant, so that writers of one tenant never wait for a shared row.
-- Entries written before this version stay on the tenant chain (chain = 1),
-- which ends at chain_heads and still verifies; from now on every entry
-- continues its account's chain (chain = 2): accounts.chain_seq and
-- chain_hash are the head, starting from 64 zeros. Periodic seals over the
-- account heads (journal_seals, journal_seal_heads) make a removed tail of an
-- account's chain detectable. UNIQUE (tenant_id, seq) goes: a per-account seq
-- would break it, and every insert had to update it.
ALTER TABLE accounts ADD COLUMN chain_seq BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN chain_hash TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000';
ALTER TABLE journal ADD COLUMN chain SMALLINT NOT NULL DEFAULT 1 CHECK (chain IN (1, 2));
ALTER TABLE journal ALTER COLUMN chain SET DEFAULT 2;
ALTER TABLE journal DROP CONSTRAINT journal_tenant_id_seq_key;
CREATE TABLE journal_seals (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    seq BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    n_heads BIGINT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE TABLE journal_seal_heads (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    customer_id BIGINT NOT NULL,
    credit_type_id BIGINT NOT NULL,
    chain_seq BIGINT NOT NULL,
    seal_seq BIGINT NOT NULL,
    chain_hash TEXT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, credit_type_id, chain_seq)
);
-- The auth epoch: every change that can end someone's access or move a host
-- to another tenant (logout, a new tenant or host; later revocations and
-- disabled users) adds one in its transaction. Servers keep API keys,
-- sessions and hosts in memory and drop them all when it moves, so such a
-- change takes effect at the next request, on every server of the database.
CREATE TABLE auth_epoch (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO auth_epoch (id, value) VALUES (1, 1);
