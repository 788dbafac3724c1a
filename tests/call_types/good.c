/* good.c - DUET_CALL (and its async, notify and wait forms) with every type it takes: must compile (else the bad_*.c prove nothing). */
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
    duet_future fut;
    err |= DUET_CALL_ASYNC(&fut, "add", 1, 2);
    err |= DUET_CALL_ASYNC(&fut, "now");
    err |= DUET_FUTURE_WAIT(duet_rpc_instance(), &fut, 100, &i32);
    err |= DUET_FUTURE_WAIT(duet_rpc_instance(), &fut, 100, DUET_STR_OUT(s));
    err |= DUET_FUTURE_WAIT(duet_rpc_instance(), &fut, 100, NULL);
    err |= DUET_RPC_CALL_ASYNC(duet_rpc_instance(), &fut, "k", flag, 1.5f, name, DUET_BIN(bytes, 2));
    err |= DUET_NOTIFY("tick");
    err |= DUET_NOTIFY("level", 3, 2.5, name);
    err |= DUET_RPC_NOTIFY(duet_rpc_instance(), "u", us, ul);
    return err;
}
