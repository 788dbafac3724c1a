/* mbed.cpp - rtos::Thread, ThisThread and the RTC conversions over duet/board.h. */
#include "mbed.h"

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
    /* Divided with duet_rtc_floor_div, as the calendar is: the firmware links no 64-bit
     * division. */
    uint32_t rest, weekday;
    int64_t days = duet_rtc_floor_div((int64_t)t, 86400, &rest);
    duet_rtc_floor_div(days + 4, 7, &weekday); /* 1970-01-01 was a Thursday */
    time_info->tm_wday = (int)weekday;
    duet_rtc_time jan1 = {c.year, 1, 1, 0, 0, 0};
    time_info->tm_yday = (int)(days - duet_rtc_floor_div(duet_rtc_from_time(&jan1), 86400, &rest));
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

/* ------------------------------------------------------------ callbacks */

namespace mbed {
namespace detail {
void callback_empty() { arduino::detail::halt("mbed::Callback: called while empty (give it a function first)"); }
} // namespace detail
} // namespace mbed

/* ------------------------------------------------------------ threads */

namespace rtos {

Thread::Thread(osPriority priority, uint32_t stack_size, unsigned char *stack_mem, const char *name) : name_(name)
{
    (void)priority;
    (void)stack_size;
    (void)stack_mem;
}

void Thread::run(void *self) { static_cast<Thread *>(self)->task_(); }

osStatus Thread::start(mbed::Callback<void()> task)
{
    if (!task)
        return osErrorParameter;
    if (started_) {
        arduino::detail::report("rtos::Thread::start: this thread was started already; use one Thread object per thread");
        return osErrorResource;
    }
    task_ = task;
    if (duet_thread_create(run, this, &id_) != DUET_OK) {
        task_ = nullptr;
        arduino::detail::report("rtos::Thread::start: %s", duet_board_error_text());
        return osErrorResource;
    }
    started_ = true;
    return osOK;
}

osStatus Thread::join()
{
    if (!started_) {
        arduino::detail::report("rtos::Thread::join: the thread was never started (call start() first)");
        return osErrorResource;
    }
    if (duet_thread_join(id_) != DUET_OK) {
        arduino::detail::report("rtos::Thread::join: %s", duet_board_error_text());
        return osErrorResource;
    }
    return osOK;
}

/* ------------------------------------------------------------ mutexes */

Mutex::Mutex(const char *name) : name_(name) { duet_mutex_init(&m_); }
Mutex::~Mutex() { duet_mutex_destroy(&m_); }
void Mutex::lock() { duet_mutex_lock(&m_); }
bool Mutex::trylock() { return duet_mutex_trylock_for(&m_, 0); }
bool Mutex::trylock_for(uint32_t ms) { return duet_mutex_trylock_for(&m_, ms); }
int Mutex::get_owner() { return duet_mutex_owner(&m_); }

void Mutex::unlock()
{
    if (duet_mutex_unlock(&m_) != DUET_OK)
        arduino::detail::halt("rtos::Mutex::unlock%s%s%s: this thread does not hold the mutex (unlock only what "
                              "the thread locked)", name_ ? " (" : "", name_ ? name_ : "", name_ ? ")" : "");
}

namespace ThisThread {
void sleep_for(uint32_t ms) { delay(ms); }
void yield() { duet_thread_yield(); }
} // namespace ThisThread

} // namespace rtos
