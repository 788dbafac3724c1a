/* RTC, M4 side: sets the board's real-time clock to a fixed date, then prints the time
 * every second into the RPC stream. The clock is the board's, one for both cores. */
#include "duet/board.h"
#include "duet/duet.h"
#include "duet/format.h"

static const unsigned long print_interval = 1000;
static unsigned long print_now;

/* The RTC's time as "2024-10-01 11:58:00" (strftime's "%Y-%m-%d %k:%M:%S"). */
static const char *local_time(char *buf, size_t cap)
{
    duet_rtc_time t;
    duet_rtc_to_time(duet_rtc_get(), &t);
    /* duet's formatter, not snprintf, and without its floating conversions (the date has
     * none): the image links neither libc's printf nor duet's 2 KiB of float formatting */
    duet_format_text_nofloat(buf, cap, "%04d-%02d-%02d %2d:%02d:%02d", t.year, t.month, t.day, t.hour, t.minute,
                             t.second);
    return buf;
}

/* Sets the RTC to 2024-10-01 11:58:00. */
static void rtc_set(void)
{
    duet_rtc_time t = {.year = 2024, .month = 10, .day = 1, .hour = 11, .minute = 58, .second = 0};
    duet_rtc_set(duet_rtc_from_time(&t));
}

void setup(void)
{
    if (duet_begin()) {
        duet_println("M4: Reading the RTC.");
        rtc_set();
    }
}

void loop(void)
{
    if (millis() > print_now) {
        char buf[32];
        duet_print("M4 System Clock: ");
        duet_println(local_time(buf, sizeof buf));
        print_now = millis() + print_interval;
    }
}
