-- Version 10 (SQLite): the account life cycle (DESIGN §7, issue 12).
--   * users: email_verified is 0 only for a self-registered owner until the
--     mailed link is followed; password_changed_at dates the password (0 =
--     set when the user was made); totp_secret is the RFC 6238 secret (base32)
--     from enrolment on, totp_enabled turns it on once a code confirmed it,
--     totp_last_step is the last time step accepted, so a code works once.
--   * tenants: registration says who may sign up (off, open, approval) and
--     totp_required makes staff and admins enrol before they may work.
--   * customers: status is pending while a self-registered business awaits
--     approval (its owner signs in but cannot order or buy), rejected after.
--   * api_keys may expire (expires_at, 0 = never).
--   * login_throttle remembers its last failure, for the growing delay.
--   * auth_tokens: mailed single-use tokens (password reset, e-mail
--     verification), kept as SHA-256 of the token, with expiry and use.
--   * invitations: who is invited to what role (staff and admins of the
--     business, owners and technicians of a customer), by whom, until when;
--     accepted or withdrawn, never deleted. The token is kept as its hash.
--   * totp_recovery_codes: ten one-time codes per enrolment, hashed.
--   * security_log: sign-ins, failures, resets, invitations, role and status
--     changes, keys, two-factor: who did what to whom, when, from where.
-- Ids are rowids and foreign keys single-column, as in version 7.
ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_login_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN registration TEXT NOT NULL DEFAULT 'off'
    CHECK (registration IN ('off', 'open', 'approval'));
ALTER TABLE tenants ADD COLUMN totp_required INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'pending', 'rejected'));
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE login_throttle ADD COLUMN last_failure_at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE auth_tokens (
    token_hash TEXT NOT NULL,
    tenant_id INTEGER NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'email_verify')),
    user_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id, purpose);
CREATE INDEX auth_tokens_expiry ON auth_tokens (expires_at);

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'owner', 'technician')),
    customer_id INTEGER NOT NULL DEFAULT 0,
    invited_by_user_id INTEGER NOT NULL DEFAULT 0,
    invited_by TEXT NOT NULL DEFAULT '',
    token_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    accepted_at INTEGER NOT NULL DEFAULT 0,
    accepted_user_id INTEGER NOT NULL DEFAULT 0,
    withdrawn_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, token_hash)
);
CREATE INDEX invitations_tenant ON invitations (tenant_id, customer_id, id);

CREATE TABLE totp_recovery_codes (
    tenant_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    code_hash TEXT NOT NULL,
    used_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, user_id, code_hash),
    FOREIGN KEY (user_id) REFERENCES users (id)
);

CREATE TABLE security_log (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    type TEXT NOT NULL,
    actor_user_id INTEGER NOT NULL DEFAULT 0,
    actor TEXT NOT NULL DEFAULT '',
    subject_user_id INTEGER NOT NULL DEFAULT 0,
    subject TEXT NOT NULL DEFAULT '',
    customer_id INTEGER NOT NULL DEFAULT 0,
    address TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX security_log_tenant ON security_log (tenant_id, id);
CREATE INDEX security_log_type ON security_log (tenant_id, type, id);
