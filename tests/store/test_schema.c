/*
 * The schema can be distributed by tenant (DESIGN §8, docs/scaling.md): every
 * table but the reference tables (tenants, tenant_hosts, schema_migrations)
 * has tenant_id NOT NULL, and every primary key, unique index and foreign key
 * includes it, so no row's key or reference reaches into another tenant.
 *
 * Method: a checker reads the catalog and names each offender in a sentence.
 * On PostgreSQL it reads information_schema.columns, pg_index and
 * pg_constraint for every table of a schema; a foreign key must pair its
 * tenant_id with the referenced table's tenant_id, unless it references a
 * reference table, and a reference table may reference only reference tables
 * (Citus refuses the others). On SQLite, which is never distributed and keeps
 * rowid ids and single-column foreign keys (see the migration), it checks the
 * tenant_id columns and every unique index (primary keys that are not the
 * rowid included) through pragma table_info, index_list and index_info.
 * The migrated schema must have no offender; a scratch schema (PostgreSQL)
 * or database (SQLite) with planted offenders shows the checker finds each.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

#define REFERENCE_TABLES "('tenants', 'tenant_hosts', 'schema_migrations')"

struct offenders {
    const char *schema; /* PostgreSQL: the schema to check */
    size_t n;
    char text[8192]; /* one offender a line */
};

static void offenders_add(struct offenders *o, const char *line)
{
    size_t used = strlen(o->text);
    snprintf(o->text + used, sizeof(o->text) - used, "%s\n", line);
    o->n++;
}

enum offense { NO_TENANT, NULL_TENANT, KEY_WITHOUT_TENANT, FOREIGN_KEY_WITHOUT_TENANT };

/* One offender as a sentence, from its row's first three text columns. */
static void offense_line(enum offense kind, struct store_stmt *s, char *line, size_t n)
{
    const char *a = store_column_text(s, 0), *b = store_column_text(s, 1);
    const char *c = store_column_text(s, 2);
    switch (kind) {
    case NO_TENANT:
        snprintf(line, n, "table %s has no tenant_id", a);
        break;
    case NULL_TENANT:
        snprintf(line, n, "table %s: tenant_id may be NULL", a);
        break;
    case KEY_WITHOUT_TENANT:
        snprintf(line, n, "table %s: %s (%s) lacks tenant_id", a, b, c);
        break;
    case FOREIGN_KEY_WITHOUT_TENANT:
        snprintf(line, n, "table %s: foreign key %s to %s does not pair tenant_id", a, b, c);
        break;
    }
}

/* Runs sql (parameter $1 = the schema when with_schema) and adds one offender
 * of this kind per row. */
static enum err schema_offenders(struct store_conn *c, struct offenders *o, const char *sql,
                                 bool with_schema, enum offense kind)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, sql, &s);
    if (rc != ERR_OK)
        return rc;
    if (with_schema)
        store_bind_text(s, 1, o->schema);
    enum store_step r;
    while ((r = store_step(s)) == STORE_ROW) {
        char line[512];
        offense_line(kind, s, line, sizeof(line));
        offenders_add(o, line);
    }
    rc = r == STORE_DONE ? ERR_OK : store_conn_err(c);
    store_finish(s);
    return rc;
}

static const char pg_no_tenant[] =
    "SELECT t.table_name, '', '' FROM information_schema.tables t WHERE t.table_schema = $1 "
    "AND t.table_type = 'BASE TABLE' AND t.table_name NOT IN " REFERENCE_TABLES " AND NOT EXISTS "
    "(SELECT 1 FROM information_schema.columns k WHERE k.table_schema = t.table_schema AND "
    "k.table_name = t.table_name AND k.column_name = 'tenant_id') ORDER BY 1";
static const char pg_null_tenant[] =
    "SELECT k.table_name, '', '' FROM information_schema.columns k WHERE k.table_schema = $1 "
    "AND k.column_name = 'tenant_id' AND k.is_nullable = 'YES' AND k.table_name NOT "
    "IN " REFERENCE_TABLES " ORDER BY 1";
