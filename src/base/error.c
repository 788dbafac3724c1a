/* error.c - duet_strerror: the text of every error code. */
#include "duet/error.h"

const char *duet_strerror(int err)
{
    switch ((duet_err)err) {
    case DUET_OK: return "success";
    case DUET_ERR_NOSPACE: return "output buffer too small";
    case DUET_ERR_TRUNCATED: return "input ends in the middle of a value";
    case DUET_ERR_INVALID: return "invalid MessagePack byte (0xc1)";
    case DUET_ERR_TYPE: return "value has an unexpected type";
    case DUET_ERR_RANGE: return "integer out of range for the requested type";
    case DUET_ERR_DEPTH: return "values nested deeper than the limit";
    case DUET_ERR_ARG: return "invalid argument";
    case DUET_ERR_TIMEOUT: return "timed out";
    case DUET_ERR_LINK_DOWN: return "link down";
    case DUET_ERR_TOO_LARGE: return "message too large";
    case DUET_ERR_NO_METHOD: return "no function bound under that name";
    case DUET_ERR_ARG_COUNT: return "wrong number of arguments";
    case DUET_ERR_REMOTE: return "the remote function returned an error";
    case DUET_ERR_BAD_MESSAGE: return "malformed msgpack-RPC message";
    case DUET_ERR_FULL: return "table or queue full";
    case DUET_ERR_EXISTS: return "name already bound";
    case DUET_ERR_AGAIN: return "not ready, try again";
    case DUET_ERR_CORRUPT: return "shared memory corrupt";
    case DUET_ERR_STATE: return "not allowed in the current state";
    case DUET_ERR_NOT_FOUND: return "not found";
    case DUET_ERR_BOOT: return "could not start the other core";
    case DUET_ERR_ARG_TYPE: return "argument has the wrong type";
    case DUET_ERR_NOT_SUPPORTED: return "not supported by this port or configuration";
    }
    return "unknown error";
}
