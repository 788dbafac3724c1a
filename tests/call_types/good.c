/* good.c - DUET_CALL with every type it takes: must compile (else the bad_*.c prove nothing). */
#include "duet/duet.h"

int check_types(void);

int check_types(void)
{
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
    bool b;
    float f;
    double d;
    char s[8];
    const char *name = "n";
    const uint8_t bytes[2] = {1, 2};
    bool flag = true;
    unsigned short us = 1;
    long l = 2;
    unsigned long ul = 3;
    int err = DUET_CALL("add", &i32, 1, 2);
    err |= DUET_CALL("u", &u32, 1u, us, (char)1, (signed char)2, (short)3);
    err |= DUET_CALL("l", &i64, 1LL, l, ul, 4ULL);
    err |= DUET_CALL("k", &u64, flag, 1.5f, 2.5, name, "lit", DUET_BIN(bytes, 2), 7, 8);
    err |= DUET_CALL("b", &b);
    err |= DUET_CALL("f", &f, (bool)0);
    err |= DUET_CALL("d", &d, 0.0);
    err |= DUET_CALL("s", DUET_STR_OUT(s), name);
    err |= DUET_CALL("none", NULL);
    err |= DUET_RPC_CALL(duet_rpc_instance(), "add", &i32, 1, 2);
    return err;
}
