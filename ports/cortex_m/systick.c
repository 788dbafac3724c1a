/* systick.c - the millisecond clock and the wake-up alarm, from SysTick (ARMv7-M / ARMv8-M
 * architecture, B3.3 / B11).
 *
 * SysTick counts down from its reload value to 0, interrupts, and counts again from the
 * reload value: a count is reload + 1 ticks of the processor clock. The clock is the time
 * the running count began (whole milliseconds and the ticks beyond) plus what the counter
 * has counted since, so no interrupt comes every millisecond: a count lasts as long as the
 * 24-bit counter allows (a whole number of milliseconds: 838 ms at 20 MHz, 34 ms at
 * 480 MHz) unless a core about to sleep wants to wake sooner (duet_cortex_m_clock_alarm):
 * the count then restarts and ends at that moment. The few ticks a restart takes are lost
 * (the clock runs late by them: a few nanoseconds a restart). A core paused meanwhile (QEMU
 * on a loaded host runs SysTick on the host's clock) makes it late by up to the pause, never
 * early: tests/cortex_m pauses it at every register access of a sleep.
 *
 * Under QEMU (-icount, sleep=off), measured over 3000 waits of a millisecond: 3010 ms by
 * this clock, 3040 ms of virtual time (with a 1 ms tick, before: 3010 against 6020), since
 * QEMU wakes a sleeping core one count late (clock_alarm keeps that count short).
 *
 * A board may give the clock a free-running counter instead (duet_cortex_m_clock_counter):
 * SysTick then only ends sleeps. The AN521 port does, for QEMU outside -icount, whose SysTick
 * stretches short counts and reloads from another thread than the core's (docs/an521.md).
 */
#include "duet/cortex_m.h"

/* SysTick registers: control and status, reload value, current value; the interrupt
 * control and state register's SysTick bits. (A host test, tests/cortex_m, brings its own
 * simulated registers.) */
#ifndef SYST_CSR
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#endif
#define SCB_ICSR_PENDSTSET (1u << 26)
#define SCB_ICSR_PENDSTCLR (1u << 25)
#define SYST_CSR_ENABLE 1u
#define SYST_CSR_TICKINT 2u
#define SYST_CSR_CLKSOURCE 4u   /* the processor clock */
#define SYST_COUNT_MAX 0x1000000u /* ticks of the longest count (24 bits) */
#define SHORTEST 256u             /* ticks: a count ends well after its interrupt was taken */

static uint32_t ticks_per_ms;   /* 0: not started */
static uint32_t longest;        /* the reload value of the longest count: whole milliseconds */
static uint32_t reload;         /* the running count's */
static uint32_t base_ms;        /* when the running count began: whole milliseconds */
static uint32_t base_ticks;     /* and ticks beyond them (< ticks_per_ms) */

/* The clock's counter (duet_cortex_m_clock_counter) and the time it gives: its value at the
 * last look, and the time then (whole milliseconds and ticks beyond them). counter_time is
 * NULL until a board hands one over, so that a board that never does links none of it. */
static uint32_t (*counter_read)(void);
static uint32_t counter_last;
static uint32_t counter_ms;
static uint32_t counter_frac;
static void (*counter_time)(uint32_t *ms, uint32_t *frac);

void duet_cortex_m_systick_start(uint32_t ticks)
{
    ticks_per_ms = ticks;
    longest = SYST_COUNT_MAX / ticks * ticks - 1u;
    reload = longest;
    base_ms = base_ticks = 0; /* the clock counts from here, a restart included */
    SYST_RVR = longest;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
}

void duet_cortex_m_systick_stop(void)
{
    SYST_CSR = 0;
    SCB_ICSR = SCB_ICSR_PENDSTCLR;
    ticks_per_ms = 0;
    counter_time = 0;
}

bool duet_cortex_m_systick_running(void)
{
    return ticks_per_ms != 0;
}

/* Adds ticks to the time the running count began. */
static void advance(uint32_t ticks)
{
    uint32_t t = base_ticks + ticks;
    base_ms += t / ticks_per_ms;
    base_ticks = t % ticks_per_ms;
}

/* A count ended (interrupts masked, or in the handler): the next began with what the reload
 * register held then, and the one after is the longest again. */
static void count_ended(void)
{
    advance(reload + 1u);
    reload = SYST_RVR;
    SYST_RVR = longest;
    /* The shortest count (after an alarm's) can end before that write when this core is
     * paused (QEMU on a loaded host): the count after it began with the shortest value again,
     * or with the longest if the write came first. The counter tells which: a count that has
     * just begun from the longest value stands far above the shortest. */
    while (reload != longest && (SCB_ICSR & SCB_ICSR_PENDSTSET)) {
        SCB_ICSR = SCB_ICSR_PENDSTCLR;
        advance(reload + 1u);
        uint32_t current;
        while ((current = SYST_CVR) == 0) {
            /* a tick: the count has ended, the next not yet begun */
        }
        if (current > reload)
            reload = longest;
    }
}

