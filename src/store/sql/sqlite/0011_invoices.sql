-- Version 11 (SQLite): invoices a customer can pay and an accountant
-- accepts, and credit notes (issue 13).
--   * tenants: the bank details invoices ask to be paid to (IBAN stored
--     without spaces in capitals, BIC, account holder), the payment terms in
--     days (0..365, default 14), and the prefix of credit note numbers.
--   * customers: the billing address (multi-line text).
--   * invoices: the issue and due dates as local dates of the tenant's time
--     zone (YYYY-MM-DD), the payment terms, the bank details as they were
--     when the invoice was made, the buyer's address and the document's
--     language. Invoices made before this version keep issue_date and
--     due_date empty: the service dates them from created_at in the tenant's
--     time zone, due after the default 14 days, with no bank details.
--   * credit_notes: one per voided paid invoice, its own gapless number per
--     tenant and year (counter "credit_note"), the amounts it credits.
ALTER TABLE tenants ADD COLUMN bank_iban TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN bank_bic TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN bank_account_holder TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN payment_terms_days INTEGER NOT NULL DEFAULT 14
    CHECK (payment_terms_days BETWEEN 0 AND 365);
ALTER TABLE tenants ADD COLUMN credit_note_prefix TEXT NOT NULL DEFAULT 'CN';
ALTER TABLE customers ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN issue_date TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN due_date TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN payment_terms_days INTEGER NOT NULL DEFAULT 14;
ALTER TABLE invoices ADD COLUMN bank_iban TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN bank_bic TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN bank_account_holder TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN buyer_address TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN language TEXT NOT NULL DEFAULT '';
UPDATE invoices SET language = CASE WHEN COALESCE(
    NULLIF((SELECT c.locale FROM customers c WHERE c.id = invoices.customer_id), ''),
    (SELECT t.locale FROM tenants t WHERE t.id = invoices.tenant_id)) LIKE 'de%'
    THEN 'de' ELSE 'en' END;
CREATE TABLE credit_notes (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    number TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    net_minor INTEGER NOT NULL CHECK (net_minor >= 0),
    vat_rate_bp INTEGER NOT NULL CHECK (vat_rate_bp BETWEEN 0 AND 10000),
    vat_minor INTEGER NOT NULL CHECK (vat_minor >= 0),
    gross_minor INTEGER NOT NULL CHECK (gross_minor = net_minor + vat_minor),
    store_credit_minor INTEGER NOT NULL CHECK (store_credit_minor BETWEEN 0 AND gross_minor),
    refund_minor INTEGER NOT NULL CHECK (refund_minor = gross_minor - store_credit_minor),
    reason TEXT NOT NULL,
    language TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, number),
    UNIQUE (tenant_id, invoice_id)
);
CREATE INDEX credit_notes_customer ON credit_notes (customer_id, id);
