-- The orders queue (version 5, SQLite): the team lists and counts a tenant's
-- orders by status (submitted and in_progress are the waiting ones), which
-- must not walk every completed order to find the few that wait.
CREATE INDEX orders_tenant_status ON orders (tenant_id, status, id);
