/* fake_systick.c - a simulated SysTick (ARMv7-M B3.3): a 24-bit counter that counts down
 * one tick at a time from the reload value; reaching 0 sets COUNTFLAG and pends the
 * interrupt, the next tick loads the reload value again. Writing the current value clears
 * it and COUNTFLAG: the count restarts at the next tick, without an interrupt.
 *
 * The code under test reaches a register through a pointer (fake_systick.h); a value
 * written there is found at the next access and applied then. Each access takes `step`
 * ticks, and one chosen access (fake_systick_pause) takes more: a core paused there, as a
 * host under load pauses a QEMU core while its timer runs on. A write that leaves a
 * register's value as it was cannot be seen; for the current value (where a write of 0
 * would restart a count at 0) reading 0 clears COUNTFLAG as that write would, which the
 * code under test never tells apart. */
#include <stdbool.h>

#include "fake_systick.h"
#include "duet/cortex_m.h"

#define CSR_ENABLE 1u
#define CSR_TICKINT 2u
#define CSR_COUNTFLAG (1u << 16)
#define ICSR_PENDSTSET (1u << 26)
#define ICSR_PENDSTCLR (1u << 25)

struct fake_systick {
    uint64_t now;
    uint32_t csr, rvr, cvr;
    bool countflag, pending, masked;
    uint32_t shown[FAKE_REGS], seen[FAKE_REGS];
    uint64_t accesses, pause_at;
    uint32_t step, pause_ticks, taken;
};

static struct fake_systick sim;

void fake_systick_reset(void)
{
    sim = (struct fake_systick){.step = 1};
}

uint64_t fake_systick_now(void)
{
    return sim.now;
}

void fake_systick_pause(uint64_t access, uint32_t ticks)
{
    sim.pause_at = sim.accesses + access;
    sim.pause_ticks = ticks;
}

uint32_t fake_systick_interrupts(void)
{
    return sim.taken;
}

static void take_interrupt(void)
{
    sim.pending = false;
    sim.taken++;
    duet_cortex_m_systick_isr();
}

/* Runs the timer for ticks; interrupts are taken as they come when deliver is set and
 * they are not masked. */
static void run(uint64_t ticks, bool deliver)
{
    while (ticks > 0) {
        if (!(sim.csr & CSR_ENABLE)) {
            sim.now += ticks;
            return;
        }
        if (sim.cvr == 0) {
            sim.cvr = sim.rvr & 0xffffffu; /* the reload tick */
            sim.now++;
            ticks--;
            continue;
        }
        uint64_t n = ticks < sim.cvr ? ticks : sim.cvr;
        sim.cvr -= (uint32_t)n;
        sim.now += n;
        ticks -= n;
        if (sim.cvr == 0) {
            sim.countflag = true;
            if (sim.csr & CSR_TICKINT)
                sim.pending = true;
        }
        if (deliver && sim.pending && !sim.masked)
            take_interrupt();
    }
}

static void write_reg(enum fake_systick_reg r, uint32_t v)
{
    switch (r) {
    case FAKE_CSR: sim.csr = v & 7u; break;
    case FAKE_RVR: sim.rvr = v & 0xffffffu; break;
    case FAKE_CVR: sim.cvr = 0; sim.countflag = false; break;
    case FAKE_ICSR:
        if (v & ICSR_PENDSTCLR)
            sim.pending = false;
        if (v & ICSR_PENDSTSET)
            sim.pending = true;
        break;
    default: break;
    }
}

static uint32_t read_reg(enum fake_systick_reg r)
{
    switch (r) {
    case FAKE_CSR: {
        uint32_t v = sim.csr | (sim.countflag ? CSR_COUNTFLAG : 0u);
        sim.countflag = false;
        return v;
    }
    case FAKE_RVR: return sim.rvr;
    case FAKE_CVR:
        if (sim.cvr == 0)
            sim.countflag = false;
        return sim.cvr;
    case FAKE_ICSR: return sim.pending ? ICSR_PENDSTSET : 0u;
    default: return 0;
    }
}

/* Applies what was written since the last access. */
static void flush_writes(void)
{
    for (int r = 0; r < FAKE_REGS; r++)
        if (sim.shown[r] != sim.seen[r]) {
            write_reg((enum fake_systick_reg)r, sim.shown[r]);
            sim.seen[r] = sim.shown[r];
        }
}

volatile uint32_t *fake_systick_reg(enum fake_systick_reg which)
{
    flush_writes();
    sim.accesses++;
    run(sim.step + (sim.accesses == sim.pause_at ? sim.pause_ticks : 0u), false);
    sim.shown[which] = sim.seen[which] = read_reg(which);
    return &sim.shown[which];
}

void fake_systick_idle(uint64_t ticks)
{
    flush_writes();
    run(ticks, true);
}

bool fake_systick_wfi(uint64_t most)
{
    flush_writes();
    uint64_t limit = sim.now + most;
    while (!sim.pending && sim.now < limit) {
        uint64_t n = sim.cvr ? sim.cvr : 1u;
        run(n < limit - sim.now ? n : limit - sim.now, false);
    }
    return sim.pending;
}

uint32_t duet_cortex_m_irq_save(void)
{
    uint32_t was = sim.masked;
    sim.masked = true;
    return was;
}

void duet_cortex_m_irq_restore(uint32_t primask)
{
    flush_writes();
    sim.masked = primask != 0;
    if (!sim.masked && sim.pending)
        take_interrupt();
}
