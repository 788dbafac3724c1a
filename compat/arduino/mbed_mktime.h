/* mbed_mktime.h - Mbed OS's RTC time conversions, as the guide's RTC sketch uses them. */
#ifndef DUET_ARDUINO_MBED_MKTIME_H
#define DUET_ARDUINO_MBED_MKTIME_H

#include <stdbool.h>
#include <time.h>

/* How an RTC counts leap years: every fourth year (2000..2099 only), or by the full rule. */
typedef enum { RTC_FULL_LEAP_YEAR_SUPPORT, RTC_4_YEAR_LEAP_YEAR_SUPPORT } rtc_leap_year_support_t;

/* Whether year (years since 1900) is a leap year under the RTC's rule. */
bool _rtc_is_leap_year(int year, rtc_leap_year_support_t leap_year_support);

/* The calendar fields of t (seconds since 1970, UTC) into *time_info; false if t is
 * negative. tm_wday and tm_yday are filled in, tm_isdst is 0. */
bool _rtc_localtime(time_t t, struct tm *time_info, rtc_leap_year_support_t leap_year_support);

/* Seconds since 1970 (UTC) of *time_info into *seconds; false for a date before 1970 or
 * fields out of range. */
bool _rtc_maketime(const struct tm *time_info, time_t *seconds, rtc_leap_year_support_t leap_year_support);

#endif
