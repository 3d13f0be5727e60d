-- Version 8 (PostgreSQL): failed sign-ins live in the database, so every server
-- on it counts them together and a restart forgets none. One row per tenant
-- and subject: an account (the e-mail as typed) or a client address, kept as
-- the SHA-256 of "account:<e-mail>" or "address:<address>", so neither an
-- address nor whatever was typed into the e-mail field is stored. A row
-- counts the failures of one fixed window that began at window_start (its
-- first failure); a failure after the window ends starts a new one. Servers
-- delete rows whose window has ended (every minute), by window_start.
-- tenant_id leads the primary key, as on every table (Citus, by tenant).
CREATE TABLE login_throttle (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    subject_hash TEXT NOT NULL,
    failures BIGINT NOT NULL CHECK (failures > 0),
    window_start BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, subject_hash)
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);
