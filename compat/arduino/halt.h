/* halt.h - how the Arduino layer reports a problem, and how it stops a sketch (internal). */
#ifndef DUET_ARDUINO_HALT_H
#define DUET_ARDUINO_HALT_H

namespace arduino {
namespace detail {

/* One line on the board's error output (on a PC: stderr, the board's event log), naming
 * this core: "M4: RPC.call("x") failed: ...". */
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reports, then stops this core for good, as an mbed error halts the board: the other core
 * sees it stop. */
[[noreturn]] void halt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace detail
} // namespace arduino

#endif
