/* failing_new.cpp - operator new through failing_alloc's count (linked with --wrap=_Znwm): a
 * failing allocation calls the new_handler and tries again, as the C++ library's operator new
 * does; without a handler it aborts, as std::bad_alloc does in a sketch built without
 * exceptions. */
#include <new>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "failing_alloc.h"

extern "C" void *__real__Znwm(size_t size);
extern "C" void *__wrap__Znwm(size_t size);

void *__wrap__Znwm(size_t size)
{
    while (failing_alloc_count_one()) {
        std::new_handler handler = std::get_new_handler();
        if (!handler) {
            fputs("failing_new: operator new found no room and there is no new_handler (std::bad_alloc)\n", stderr);
            abort();
        }
        handler();
    }
    return __real__Znwm(size);
}
