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
/* Column text copied into the arena; "" for NULL and empty text, and ""
 * with the arena's `refused` set when the arena is full (see store_q_read). */
char *store_q_text(struct arena *a, struct store_stmt *s, int column);

/* Reads the current row into *row. */
typedef void (*store_q_reader)(struct arena *a, struct store_stmt *s, void *row);
/* Reads the current row; false when the arena refused any copy the row
 * needed, so the row is not whole. a may be NULL for rows without texts. */
bool store_q_read(struct arena *a, struct store_stmt *s, void *row, store_q_reader read) WUR;
/* Steps every row into an arena array of exactly *n rows (ERR_TOO_LARGE when
 * the rows or their texts do not fit in the arena); finishes the statement. */
enum err store_q_list(struct store_conn *c, struct arena *a, struct store_stmt *s, void **items,
                      size_t *n, size_t size, store_q_reader read) WUR;
/* Steps one row into *row (ERR_NOT_FOUND without one, ERR_TOO_LARGE when its
 * texts do not fit in the arena); finishes the statement. */
enum err store_q_one(struct store_conn *c, struct arena *a, struct store_stmt *s, void *row,
                     store_q_reader read) WUR;

#endif