/* Primary keys and unique constraints are unique indexes too. */
static const char pg_unique[] =
    "SELECT t.relname, i.relname, CASE WHEN x.indisprimary THEN 'primary key' ELSE "
    "'unique index' END FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t "
    "ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = $1 "
    "AND x.indisunique AND t.relname NOT IN " REFERENCE_TABLES " AND NOT EXISTS (SELECT 1 FROM "
    "pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'tenant_id' AND a.attnum = ANY "
    "(x.indkey::int2[])) ORDER BY 1, 2";
/* A foreign key pairs tenant_id with tenant_id, or references a reference
 * table; a reference table references only reference tables. */
static const char pg_foreign[] =
    "SELECT t.relname, f.conname, r.relname FROM pg_constraint f JOIN pg_class t ON t.oid = "
    "f.conrelid JOIN pg_class r ON r.oid = f.confrelid JOIN pg_namespace n ON n.oid = "
    "t.relnamespace WHERE n.nspname = $1 AND f.contype = 'f' AND r.relname NOT IN " REFERENCE_TABLES
    " AND (t.relname IN " REFERENCE_TABLES " OR NOT EXISTS (SELECT 1 FROM "
    "generate_subscripts(f.conkey, 1) k JOIN pg_attribute ca ON ca.attrelid = f.conrelid AND "
    "ca.attnum = f.conkey[k] JOIN pg_attribute pa ON pa.attrelid = f.confrelid AND pa.attnum = "
    "f.confkey[k] WHERE ca.attname = 'tenant_id' AND pa.attname = 'tenant_id')) ORDER BY 1, 2";

static enum err schema_check_pg(struct store_conn *c, struct offenders *o)
{
    enum err rc = schema_offenders(c, o, pg_no_tenant, true, NO_TENANT);
    if (rc == ERR_OK)
        rc = schema_offenders(c, o, pg_null_tenant, true, NULL_TENANT);
    if (rc == ERR_OK)
        rc = schema_offenders(c, o, pg_unique, true, KEY_WITHOUT_TENANT);
    if (rc == ERR_OK)
        rc = schema_offenders(c, o, pg_foreign, true, FOREIGN_KEY_WITHOUT_TENANT);
    return rc;
}

static const char sqlite_no_tenant[] =
    "SELECT m.name, '', '' FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE "
    "'sqlite_%' AND m.name NOT IN " REFERENCE_TABLES " AND NOT EXISTS (SELECT 1 FROM "
    "pragma_table_info(m.name) k WHERE k.name = 'tenant_id') ORDER BY 1";
/* A tenant_id that is the INTEGER PRIMARY KEY is the rowid: never NULL. */
static const char sqlite_null_tenant[] =
    "SELECT m.name, '', '' FROM sqlite_master m, pragma_table_info(m.name) k WHERE m.type = "
    "'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT IN " REFERENCE_TABLES " AND k.name = "
    "'tenant_id' AND k.\"notnull\" = 0 AND NOT (k.pk = 1 AND k.type = 'INTEGER' AND (SELECT "
    "COUNT(*) FROM pragma_table_info(m.name) p WHERE p.pk > 0) = 1) ORDER BY 1";
/* An INTEGER PRIMARY KEY is the rowid and has no index: SQLite's own key. */
static const char sqlite_unique[] =
    "SELECT m.name, x.name, CASE x.origin WHEN 'pk' THEN 'primary key' ELSE 'unique index' END "
    "FROM sqlite_master m, pragma_index_list(m.name) x WHERE m.type = 'table' AND m.name NOT "
    "LIKE 'sqlite_%' AND m.name NOT IN " REFERENCE_TABLES " AND x.\"unique\" = 1 AND NOT EXISTS "
    "(SELECT 1 FROM pragma_index_info(x.name) k WHERE k.name = 'tenant_id') ORDER BY 1, 2";

static enum err schema_check_sqlite(struct store_conn *c, struct offenders *o)
{
    enum err rc = schema_offenders(c, o, sqlite_no_tenant, false, NO_TENANT);
    if (rc == ERR_OK)
        rc = schema_offenders(c, o, sqlite_null_tenant, false, NULL_TENANT);
    if (rc == ERR_OK)
        rc = schema_offenders(c, o, sqlite_unique, false, KEY_WITHOUT_TENANT);
    return rc;
}

