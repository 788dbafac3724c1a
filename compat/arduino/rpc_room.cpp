/* rpc_room.cpp - room on the heap for what an argument or result is read into (rpc_types.h,
 * rpc_room.h): the bytes an allocation of the read takes are held before it is made, and
 * given to it if the heap has no other room, so that a sketch compiled without exceptions
 * gets an error rather than std::bad_alloc's abort. */
#include <new>
#include <stdlib.h>

#include "RPC.h"

namespace arduino {
namespace detail {

static void *held;           /* the bytes held, or NULL */
static std::new_handler was; /* the handler before rpc_room_hold's */

/* operator new found no room: it gets the held bytes (it tries again once they are free). */
static void give_held()
{
    void *p = held;
    held = nullptr;
    std::set_new_handler(was);
    free(p);
}

bool rpc_room_hold(size_t bytes)
{
    if (bytes == 0)
        return true;
    held = malloc(bytes);
    if (!held)
        return false;
    was = std::set_new_handler(give_held);
    return true;
}

void rpc_room_release()
{
    if (!held)
        return;
    std::set_new_handler(was);
    free(held);
    held = nullptr;
}

} // namespace detail
} // namespace arduino
