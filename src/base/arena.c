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
    a->used_bytes = 0;
    a->max_bytes = max_bytes;
}

void arena_release(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b != NULL) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used_bytes = 0;
}

void *arena_alloc(struct arena *a, size_t size)
{
    ASSERT(a != NULL);
    size_t need = (size + 15u) & ~(size_t)15u;
    if (need < size)
        return NULL;
    struct arena_block *b = a->head;
    if (b == NULL || b->size - b->used < need) {
        size_t block = need > ARENA_BLOCK_BYTES_MIN ? need : ARENA_BLOCK_BYTES_MIN;
        if (b != NULL && block < b->size * 2 && b->size * 2 <= a->max_bytes / 4)
            block = b->size * 2;
        size_t total = sizeof(struct arena_block) + block;
        if (a->used_bytes + total > a->max_bytes)
            return NULL;
        b = malloc(total);
        if (b == NULL)
            return NULL;
        b->size = block;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        a->used_bytes += total;
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
