#!/bin/sh
# qemu_messages.sh SCRIPT M7.elf M4.elf WORK_DIR - what scripts/an521-qemu.sh (SCRIPT) shows of
# QEMU's own messages: not the line QEMU prints when the script's time limit ends it
# ("qemu-system-arm: terminating on signal 15 from pid N (timeout)", which came before the
# script's own sentence), and still every real error of QEMU's (an image that locks the CPU
# up: "qemu: fatal: Lockup ...").
set -eu
script=$1
m7=$2
m4=$3
work=$4
rm -rf "$work"
mkdir -p "$work"
fail() {
    echo "qemu_messages.sh: $1" >&2
    cat "$work/err.txt" >&2
    exit 1
}
# A pair that runs until the time is up: the script's sentence alone on stderr, status 124.
status=0
"$script" --seconds 1 "$m7" "$m4" >"$work/out.txt" 2>"$work/err.txt" || status=$?
[ "$status" -eq 124 ] || fail "a pair stopped at the time limit ended with $status, not 124"
if grep -q "terminating on signal" "$work/err.txt"; then
    fail "QEMU's line about the signal that ended it is on stderr"
fi
[ "$(cat "$work/err.txt")" = "an521-qemu.sh: the M7 did not end within 1 s (stopped)" ] ||
    fail "stderr holds more than the script's sentence"
grep -q "^Printed from M4 core" "$work/out.txt" || fail "the M7's Serial did not reach stdout"
# A real error of QEMU's still shows: a text file as the M7's image locks the CPU up.
echo "not a program" >"$work/text.elf"
status=0
"$script" --seconds 5 "$work/text.elf" >"$work/out.txt" 2>"$work/err.txt" || status=$?
[ "$status" -ne 0 ] && [ "$status" -ne 124 ] || fail "an image that locks the CPU up ended with $status"
grep -q "^qemu: fatal: Lockup" "$work/err.txt" || fail "QEMU's own error is not on stderr"
echo "qemu_messages.sh: passed"
