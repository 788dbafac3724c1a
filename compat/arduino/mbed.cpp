/* mbed.cpp - rtos::Thread, ThisThread and the RTC conversions over duet/board.h. */
#include "mbed.h"

#include <sched.h>

#include "halt.h"
#include "mbed_mktime.h"

/* ------------------------------------------------------------ RTC conversions */

bool _rtc_is_leap_year(int year, rtc_leap_year_support_t leap_year_support)
{
    int y = year + 1900;
    if (leap_year_support == RTC_4_YEAR_LEAP_YEAR_SUPPORT)
        return y % 4 == 0;
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool _rtc_localtime(time_t t, struct tm *time_info, rtc_leap_year_support_t leap_year_support)
{
    (void)leap_year_support; /* 1970..2099: both rules agree */
    if (!time_info || t < 0)
        return false;
    duet_rtc_time c;
    duet_rtc_to_time((int64_t)t, &c);
    time_info->tm_sec = c.second;
    time_info->tm_min = c.minute;
    time_info->tm_hour = c.hour;
    time_info->tm_mday = c.day;
    time_info->tm_mon = c.month - 1;
    time_info->tm_year = c.year - 1900;
    time_info->tm_wday = (int)((t / 86400 + 4) % 7); /* 1970-01-01 was a Thursday */
    duet_rtc_time jan1 = {c.year, 1, 1, 0, 0, 0};
    time_info->tm_yday = (int)(((int64_t)t - duet_rtc_from_time(&jan1)) / 86400);
    time_info->tm_isdst = 0;
    return true;
}

bool _rtc_maketime(const struct tm *time_info, time_t *seconds, rtc_leap_year_support_t leap_year_support)
{
    (void)leap_year_support;
    if (!time_info || !seconds || time_info->tm_year < 70 || time_info->tm_mon < 0 || time_info->tm_mon > 11 ||
        time_info->tm_mday < 1 || time_info->tm_mday > 31 || time_info->tm_hour < 0 || time_info->tm_hour > 23 ||
        time_info->tm_min < 0 || time_info->tm_min > 59 || time_info->tm_sec < 0 || time_info->tm_sec > 60)
        return false;
    duet_rtc_time c = {time_info->tm_year + 1900, time_info->tm_mon + 1, time_info->tm_mday,
                       time_info->tm_hour,        time_info->tm_min,     time_info->tm_sec};
    *seconds = (time_t)duet_rtc_from_time(&c);
    return true;
}

/* ------------------------------------------------------------ threads */

namespace rtos {

Thread::Thread(osPriority priority, uint32_t stack_size, unsigned char *stack_mem, const char *name) : name_(name)
{
    (void)priority;
    (void)stack_size;
    (void)stack_mem;
}

void Thread::run(void *self) { static_cast<Thread *>(self)->task_(); }

osStatus Thread::start(void (*task)())
{
    if (!task)
        return osErrorParameter;
    if (task_) {
        arduino::detail::report("rtos::Thread::start: this thread runs already; use one Thread object per thread");
        return osErrorResource;
    }
    task_ = task;
    if (duet_thread_start(run, this) != DUET_OK) {
        task_ = nullptr;
        arduino::detail::report("rtos::Thread::start: %s", duet_board_error_text());
        return osErrorResource;
    }
    return osOK;
}

namespace ThisThread {
void sleep_for(uint32_t ms) { delay(ms); }
void yield() { sched_yield(); }
} // namespace ThisThread

} // namespace rtos
