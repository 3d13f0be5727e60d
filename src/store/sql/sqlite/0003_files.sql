-- Files on orders (version 3, SQLite): originals customers upload and the
-- modified files staff deliver. The contents live in the files directory
-- under storage_name (see store.h); a purged file keeps its row (name, size,
-- hash, who and when) with purged_at set. order_id is NULL while an upload
-- waits for its order.
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    order_id INTEGER REFERENCES orders (id),
    role TEXT NOT NULL CHECK (role IN ('original', 'modified')),
    name TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    storage_name TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_by_user_id INTEGER REFERENCES users (id),
    uploaded_at INTEGER NOT NULL,
    purged_at INTEGER NOT NULL DEFAULT 0,
    purged_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX files_customer_sha ON files (customer_id, sha256);
CREATE INDEX files_order ON files (order_id, id) WHERE order_id IS NOT NULL;
CREATE INDEX files_live ON files (id) WHERE purged_at = 0;
-- Order history entries that are not status moves (a file uploaded,
-- delivered or purged) keep the status on both sides and say what happened.
ALTER TABLE order_events ADD COLUMN event TEXT NOT NULL DEFAULT 'status';
ALTER TABLE order_events ADD COLUMN detail TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN file_retention_days INTEGER NOT NULL DEFAULT 0
    CHECK (file_retention_days BETWEEN 0 AND 3660);
ALTER TABLE tenants ADD COLUMN duplicate_window_hours INTEGER NOT NULL DEFAULT 24
    CHECK (duplicate_window_hours BETWEEN 0 AND 8760);
