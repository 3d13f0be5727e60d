/*
 * Arenas: one per request or CLI command. Blocks are chained and released
 * together; the byte count includes block headers so the maximum is honest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

struct arena_block {
    struct arena_block *next;
    size_t size;
    size_t used;
    _Alignas(16) unsigned char data[];
};

enum { ARENA_BLOCK_BYTES_MIN = 16 * 1024 };

void arena_init(struct arena *a, size_t max_bytes)
{
    ASSERT(a != NULL);
    ASSERT(max_bytes > 0);
    a->head = NULL;
    a->large = NULL;
    a->used_bytes = 0;
    a->max_bytes = max_bytes;
    a->refused = false;
}

static void arena_free_blocks(struct arena_block *b)
{
    while (b != NULL) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
}

void arena_release(struct arena *a)
{
    arena_free_blocks(a->head);
    arena_free_blocks(a->large);
    a->head = NULL;
    a->large = NULL;
    a->used_bytes = 0;
    a->refused = false;
}

/* The size of the next block for small allocations: double the last one
 * while that stays within a quarter of the maximum and the room left. */
static size_t arena_next_block_bytes(const struct arena *a)
{
    const struct arena_block *b = a->head;
    if (b == NULL || b->size * 2 > a->max_bytes / 4)
        return ARENA_BLOCK_BYTES_MIN;
    size_t total = sizeof(struct arena_block) + b->size * 2;
    return a->used_bytes + total <= a->max_bytes ? b->size * 2 : ARENA_BLOCK_BYTES_MIN;
}

/* A new block of size bytes, linked first on the small or the large list. */
static struct arena_block *arena_block_new(struct arena *a, size_t size, bool large)
{
    size_t total = sizeof(struct arena_block) + size;
    if (total < size || a->used_bytes + total > a->max_bytes)
        return NULL;
    struct arena_block *b = malloc(total);
    if (b == NULL)
        return NULL;
    b->size = size;
    b->used = 0;
    if (large) {
        b->next = a->large;
        a->large = b;
    } else {
        b->next = a->head;
        a->head = b;
    }
    a->used_bytes += total;
    return b;
}

void *arena_alloc(struct arena *a, size_t size)
{
    ASSERT(a != NULL);
    size_t need = (size + 15u) & ~(size_t)15u;
    struct arena_block *b = a->head;
    if (need >= size && (b == NULL || b->size - b->used < need)) {
        /* An allocation larger than a block (a list of thousands of rows)
         * gets a block of its own on the large list: the small blocks keep
         * their free room and keep doubling from their own size. */
        size_t block = arena_next_block_bytes(a);
        b = arena_block_new(a, need > block ? need : block, need > block);
    }
    if (need < size || b == NULL) {
        a->refused = true;
        return NULL;
    }
    void *p = b->data + b->used;
    b->used += need;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    if (s == NULL)
        return NULL;
    char *p = arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    if (s == NULL)
        return NULL;
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (p == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
