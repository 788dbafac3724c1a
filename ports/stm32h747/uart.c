/* uart.c - the console both cores print C's stdout to: USART1 on D1 (TX, PA9) and
 * D0 (RX, PB7), 115200 baud 8N1, as the GIGA's Serial1. USB CDC is not written yet: the
 * M7's Serial is this UART (docs/giga.md). */
#include "chip.h"
#include "regs.h"

#include "duet/cortex_m.h"
#include "duet/duet.h"

#define CONSOLE_BAUD 115200u
#define PORT_A 0u
#define PORT_B 1u
#define AF7_USART1 7u

/* The pin to alternate function af, pulled up as the Arduino core's GIGA pin map sets
 * USART1's TX and RX: an RX pin with nothing on it then idles high rather than float and
 * read noise as bytes. */
static void pin_af(unsigned port, unsigned pin, unsigned af)
{
    giga_clock_enable(RCC_CN_AHB4ENR, RCC_AHB4ENR_GPIOEN(port));
    unsigned shift = (pin & 7u) * 4u;
    giga_shared_update(&GPIO_AFR(port, pin), 0xFu << shift, af << shift, GIGA_SEM_GPIO);
    giga_shared_update(&GPIO_PUPDR(port), 3u << (pin * 2u), GPIO_PULL_UP << (pin * 2u), GIGA_SEM_GPIO);
    giga_shared_update(&GPIO_MODER(port), 3u << (pin * 2u), GPIO_MODE_AF << (pin * 2u), GIGA_SEM_GPIO);
}

static bool uart_ready;

void giga_uart_init(void)
{
    if (uart_ready)
        return;
    uart_ready = true;
    giga_clock_enable(RCC_CN_APB2ENR, RCC_APB2ENR_USART1EN);
    /* The other core may have set it up already: then it is left as it is (both cores
     * write to one UART, as Arduino's M7 Serial1 and M4 Serial do). */
    if (USART_CR1(USART1_BASE) & USART_CR1_UE)
        return;
    pin_af(PORT_A, 9u, AF7_USART1);
    pin_af(PORT_B, 7u, AF7_USART1);
    giga_shared_update(&RCC_D2CCIP2R, 7u << 3, 0, GIGA_SEM_RCC); /* USART16SEL = pclk2 (§9.7.20) */
    USART_BRR(USART1_BASE) = (giga_clock_pclk2_hz() + CONSOLE_BAUD / 2u) / CONSOLE_BAUD;
    USART_CR1(USART1_BASE) = USART_CR1_TE | USART_CR1_RE | USART_CR1_UE;
}

void giga_uart_write(const void *data, uint32_t len)
{
    giga_uart_init();
    const uint8_t *p = data;
    for (uint32_t i = 0; i < len; i++) {
        while (!(USART_ISR(USART1_BASE) & USART_ISR_TXE)) {
            /* one byte time (87 us at 115200): the transmitter frees the register */
        }
        USART_TDR(USART1_BASE) = p[i];
    }
}

int giga_uart_read_byte(void)
{
    giga_uart_init();
    uint32_t isr = USART_ISR(USART1_BASE);
    if (isr & USART_ISR_ORE)
        USART_ICR(USART1_BASE) = USART_ICR_ORECF;
    if (!(isr & USART_ISR_RXNE))
        return -1;
    return (int)(USART_RDR(USART1_BASE) & 0xFFu);
}

void duet_cortex_m_port_console_write(const void *data, size_t len)
{
    giga_uart_write(data, (uint32_t)len);
}

size_t duet_cortex_m_port_console_read(void *data, size_t len)
{
    duet_port_default(); /* SysTick on: a reader that waits for a byte wakes every ms */
    uint8_t *p = data;
    size_t n = 0;
    int c;
    while (n < len && (c = giga_uart_read_byte()) >= 0)
        p[n++] = (uint8_t)c;
    return n;
}

/* The core it runs on, whatever it was built for: both cores' reports go to USART1. */
const char *duet_cortex_m_port_core_name(void)
{
    return giga_cpuid_is_m7() ? "M7" : "M4";
}

/* A program that ends (or faults) waits for the last byte to leave, then sleeps for good:
 * the board has nothing to return to. */
void duet_cortex_m_port_exit(int status)
{
    (void)status;
    if (uart_ready) {
        while (!(USART_ISR(USART1_BASE) & USART_ISR_TC)) {
        }
    }
    duet_cortex_m_halt();
}
