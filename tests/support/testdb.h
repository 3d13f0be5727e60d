/*
 * Test support: a fresh, migrated database per test on the backend named by
 * CREDITD_TEST_DB (a PostgreSQL URL; unset = a new SQLite file in /tmp), a
 * service whose clock the test moves by hand, and one tenant to work in.
 */
#ifndef CREDITD_TESTDB_H
#define CREDITD_TESTDB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "service/service.h"

struct testdb {
    struct store *st;
    struct svc svc;
    int64_t now_us;
    int64_t tenant_id;
    char path[256];
    struct arena arena;
};

/* 2026-03-01T10:00:00Z, a Sunday: the tests' usual "now". */
#define TEST_T0 INT64_C(1772359200000000)

/* Opens a fresh database with one tenant "Test"; fails the test on error. */
void testdb_open(struct testdb *t);
void testdb_close(struct testdb *t);
/* Closes the store but keeps the database; testdb_reopen opens it again. */
void testdb_close_keep(struct testdb *t);
void testdb_reopen(struct testdb *t);
/* The backend under test: "sqlite" or "postgres". */
const char *testdb_backend(void);
/* A customer named name in the test tenant. */
int64_t testdb_customer(struct testdb *t, const char *name);
/* Adds a lot of `credits` of type code expiring at expires_us (0 never). */
int64_t testdb_lot(struct testdb *t, int64_t customer, const char *type, int64_t credits,
                   int64_t expires_us);
/*
 * Gives the customer n lots of `credits` each (type code, expiring at
 * expires_us, 0 never) in one transaction booked as one grant entry with
 * n + 1 postings, and returns the first lot's id (the others follow it).
 * No operation of creditd adds lots this way: svc_lot_add reads and locks
 * every live lot of the account per call, so ten thousand calls would take
 * minutes, while this takes a second.
 */
int64_t testdb_lots_bulk(struct testdb *t, int64_t customer, const char *type, size_t n,
                         int64_t credits, int64_t expires_us);
/* A service with one cost per type, given as "master", 3, "slave", 2, NULL. */
int64_t testdb_service(struct testdb *t, const char *name, const char *kind, const char *category,
                       ...);
/* The customer's balance and available credits of a type. */
void testdb_balance(struct testdb *t, int64_t customer, const char *type, int64_t *balance,
                    int64_t *available);
/* The first column of the first row of a query (sql a string literal). */
int64_t testdb_query_int(struct testdb *t, const char *sql);
/* Runs verify and asserts it finds nothing (prints findings otherwise). */
void testdb_assert_verified(struct testdb *t);

#endif
