/* test_giga_board.c - the GIGA R1's duet/board.h on the host, over a fake register file:
 * the pin table (LEDs, D0..D102), the USART1 console, the RTC's BCD round trip, the pulse
 * trains of servos and analogWrite. What the silicon does with the writes is not shown here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chip.h"
#include "pulse.h"
#include "regs.h"

#include "duet/board.h"
#include "duet/cortex_m.h"
#include "duet/duet.h"

/* ports/cortex_m, as far as the board files use it */
static unsigned irq_enabled;
void duet_cortex_m_irq_enable(unsigned irq) { irq_enabled = irq; }
void duet_cortex_m_irq_clear_pending(unsigned irq) { (void)irq; }
/* board_time.c: a clock that moves on at each look, so waits end */
static unsigned long fake_ms;
unsigned long millis(void) { return fake_ms += 1; }
bool duet_cortex_m_sleep_unless(volatile uint32_t *flag) { (void)flag; return false; }
/* loop.c: what loop() looked at */
unsigned duet_cortex_m_loop_watched;
/* what uart.c calls beyond the board: the port (port.c) and the end of a program (irq.c) */
duet_port *duet_port_default(void) { return NULL; }
void duet_cortex_m_halt(void) { abort(); }

#define PORT_A 0u
#define PORT_B 1u
#define PORT_D 3u
#define PORT_E 4u
#define PORT_J 9u

static int fresh_board(void **state)
{
    (void)state;
    giga_fake_reset();
    irq_enabled = 0;
    SCB_CPUID = 0x411FC270u; /* the M7 */
    HSEM_RLR(GIGA_SEM_GPIO) = HSEM_LOCK | 3u << 8; /* the GPIO lock is free for the M7 */
    HSEM_RLR(GIGA_SEM_RCC) = HSEM_LOCK | 3u << 8;
    return 0;
}

static uint32_t mode_of(unsigned port, unsigned bit)
{
    return (GPIO_MODER(port) >> (bit * 2u)) & 3u;
}

static void test_led_pins_start_off(void **state)
{
    (void)state;
    GPIO_MODER(PORT_J) = 0xFFFFFFFFu; /* analog, as after reset */
    pinMode(LEDG, OUTPUT);            /* PJ13 */
    assert_int_equal(mode_of(PORT_J, 13), GPIO_MODE_OUTPUT);
    assert_int_equal(GPIO_BSRR(PORT_J), 1u << 13); /* HIGH: the LED is off */
    assert_true(REG32(RCC_C1_BLOCK + RCC_CN_AHB4ENR) & RCC_AHB4ENR_GPIOEN(PORT_J));
    digitalWrite(LEDG, LOW);
    assert_int_equal(GPIO_BSRR(PORT_J), 1u << (13 + 16)); /* LOW: on */
    pinMode(LEDB, OUTPUT);                                  /* PE3 */
    assert_int_equal(mode_of(PORT_E, 3), GPIO_MODE_OUTPUT);
}

static void test_digital_pins(void **state)
{
    (void)state;
    pinMode(5, INPUT_PULLUP); /* D5 = PA7 */
    assert_int_equal(mode_of(PORT_A, 7), GPIO_MODE_INPUT);
    assert_int_equal((GPIO_PUPDR(PORT_A) >> 14) & 3u, GPIO_PULL_UP);
    GPIO_IDR(PORT_A) = 1u << 7;
    assert_int_equal(digitalRead(5), HIGH);
    GPIO_IDR(PORT_A) = 0;
    assert_int_equal(digitalRead(5), LOW);
    digitalWrite(5, LOW); /* on an input: the pull-up off, as Arduino */
    assert_int_equal((GPIO_PUPDR(PORT_A) >> 14) & 3u, GPIO_PULL_NONE);
    assert_int_equal(HSEM_R(GIGA_SEM_GPIO), 3u << 8); /* the GPIO lock given back */
}

/* A loop() that reads a pin, an analog input or the RTC is called again within the
 * millisecond (ports/cortex_m/loop.c): each read says it looked at an input. */
static void test_reads_tell_the_loop_they_looked(void **state)
{
    (void)state;
    duet_cortex_m_loop_watched = 0;
    digitalWrite(5, HIGH);
    assert_int_equal(duet_cortex_m_loop_watched, 0); /* a write changes nothing to watch */
    digitalRead(5);
    assert_int_equal(duet_cortex_m_loop_watched, DUET_CORTEX_M_WATCHED_INPUT);
    duet_cortex_m_loop_watched = 0;
    analogRead(LEDR);
    assert_int_equal(duet_cortex_m_loop_watched, DUET_CORTEX_M_WATCHED_INPUT);
    duet_cortex_m_loop_watched = 0;
    RCC_BDCR = RCC_BDCR_RTCEN;
    RTC_ISR = RTC_ISR_RSF;
    duet_rtc_get();
    assert_int_equal(duet_cortex_m_loop_watched, DUET_CORTEX_M_WATCHED_INPUT);
}

