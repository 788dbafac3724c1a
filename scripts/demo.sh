#!/bin/sh
# demo.sh BUILD - the main job: the guide's examples on the emulated GIGA R1.
# Each example is an M7 program and an M4 program. The M4 program is uploaded at the flash
# split's boot address of a fresh board, the M7 program runs, boots the M4 (duet_begin) and
# they talk over RPMsg in the board's shared SRAM4. (Until the duet-board tool exists,
# build/bin/run_example does the board's create/upload/run steps.)
set -eu
build=${1:-build}
bin=$build/bin

run() {
    title=$1
    shift
    echo
    echo "== $title"
    "$bin/run_example" "$@"
}

echo "duet demo: two processes play the M7 and the M4 of an emulated GIGA R1"
run "Core identify (one program for both cores, flash split 1.5MB M7 + 0.5MB M4)" \
    "$bin/core_identify" "$bin/core_identify" 1.5MB
run "USB serial using RPC (the M4 prints through the M7)" "$bin/rpc_serial_m7" "$bin/rpc_serial_m4" 1MB
run "RPC sensor (the M4 calls the M7's sensorRead)" "$bin/rpc_sensor_m7" "$bin/rpc_sensor_m4" 1MB
echo
echo "demo: all examples ran to their end"
