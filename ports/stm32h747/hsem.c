/* hsem.c - the hardware semaphores (RM0399 §11): doorbells and cross-core locks.
 * Doorbells: the M7 rings the M4 by freeing semaphore 0, the M4 rings the M7 by freeing
 * semaphore 1, as Arduino's RPC library does. Freeing a semaphore sets its interrupt
 * status on both interrupt lines (§11.3.7); each core enables only the other core's
 * semaphore, on its own line (1: the M7, 2: the M4). */
#include "chip.h"
#include "regs.h"

#include "duet/cortex_m.h"

#define SEM_M7_TO_M4 0u
#define SEM_M4_TO_M7 1u

volatile uint32_t giga_doorbell_flag;

void giga_doorbell_init(void)
{
    bool m7 = giga_is_m7();
    uint32_t line = m7 ? 1u : 2u;
    uint32_t listen = 1u << (m7 ? SEM_M4_TO_M7 : SEM_M7_TO_M4);
    giga_clock_enable(RCC_CN_AHB4ENR, RCC_AHB4ENR_HSEMEN);
    /* A status set while masked would fire at once when enabled (§11.4.5): take it here
     * instead, as a raised flag. The M7 boots the M4 and may ring it before the M4 gets
     * here: that ring is kept (on the M7 a ring from before a reset costs one extra poll).
     * Callers also poll the rings once after init before they wait. */
    if (HSEM_ISR(line) & listen)
        giga_doorbell_flag = 1;
    HSEM_ICR(line) = listen;
    HSEM_IER(line) |= listen;
    unsigned irq = m7 ? IRQ_HSEM1 : IRQ_HSEM2;
    duet_cortex_m_irq_clear_pending(irq);
    duet_cortex_m_irq_enable(irq);
}

void giga_doorbell_ring(void)
{
    bool m7 = giga_is_m7();
    uint32_t sem = m7 ? SEM_M7_TO_M4 : SEM_M4_TO_M7;
    uint32_t mine = HSEM_LOCK | HSEM_COREID(m7 ? HSEM_COREID_M7 : HSEM_COREID_M4);
    /* 1-step lock (§11.3.3): the read takes the semaphore for this core with PROCID 0. If
     * another owner holds it, its release rings the other core all the same. */
    if (HSEM_RLR(sem) == mine)
        HSEM_R(sem) = mine & ~HSEM_LOCK; /* free it (§11.3.5): the other core's interrupt */
}

/* HSEM1 on the M7, HSEM2 on the M4: one handler reads this core's own line. */
void giga_hsem_isr(void)
{
    uint32_t line = giga_is_m7() ? 1u : 2u;
    uint32_t pending = HSEM_MISR(line);
    HSEM_ICR(line) = pending;
    /* The clear reaches the HSEM before the handler returns: else the line may still be
     * pending at the return (the write waits in the M7's buffer), and the handler runs twice. */
    giga_barrier();
    giga_doorbell_flag = 1;
}

static uint32_t my_lock(void)
{
    return HSEM_LOCK | HSEM_COREID(giga_is_m7() ? HSEM_COREID_M7 : HSEM_COREID_M4);
}

void giga_sem_take(uint32_t sem)
{
    giga_clock_enable(RCC_CN_AHB4ENR, RCC_AHB4ENR_HSEMEN);
    while (HSEM_RLR(sem) != my_lock()) {
        /* the other core holds it for a few instructions */
    }
}

void giga_sem_give(uint32_t sem)
{
    HSEM_R(sem) = my_lock() & ~HSEM_LOCK;
}

void giga_shared_update(volatile uint32_t *reg, uint32_t clear, uint32_t set, uint32_t sem)
{
    giga_sem_take(sem);
    *reg = (*reg & ~clear) | set;
    giga_sem_give(sem);
}