static enum err schema_check_txn(struct store_conn *c, void *arg)
{
    struct offenders *o = arg;
    o->n = 0;
    o->text[0] = '\0';
    if (strcmp(store_conn_ops(c)->name, "sqlite") == 0)
        return schema_check_sqlite(c, o);
    return schema_check_pg(c, o);
}

static enum err current_schema_txn(struct store_conn *c, void *arg)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, "SELECT current_schema()", &s);
    if (rc != ERR_OK)
        return rc;
    if (store_step(s) == STORE_ROW)
        str_copy(arg, 64, store_column_text(s, 0));
    else
        rc = store_conn_err(c);
    store_finish(s);
    return rc;
}

static enum err exec_txn(struct store_conn *c, void *arg)
{
    return store_exec(c, arg);
}

static int setup(void **state)
{
    static struct testdb t;
    testdb_open(&t);
    *state = &t;
    return 0;
}

static int teardown(void **state)
{
    testdb_close(*state);
    return 0;
}

static void every_table_but_the_reference_tables_has_tenant_id_in_every_key(void **state)
{
    struct testdb *t = *state;
    char schema[64] = "main";
    if (strcmp(testdb_backend(), "postgres") == 0)
        assert_int_equal(store_read(t->st, current_schema_txn, schema), ERR_OK);
    struct offenders o = {.schema = schema};
    assert_int_equal(store_read(t->st, schema_check_txn, &o), ERR_OK);
    if (o.n != 0) {
        fprintf(stderr, "%s", o.text); /* whole: cmocka cuts long messages */
        fail_msg("%zu tables or keys break the tenant rule (listed above)", o.n);
    }
    /* The reference tables are there and exempt; the others were looked at. */
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM tenant_hosts"), 1);
    assert_true(testdb_query_int(t, "SELECT COUNT(*) FROM auth_epoch") >= 0);
}

/* Planted offenders, PostgreSQL: each table breaks one rule; good passes. */
static const char pg_bad_schema[] =
    "DROP SCHEMA IF EXISTS schema_check_bad CASCADE; CREATE SCHEMA schema_check_bad; "
    "SET LOCAL search_path = schema_check_bad; "
    "CREATE TABLE tenants (id BIGINT PRIMARY KEY); "
    "CREATE TABLE nameless (id BIGINT PRIMARY KEY, name TEXT); "
    "CREATE TABLE loose (tenant_id BIGINT, id BIGINT NOT NULL, UNIQUE (tenant_id, id)); "
    "CREATE TABLE parent (tenant_id BIGINT NOT NULL REFERENCES tenants (id), id BIGINT NOT NULL, "
    " code TEXT NOT NULL, PRIMARY KEY (tenant_id, id), UNIQUE (code)); "
    "CREATE UNIQUE INDEX parent_code_lower ON parent (lower(code)); "
    "CREATE TABLE child (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, name_id BIGINT "
    " REFERENCES nameless (id), PRIMARY KEY (tenant_id, id)); "
    "CREATE TABLE crossed (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, parent_id BIGINT, "
    " PRIMARY KEY (tenant_id, id), CONSTRAINT crossed_fkey FOREIGN KEY (tenant_id, parent_id) "
    " REFERENCES parent (id, tenant_id)); "
    "CREATE TABLE tenant_hosts (host TEXT PRIMARY KEY, tenant_id BIGINT NOT NULL REFERENCES "
    " tenants (id), parent_id BIGINT, CONSTRAINT hosts_parent_fkey FOREIGN KEY (tenant_id, "
    " parent_id) REFERENCES parent (tenant_id, id)); "
    "CREATE TABLE good (tenant_id BIGINT NOT NULL REFERENCES tenants (id), id BIGINT NOT NULL, "
    " parent_id BIGINT, code TEXT, PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, code), "
    " FOREIGN KEY (tenant_id, parent_id) REFERENCES parent (tenant_id, id));";

