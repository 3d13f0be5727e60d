/*
 * Internals shared by the store's own files: query helpers and constants.
 * Nothing outside src/store includes this.
 */
#ifndef CREDITD_STORE_INT_H
#define CREDITD_STORE_INT_H

#include "store/store.h"

/* The hash before the first entry of every tenant's chain. */
#define STORE_CHAIN_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Steps a statement that returns no rows, finishes it. */
enum err store_q_run(struct store_conn *c, struct store_stmt *s) WUR;
/* Steps a statement whose first row's first column is wanted (an id, a
 * count); ERR_NOT_FOUND without a row. Finishes it. */
enum err store_q_id(struct store_conn *c, struct store_stmt *s, int64_t *id) WUR;
/* Column text copied into the arena ("" when the arena is full). */
char *store_q_text(struct arena *a, struct store_stmt *s, int column);
/* Grows an arena array to hold n+1 items of size bytes. */
bool store_q_grow(struct arena *a, void **items, size_t *cap, size_t n, size_t size) WUR;

/* Reads the current row into *row. */
typedef void (*store_q_reader)(struct arena *a, struct store_stmt *s, void *row);
/* Steps every row into a growing arena array; finishes the statement. */
enum err store_q_list(struct store_conn *c, struct arena *a, struct store_stmt *s, void **items,
                      size_t *n, size_t size, store_q_reader read) WUR;
/* Steps one row into *row (ERR_NOT_FOUND without one); finishes the statement. */
enum err store_q_one(struct store_conn *c, struct arena *a, struct store_stmt *s, void *row,
                     store_q_reader read) WUR;

#endif
