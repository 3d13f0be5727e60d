/*
 * Read replicas: where a primary's write-ahead log stands, and how far a
 * replica has replayed it. Only PostgreSQL has replicas; these queries are
 * the backend's own text (enum store_sql), and SQLite answers ERR_USAGE.
 */
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

/* The backend's text of which, or NULL when it has no replicas. */
static const char *store_replica_sql(struct store_conn *c, enum store_sql which)
{
    return c->ops->sql(c, which);
}

enum err store_wal_position(struct store_conn *c, char *lsn, size_t lsn_bytes)
{
    ASSERT(lsn_bytes > 0);
    lsn[0] = '\0';
    const char *sql = store_replica_sql(c, STORE_SQL_WAL_POSITION);
    if (sql == NULL)
        return ERR_USAGE;
    struct store_stmt *s;
    enum err rc = store_prepare(c, sql, &s);
    if (rc != ERR_OK)
        return rc;
    enum store_step r = store_step(s);
    if (r == STORE_ROW && !str_copy(lsn, lsn_bytes, store_column_text(s, 0)))
        rc = ERR_TOO_LARGE;
    else if (r != STORE_ROW)
        rc = r == STORE_DONE ? ERR_NOT_FOUND : store_conn_err(c);
    store_finish(s);
    return rc;
}

enum err store_replica_caught_up(struct store_conn *c, const char *lsn, bool *caught_up)
{
    *caught_up = false;
    const char *sql = store_replica_sql(c, STORE_SQL_REPLICA_CAUGHT_UP);
    if (sql == NULL)
        return ERR_USAGE;
    struct store_stmt *s;
    enum err rc = store_prepare(c, sql, &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, lsn);
    int64_t v = 0;
    rc = store_q_id(c, s, &v);
    *caught_up = rc == ERR_OK && v == 1;
    return rc;
}

enum err store_replica_lag(struct store_conn *c, const char *lsn, int64_t *bytes, int64_t *ms)
{
    *bytes = 0;
    *ms = 0;
    const char *sql = store_replica_sql(c, STORE_SQL_REPLICA_LAG);
    if (sql == NULL)
        return ERR_USAGE;
    struct store_stmt *s;
    enum err rc = store_prepare(c, sql, &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, lsn);
    enum store_step r = store_step(s);
    if (r == STORE_ROW) {
        *bytes = store_column_int64(s, 0);
        *ms = store_column_int64(s, 1);
    } else {
        rc = r == STORE_DONE ? ERR_NOT_FOUND : store_conn_err(c);
    }
    store_finish(s);
    return rc;
}
