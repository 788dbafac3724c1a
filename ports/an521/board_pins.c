/* board_pins.c - duet/board.h's pins, LEDs, analog inputs, servo and real-time clock
 * on the AN521 under QEMU. The board has no GPIO pins QEMU emulates, so pins are a stand-in:
 * a table in the SSE-200's shared SRAM that both cores read and write (a level one core
 * drives is what the other reads). LEDR and LEDG also light the FPGA's two user LEDs.
 * There are no analog inputs, PWM or servo: those calls fail with a sentence. (Threads:
 * ports/cortex_m/thread.c.) */
#include "duet/board.h"

#include "board_error.h"
#include "duet/an521.h"
#include "duet/cortex_m.h"
#include "regs.h"

/* 2000-01-01 00:00:00 UTC, where the STM32's RTC starts and so does this one. */
#define RTC_POWER_ON 946684800
#define RTC_LAST 4102444799 /* 2099-12-31 23:59:59 */

/* The board's state in shared SRAM. It is zero at power-on, and zero is the board's state
 * then: every pin an INPUT, the clock not set, every pin at its power-on level (HIGH for
 * the LEDs, which are active low; LOW for the others), from which `level` holds the
 * difference. So no core sets it up, and neither can undo what the other wrote first (a
 * core that set it up on its first use once undid the other core's first pinMode). */
struct board_state {
    uint32_t rtc_set;                      /* nonzero once a core set the clock */
    uint8_t mode[2][DUET_BOARD_PIN_COUNT]; /* per core: INPUT, OUTPUT, INPUT_PULLUP */
    uint8_t level[DUET_BOARD_PIN_COUNT];   /* the level an OUTPUT drives, XOR its power-on level */
};

_Static_assert(INPUT == 0 && LOW == 0 && HIGH == 1, "a zero board_state is every pin an INPUT at its power-on level");

static volatile struct board_state *state(void)
{
    return (volatile struct board_state *)(uintptr_t)AN521_BOARD_STATE;
}

static int power_on_level(int pin)
{
    return pin == LEDR || pin == LEDG || pin == LEDB ? HIGH : LOW;
}

static int level_of(volatile struct board_state *s, int pin)
{
    return s->level[pin] ^ power_on_level(pin);
}

static void level_set(volatile struct board_state *s, int pin, int level)
{
    s->level[pin] = (uint8_t)(level ^ power_on_level(pin));
}

static bool pin_ok(const char *what, int pin)
{
    if (pin >= 0 && pin < DUET_BOARD_PIN_COUNT)
        return true;
    duet_an521_board_fail(what, "pin %d does not exist on the GIGA R1 (pins are 0..102)", pin);
    return false;
}

/* The FPGA's user LEDs follow LEDR (LED 0) and LEDG (LED 1): lit when the pin is LOW. */
static void update_leds(volatile struct board_state *s)
{
    AN521_FPGAIO_LED0 = (level_of(s, LEDR) == LOW ? 1u : 0u) | (level_of(s, LEDG) == LOW ? 2u : 0u);
}

void pinMode(int pin, int mode)
{
    if (!pin_ok("pinMode", pin))
        return;
    if (mode != INPUT && mode != OUTPUT && mode != INPUT_PULLUP) {
        duet_an521_board_fail("pinMode", "mode %d is not INPUT (0), OUTPUT (1) or INPUT_PULLUP (2)", mode);
        return;
    }
    volatile struct board_state *s = state();
    s->mode[duet_an521_core()][pin] = (uint8_t)mode;
    if (mode == OUTPUT) {
        level_set(s, pin, power_on_level(pin));
        update_leds(s);
    }
}

void digitalWrite(int pin, int value)
{
    if (!pin_ok("digitalWrite", pin))
        return;
    volatile struct board_state *s = state();
    unsigned core = duet_an521_core();
    if (s->mode[core][pin] != OUTPUT) {
        s->mode[core][pin] = value == LOW ? INPUT : INPUT_PULLUP; /* as Arduino does */
        return;
    }
    level_set(s, pin, value == LOW ? LOW : HIGH);
    update_leds(s);
}

int digitalRead(int pin)
{
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    if (!pin_ok("digitalRead", pin))
        return LOW;
    volatile struct board_state *s = state();
    unsigned core = duet_an521_core();
    if (s->mode[core][pin] == OUTPUT || s->mode[!core][pin] == OUTPUT)
        return level_of(s, pin);
    return s->mode[core][pin] == INPUT_PULLUP || s->mode[!core][pin] == INPUT_PULLUP ? HIGH : LOW;
}

int analogRead(int pin)
{
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    duet_an521_board_fail("analogRead", "the AN521 under QEMU has no analog inputs (pin %d reads 0)", pin);
    return 0;
}

void analogWrite(int pin, int value)
{
    (void)value;
    duet_an521_board_fail("analogWrite", "the AN521 under QEMU has no PWM outputs (pin %d unchanged)", pin);
}

/* The resolutions are checked as on the GIGA R1 and change nothing: no ADC, no PWM here. */
void analogReadResolution(int bits)
{
    if (bits < 1 || bits > 16)
        duet_an521_board_fail("analogReadResolution", "%d bits is not 1..16 (the resolution stays as it was)", bits);
}

void analogWriteResolution(int bits)
{
    if (bits < 1 || bits > 31)
        duet_an521_board_fail("analogWriteResolution", "%d bits is not 1..31 (the resolution stays as it was)", bits);
}

int duet_servo_attach(duet_servo *servo, int pin)
{
    servo->pin = -1;
    servo->angle = 90;
    duet_an521_board_fail("duet_servo_attach", "the AN521 under QEMU has no servo output (pin %d)", pin);
    return DUET_ERR_NOT_SUPPORTED;
}

int duet_servo_write(duet_servo *servo, int angle)
{
    (void)servo;
    (void)angle;
    duet_an521_board_fail("duet_servo_write", "the servo is not attached (the AN521 has none)", 0);
    return DUET_ERR_STATE;
}

int duet_servo_read(const duet_servo *servo)
{
    return servo->pin < 0 ? -1 : servo->angle;
}

void duet_servo_detach(duet_servo *servo)
{
    servo->pin = -1;
}

int duet_rtc_set(int64_t unix_seconds)
{
    if (unix_seconds < 0 || unix_seconds > RTC_LAST) {
        duet_an521_board_fail("duet_rtc_set", "the clock holds 1970 to 2099 only", 0);
        return DUET_ERR_ARG;
    }
    AN521_FPGAIO_CLK1HZ = (uint32_t)unix_seconds;
    state()->rtc_set = 1;
    return DUET_OK;
}

int64_t duet_rtc_get(void)
{
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    int64_t base = state()->rtc_set ? 0 : RTC_POWER_ON;
    return base + AN521_FPGAIO_CLK1HZ;
}
