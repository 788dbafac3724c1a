/* board_pins.c - the GIGA R1's Arduino pins on the STM32H747's GPIO ports (RM0399 §12),
 * and its analog inputs A0..A7 on ADC1. The pin numbers follow the Arduino core's GIGA
 * variant: D0..D75, A0..A7 = 76..83, DAC0/1 = 84/85, LEDR/G/B = 86/87/88, then the
 * on-board SPI, CAN, Wi-Fi, BLE, BOOT0 and I2C1 pins up to 102. */
#include "board_impl.h"
#include "chip.h"
#include "regs.h"

#include "duet/cortex_m.h"

#define P(port, bit) (uint8_t)(((port) - 'A') << 4 | (bit))

static const uint8_t pins[DUET_BOARD_PIN_COUNT] = {
    /* D0..D21 */
    P('B', 7), P('A', 9), P('A', 3), P('A', 2), P('J', 8), P('A', 7), P('D', 13), P('B', 4),
    P('B', 8), P('B', 9), P('K', 1), P('J', 10), P('J', 11), P('H', 6), P('G', 14), P('C', 7),
    P('H', 13), P('I', 9), P('D', 5), P('D', 6), P('B', 11), P('H', 4),
    /* D22..D53 */
    P('J', 12), P('G', 13), P('G', 12), P('J', 0), P('J', 14), P('J', 1), P('J', 15), P('J', 2),
    P('K', 3), P('J', 3), P('K', 4), P('J', 4), P('K', 5), P('J', 5), P('K', 6), P('J', 6),
    P('J', 7), P('I', 14), P('E', 6), P('K', 7), P('I', 15), P('I', 10), P('G', 10), P('I', 13),
    P('H', 15), P('B', 2), P('K', 0), P('E', 4), P('I', 11), P('E', 5), P('K', 2), P('G', 7),
    /* D54..D75 */
    P('I', 5), P('H', 8), P('A', 6), P('J', 9), P('I', 7), P('I', 6), P('I', 4), P('H', 14),
    P('G', 11), P('H', 11), P('H', 10), P('H', 9), P('A', 1), P('D', 4), P('C', 6), P('I', 0),
    P('I', 1), P('I', 2), P('I', 3), P('C', 1), P('B', 12), P('D', 3),
    /* A0..A7 (76..83), DAC0, DAC1 (84, 85) */
    P('C', 4), P('C', 5), P('B', 0), P('B', 1), P('C', 3), P('C', 2), P('C', 0), P('A', 0),
    P('A', 4), P('A', 5),
    /* LEDR, LEDG, LEDB (86..88) */
    P('I', 12), P('J', 13), P('E', 3),
    /* SPI1 MISO, MOSI, SCK; USB host enable; CAN RX, TX; Wi-Fi wake, on; BLE wakes, on;
     * BOOT0; I2C1 SCL, SDA (89..102) */
    P('G', 9), P('D', 7), P('B', 3), P('A', 15), P('B', 5), P('B', 13), P('I', 8), P('B', 10),
    P('H', 7), P('G', 3), P('A', 10), P('C', 13), P('B', 6), P('H', 12),
};

/* ADC1 input channels of A0..A7 (INP4, 8, 9, 5, 13, 12, 10, 16). */
static const uint8_t analog_channel[8] = {4, 8, 9, 5, 13, 12, 10, 16};

/* analogRead's resolution on this core, in bits (Arduino's default). */
static int read_bits = 10;

bool giga_pin(const char *fn, int pin, unsigned *port, unsigned *bit)
{
    if (pin < 0 || pin >= DUET_BOARD_PIN_COUNT) {
        giga_board_fail("%s: pin %d does not exist on the GIGA R1 (pins are 0..%d)", fn, pin,
                        DUET_BOARD_PIN_COUNT - 1);
        return false;
    }
    *port = pins[pin] >> 4;
    *bit = pins[pin] & 0xFu;
    giga_clock_enable(RCC_CN_AHB4ENR, RCC_AHB4ENR_GPIOEN(*port));
    return true;
}

static void set_mode(unsigned port, unsigned bit, uint32_t mode)
{
    giga_shared_update(&GPIO_MODER(port), 3u << (bit * 2u), mode << (bit * 2u), GIGA_SEM_GPIO);
}

static void set_pull(unsigned port, unsigned bit, uint32_t pull)
{
    giga_shared_update(&GPIO_PUPDR(port), 3u << (bit * 2u), pull << (bit * 2u), GIGA_SEM_GPIO);
}

void giga_pin_set(unsigned port, unsigned bit, bool high)
{
    GPIO_BSRR(port) = high ? 1u << bit : 1u << (bit + 16u); /* atomic set / reset */
}

void giga_pin_output(unsigned port, unsigned bit)
{
    set_mode(port, bit, GPIO_MODE_OUTPUT);
}

static bool is_led(int pin)
{
    return pin == LEDR || pin == LEDG || pin == LEDB;
}

