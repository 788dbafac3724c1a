#!/bin/sh
# qemu_messages.sh SCRIPT DUET_BOARD M7.elf M4.elf WORK_DIR - what scripts/an521-qemu.sh
# (SCRIPT) and duet-board run --target an521 show of QEMU's own messages: not the line QEMU
# prints when they end it at the time limit ("qemu-system-arm: terminating on signal 15 from
# pid N (timeout)", which came before the script's own sentence), and still every real error
# of QEMU's, as QEMU writes it (an image that locks the CPU up: "qemu: fatal: Lockup ...").
set -eu
script=$1
board=$2
m7=$3
m4=$4
work=$5
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

# duet-board run: QEMU's messages pass as QEMU writes them, but for the line about the signal
# duet-board sent it. A stand-in for QEMU (first on PATH) writes a warning and another
# sender's signal line at once, then waits to be stopped and reports it as QEMU 7.2 does.
mkdir -p "$work/bin"
cat >"$work/bin/qemu-system-arm" <<'FAKE'
#!/bin/sh
trap 'kill $! 2>/dev/null; echo "qemu-system-arm: terminating on signal 15 from pid $PPID (duet-board)" >&2; exit 0' TERM
echo "qemu-system-arm: warning: a message of QEMU's own" >&2
echo "qemu-system-arm: terminating on signal 15 from pid 1 (init)" >&2
sleep 10 >/dev/null 2>&1 &
wait
FAKE
chmod +x "$work/bin/qemu-system-arm"
PATH="$work/bin:$PATH" "$board" run --target an521 --m7 "$m7" --m4 "$m4" --seconds 3 >"$work/out.txt" \
    2>"$work/err.txt" &
run_pid=$!
sleep 1.5
grep -q "^qemu-system-arm: warning: a message of QEMU's own$" "$work/err.txt" ||
    fail "duet-board run held QEMU's warning back (not on stderr 1.5 s into a 3 s run)"
status=0
wait "$run_pid" || status=$?
[ "$status" -eq 0 ] || fail "duet-board run ended with $status"
expected="qemu-system-arm: warning: a message of QEMU's own
qemu-system-arm: terminating on signal 15 from pid 1 (init)"
[ "$(cat "$work/err.txt")" = "$expected" ] ||
    fail "duet-board run's stderr is not QEMU's two lines less the one about duet-board's signal"
echo "qemu_messages.sh: passed"
