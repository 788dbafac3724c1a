/* port.c - duet_port on the GIGA R1: SRAM4 shared, HSEM doorbells, the M4 booted through
 * SYSCFG and RCC, cpu_id from the CPUID register, milliseconds from SysTick. */
#include "chip.h"
#include "regs.h"

#include "duet/cortex_m.h"
#include "duet/duet.h"

static void port_ring(duet_port *port)
{
    (void)port;
    giga_doorbell_ring();
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_SENT);
}

/* Until the doorbell rang or timeout_ms passed, asleep in WFI (or, once the program has
 * threads, running the core's other threads: ports/cortex_m/thread.c). */
static void port_wait(duet_port *port, uint32_t timeout_ms)
{
    (void)port;
    duet_cortex_m_wait(&giga_doorbell_flag, timeout_ms);
}


static int port_boot(duet_port *port, uint32_t address)
{
    (void)port;
    return giga_boot_m4(address);
}

static uint32_t port_now_ms(duet_port *port)
{
    (void)port;
    return duet_cortex_m_millis();
}

/* Where the M4 image lies for the flash split this program was linked for: an address
 * the linker script defines (giga_m7.ld: DUET_M4_BOOT, which duet-board build --split sets). */
extern const char DUET_M4_BOOT[];

static duet_port giga_port;

/* Brings up the clock and the doorbells on first use: SysTick at 1 kHz from this core's
 * clock, then this core's HSEM interrupt. */
duet_port *duet_port_default(void)
{
    if (!duet_cortex_m_systick_running()) {
        bool m7 = giga_cpuid_is_m7(); /* the core it runs on, whatever it was built for */
        duet_cortex_m_systick_start(giga_clock_cpu_hz() / 1000u);
        giga_port = (duet_port){
            .shm = (uint8_t *)(uintptr_t)SRAM4_BASE,
            .shm_da = SRAM4_BASE,
            .shm_size = SRAM4_SIZE,
            .ring = port_ring,
            .wait = port_wait,
            .boot = port_boot,
            .now_ms = port_now_ms,
            /* No lock, unlock or thread_error until the first thread (ports/cortex_m/thread.c). */
            .boot_address = (uint32_t)(uintptr_t)DUET_M4_BOOT,
            .cpu_id = m7 ? DUET_CPU_M7 : DUET_CPU_M4,
        };
        giga_doorbell_init();
    }
    return &giga_port;
}