void pinMode(int pin, int mode)
{
    unsigned port, bit;
    if (mode != INPUT && mode != OUTPUT && mode != INPUT_PULLUP) {
        giga_board_fail("pinMode: mode %d is not INPUT (0), OUTPUT (1) or INPUT_PULLUP (2)", mode);
        return;
    }
    if (!giga_pin("pinMode", pin, &port, &bit))
        return;
    if (mode == OUTPUT) {
        giga_pin_set(port, bit, is_led(pin)); /* LEDs are active low: start off */
        set_pull(port, bit, GPIO_PULL_NONE);
        set_mode(port, bit, GPIO_MODE_OUTPUT);
    } else {
        set_pull(port, bit, mode == INPUT_PULLUP ? GPIO_PULL_UP : GPIO_PULL_NONE);
        set_mode(port, bit, GPIO_MODE_INPUT);
    }
}

void digitalWrite(int pin, int value)
{
    unsigned port, bit;
    if (!giga_pin("digitalWrite", pin, &port, &bit))
        return;
    if (((GPIO_MODER(port) >> (bit * 2u)) & 3u) == GPIO_MODE_INPUT)
        set_pull(port, bit, value != LOW ? GPIO_PULL_UP : GPIO_PULL_NONE);
    else
        giga_pin_set(port, bit, value != LOW);
}

int digitalRead(int pin)
{
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    unsigned port, bit;
    if (!giga_pin("digitalRead", pin, &port, &bit))
        return LOW;
    return (GPIO_IDR(port) >> bit) & 1u ? HIGH : LOW;
}

/* A short hardware settling time (microseconds), rounded up to the clock we have: two
 * milliseconds, asleep (millis() starts SysTick if nothing did). */
static void adc_settle(void)
{
    static volatile uint32_t never;
    uint32_t t0 = millis();
    while (millis() - t0 < 2u)
        duet_cortex_m_sleep_unless(&never);
}

/* ADC1 from deep power-down to ready, once (RM0399 ADC chapter: "ADC on-off control",
 * "calibration"): kernel clock per_ck / 4, out of deep power-down, regulator on, linearity
 * and offset calibration, enable. Each step takes microseconds; the waits poll the ADC's
 * flags, a bounded number of times (giga_reg_wait). False if a step never ended. */
static bool adc_start(void)
{
    static bool ready;
    if (ready)
        return true;
    giga_shared_update(&RCC_D3CCIPR, RCC_D3CCIPR_ADCSEL_MASK, RCC_D3CCIPR_ADCSEL_PER, GIGA_SEM_RCC);
    giga_clock_enable(RCC_CN_AHB1ENR, RCC_AHB1ENR_ADC12EN);
    ADC12_CCR = ADC_CCR_PRESC_DIV4;
    ADC_CR = ADC_CR_BOOST_LOW;                   /* out of deep power-down (DEEPPWD cleared) */
    ADC_CR = ADC_CR_ADVREGEN | ADC_CR_BOOST_LOW; /* then the regulator on, as ST's order has it */
    adc_settle(); /* the regulator's start-up time (10 us) */
    ADC_CR |= ADC_CR_ADCAL | ADC_CR_ADCALLIN;
    if (!giga_reg_wait(&ADC_CR, ADC_CR_ADCAL, 0))
        return false;
    /* ST's ADC driver for the STM32H7 asks for at least 4 ADC clock cycles between the end
     * of the calibration and ADEN (LL_ADC_DELAY_CALIB_ENABLE_ADC_CYCLES): under a
     * microsecond at per_ck / 4, here the same settling wait */
    adc_settle();
    ADC_ISR = ADC_ISR_ADRDY;
    ADC_CR |= ADC_CR_ADEN;
    if (!giga_reg_wait(&ADC_ISR, ADC_ISR_ADRDY, ADC_ISR_ADRDY))
        return false;
    ready = true;
    return true;
}

int analogRead(int pin)
{
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    unsigned port, bit;
    if (pin >= 0 && pin <= 7)
        pin += A0; /* analogRead(0) means A0, as on Arduino */
    if (pin < A0 || pin > A7) {
        giga_board_fail("analogRead: pin %d is not an analog input (use A0..A7)", pin);
        return 0;
    }
    if (!giga_pin("analogRead", pin, &port, &bit))
        return 0;
    set_mode(port, bit, GPIO_MODE_ANALOG);
    if (!adc_start()) {
        giga_board_fail("analogRead: the ADC did not start (its calibration or enable never ended)");
        return 0;
    }
    uint32_t ch = analog_channel[pin - A0];
    ADC_PCSEL |= 1u << ch;
    unsigned shift = (ch % 10u) * 3u;
    ADC_SMPR(ch) = (ADC_SMPR(ch) & ~(7u << shift)) | (5u << shift); /* 64.5 cycles */
    ADC_SQR1 = ch << 6; /* one conversion: SQ1 = ch, L = 0 */
    ADC_CR |= ADC_CR_ADSTART;
    if (!giga_reg_wait(&ADC_ISR, ADC_ISR_EOC, ADC_ISR_EOC)) {
        giga_board_fail("analogRead: A%d's conversion never ended", pin - A0);
        return 0;
    }
    /* The ADC converts at 16 bits (its reset resolution): shifted down to the bits asked for,
     * as Arduino's core shifts its 16-bit reading. */
    return (int)((ADC_DR & 0xFFFFu) >> (16 - read_bits));
}

void analogReadResolution(int bits)
{
    if (bits < 1 || bits > 16) {
        giga_board_fail("analogReadResolution: %d bits is not 1..16 (the ADC's reading has 16; the resolution "
                        "stays %d bits)", bits, read_bits);
        return;
    }
    read_bits = bits;
}
