/* board_rtc.c - the one real-time clock both cores read (RM0399 RTC chapter), clocked by
 * the GIGA's 32.768 kHz LSE crystal; its default prescalers (127, 255) make 1 Hz. */
#include "board_impl.h"
#include "chip.h"
#include "regs.h"

#include "duet/cortex_m.h"

#define RTC_KEY1 0xCAu
#define RTC_KEY2 0x53u
#define LSE_START_MS 5000u

static unsigned bcd(unsigned v)
{
    return (v / 10u) << 4 | (v % 10u);
}

static unsigned from_bcd(uint32_t v)
{
    return (unsigned)((v >> 4) & 0xFu) * 10u + (v & 0xFu);
}

/* Makes the backup domain (RCC_BDCR, the RTC's registers) writable: PWR_CR1.DBP, then a
 * wait until it reads back set before the first write there, as ST's HAL waits for it
 * (HAL_RCC_OscConfig, HAL_RCCEx_PeriphCLKConfig): PWR_CR1 is on APB4, RCC_BDCR on AHB4,
 * and a write to it still on its way leaves the next write to the backup domain ignored.
 * False (and the board's error) if DBP never reads set. The caller holds GIGA_SEM_RCC: the
 * semaphore's 1-step lock is no counting lock (a take inside would succeed at once, and
 * its give would free the caller's hold early). */
static bool backup_domain_writable_locked(const char *fn)
{
    giga_reg_update(&PWR_CR1, 0, PWR_CR1_DBP);
    if (giga_reg_wait(&PWR_CR1, PWR_CR1_DBP, PWR_CR1_DBP))
        return true;
    giga_board_fail("%s: the backup domain stayed write-protected (PWR_CR1.DBP never read set)", fn);
    return false;
}

static bool backup_domain_writable(const char *fn)
{
    giga_sem_take(GIGA_SEM_RCC);
    bool writable = backup_domain_writable_locked(fn);
    giga_sem_give(GIGA_SEM_RCC);
    return writable;
}

/* Turns the RTC's clock on if nothing did (a board without its backup battery). */
static bool rtc_clock_on(void)
{
    giga_clock_enable(RCC_CN_APB4ENR, RCC_APB4ENR_RTCAPBEN);
    if (RCC_BDCR & RCC_BDCR_RTCEN)
        return true;
    if (!backup_domain_writable("rtc"))
        return false;
    giga_shared_update(&RCC_BDCR, 0, RCC_BDCR_LSEON, GIGA_SEM_RCC);
    static volatile uint32_t never;
    unsigned long t0 = millis(); /* millis() starts SysTick, which ends each sleep below
                                  * within a millisecond */
    while (!(RCC_BDCR & RCC_BDCR_LSERDY)) {
        if (millis() - t0 > LSE_START_MS) {
            giga_board_fail("rtc: the 32.768 kHz crystal (LSE) did not start within %u ms",
                            LSE_START_MS);
            return false;
        }
        duet_cortex_m_sleep_unless(&never); /* the LSE takes up to seconds to start */
    }
    giga_shared_update(&RCC_BDCR, RCC_BDCR_RTCSEL_MASK, RCC_BDCR_RTCSEL_LSE | RCC_BDCR_RTCEN,
                       GIGA_SEM_RCC);
    return true;
}

/* The calendar's write (RM0399 RTC chapter, "RTC initialization and configuration"): the
 * write-protection keys, init mode, TR and DR, init mode off, the protection back on. Both
 * cores may set the RTC: the caller holds GIGA_SEM_RCC, as Arduino's mbed core holds it
 * while it sets the RTC, so that the other core's sequence does not interleave with this one
 * (its keys, or its protection put back on in the middle of this one's). */
static int rtc_write_locked(const duet_rtc_time *t, unsigned weekday)
{
    if (!backup_domain_writable_locked("duet_rtc_set"))
        return DUET_ERR_NOT_SUPPORTED;
    giga_reg_update(&RTC_WPR, 0xFFu, RTC_KEY1);
    giga_reg_update(&RTC_WPR, 0xFFu, RTC_KEY2);
    giga_reg_update(&RTC_ISR, 0, RTC_ISR_INIT);
    /* at most two RTC clock cycles (61 us) */
    bool init = giga_reg_wait(&RTC_ISR, RTC_ISR_INITF, RTC_ISR_INITF);
    if (init) {
        giga_reg_update(&RTC_TR, 0xFFFFFFFFu,
                        bcd((unsigned)t->hour) << 16 | bcd((unsigned)t->minute) << 8 |
                            bcd((unsigned)t->second));
        giga_reg_update(&RTC_DR, 0xFFFFFFFFu,
                        bcd((unsigned)t->year - 2000u) << 16 | weekday << 13 |
                            bcd((unsigned)t->month) << 8 | bcd((unsigned)t->day));
    }
    giga_reg_update(&RTC_ISR, RTC_ISR_INIT | RTC_ISR_RSF, 0);
    giga_reg_update(&RTC_WPR, 0xFFu, 0xFFu); /* write protection back on */
    if (init)
        return DUET_OK;
    giga_board_fail("duet_rtc_set: the RTC did not enter its init mode (RTC_ISR.INITF never read set)");
    return DUET_ERR_NOT_SUPPORTED;
}

int duet_rtc_set(int64_t unix_seconds)
{
    duet_rtc_time t;
    duet_rtc_to_time(unix_seconds, &t);
    if (unix_seconds < 0 || t.year < 2000 || t.year > 2099) {
        giga_board_fail("duet_rtc_set: the STM32 RTC holds the years 2000..2099 only (got %d)",
                        unix_seconds < 0 ? 1969 : t.year);
        return DUET_ERR_ARG;
    }
    /* Without the lock: the LSE's start may take seconds, and the other core's RCC writes
     * would wait that long for it. */
    if (!rtc_clock_on())
        return DUET_ERR_NOT_SUPPORTED;
    /* 1970-01-01 was a Thursday; the RTC counts Monday as 1 .. Sunday as 7. */
    unsigned weekday = ((uint32_t)unix_seconds / 86400u + 3u) % 7u + 1u; /* < 2100: 32 bits */
    giga_sem_take(GIGA_SEM_RCC);
    int rc = rtc_write_locked(&t, weekday);
    giga_sem_give(GIGA_SEM_RCC);
    return rc;
}

int64_t duet_rtc_get(void)
{
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    if (!rtc_clock_on())
        return 0;
    while (!(RTC_ISR & RTC_ISR_RSF)) {
        /* the shadow registers follow the counters after at most two RTC cycles */
    }
    uint32_t tr = RTC_TR; /* reading TR freezes DR until DR is read */
    uint32_t dr = RTC_DR;
    duet_rtc_time t = {
        .year = 2000 + (int)from_bcd(dr >> 16),
        .month = (int)from_bcd((dr >> 8) & 0x1Fu),
        .day = (int)from_bcd(dr & 0x3Fu),
        .hour = (int)from_bcd((tr >> 16) & 0x3Fu),
        .minute = (int)from_bcd((tr >> 8) & 0x7Fu),
        .second = (int)from_bcd(tr & 0x7Fu),
    };
    return duet_rtc_from_time(&t);
}
