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
 * cores may set the RTC: the caller holds GIGA_SEM_RCC (the semaphore Arduino's mbed core
 * holds around its RTC's clock set-up; its own calendar write takes none), so that the other
 * core's sequence does not interleave with this one (its keys, or its protection put back on
 * in the middle of this one's). */
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

/* Reads RTC_TR then RTC_DR (reading TR holds DR's shadow until DR is read) twice, and a third
 * time if the two differ (RM0399's rule for reads that bypass the shadow registers: the
 * calendar changes at most once between them). That also covers a set on the other core
 * landing between this core's TR and DR: the read writes no register, so it takes no lock,
 * as ST's HAL_RTC_GetTime/GetDate and Arduino's mbed core take none to read. */
static void rtc_read_calendar(uint32_t *tr, uint32_t *dr)
{
    uint32_t tr1 = RTC_TR;
    uint32_t dr1 = RTC_DR;
    *tr = RTC_TR;
    *dr = RTC_DR;
    if (*tr != tr1 || *dr != dr1) {
        *tr = RTC_TR;
        *dr = RTC_DR;
    }
}

/* Through the shadow registers (BYPSHAD clear), the read waits for RSF: a set clears it, and
 * the new calendar reaches the shadows two RTC clock cycles (61 us) later; a set on the other
 * core holds it cleared while in init mode (about as long). The wait is giga_reg_wait's
 * (GIGA_WAIT_POLLS reads, milliseconds): RSF still clear after it means the RTC's clock does
 * not run, and the read would have waited for ever. It does not clear RSF itself (ST's
 * HAL_RTC_WaitForSynchro does, after a wake-up from Stop mode, which duet never enters): RSF
 * is write-protected, and its clear would need the keys the set holds the RCC semaphore for.
 * With BYPSHAD set (Arduino's mbed core sets it; it lives in the backup domain and outlives a
 * reset and a new sketch) the hardware holds RSF cleared: no wait, the reads go to the
 * counters themselves. */
int64_t duet_rtc_get(void)
{
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    if (!rtc_clock_on())
        return 0;
    if (!(RTC_CR & RTC_CR_BYPSHAD) && !giga_reg_wait(&RTC_ISR, RTC_ISR_RSF, RTC_ISR_RSF)) {
        giga_board_fail("duet_rtc_get: the RTC's clock (the 32.768 kHz crystal, LSE) does not "
                        "run: RTC_ISR.RSF never read set; 0 returned");
        return 0;
    }
    uint32_t tr, dr;
    rtc_read_calendar(&tr, &dr);
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
