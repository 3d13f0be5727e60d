/*
 * Unit tests of arenas (base/arena.c): the hard maximum, and that memory is
 * not wasted when large and small allocations alternate, as they do when a
 * request loads a customer's ten thousand lots (one large array, then many
 * small strings, then more arrays).
 *
 * Method: allocations written out by hand, checking where they land and what
 * the arena counts; then the pattern of a many-lots request against the
 * request maximum.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <string.h>

#include "base/base.h"

static void a_large_allocation_leaves_the_block_of_small_ones_in_use(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1u << 20);
    char *first = arena_alloc(&a, 100);
    assert_non_null(arena_alloc(&a, 200 * 1024));
    char *second = arena_alloc(&a, 100);
    assert_non_null(first);
    /* The small ones share their block: 100 bytes round up to 112. */
    assert_ptr_equal(second, first + 112);
    assert_true(a.used_bytes < 16 * 1024 + 200 * 1024 + 1024);
    arena_release(&a);
    assert_int_equal(a.used_bytes, 0);
}

static void an_allocation_past_the_maximum_is_refused_and_remembered(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 64 * 1024);
    assert_non_null(arena_alloc(&a, 1000));
    assert_false(a.refused);
    assert_null(arena_alloc(&a, 64 * 1024));
    assert_true(a.refused);
    /* Small allocations still succeed, but the refusal stays noted. */
    assert_non_null(arena_alloc(&a, 1000));
    assert_true(a.refused);
    arena_release(&a);
    assert_false(a.refused);
    assert_null(arena_alloc(&a, SIZE_MAX - 8));
    assert_true(a.refused);
    arena_release(&a);
}

static void memory_is_zeroed_and_aligned(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1u << 20);
    for (size_t size = 1; size < 5000; size += 333) {
        unsigned char *p = arena_alloc(&a, size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (size_t i = 0; i < size; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xab, size);
    }
    arena_release(&a);
}

/* A request over ten thousand lots: arrays of 2.5 MiB and 1.7 MiB between
 * sixty thousand short strings, with little lost between them. */
static void a_many_lots_request_fits_its_arena(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    assert_non_null(arena_alloc(&a, 10000 * 256));
    for (size_t i = 0; i < 60000; i++)
        assert_non_null(arena_strdup(&a, "Bulk"));
    assert_non_null(arena_alloc(&a, 10000 * 176));
    for (size_t i = 0; i < 1000; i++)
        assert_non_null(arena_strdup(&a, "lot name"));
    assert_non_null(arena_alloc(&a, 10000 * 40));
    /* 5.5 MiB of data; a new small block after each array took 8.5 MiB. */
    assert_true(a.used_bytes < 7u * 1024 * 1024);
    assert_false(a.refused);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_large_allocation_leaves_the_block_of_small_ones_in_use),
        cmocka_unit_test(an_allocation_past_the_maximum_is_refused_and_remembered),
        cmocka_unit_test(memory_is_zeroed_and_aligned),
        cmocka_unit_test(a_many_lots_request_fits_its_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
