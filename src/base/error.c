/* error.c - duet_strerror: the text of every error code. */
#include "duet/config.h"
#include "duet/error.h"

#include "base/text.h"

const char *duet_strerror(int err)
{
    /* The texts of DUET_OK, -1, -2, ... one after another, each ending in NUL: sentences, or
     * in the small configuration (DUET_LONG_TEXTS 0) a few words. */
#if DUET_LONG_TEXTS
    static const char texts[] =
        /* DUET_OK */ "success" "\0"
        /* DUET_ERR_NOSPACE */ "output buffer too small" "\0"
        /* DUET_ERR_TRUNCATED */ "input ends in the middle of a value" "\0"
        /* DUET_ERR_INVALID */ "invalid MessagePack byte (0xc1)" "\0"
        /* DUET_ERR_TYPE */ "value has an unexpected type" "\0"
        /* DUET_ERR_RANGE */ "integer out of range for the requested type" "\0"
        /* DUET_ERR_DEPTH */ "values nested deeper than the limit" "\0"
        /* DUET_ERR_ARG */ "invalid argument" "\0"
        /* DUET_ERR_TIMEOUT */ "timed out" "\0"
        /* DUET_ERR_LINK_DOWN */ "link down" "\0"
        /* DUET_ERR_TOO_LARGE */ "message too large" "\0"
        /* DUET_ERR_NO_METHOD */ "no function bound under that name" "\0"
        /* DUET_ERR_ARG_COUNT */ "wrong number of arguments" "\0"
        /* DUET_ERR_REMOTE */ "the remote function returned an error" "\0"
        /* DUET_ERR_BAD_MESSAGE */ "malformed msgpack-RPC message" "\0"
        /* DUET_ERR_FULL */ "table or queue full" "\0"
        /* DUET_ERR_EXISTS */ "name already bound" "\0"
        /* DUET_ERR_AGAIN */ "not ready, try again" "\0"
        /* DUET_ERR_CORRUPT */ "shared memory corrupt" "\0"
        /* DUET_ERR_STATE */ "not allowed in the current state" "\0"
        /* DUET_ERR_NOT_FOUND */ "not found" "\0"
        /* DUET_ERR_BOOT */ "could not start the other core" "\0"
        /* DUET_ERR_ARG_TYPE */ "argument has the wrong type" "\0"
        /* DUET_ERR_NOT_SUPPORTED */ "not supported by this port or configuration";
#else
    static const char texts[] =
        "success\0" "buffer too small\0" "truncated\0" "invalid byte\0" "wrong type\0" "out of range\0"
        "too deep\0" "invalid argument\0" "timed out\0" "link down\0" "too large\0" "no such function\0"
        "wrong argument count\0" "remote error\0" "malformed message\0" "full\0" "already bound\0"
        "try again\0" "memory corrupt\0" "wrong state\0" "not found\0" "boot failed\0"
        "wrong argument type\0" "not supported";
#endif
    const char *text = err <= 0 ? duet_text_nth(texts, sizeof texts, 0u - (unsigned)err) : NULL;
    return text ? text : "unknown error";
}
