/* failing_new.cpp - operator new through failing_alloc's count (linked with --wrap=_Znwm): a
 * failing allocation calls the new_handler and tries again, as the C++ library's operator new
 * does; without a handler it aborts, as std::bad_alloc does in a sketch built without
 * exceptions. With --wrap=free too it checks that the handler freed a block of at least the
 * bytes asked for (the layer's held room, rpc_room.cpp), which a full heap would need. */
#include <malloc.h>
#include <new>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "failing_alloc.h"

extern "C" void *__real__Znwm(size_t size);
extern "C" void *__wrap__Znwm(size_t size);
extern "C" void __real_free(void *p);
extern "C" void __wrap_free(void *p);

static thread_local size_t freed; /* the bytes of the last block this thread freed */

void __wrap_free(void *p)
{
    freed = p ? malloc_usable_size(p) : 0;
    __real_free(p);
}

void *__wrap__Znwm(size_t size)
{
    while (failing_alloc_count_one()) {
        std::new_handler handler = std::get_new_handler();
        if (!handler) {
            fputs("failing_new: operator new found no room and there is no new_handler (std::bad_alloc)\n", stderr);
            abort();
        }
        freed = 0;
        handler();
        if (freed < size) {
            fprintf(stderr, "failing_new: the new_handler freed %zu bytes for an allocation of %zu\n", freed, size);
            abort();
        }
    }
    return __real__Znwm(size);
}
