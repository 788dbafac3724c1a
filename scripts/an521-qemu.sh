#!/bin/sh
# an521-qemu.sh [--seconds N] [--realtime] [--leds FILE] M7.elf [M4.elf] - runs an image pair on QEMU's
# mps2-an521 (two Cortex-M33: CPU0 runs M7.elf, CPU1 M4.elf once CPU0 starts it).
#
# CPU0's UART (the M7's Serial and C stdout) is this script's stdout; CPU1's UART goes to a
# file that is printed after the run, each line prefixed "M4| ". The exit status is the
# M7's (semihosting exit), or 124 when the pair has not ended within N seconds (default 60).
#
# By default the cores run under -icount shift=0,sleep=off: one guest instruction is one
# nanosecond of virtual time, the cores take turns deterministically, and time spent
# sleeping in WFI passes at once, so a run does not depend on the host's load.
# --realtime runs them instead on QEMU's default (multi-threaded) accelerator in host time.
# --leds FILE writes into FILE each value the cores wrote to the FPGA's LED register (its
# offset 0: bit 0 LED 0, bit 1 LED 1, lit when set), one per line in order, from QEMU's
# trace event mps2_fpgaio_write.
# The board's Ethernet chip is given an isolated user-mode network (restrict=on: no host,
# no outside); with none behind it QEMU would warn "nic lan9118.0 has no peer" on every run.
# Without IPv6 (ipv6=off), whose router advertisements the network would otherwise send to a
# chip that takes none ("Slirp: Failed to send packet" on stderr, often where virtual time
# runs fast).
set -eu

seconds=60
leds=""
mode="-icount shift=0,sleep=off"
while [ $# -gt 0 ]; do
    case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --realtime) mode=""; shift ;;
    --leds) leds=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "an521-qemu.sh: unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
    *) break ;;
    esac
done
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: an521-qemu.sh [--seconds N] [--realtime] [--leds FILE] M7.elf [M4.elf]" >&2
    exit 2
fi
for image in "$@"; do
    [ -r "$image" ] || { echo "an521-qemu.sh: cannot read the image $image" >&2; exit 2; }
done
command -v qemu-system-arm >/dev/null 2>&1 ||
    { echo "an521-qemu.sh: qemu-system-arm not found (install it: scripts/deps.sh test)" >&2; exit 2; }

m4_log=$(mktemp "${TMPDIR:-/tmp}/duet-an521-m4.XXXXXX")
trace_log=""
trap 'rm -f "$m4_log" ${trace_log:+"$trace_log"}' EXIT
loader=""
[ $# -eq 2 ] && loader="-device loader,file=$2"
trace=""
if [ -n "$leds" ]; then
    trace_log=$(mktemp "${TMPDIR:-/tmp}/duet-an521-trace.XXXXXX")
    trace="-d trace:mps2_fpgaio_write -D $trace_log"
fi

# QEMU's stderr goes through a filter that drops the one line QEMU prints when timeout ends it
# at the end of --seconds ("qemu-system-arm: terminating on signal 15 from pid N (timeout)"),
# and passes every other line on as QEMU writes it (sed -u: unbuffered), its errors among
# them. QEMU's stdout (the M7's UART) goes straight to ours (descriptor 3). The status of
# timeout, which the pipe would lose, goes through a file.
status_file=$(mktemp "${TMPDIR:-/tmp}/duet-an521-status.XXXXXX")
trap 'rm -f "$m4_log" "$status_file" ${trace_log:+"$trace_log"}' EXIT
{
    {
        status=0
        # shellcheck disable=SC2086
        timeout --kill-after=5 "$seconds" qemu-system-arm -M mps2-an521 $mode \
            -display none -monitor none -nodefaults -nic user,restrict=on,ipv6=off \
            -semihosting-config enable=on,target=native \
            -serial stdio -serial "file:$m4_log" \
            -kernel "$1" $loader $trace </dev/null 2>&1 1>&3 3>&- || status=$?
        echo "$status" >"$status_file"
    } | sed -u '/^qemu-system-arm: terminating on signal 15 from pid [0-9]* (timeout)$/d' >&2
} 3>&1
status=$(cat "$status_file")

if [ -n "$leds" ]; then
    sed -n 's/.*FPGAIO write: offset 0x0 data \(0x[0-9a-f]*\) .*/\1/p' "$trace_log" >"$leds"
fi

if [ -s "$m4_log" ]; then
    sed 's/^/M4| /' "$m4_log"
fi
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "an521-qemu.sh: the M7 did not end within $seconds s (stopped)" >&2
    exit 124
fi
exit "$status"
