/* port.c - duet's port for the AN521: the shared region, MHU doorbells, CPU1's boot,
 * the core number and the millisecond clock. */
#include "duet/an521.h"

#include "duet/cortex_m.h"
#include "duet/duet.h"
#include "regs.h"

void duet_an521_mhu_isr(void);

/* Set by the doorbell's interrupt, cleared by the wait that sees it. */
static volatile uint32_t doorbell;
static duet_port port;
/* This core's MHU bank and the other core's, chosen once: the doorbell's path (ring, the
 * interrupt) then neither reads CPUID nor branches on the core. */
static volatile uint32_t *own_bank;
static volatile uint32_t *peer_bank;

unsigned duet_an521_core(void)
{
    return AN521_CPUID & 1u;
}

void duet_an521_mhu_isr(void)
{
    /* Level-triggered: the line stays high until this core's bank is cleared. */
    volatile uint32_t *bank = own_bank;
    bank[AN521_MHU_CLR] = bank[AN521_MHU_STAT];
    doorbell = 1;
}

static void ring(duet_port *p)
{
    (void)p;
    volatile uint32_t *bank = peer_bank;
    __asm__ volatile("dsb" ::: "memory"); /* what was written to shared SRAM goes first */
    bank[AN521_MHU_SET] = 1u;
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_SENT);
}

/* Until the doorbell or the timeout, asleep (or running the core's other threads: thread.c). */
static void wait(duet_port *p, uint32_t timeout_ms)
{
    (void)p;
    duet_cortex_m_wait(&doorbell, timeout_ms);
}

/* This core's CMSDK timer, counting down freely: the clock's counter (clock_start). */
static uint32_t clock_timer;

static uint32_t clock_count(void)
{
    return AN521_TIMER_VALUE(clock_timer);
}

/* The millisecond clock: SysTick for the sleeps' alarms, and this core's timer, which
 * nothing restarts, for the time (duet_cortex_m_clock_counter): QEMU in the host's time
 * (duet-board run) runs SysTick too loosely for a clock (docs/an521.md). */
static void clock_start(unsigned core)
{
    duet_cortex_m_systick_start(AN521_CPU_HZ / 1000u);
    clock_timer = AN521_TIMER(core);
    AN521_TIMER_CTRL(clock_timer) = 0;
    AN521_TIMER_RELOAD(clock_timer) = 0xffffffffu;
    AN521_TIMER_CTRL(clock_timer) = AN521_TIMER_CTRL_EN;
    duet_cortex_m_clock_counter(clock_count);
}

static uint32_t now_ms(duet_port *p)
{
    (void)p;
    return duet_cortex_m_millis();
}

static bool in_ssram0(uint32_t address)
{
    return address >= AN521_SSRAM0 && address < AN521_SSRAM0 + AN521_SSRAM0_SIZE;
}

static bool in_ram(uint32_t address)
{
    return (address > AN521_SSRAM1 && address <= AN521_SSRAM1 + AN521_SSRAM12_SIZE) ||
           (address > AN521_SSRAM0 && address <= AN521_SSRAM0 + AN521_SSRAM0_SIZE) ||
           (address > AN521_SSE_SRAM && address <= AN521_SSE_SRAM + AN521_SSE_SRAM_SIZE);
}

/* The GIGA R1's addresses of the M4's program, one per flash split (0x08100000, 0x08180000,
 * and SDRAM's 0x60000000), which a program written for it names (duet_set_boot_address, as
 * MicroPython's rpc.start(firmware=...)): the AN521 has one place for CPU1's image, and
 * each of them means that place. */
static uint32_t cpu1_image(uint32_t address)
{
    if (address == 0x08100000u || address == 0x08180000u || address == 0x60000000u)
        return DUET_AN521_CPU1_IMAGE;
    return address;
}

/* Starts CPU1 at the vector table at address, once: INITSVTOR1 first, then CPUWAIT's
 * 1 -> 0 edge, which powers it on and resets it from there. */
static int boot(duet_port *p, uint32_t address)
{
    (void)p;
    /* A program built for CPU1 alone (CORE_CM4: DUET_RPMSG_ROLES 2, duet/config.h) boots
     * nothing, and links none of this. */
    if (DUET_RPMSG_ROLES == 2 || duet_an521_core() != 0)
        return DUET_ERR_NOT_SUPPORTED;
    address = cpu1_image(address);
    if (!(AN521_CPUWAIT & AN521_CPUWAIT_CPU1))
        return DUET_ERR_STATE; /* already running; it cannot be stopped again */
    /* VTOR holds bits 31..7; an image starts with its stack pointer and reset address. */
    if ((address & 0x7fu) || !in_ssram0(address) || !in_ssram0(address + 8))
        return DUET_ERR_BOOT;
    const volatile uint32_t *table = (const volatile uint32_t *)(uintptr_t)address;
    uint32_t sp = table[0], pc = table[1];
    if (!in_ram(sp) || (sp & 7u) || !(pc & 1u) || !in_ssram0(pc & ~1u))
        return DUET_ERR_BOOT;
    AN521_INITSVTOR1 = address;
    AN521_CPUWAIT = AN521_CPUWAIT & ~AN521_CPUWAIT_CPU1;
    return DUET_OK;
}

void duet_an521_clock_begin(void)
{
    if (!duet_cortex_m_systick_running())
        clock_start(duet_an521_core());
}

duet_port *duet_port_default(void)
{
    if (port.ring)
        return &port;
    unsigned core = duet_an521_core();
    duet_an521_clock_begin();
    bool cpu0 = core == 0;
    own_bank = AN521_MHU_BANK(core);
    peer_bank = AN521_MHU_BANK(1u - core);
    /* CPU0 starts from a clear doorbell: its bank may hold a ring from before a reset.
     * CPU1 runs once, booted by CPU0, which may ring it before it gets here: that ring is
     * kept (seen in a QEMU trace: CPU0 set CPU1's bank before CPU1's set-up cleared it). */
    if (cpu0)
        own_bank[AN521_MHU_CLR] = 0xfu;
    duet_cortex_m_irq_clear_pending(AN521_MHU0_IRQ);
    duet_cortex_m_irq_enable(AN521_MHU0_IRQ);
    port.shm = (uint8_t *)(uintptr_t)AN521_SSE_SRAM;
    port.shm_da = DUET_AN521_SHM_DA;
    port.shm_size = DUET_AN521_SHM_SIZE;
    port.wait = wait;
    port.boot = boot;
    port.now_ms = now_ms;
    /* No lock, unlock or thread_error until the program starts a thread (thread.c). */
    port.boot_address = DUET_AN521_CPU1_IMAGE;
    port.cpu_id = cpu0 ? DUET_CPU_M7 : DUET_CPU_M4;
    port.ring = ring; /* last: a filled-in port */
    return &port;
}