static const char *const pg_bad_expected[] = {
    "table nameless has no tenant_id",
    "table loose: tenant_id may be NULL",
    "table nameless: nameless_pkey (primary key) lacks tenant_id",
    "table parent: parent_code_key (unique index) lacks tenant_id",
    "table parent: parent_code_lower (unique index) lacks tenant_id",
    "table child: foreign key child_name_id_fkey to nameless does not pair tenant_id",
    "table crossed: foreign key crossed_fkey to parent does not pair tenant_id",
    "table tenant_hosts: foreign key hosts_parent_fkey to parent does not pair tenant_id",
};

static void schema_check_bad_pg(struct testdb *t)
{
    assert_int_equal(store_write(t->st, exec_txn, (void *)pg_bad_schema), ERR_OK);
    struct offenders o = {.schema = "schema_check_bad"};
    assert_int_equal(store_read(t->st, schema_check_txn, &o), ERR_OK);
    assert_int_equal(store_write(t->st, exec_txn, "DROP SCHEMA schema_check_bad CASCADE"), ERR_OK);
    size_t n = sizeof(pg_bad_expected) / sizeof(pg_bad_expected[0]);
    for (size_t i = 0; i < n; i++)
        if (strstr(o.text, pg_bad_expected[i]) == NULL)
            fail_msg("not reported: %s\nreported:\n%s", pg_bad_expected[i], o.text);
    if (o.n != n || strstr(o.text, "good") != NULL || strstr(o.text, "table tenants") != NULL)
        fail_msg("%zu offenders reported, %zu planted:\n%s", o.n, n, o.text);
}

/* Planted offenders, SQLite (a scratch database). */
static const char sqlite_bad_schema[] =
    "CREATE TABLE tenants (id INTEGER PRIMARY KEY); "
    "CREATE TABLE nameless (id INTEGER PRIMARY KEY, name TEXT UNIQUE); "
    "CREATE TABLE loose (tenant_id INTEGER, id INTEGER PRIMARY KEY); "
    "CREATE TABLE pairs (tenant_id INTEGER NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL, "
    " PRIMARY KEY (a, b)); "
    "CREATE TABLE good (tenant_id INTEGER NOT NULL, id INTEGER PRIMARY KEY, code TEXT NOT NULL, "
    " UNIQUE (tenant_id, code)); "
    "CREATE UNIQUE INDEX good_code ON good (code);";

static const char *const sqlite_bad_expected[] = {
    "table nameless has no tenant_id",
    "table loose: tenant_id may be NULL",
    "table nameless: sqlite_autoindex_nameless_1 (unique index) lacks tenant_id",
    "table pairs: sqlite_autoindex_pairs_1 (primary key) lacks tenant_id",
    "table good: good_code (unique index) lacks tenant_id",
};

static void schema_check_bad_sqlite(void)
{
    char path[128], url[160];
    snprintf(path, sizeof(path), "/tmp/creditd-schema-bad-%d.db", (int)getpid());
    snprintf(url, sizeof(url), "sqlite:%s", path);
    unlink(path);
    struct store *st;
    struct err_detail d = {0};
    assert_int_equal(store_open(url, &st, &d), ERR_OK);
    assert_int_equal(store_write(st, exec_txn, (void *)sqlite_bad_schema), ERR_OK);
    struct offenders o = {.schema = "main"};
    assert_int_equal(store_read(st, schema_check_txn, &o), ERR_OK);
    store_close(st);
    unlink(path);
    size_t n = sizeof(sqlite_bad_expected) / sizeof(sqlite_bad_expected[0]);
    for (size_t i = 0; i < n; i++)
        if (strstr(o.text, sqlite_bad_expected[i]) == NULL)
            fail_msg("not reported: %s\nreported:\n%s", sqlite_bad_expected[i], o.text);
    if (o.n != n)
        fail_msg("%zu offenders reported, %zu planted:\n%s", o.n, n, o.text);
}

static void the_checker_names_each_table_and_key_that_breaks_the_rule(void **state)
{
    struct testdb *t = *state;
    if (strcmp(testdb_backend(), "postgres") == 0)
        schema_check_bad_pg(t);
    else
        schema_check_bad_sqlite();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(every_table_but_the_reference_tables_has_tenant_id_in_every_key),
        T(the_checker_names_each_table_and_key_that_breaks_the_rule),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