void duet_cortex_m_systick_isr(void)
{
    count_ended();
    if (counter_time) { /* a look at least every longest count: no wrap of it goes unseen */
        uint32_t ms, frac;
        counter_time(&ms, &frac);
    }
}

/* With interrupts masked: the ticks since the running count began. A count that ended
 * meanwhile (its interrupt pends) is taken here, as the handler would. The counter reads 0
 * for a tick before it reloads: after the count that ended (which pends), or after a
 * restart (clock_alarm, which does not): the count that follows has not begun. */
static uint32_t counted(void)
{
    uint32_t current = SYST_CVR;
    if (SCB_ICSR & SCB_ICSR_PENDSTSET) {
        SCB_ICSR = SCB_ICSR_PENDSTCLR;
        count_ended();
        current = SYST_CVR;
    }
    /* Above the reload value: the count that ended was an alarm's that ended again before
     * its successor's reload value was set (clock_alarm, on a core paused for longer than
     * the alarm: a host under load, under QEMU). It counts from the alarm's value, which
     * is lost: nothing is counted until it ends, rather than a count gone negative. */
    return current == 0 || current > reload ? 0 : reload - current;
}

/* With interrupts masked: the clock's time, from its counter or from SysTick's counts. */
static void clock_now(uint32_t *ms, uint32_t *frac)
{
    if (counter_time) {
        counter_time(ms, frac);
        return;
    }
    uint32_t t = base_ticks + counted();
    *ms = base_ms + t / ticks_per_ms;
    *frac = t % ticks_per_ms;
}

uint32_t duet_cortex_m_now(uint32_t *ticks)
{
    uint32_t ms = 0;
    *ticks = 0;
    if (!ticks_per_ms)
        return 0;
    uint32_t mask = duet_cortex_m_irq_save();
    clock_now(&ms, ticks);
    duet_cortex_m_irq_restore(mask);
    return ms;
}

uint32_t duet_cortex_m_millis(void)
{
    uint32_t ticks;
    return duet_cortex_m_now(&ticks);
}

uint64_t duet_cortex_m_ticks(void)
{
    uint32_t ticks, ms = duet_cortex_m_now(&ticks);
    return (uint64_t)ms * ticks_per_ms + ticks;
}

uint32_t duet_cortex_m_ticks_per_ms(void)
{
    return ticks_per_ms;
}

uint32_t duet_cortex_m_micros(void)
{
    uint32_t ticks, ms = duet_cortex_m_now(&ticks);
    /* ticks < ticks_per_ms: times 1000 it fits 32 bits up to a 4 GHz clock */
    return ticks_per_ms ? ms * 1000u + ticks * 1000u / ticks_per_ms : 0;
}

/* With interrupts masked: the counter's time, brought up to now. It counts down and wraps:
 * what it counted since the last look is the difference modulo 2^32 (a look comes at least
 * every longest SysTick count, far less than a wrap). */
static void counter_now(uint32_t *ms, uint32_t *frac)
{
    uint32_t value = counter_read();
    uint32_t t = counter_frac + (uint32_t)(counter_last - value);
    counter_last = value;
    counter_ms += t / ticks_per_ms;
    counter_frac = t % ticks_per_ms;
    *ms = counter_ms;
    *frac = counter_frac;
}

void duet_cortex_m_clock_counter(uint32_t (*read)(void))
{
    uint32_t mask = duet_cortex_m_irq_save();
    clock_now(&counter_ms, &counter_frac); /* the clock goes on from where it is */
    counter_last = read();
    counter_read = read;
    counter_time = counter_now;
    duet_cortex_m_irq_restore(mask);
}

/* With interrupts masked, done ticks of the running count counted: restarts the count so
 * that it ends want ticks from now, unless the running count ends first. */
static void alarm_in(uint32_t want, uint32_t done)
{
    if (want < SHORTEST)
        want = SHORTEST;
    if (want >= reload - done)
        return; /* the running count ends first */
    advance(done);
    reload = want - 1u;
    SYST_RVR = reload;
    SYST_CVR = 0; /* the count restarts from the reload value at the next tick */
    /* Once it has (within a tick), the count after it is the shortest: a wake-up that comes
     * a count late costs the clock that short count only. QEMU's, under -icount sleep=off,
     * does come late (it wakes a core in WFI at the end of the count after the one that
     * pended the interrupt, and the counter stands still meanwhile). */
    while (SYST_CVR == 0) {
    }
    SYST_RVR = SHORTEST - 1u;
}

void duet_cortex_m_clock_alarm(uint32_t ms)
{
    if (!ticks_per_ms)
        return;
    uint32_t done = counted();
    if (ms > longest / ticks_per_ms)
        return; /* the longest count is shorter */
    /* to the start of the millisecond ms after this one, by the clock */
    uint32_t frac = (base_ticks + done) % ticks_per_ms;
    if (counter_time) {
        uint32_t now_ms;
        counter_time(&now_ms, &frac);
    }
    alarm_in(ms * ticks_per_ms > frac ? ms * ticks_per_ms - frac : 0, done);
}

void duet_cortex_m_clock_alarm_ticks(uint32_t ticks)
{
    if (ticks_per_ms)
        alarm_in(ticks, counted());
}