static void test_pins_that_do_not_exist(void **state)
{
    (void)state;
    pinMode(DUET_BOARD_PIN_COUNT, OUTPUT);
    assert_non_null(strstr(duet_board_error_text(), "pin 103 does not exist"));
    pinMode(3, 7);
    assert_non_null(strstr(duet_board_error_text(), "mode 7"));
    assert_int_equal(digitalRead(-1), LOW);
    assert_int_equal(analogRead(LEDR), 0);
    assert_non_null(strstr(duet_board_error_text(), "not an analog input"));
}

/* An ADC whose calibration never ends (the fake register keeps ADCAL set): analogRead gives
 * 0 and says why, after a bounded wait, rather than hang the core. */
static void test_adc_that_never_calibrates(void **state)
{
    (void)state;
    assert_int_equal(analogRead(A0), 0);
    assert_non_null(strstr(duet_board_error_text(), "analogRead: the ADC did not start"));
}

/* The console (uart.c): USART1 on D1 = PA9 (TX) and D0 = PB7 (RX), alternate function 7,
 * both pulled up as the Arduino core's pin map has them, 115200 baud from pclk2 (the HSI's
 * 64 MHz on this fresh board). */
static void test_uart_on_d0_d1(void **state)
{
    (void)state;
    giga_uart_init();
    assert_int_equal((GPIO_AFR(PORT_A, 9) >> 4) & 0xFu, 7u);
    assert_int_equal(mode_of(PORT_A, 9), GPIO_MODE_AF);
    assert_int_equal((GPIO_PUPDR(PORT_A) >> 18) & 3u, GPIO_PULL_UP);
    assert_int_equal((GPIO_AFR(PORT_B, 7) >> 28) & 0xFu, 7u);
    assert_int_equal(mode_of(PORT_B, 7), GPIO_MODE_AF);
    assert_int_equal((GPIO_PUPDR(PORT_B) >> 14) & 3u, GPIO_PULL_UP);
    assert_true(REG32(RCC_C1_BLOCK + RCC_CN_APB2ENR) & RCC_APB2ENR_USART1EN);
    assert_int_equal(USART_BRR(USART1_BASE), 556u); /* 64 MHz / 115200, rounded */
    assert_int_equal(USART_CR1(USART1_BASE), USART_CR1_UE | USART_CR1_TE | USART_CR1_RE);
    assert_int_equal(HSEM_R(GIGA_SEM_GPIO), 3u << 8); /* the GPIO lock given back */
}

static void test_rtc_round_trip(void **state)
{
    (void)state;
    RCC_BDCR = RCC_BDCR_RTCEN;            /* the clock already runs */
    RTC_ISR = RTC_ISR_INITF;              /* init mode answers at once */
    int64_t t = 1767225600 + 13 * 3600 + 4 * 60 + 5; /* 2026-01-01 13:04:05, a Thursday */
    assert_int_equal(duet_rtc_set(t), DUET_OK);
    assert_int_equal(RTC_TR, 0x130405u);
    assert_int_equal(RTC_DR, 0x26u << 16 | 4u << 13 | 0x01u << 8 | 0x01u);
    assert_int_equal(RTC_WPR, 0xFFu); /* write protection back on */
    RTC_ISR |= RTC_ISR_RSF;           /* the shadow registers caught up */
    assert_int_equal(duet_rtc_get(), t);
}

/* An RTC whose clock does not run never sets RSF: the read gives up after regio.c's
 * GIGA_WAIT_POLLS reads with 0 and says why (it waited for ever before). */
static void test_rtc_clock_that_does_not_run(void **state)
{
    (void)state;
    RCC_BDCR = RCC_BDCR_RTCEN; /* enabled, but nothing sets RSF */
    RTC_TR = 0x130405u;
    assert_int_equal(duet_rtc_get(), 0);
    assert_non_null(strstr(duet_board_error_text(), "does not run: RTC_ISR.RSF never read set"));
}

static void test_rtc_years_it_cannot_hold(void **state)
{
    (void)state;
    RCC_BDCR = RCC_BDCR_RTCEN;
    assert_int_equal(duet_rtc_set(0), DUET_ERR_ARG);
    assert_non_null(strstr(duet_board_error_text(), "2000..2099"));
    assert_int_equal(duet_rtc_set(4102444800), DUET_ERR_ARG); /* 2100-01-01 */
}

