/* base/number.h - internal: conversions between float, double and 64-bit integers, done on
 * their IEEE 754 bits. A core without a double-precision FPU (the M4, and the M7 for 64-bit
 * integers) would otherwise call the compiler's floating-point runtime for them, and one
 * such call links a kilobyte or more of it into every firmware. A core with a double-precision
 * FPU converts floats with one instruction each, and 64-bit integers as two 32-bit halves
 * (which its FPU converts). Results are those of C's
 * conversions (rounding to nearest, ties to even), except where C leaves them undefined. */
#ifndef DUET_BASE_NUMBER_H
#define DUET_BASE_NUMBER_H

#include <stdint.h>

/* 1 where the conversions are done on the bits (an Arm core without a double-precision
 * FPU: the M4), 0 where C's conversions are the FPU's instructions (the M7, a PC). */
#ifndef DUET_NUMBER_SOFT
#if defined(__arm__) && !(defined(__ARM_FP) && (__ARM_FP & 8))
#define DUET_NUMBER_SOFT 1
#else
#define DUET_NUMBER_SOFT 0
#endif
#endif

/* (double)v */
double duet_number_from_uint64(uint64_t v);

/* (double)v */
double duet_number_from_int64(int64_t v);

/* (double)f, NaN kept a NaN */
double duet_number_widen(float f);

/* (float)d: overflow gives an infinity, NaN stays a NaN */
float duet_number_narrow(double d);

/* (int64_t)d, toward zero; out of range saturates (INT64_MIN or INT64_MAX), NaN gives 0. */
int64_t duet_number_to_int64(double d);

#endif
