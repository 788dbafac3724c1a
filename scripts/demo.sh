#!/bin/sh
# demo.sh BUILD - the guide's RPC servo example on the emulated GIGA R1, run by duet-board:
# the M4 reads a potentiometer on A0 (here a sine wave), maps it to an angle and calls
# servoMove(angle) on the M7 every second; the M7 turns the servo on pin 5.
set -eu
build=${1:-build}
bin=$build/bin
echo "duet demo: the RPC servo example of the GIGA R1 guide, on an emulated board (each core a process)."
echo "The Serial Monitor (the M7's USB Serial) is stdout; the event log and the RPC trace are on stderr."
echo
echo "\$ duet-board run --m7 rpc_servo_m7 --m4 rpc_servo_m4 --analog A0=sine:0:1023:0.2Hz --seconds 5 --trace"
"$bin/duet-board" run --m7 "$bin/rpc_servo_m7" --m4 "$bin/rpc_servo_m4" --analog A0=sine:0:1023:0.2Hz \
    --seconds 5 --trace
echo
echo "demo: the board ran for 5 seconds and stopped by itself (status 0)"