static void test_servo_pulses(void **state)
{
    (void)state;
    duet_servo s;
    assert_int_equal(duet_servo_attach(&s, 5), DUET_OK); /* PA7 */
    assert_int_equal(duet_servo_read(&s), 90);
    assert_int_equal(irq_enabled, IRQ_TIM2);
    assert_int_equal(TIM_ARR(TIM2_BASE), 19999u); /* a 20 ms frame at 1 MHz */
    assert_int_equal(mode_of(PORT_A, 7), GPIO_MODE_OUTPUT);
    /* the frame starts: the pin rises, compare 1 aims at the pulse's end (90 degrees) */
    TIM_SR(TIM2_BASE) = TIM_SR_UIF;
    TIM_CNT(TIM2_BASE) = 3;
    giga_tim2_isr();
    assert_int_equal(GPIO_BSRR(PORT_A), 1u << 7);
    assert_int_equal(TIM_CCR1(TIM2_BASE), 544u + 90u * 1856u / 180u);
    /* the pulse has lasted: the pin falls, nothing else ends in this frame */
    TIM_SR(TIM2_BASE) = TIM_SR_CC1IF;
    TIM_CNT(TIM2_BASE) = 1500;
    giga_tim2_isr();
    assert_int_equal(GPIO_BSRR(PORT_A), 1u << (7 + 16));
    assert_int_equal(TIM_CCR1(TIM2_BASE), 20000u);
    assert_int_equal(duet_servo_write(&s, 500), DUET_OK);
    assert_int_equal(duet_servo_read(&s), 180);
    duet_servo_detach(&s);
    assert_int_equal(duet_servo_read(&s), -1);
    assert_int_equal(duet_servo_write(&s, 10), DUET_ERR_STATE);
}

static void test_too_many_servos(void **state)
{
    (void)state;
    duet_servo s[PULSE_SLOTS + 1];
    for (int i = 0; i < PULSE_SLOTS; i++)
        assert_int_equal(duet_servo_attach(&s[i], 22 + i), DUET_OK);
    assert_int_equal(duet_servo_attach(&s[PULSE_SLOTS], 40), DUET_ERR_FULL);
    for (int i = 0; i < PULSE_SLOTS; i++)
        duet_servo_detach(&s[i]);
}

static void test_analog_write(void **state)
{
    (void)state;
    analogWrite(6, 128); /* D6 = PD13 */
    assert_int_equal(irq_enabled, IRQ_TIM5);
    assert_int_equal(TIM_ARR(TIM5_BASE), 1999u); /* 500 Hz */
    TIM_SR(TIM5_BASE) = TIM_SR_UIF;
    TIM_CNT(TIM5_BASE) = 0;
    giga_tim5_isr();
    assert_int_equal(TIM_CCR1(TIM5_BASE), 128u * 2000u / 255u);
    analogWrite(6, 255); /* high all the frame: no compare in it */
    TIM_SR(TIM5_BASE) = TIM_SR_UIF;
    giga_tim5_isr();
    assert_int_equal(TIM_CCR1(TIM5_BASE), 2000u);
    analogWrite(6, 0);
    assert_int_equal(GPIO_BSRR(PORT_D), 1u << (13 + 16)); /* held low */
}

/* analogWriteResolution: a duty is a fraction of 2^bits - 1 of the 2 ms frame, as Arduino's
 * core divides it; past 16 bits it is cut to its top 16 first (no 64-bit division). */
static void test_analog_write_resolution(void **state)
{
    (void)state;
    analogWriteResolution(12);
    analogWrite(6, 2048);
    TIM_SR(TIM5_BASE) = TIM_SR_UIF;
    TIM_CNT(TIM5_BASE) = 0;
    giga_tim5_isr();
    assert_int_equal(TIM_CCR1(TIM5_BASE), 2048u * 2000u / 4095u);
    analogWrite(6, 4095); /* full scale at 12 bits: high all the frame */
    TIM_SR(TIM5_BASE) = TIM_SR_UIF;
    giga_tim5_isr();
    assert_int_equal(TIM_CCR1(TIM5_BASE), 2000u);
    analogWriteResolution(31);
    analogWrite(6, 0x40000000);
    TIM_SR(TIM5_BASE) = TIM_SR_UIF;
    giga_tim5_isr();
    assert_int_equal(TIM_CCR1(TIM5_BASE), 32768u * 2000u / 65535u);
    analogWriteResolution(32);
    assert_non_null(strstr(duet_board_error_text(),
                           "analogWriteResolution: 32 bits is not 1..31 (the resolution stays 31 bits)"));
    analogReadResolution(0);
    assert_non_null(strstr(duet_board_error_text(), "analogReadResolution: 0 bits is not 1..16"));
    analogWriteResolution(8);
    analogWrite(6, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_led_pins_start_off, fresh_board),
        cmocka_unit_test_setup(test_digital_pins, fresh_board),
        cmocka_unit_test_setup(test_reads_tell_the_loop_they_looked, fresh_board),
        cmocka_unit_test_setup(test_pins_that_do_not_exist, fresh_board),
        cmocka_unit_test_setup(test_adc_that_never_calibrates, fresh_board),
        cmocka_unit_test_setup(test_uart_on_d0_d1, fresh_board),
        cmocka_unit_test_setup(test_rtc_round_trip, fresh_board),
        cmocka_unit_test_setup(test_rtc_years_it_cannot_hold, fresh_board),
        cmocka_unit_test_setup(test_rtc_clock_that_does_not_run, fresh_board),
        cmocka_unit_test_setup(test_servo_pulses, fresh_board),
        cmocka_unit_test_setup(test_too_many_servos, fresh_board),
        cmocka_unit_test_setup(test_analog_write, fresh_board),
        cmocka_unit_test_setup(test_analog_write_resolution, fresh_board),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
