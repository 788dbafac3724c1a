/* failing_alloc.h - makes one chosen allocation of the calling thread fail, for tests of what
 * the Arduino layer does when memory runs out. A test that uses it links failing_alloc.c with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc: then every malloc, calloc and realloc of
 * the code linked into it (the layer's own, not the C++ or C library's) goes through here; with
 * failing_new.cpp and --wrap=_Znwm the operator new its own code calls (a std::vector's, a set's,
 * list's, map's or deque's, not a std::string's, which the C++ library allocates itself)
 * counts too. */
#ifndef DUET_TEST_FAILING_ALLOC_H
#define DUET_TEST_FAILING_ALLOC_H

#ifdef __cplusplus
extern "C" {
#endif

/* Starts counting this thread's allocations; the nth from now (1 for the next) returns NULL,
 * as when the heap is used up; 0: none fails, they are only counted. */
void failing_alloc_start(unsigned long nth);

/* Stops counting and failing; returns how many allocations were asked for since the start
 * (so the nth failed when this is at least nth). */
unsigned long failing_alloc_stop(void);

/* Counts one allocation made elsewhere (failing_new.cpp's operator new); true when it is the
 * one that must fail. */
int failing_alloc_count_one(void);

#ifdef __cplusplus
}
#endif

#endif
