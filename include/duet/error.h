/* duet/error.h - the error codes every duet module returns, and their text. */
#ifndef DUET_ERROR_H
#define DUET_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Marks a function whose result must not be ignored. */
#if defined(__GNUC__) || defined(__clang__)
#define DUET_MUST_CHECK __attribute__((warn_unused_result))
#else
#define DUET_MUST_CHECK
#endif

/*
 * Error codes are negative ints (errno style); 0 is success. One enum serves all
 * modules so a failure can travel up the layers unchanged. Values are stable: they
 * may be logged or sent between cores, so new codes are only ever appended.
 */
typedef enum duet_err {
    DUET_OK = 0,
    /* codec */
    DUET_ERR_NOSPACE = -1,     /* the output buffer is too small */
    DUET_ERR_TRUNCATED = -2,   /* the input ends in the middle of a value */
    DUET_ERR_INVALID = -3,     /* the input holds a byte that is no MessagePack type (0xc1) */
    DUET_ERR_TYPE = -4,        /* the value has another type than the one asked for */
    DUET_ERR_RANGE = -5,       /* the integer does not fit the type asked for */
    DUET_ERR_DEPTH = -6,       /* arrays or maps nested deeper than the limit */
    DUET_ERR_ARG = -7,         /* the caller passed an invalid argument */
    /* rpc and links */
    DUET_ERR_TIMEOUT = -8,     /* no answer within the timeout */
    DUET_ERR_LINK_DOWN = -9,   /* the link to the other core is down */
    DUET_ERR_TOO_LARGE = -10,  /* the message is larger than the link carries */
    DUET_ERR_NO_METHOD = -11,  /* no function is bound under that name */
    DUET_ERR_ARG_COUNT = -12,  /* wrong number of arguments */
    DUET_ERR_REMOTE = -13,     /* the remote function answered with an error */
    DUET_ERR_BAD_MESSAGE = -14,/* a message that is not valid msgpack-RPC */
    DUET_ERR_FULL = -15,       /* a fixed-size table or queue is full */
    DUET_ERR_EXISTS = -16,     /* the name is already bound */
    DUET_ERR_AGAIN = -17,      /* not ready yet: try again later */
    DUET_ERR_CORRUPT = -18,    /* shared memory holds values outside their limits */
    DUET_ERR_STATE = -19,      /* the call is not allowed in the current state */
    DUET_ERR_NOT_FOUND = -20,  /* no such entry */
    DUET_ERR_BOOT = -21,       /* the other core could not be started */
    DUET_ERR_ARG_TYPE = -22,   /* an argument has the wrong type */
    DUET_ERR_NOT_SUPPORTED = -23 /* the port or configuration does not support this */
} duet_err;

/* A short English sentence for an error code; never NULL, also for unknown codes. */
const char *duet_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
