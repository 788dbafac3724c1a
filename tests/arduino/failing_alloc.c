/* failing_alloc.c - the allocator wrappers of failing_alloc.h (linked with --wrap). */
#include "failing_alloc.h"

#include <stdbool.h>
#include <stddef.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *p, size_t size);

/* Per thread, so that another thread's allocations (the board's) never count. */
static _Thread_local bool counting;
static _Thread_local unsigned long asked, fail_at;

void failing_alloc_start(unsigned long nth)
{
    asked = 0;
    fail_at = nth;
    counting = true;
}

unsigned long failing_alloc_stop(void)
{
    counting = false;
    return asked;
}

/* Counts one allocation; true when it is the one that must fail. */
static bool failing_alloc_fails(void)
{
    if (!counting)
        return false;
    asked++;
    return asked == fail_at;
}

void *__wrap_malloc(size_t size) { return failing_alloc_fails() ? NULL : __real_malloc(size); }

void *__wrap_calloc(size_t count, size_t size) { return failing_alloc_fails() ? NULL : __real_calloc(count, size); }

/* A failed realloc leaves p as it was, as the C library's does. */
void *__wrap_realloc(void *p, size_t size) { return failing_alloc_fails() ? NULL : __real_realloc(p, size); }

int failing_alloc_count_one(void) { return failing_alloc_fails(); }
