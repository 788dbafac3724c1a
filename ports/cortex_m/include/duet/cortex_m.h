/* duet/cortex_m.h - what every Cortex-M port shares: reset, SysTick clock, sleeping, NVIC,
 * and C's stdio on a port's console. Architectural registers only (ARMv7-M / ARMv8-M);
 * everything that depends on the chip or the board lives in ports/<board>/. */
#ifndef DUET_CORTEX_M_H
#define DUET_CORTEX_M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Startup. A board's vector table points its reset entry at duet_cortex_m_reset, which
 * enables the FPU (when compiled for one), copies .data from flash, zeroes .bss, runs the
 * C/C++ constructors and calls main(); if main returns, its atexit() handlers run and
 * _exit() (duet_cortex_m_port_exit) stops with its value, as exit() would (stdout and
 * stderr are unbuffered: there is nothing to flush).
 * The board's linker script defines these symbols (addresses, no storage):
 *   __data_load__   where .data's initial bytes lie in the image
 *   __data_start__, __data_end__, __bss_start__, __bss_end__
 *   __heap_start__, __heap_end__   what malloc may take (sbrk); equal: no heap
 *   __stack_top__   the initial stack pointer (the vector table's first word)
 */
void duet_cortex_m_reset(void);

/* The handler for every exception and interrupt a board does not use: it writes the
 * exception's number, the core it happened on and the address it happened at to the
 * console ("duet: unexpected exception 003 on the M4 at pc 102001bc"), and stops with
 * duet_cortex_m_port_exit(128 + the number). */
void duet_cortex_m_fault(void);

/* ------------------------------------------------------------ hooks the board provides */

/* The hooks newlib's system calls use (console.c, syscalls.c) are marked used: those files
 * are machine code in an image linked with -flto (cortex_m.cmake), so the link-time
 * optimiser must keep these as they are, callable from outside what it sees. */

/* Writes len bytes to the board's console (the M7's Serial: C's stdout and stderr). */
void duet_cortex_m_port_console_write(const void *data, size_t len) __attribute__((used));

/* Reads up to len bytes the console has received; 0 when none has arrived. Never waits.
 * Starts the core's clock if nothing has yet: console.c's _read sleeps a millisecond at a time
 * between reads, woken by that clock (the console's UART raises no interrupt). */
size_t duet_cortex_m_port_console_read(void *data, size_t len) __attribute__((used));

/* Stops the program with a status (exit(), a return from main, a fault). A board under
 * an emulator ends the emulator with that status; hardware sleeps for good. */
void duet_cortex_m_port_exit(int status) __attribute__((noreturn, used));

/* The core the program runs on, as the fault report names it: "M7" or "M4" (the GIGA's
 * cores; on the AN521, CPU0 and CPU1). Safe in a fault handler: it reads a register only. */
const char *duet_cortex_m_port_core_name(void);

/* Records a board function's misuse for duet_board_error_text(): "what: why". */
void duet_cortex_m_port_board_fail(const char *what, const char *why);

/* ------------------------------------------------------------ waiting (wait.c) */

/*
 * The port's wait(): returns when the doorbell rang (its interrupt handler set *flag, which
 * this clears; then true) or after timeout_ms (false). Until a program starts its first
 * thread the core sleeps in WFI meanwhile; from then on the scheduler of thread.c waits
 * instead (duet_cortex_m_wait_by): the core's other threads run meanwhile, and every
 * waiting thread sees each ring. A program that starts no thread links no scheduler.
 */
bool duet_cortex_m_wait(volatile uint32_t *flag, uint32_t timeout_ms);

/* Sleeps in WFI until ticks processor-clock ticks have passed or an interrupt comes (the
 * other core's doorbell among them), without threads' scheduler: for the last millisecond
 * of a delay (board_time.c). Not at all if the doorbell the port's wait waits on (the flag
 * of the last duet_cortex_m_wait) rang since that wait saw it: it then clears the flag, as
 * the wait would, and returns true, so that the caller serves the other core at once (the
 * ring may have come between the caller's last look and this sleep). */
bool duet_cortex_m_sleep_ticks(uint32_t ticks);

/* Makes duet_cortex_m_wait() call wait instead of sleeping itself (thread.c, when a program
 * starts its first thread). */
void duet_cortex_m_wait_by(bool (*wait)(volatile uint32_t *flag, uint32_t timeout_ms));

/* Whether the program has started a thread (duet_cortex_m_wait_by has been called). */
bool duet_cortex_m_threads_started(void);

#if defined(__arm__)
/* Masks interrupts; returns the previous mask, for duet_cortex_m_irq_restore. */
static inline uint32_t duet_cortex_m_irq_save(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}

/* Restores the mask duet_cortex_m_irq_save returned (an interrupt pending meanwhile runs). */
static inline void duet_cortex_m_irq_restore(uint32_t primask)
{
    __asm__ volatile("msr primask, %0\n\tisb" ::"r"(primask) : "memory");
}

/* Sleeps until an interrupt is pending (it ends the sleep even while interrupts are masked),
 * once the memory accesses before it are done. */
static inline void duet_cortex_m_wfi(void)
{
    __asm__ volatile("dsb\n\twfi" ::: "memory");
}
#else
/* Off the chip (a host test of this code: tests/cortex_m), the test defines all three. */
uint32_t duet_cortex_m_irq_save(void);
void duet_cortex_m_irq_restore(uint32_t primask);
void duet_cortex_m_wfi(void);
#endif

/* ------------------------------------------------------------ threads (thread.c) */

/*
 * duet/board.h's threads, mutexes and joins, scheduled cooperatively: a thread runs until it
 * waits (duet_cortex_m_wait, a mutex, a join) or yields; when none can run the core sleeps
 * in WFI. The first duet_thread_create() hands the port's wait, lock, unlock and
 * thread_error (duet_port) to the scheduler; until then they cost nothing.
 */

/* ------------------------------------------------------------ SysTick: the clock, no tick */

/* Starts the millisecond clock on SysTick, counting ticks_per_ms cycles of the processor
 * clock a millisecond (the board knows its clock: 20 MHz -> 20000). It interrupts only when
 * its 24-bit counter runs out (every 838 ms at 20 MHz, 34 ms at 480 MHz) or at the moment a
 * sleeper asked for (duet_cortex_m_clock_alarm), not every millisecond. */
void duet_cortex_m_systick_start(uint32_t ticks_per_ms);

/* Stops SysTick (a core that halts for good stops being woken). */
void duet_cortex_m_systick_stop(void);

/* Whether duet_cortex_m_systick_start has run on this core. */
bool duet_cortex_m_systick_running(void);

/* Milliseconds since duet_cortex_m_systick_start (wraps at 2^32). */
uint32_t duet_cortex_m_millis(void);

/* Called with interrupts masked right before a WFI: makes the clock interrupt when ms more
 * milliseconds have begun (duet_cortex_m_millis() then reads at least its value now + ms),
 * unless it interrupts sooner anyway. The sleeper wakes for its deadline, not every tick. */
void duet_cortex_m_clock_alarm(uint32_t ms);

/* The same, for a moment ticks processor-clock ticks from now (at least systick.c's shortest
 * count, 256 ticks): the end of a wait shorter than a millisecond, to the tick. */
void duet_cortex_m_clock_alarm_ticks(uint32_t ticks);

/* Milliseconds since duet_cortex_m_systick_start, as duet_cortex_m_millis, and in *ticks
 * the processor-clock ticks since that millisecond began (< ticks_per_ms): the time to the
 * tick in 32-bit arithmetic. */
uint32_t duet_cortex_m_now(uint32_t *ticks);

/* Microseconds since duet_cortex_m_systick_start, wrapping at 2^32 (every 71 minutes) as
 * Arduino's micros() does: in 32-bit arithmetic, from the clock's own rate. */
uint32_t duet_cortex_m_micros(void);

/* Processor-clock ticks since duet_cortex_m_systick_start: milliseconds times ticks_per_ms
 * plus the ticks of the current millisecond (for timing shorter than a millisecond). */
uint64_t duet_cortex_m_ticks(void);

/* The processor-clock ticks of a millisecond the clock was started with (0: not started). */
uint32_t duet_cortex_m_ticks_per_ms(void);

/* The SysTick exception's handler (vector 15 of the board's table). */
void duet_cortex_m_systick_isr(void);

/* Takes the clock (duet_cortex_m_millis, duet_cortex_m_ticks) from a free-running 32-bit
 * counter that counts down at the processor clock's rate (ticks_per_ms a millisecond) and
 * wraps from 0 to 0xffffffff, read by read(), from now on; SysTick then only ends sleeps
 * (duet_cortex_m_clock_alarm), and its restarts cost the clock nothing. For a board whose
 * SysTick is emulated loosely: QEMU outside -icount stretches short counts and reloads the
 * counter from another thread, which throws a clock counted from SysTick off (docs/an521.md).
 * SysTick's interrupt reads the counter at least every longest count, so none of its
 * wraps goes unseen. Call after duet_cortex_m_systick_start, with the counter running. */
void duet_cortex_m_clock_counter(uint32_t (*read)(void));

/* ------------------------------------------------------------ interrupts and sleep */

/* Enables external interrupt irq (0 = the first after the 16 system exceptions). */
void duet_cortex_m_irq_enable(unsigned irq);

/* Clears a pending external interrupt irq. */
void duet_cortex_m_irq_clear_pending(unsigned irq);

/* Stops this core for good: SysTick and every interrupt off, then it sleeps in WFI.
 * (Interrupts left pending would end each WFI at once, and the core would spin.) */
void duet_cortex_m_halt(void) __attribute__((noreturn));

/*
 * Sleeps until an interrupt, at most a millisecond, unless *flag is already set; then clears
 * *flag and returns whether it was set. The check and the sleep happen with interrupts masked
 * (cpsid i, check, dsb, wfi, cpsie i), so an interrupt that sets the flag between the check
 * and the wfi still wakes the core. For polling a part that has no interrupt of its own: the
 * clock wakes the core within the millisecond, so a caller can keep a deadline.
 */
bool duet_cortex_m_sleep_unless(volatile uint32_t *flag) __attribute__((used)); /* as the hooks above */

/* ------------------------------------------------------------ setup() and loop() (loop.c) */

/*
 * main() of a program written as setup() and loop(), after setup(): calls loop() for ever,
 * serving the other core between two calls and sleeping until its doorbell or until what
 * loop() looked at may have changed: at once again after a loop() that slept in delay(); the
 * next millisecond after one that looked at the time or an input, that sent to the other core,
 * or that left stream text unread; else at most a second (50 ms once the program has threads,
 * whose changes loop() may watch).
 */
void duet_cortex_m_loop(void) __attribute__((noreturn));

/* What the running loop() did, for duet_cortex_m_loop: the board's functions say it. */
#define DUET_CORTEX_M_WATCHED_INPUT 1u /* read the time, a pin, an analog input, the RTC, Serial */
#define DUET_CORTEX_M_WATCHED_SLEPT 2u /* slept in delay() */
#define DUET_CORTEX_M_WATCHED_SENT 4u  /* rang the other core */
extern unsigned duet_cortex_m_loop_watched;

/* Records what loop() did (a DUET_CORTEX_M_WATCHED_ bit). */
static inline void duet_cortex_m_loop_watch(unsigned what)
{
    duet_cortex_m_loop_watched |= what;
}

#ifdef __cplusplus
}
#endif
#endif
