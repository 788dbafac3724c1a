#!/bin/sh
# example_led.sh AN521_QEMU M7.elf M4.elf - the MicroPython LED example under QEMU, as it is:
# the M7 starts the M4 from the GIGA's 0x08180000 (CPU1's image here) and calls led(True) and
# led(False) every 500 ms; the M4 drives the green LED, the FPGA's user LED 1 (bit 1 of its
# LED register, lit when set). Passes when the pair ran until it was stopped (the example
# never ends) and the LED register was written at least 6 times, off (pinMode) and then
# on and off in turn: the green LED blinked at the M7's calls.
set -eu
leds=$(mktemp "${TMPDIR:-/tmp}/duet-an521-leds.XXXXXX")
trap 'rm -f "$leds"' EXIT
status=0
"$1" --seconds 4 --leds "$leds" "$2" "$3" || status=$?
if [ "$status" -ne 124 ]; then
    echo "example_led.sh: the pair ended with status $status; the example runs until stopped (124)"
    exit 1
fi
awk '
    { want = NR % 2 ? "0x0" : "0x2"
      if ($1 != want) { printf "example_led.sh: LED write %d was %s, expected %s (off, then on and off in turn)\n", NR, $1, want; bad = 1; exit 1 } }
    END {
      if (bad) exit 1
      if (NR < 6) { printf "example_led.sh: the LED register was written %d times, expected at least 6\n", NR; exit 1 }
      printf "the green LED blinked: %d writes to the LED register, off and on in turn\n", NR
    }' "$leds"
